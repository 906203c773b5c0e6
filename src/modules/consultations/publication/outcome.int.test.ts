import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { makeConsultation } from '../moderation/moderation.fixtures.js'

const DAY = 86_400_000

describe('the outcome of a consultation: we asked, you said, we did', () => {
  let t: TestApp
  let manager: TestClient
  let fifeId: string
  let closedId: string
  let openId: string

  before(async () => {
    t = await testApp()
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['consultation-manager'])
    fifeId = fife.organisation.id
    manager = new TestClient(t.app)
    await signIn(manager, kernel, fife.account.email, PASSWORD)
    const question = [{ type: 'long-text', title: 'Your views' }]
    closedId = (await makeConsultation(kernel, fifeId, { opensIn: -30 * DAY, closesIn: -DAY, questions: question })).id
    openId = (await makeConsultation(kernel, fifeId, { questions: question })).id
  })
  after(async () => {
    await t.close()
  })

  it('refuses an empty outcome and a document without a proper address, keeping what was typed', async () => {
    const url = `/manage/consultations/${closedId}/outcome`
    const empty = await manager.submit(url, { body: '  ', bodyGd: '' }, { formSelector: `form[action="${url}"]` })
    assert.equal(empty.status, 422)
    assert.match(text(empty.$, '#body-error'), /Enter what you asked/)
    const doc = await manager.submit(
      url,
      { title: 'Analysis report', url: 'javascript:alert(1)' },
      { formSelector: `form[action="${url}/documents"]` },
    )
    assert.equal(doc.status, 422)
    assert.deepEqual(
      doc
        .$('.ds_error-summary a')
        .map((_, a) => doc.$(a).attr('href'))
        .get(),
      ['#url'],
    )
    assert.equal(doc.$('#title').attr('value'), 'Analysis report')
  })

  it('publishes the outcome of a closed consultation only, sanitised, with its documents, in both languages', async () => {
    const url = `/manage/consultations/${openId}/outcome`
    assert.equal(
      (await manager.submit(url, { body: 'Too early', bodyGd: '' }, { formSelector: `form[action="${url}"]` })).status,
      303,
    )
    const early = await manager.get(url)
    assert.equal(early.$(`form[action="${url}/publish"]`).length, 0, 'no publish button while open')
    const csrf = early.$('main form input[name="_csrf"]').first().attr('value')!
    const refused = await manager.request('POST', `${url}/publish`, { form: { _csrf: csrf, publish: 'yes' } })
    assert.equal(refused.status, 409)

    const closed = `/manage/consultations/${closedId}/outcome`
    const saved = await manager.submit(
      closed,
      {
        body: '## We asked\n\nAbout buses.\n\n## You said\n\nMore buses.<script>alert(1)</script>\n\n## We did\n\n[Read the timetable](https://www.gov.scot/)',
        bodyGd: "## Dh'fhaighnich sinn\n\nMu na busaichean.",
      },
      { formSelector: `form[action="${closed}"]` },
    )
    assert.equal(saved.status, 303)
    assert.equal(
      (
        await manager.submit(
          closed,
          { title: 'Analysis of responses', url: 'https://www.gov.scot/analysis.pdf' },
          { formSelector: `form[action="${closed}/documents"]` },
        )
      ).status,
      303,
    )
    const visitor = new TestClient(t.app)
    assert.equal((await visitor.get(`/consultations/${closedId}/outcome`)).status, 404, 'not public before publishing')
    const outcomeLink = `#results a[href="/consultations/${closedId}/outcome"]`
    assert.equal((await visitor.get(`/consultations/${closedId}`)).$(outcomeLink).length, 0)
    assert.equal((await manager.submit(closed, {}, { formSelector: `form[action="${closed}/publish"]` })).status, 303)
    const consultationPage = await visitor.get(`/consultations/${closedId}`)
    assert.equal(
      consultationPage.$(`a[href="/consultations/${closedId}/outcome"]`).text(),
      'We asked, you said, we did',
    )
    const page = await visitor.get(`/consultations/${closedId}/outcome`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'h1'), /We asked, you said, we did/)
    assert.match(text(page.$, 'main'), /Outcome published/)
    assert.equal(page.$('.comhla-consultation-body h2').first().text(), 'We asked')
    assert.equal(page.$('main script').length, 0)
    assert.equal(page.$('a[href="https://www.gov.scot/analysis.pdf"]').text(), 'Analysis of responses')

    await visitor.get('/language/gd?return=/')
    const gaelic = await visitor.get(`/consultations/${closedId}/outcome`)
    assert.equal(gaelic.$('.comhla-consultation-body h2').first().text(), "Dh'fhaighnich sinn")

    const api = await t.app.inject({ url: `/api/v1/consultations/${closedId}/outcome` })
    assert.equal(api.statusCode, 200)
    const body = api.json()
    assert.doesNotMatch(body.bodyHtml, /<script/)
    assert.deepEqual(body.documents, [{ title: 'Analysis of responses', url: 'https://www.gov.scot/analysis.pdf' }])
    assert.equal(body.responsesUrl, null, 'the responses themselves are not published')

    const actions = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.map((e) => e.action)
    for (const a of [
      'consultation.outcome-saved',
      'consultation.outcome-document-added',
      'consultation.outcome-published',
    ])
      assert.ok(actions.includes(a), a)
  })

  it('keeps an uploaded document with the outcome and serves it to the public', async () => {
    const url = `/manage/consultations/${closedId}/outcome`
    const page = await manager.get(url)
    const csrf = page.$(`form[action="${url}/documents"] input[name="_csrf"]`).attr('value')!
    const boundary = '----comhla-outcome-boundary'
    const part = (name: string, value: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
    const payload = [
      part('_csrf', csrf),
      part('title', 'Full analysis'),
      part('url', ''),
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="analysis.txt"\r\nContent-Type: text/plain\r\n\r\nWhat people said, in full.\r\n`,
      `--${boundary}--\r\n`,
    ].join('')
    const cookie = (manager as unknown as { cookieHeader: () => string }).cookieHeader()
    const upload = await t.app.inject({
      method: 'POST',
      url: `${url}/documents`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie },
      payload,
    })
    assert.equal(upload.statusCode, 303, upload.body.slice(0, 500))
    const outcome = await new TestClient(t.app).get(`/consultations/${closedId}/outcome`)
    const link = outcome.$('a:contains("Full analysis")').attr('href')!
    assert.match(link, /^\/consultations\/[0-9a-f-]{36}\/outcome\/documents\/[0-9a-f-]{36}$/)
    const file = await new TestClient(t.app).get(link)
    assert.equal(file.status, 200)
    assert.equal(file.body, 'What people said, in full.')
    const missing = await manager.submit(
      url,
      { title: 'Nothing attached', url: '' },
      { formSelector: `form[action="${url}/documents"]` },
    )
    assert.equal(missing.status, 422)
    assert.match(text(missing.$, '#url-error'), /or upload it/)
  })
})

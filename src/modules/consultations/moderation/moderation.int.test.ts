import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { addResponse, makeConsultation } from './moderation.fixtures.js'
import { tables } from './moderation.repository.js'

describe('moderation and publication of responses', () => {
  let t: TestApp
  let manager: TestClient
  let otherManager: TestClient
  let fifeId: string
  let consultationId: string
  let q: { route: string; improve: string; often: string; when: string }
  const r: Record<string, { id: string; reference: string }> = {}
  const moderationUrl = () => `/manage/consultations/${consultationId}/moderation`
  const answerUrl = (responseId: string, key: string) => `${moderationUrl()}/${responseId}/${encodeURIComponent(key)}`

  before(async () => {
    t = await testApp()
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['consultation-manager'], { name: 'Morag Moderator' })
    fifeId = fife.organisation.id
    const other = await makeStaff(kernel, 'dundee-city-council', ['consultation-manager'])
    manager = new TestClient(t.app)
    await signIn(manager, kernel, fife.account.email, PASSWORD)
    otherManager = new TestClient(t.app)
    await signIn(otherManager, kernel, other.account.email, PASSWORD)
    const c = await makeConsultation(kernel, fifeId, {
      questions: [
        { type: 'short-text', title: 'Which bus route do you use most?' },
        { type: 'long-text', title: 'How could the service improve?' },
        { type: 'single-choice', title: 'How often do you travel by bus?', options: ['Every day', 'Rarely'] },
        { type: 'multiple-choice', title: 'When do you travel?', options: ['Mornings', 'Evenings'] },
      ],
    })
    consultationId = c.id
    const [route, improve, often, when] = c.questionIds as [string, string, string, string]
    q = { route, improve, often, when }
    r.named = await addResponse(kernel, c.id, {
      name: 'Ailsa Craig',
      publication: 'publish-with-name',
      answers: {
        [route]: 'X59',
        [improve]: 'My neighbour John Smith on 07700 900123 says the drivers are rude.',
        [often]: 'Every day',
        [when]: ['Mornings'],
        [`${when}:other`]: 'Night shifts at the hospital',
      },
      submittedAt: new Date(Date.now() - 3000),
    })
    r.anonymous = await addResponse(kernel, c.id, {
      name: 'Hamish Secret-Surname',
      email: 'hamish@example.com',
      publication: 'publish-without-name',
      answers: { [route]: '7', [improve]: 'More buses on Sundays please', [often]: 'Rarely' },
      submittedAt: new Date(Date.now() - 2000),
    })
    r.hidden = await addResponse(kernel, c.id, {
      name: 'Private Person',
      publication: 'do-not-publish',
      answers: { [route]: 'NEVER-SHOWN-ROUTE', [improve]: 'NEVER-SHOWN-TEXT', [often]: 'Every day' },
      submittedAt: new Date(Date.now() - 1000),
    })
    r.organisation = await addResponse(kernel, c.id, {
      name: 'Contact Person Hidden',
      respondentType: 'organisation',
      organisationName: 'Fife Bus Users Group',
      publication: 'publish-without-name',
      answers: { [improve]: 'Timetables at every stop', [often]: 'Every day' },
    })
  })
  after(async () => {
    await t.close()
  })

  it('queues every free-text answer of publishable responses, and no answer of a do-not-publish response', async () => {
    const page = await manager.get(moderationUrl())
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'h1'), /Moderate answers/)
    const main = text(page.$, 'main')
    assert.match(main, /6 answers/)
    assert.match(main, /Night shifts at the hospital/)
    assert.match(main, /When do you travel\? \(other\)/)
    assert.doesNotMatch(main, /NEVER-SHOWN|Every day/)
    assert.equal(page.$(`a[href="${answerUrl(r.hidden!.id, q.improve)}"]`).length, 0)
    const hidden = await manager.get(answerUrl(r.hidden!.id, q.improve))
    assert.equal(hidden.status, 404)
    const choice = await manager.get(answerUrl(r.named!.id, q.often))
    assert.equal(choice.status, 404, 'a choice answer has nothing to moderate')
  })

  it('refuses a redaction of text not in the answer, keeping what was typed', async () => {
    const url = answerUrl(r.named!.id, q.improve)
    const bad = await manager.submit(
      url,
      { text: 'Jane Doe', reason: '', note: '' },
      { formSelector: `form[action="${url}/redact"]` },
    )
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#reason', '#text'],
    )
    assert.match(text(bad.$, '#text-error'), /not in this answer/)
    assert.equal(bad.$('#text').text(), 'Jane Doe')
    const other = await manager.submit(
      url,
      { text: 'John Smith', reason: 'other', note: '' },
      { formSelector: `form[action="${url}/redact"]` },
    )
    assert.equal(other.status, 422)
    assert.match(text(other.$, '#note-error'), /Enter a note/)
  })

  it('redacts spans with a reason, approves, and keeps a history of each decision in the audit trail', async () => {
    const url = answerUrl(r.named!.id, q.improve)
    const first = await manager.submit(
      url,
      { text: 'john smith', reason: 'personal-data' },
      { formSelector: `form[action="${url}/redact"]` },
    )
    assert.equal(first.status, 303)
    const second = await manager.submit(
      url,
      { text: '07700 900123', reason: 'personal-data', note: 'A phone number' },
      { formSelector: `form[action="${url}/redact"]` },
    )
    assert.equal(second.status, 303)
    const page = await manager.get(url)
    assert.match(text(page.$, 'main'), /Approved with redactions/)
    assert.equal(page.$('mark').length, 2)
    const history = page
      .$('#history-heading + div tbody tr')
      .map((_, tr) =>
        page
          .$(tr)
          .find('td')
          .map((_, td) => page.$(td).text().trim())
          .get()
          .join(' | '),
      )
      .get()
    assert.equal(history.length, 2)
    assert.match(
      history[0]!,
      /Morag Moderator \| Redacted \| personal data \| A phone number \| Approved with redactions/,
    )

    // A stale form (made before the last decision) is refused rather than overwriting it.
    const stale = await manager.request('POST', `${url}/approve`, {
      form: { _csrf: page.$('main form input[name="_csrf"]').first().attr('value')!, revision: '1' },
    })
    assert.equal(stale.status, 409)

    const other = answerUrl(r.named!.id, `${q.when}:other`)
    assert.equal((await manager.submit(other, {}, { formSelector: `form[action="${other}/approve"]` })).status, 303)
    const route = answerUrl(r.named!.id, q.route)
    assert.equal((await manager.submit(route, {}, { formSelector: `form[action="${route}/approve"]` })).status, 303)

    const entries = (await t.app.kernel.audit.search({ organisationId: fifeId })).items
    const redacted = entries.filter((e) => e.action === 'consultation.answer-redacted')
    assert.equal(redacted.length, 2)
    assert.equal(redacted[0]!.targetId, r.named!.id)
    assert.doesNotMatch(
      JSON.stringify(entries.map((e) => e.details)),
      /John|07700/,
      'the audit keeps no redacted words',
    )
    assert.ok(entries.some((e) => e.action === 'consultation.answer-approved'))
  })

  it('can revise a decision: remove a redaction, then return the answer to the queue', async () => {
    const url = answerUrl(r.anonymous!.id, q.improve)
    assert.equal(
      (
        await manager.submit(
          url,
          { text: 'Sundays', reason: 'offensive' },
          { formSelector: `form[action="${url}/redact"]` },
        )
      ).status,
      303,
    )
    const removed = await manager.submit(url, {}, { formSelector: `form[action="${url}/remove-redaction"]` })
    assert.equal(removed.status, 303)
    let page = await manager.get(url)
    assert.equal(page.$('mark').length, 0)
    assert.match(text(page.$, 'dl'), /Approved/)
    assert.equal((await manager.submit(url, {}, { formSelector: `form[action="${url}/reopen"]` })).status, 303)
    page = await manager.get(url)
    assert.match(text(page.$, 'dl'), /Waiting for moderation/)
    assert.equal(page.$('#history-heading + div tbody tr').length, 3)
    const queue = await manager.get(`${moderationUrl()}?status=pending`)
    assert.match(text(queue.$, 'main'), /More buses on Sundays please/)
  })

  it('does not show responses to the public until the body publishes them, and that is audited', async () => {
    const before = await new TestClient(t.app).get(`/consultations/${consultationId}/published-responses`)
    assert.equal(before.status, 404)
    const api = await t.app.inject({ url: `/api/v1/consultations/${consultationId}/published-responses` })
    assert.equal(api.statusCode, 404)
    const page = await manager.get(`/manage/consultations/${consultationId}/publication`)
    assert.equal(page.status, 200)
    const published = await manager.submit(`/manage/consultations/${consultationId}/publication`, {
      publish: 'yes',
    })
    assert.equal(published.status, 303)
    const actions = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.map((e) => e.action)
    assert.ok(actions.includes('consultation.responses-published'))
  })

  it('shows each published response honouring its choice and every redaction, on the page, in CSV, JSON and the API', async () => {
    const visitor = new TestClient(t.app)
    const page = await visitor.get(`/consultations/${consultationId}/published-responses`)
    assert.equal(page.status, 200)
    const main = text(page.$, 'main')
    assert.match(main, /3 published responses/)
    assert.match(main, /Ailsa Craig/, 'a name is shown where the respondent chose so')
    assert.match(main, /Fife Bus Users Group/, "an organisation's name is shown")
    assert.match(main, /\[redacted: personal data\] on \[redacted: personal data\] says the drivers are rude/)
    assert.match(main, /Night shifts at the hospital/)
    assert.match(main, /Not yet published: waiting for moderation/)

    const csv = await visitor.get(`/api/v1/consultations/${consultationId}/published-responses.csv`)
    assert.equal(csv.status, 200)
    assert.match(String(csv.headers['content-type']), /text\/csv/)
    assert.equal(csv.body.trim().split('\n').length, 4)
    assert.match(csv.body, /\[redacted: personal data\] on \[redacted: personal data\]/)
    const json = await visitor.get(`/api/v1/consultations/${consultationId}/published-responses.json`)
    assert.equal(json.status, 200)
    const all = JSON.parse(json.body) as { items: { name: string | null; organisationName: string | null }[] }
    assert.equal(all.items.length, 3)
    const apiPage = await t.app.inject({
      url: `/api/v1/consultations/${consultationId}/published-responses?pageSize=2`,
    })
    assert.equal(apiPage.statusCode, 200)
    const body = apiPage.json()
    assert.equal(body.total, 3)
    assert.equal(body.items.length, 2)
    assert.equal(body.pageCount, 2)
    const anonymous = all.items.find((i) => i.name === null && i.organisationName === null)
    assert.ok(anonymous, 'the publish-without-name response has no name')

    for (const [what, out] of [
      ['page', page.body],
      ['csv', csv.body],
      ['json', json.body],
      ['api', apiPage.body],
    ] as const) {
      for (const secret of [
        'NEVER-SHOWN',
        'Private Person',
        'John Smith',
        '07700',
        'Hamish',
        'Secret-Surname',
        'Contact Person Hidden',
        '@example.com',
        'More buses on Sundays',
      ])
        assert.ok(!out.includes(secret), `${what} leaks ${secret}`)
      assert.ok(!out.includes(r.hidden!.reference), `${what} leaks the reference of a do-not-publish response`)
    }
  })

  it('withdraws publication, after which nothing is public', async () => {
    assert.equal(
      (await manager.submit(`/manage/consultations/${consultationId}/publication`, { publish: 'no' })).status,
      303,
    )
    assert.equal((await new TestClient(t.app).get(`/consultations/${consultationId}/published-responses`)).status, 404)
    assert.equal(
      (await t.app.inject({ url: `/api/v1/consultations/${consultationId}/published-responses.csv` })).statusCode,
      404,
    )
    const row = await tables(t.app.kernel.db)
      .selectFrom('consultations.response_publication')
      .select('published')
      .where('consultation_id', '=', consultationId)
      .executeTakeFirstOrThrow()
    assert.equal(row.published, false)
  })

  it("refuses another body's manager on every moderation and publication route", async () => {
    const url = answerUrl(r.named!.id, q.improve)
    for (const path of [moderationUrl(), url, `/manage/consultations/${consultationId}/publication`]) {
      const res = await otherManager.get(path)
      assert.equal(res.status, 403, path)
      assert.doesNotMatch(res.body, /drivers are rude/)
      const anonymous = await new TestClient(t.app).get(path)
      assert.equal(anonymous.status, 303)
    }
    const csrf = (await otherManager.get('/manage/consultations')).$('input[name="_csrf"]').first().attr('value')!
    for (const [path, form] of [
      [`${url}/approve`, { revision: '2' }],
      [`${url}/redact`, { revision: '2', text: 'drivers', reason: 'offensive' }],
      [`/manage/consultations/${consultationId}/publication`, { publish: 'yes' }],
    ] as const) {
      const res = await otherManager.request('POST', path, { form: { ...form, _csrf: csrf } })
      assert.equal(res.status, 403, path)
    }
  })
})

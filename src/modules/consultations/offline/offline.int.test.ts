import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { instantToLondon } from '../consultation.dates.js'
import { makeConsultation } from '../moderation/moderation.fixtures.js'
import { tables } from '../moderation/moderation.repository.js'

const DAY = 86_400_000
const londonDay = (ms: number) => instantToLondon(new Date(Date.now() + ms)).date
const slashed = (iso: string) => iso.split('-').reverse().join('/')

describe('responses received by post or email', () => {
  let t: TestApp
  let manager: TestClient
  let analyst: TestClient
  let fifeId: string
  let closedId: string
  let questionIds: string[]
  const base = () => `/manage/consultations/${closedId}/offline-responses`
  const responses = () =>
    tables(t.app.kernel.db)
      .selectFrom('consultations.response as r')
      .leftJoin('consultations.offline_response as o', 'o.response_id', 'r.id')
      .select(['r.reference', 'r.channel', 'r.respondent_name', 'r.answers', 'o.late', 'o.received_on'])
      .where('r.consultation_id', '=', closedId)
      .orderBy('r.respondent_name')
      .execute()

  before(async () => {
    t = await testApp()
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['consultation-manager'])
    fifeId = fife.organisation.id
    manager = new TestClient(t.app)
    await signIn(manager, kernel, fife.account.email, PASSWORD)
    const a = await makeStaff(kernel, 'fife-council', ['analyst'])
    analyst = new TestClient(t.app)
    await signIn(analyst, kernel, a.account.email, PASSWORD)
    // Closed three days ago, after running for a month.
    const c = await makeConsultation(kernel, fifeId, {
      opensIn: -33 * DAY,
      closesIn: -3 * DAY,
      questions: [
        { type: 'long-text', title: 'How could the service improve?', required: true },
        { type: 'single-choice', title: 'How often do you travel by bus?', options: ['Every day', 'Rarely'] },
        { type: 'postcode', title: 'Your postcode' },
      ],
    })
    closedId = c.id
    questionIds = c.questionIds
  })
  after(async () => {
    await t.close()
  })

  it('enters a response on paper after closing, refusing bad input with an error summary and keeping what was typed', async () => {
    const [improve, often, postcode] = questionIds.map((id) => `q-${id}`) as [string, string, string]
    const bad = await manager.submit(`${base()}/new`, {
      channel: '',
      receivedDate: '31/02/2026',
      respondentType: 'individual',
      name: '',
      publication: 'publish-with-name',
      mayContact: 'no',
      [improve]: 'Keep the X59',
      [postcode]: 'nowhere',
    })
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#channel', '#name', `#${postcode}`, '#receivedDate'].sort(),
    )
    assert.match(text(bad.$, '#receivedDate-error'), /real date/)
    assert.equal(bad.$(`#${improve}`).text(), 'Keep the X59')
    assert.equal(bad.$(`#${postcode}`).attr('value'), 'nowhere')

    const late = await manager.submit(`${base()}/new`, {
      channel: 'post',
      receivedDate: slashed(londonDay(-DAY)),
      respondentType: 'individual',
      name: 'Late Letter',
      publication: 'publish-without-name',
      mayContact: 'no',
      [improve]: 'Keep the X59',
      [often]: 'Rarely',
      [postcode]: 'ky11aa',
    })
    assert.equal(late.status, 303)
    const list = await manager.follow(late)
    assert.match(text(list.$, '.ds_notification-panel'), /Response CR-[A-Z0-9-]+ recorded/)
    assert.match(text(list.$, 'main'), /Late Letter/)
    assert.match(text(list.$, 'tbody'), /By post.*Late/)

    const inTime = await manager.submit(`${base()}/new`, {
      channel: 'email',
      receivedDate: londonDay(-10 * DAY),
      respondentType: 'organisation',
      name: 'Morag',
      organisationName: 'Fife Bus Users',
      email: 'morag@example.com',
      publication: 'publish-with-name',
      mayContact: 'yes',
    })
    assert.equal(inTime.status, 303, 'a paper response may leave every question out')
    const stored = await responses()
    assert.equal(stored.length, 2)
    const letter = stored.find((r) => r.respondent_name === 'Late Letter')!
    assert.equal(letter.channel, 'post')
    assert.equal(letter.late, true)
    assert.equal(letter.answers[questionIds[2]!], 'KY1 1AA')
    assert.equal(stored.find((r) => r.respondent_name === 'Morag')!.late, false)
    const actions = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.map((e) => e.action)
    assert.equal(actions.filter((a) => a === 'consultation.response-recorded').length, 2)
  })

  it('imports nothing from a file with problems, listing each by row and column', async () => {
    const csv = [
      'channel,received_date,respondent_type,name,organisation_name,email,publication,may_contact,q1,q2,q3',
      `post,${slashed(londonDay(-5 * DAY))},individual,Good Row,,,publish-with-name,no,Fine,Every day,`,
      `pigeon,${londonDay(-5 * DAY)},individual,Bad Row,,,publish-with-name,no,Fine,Sometimes,`,
    ].join('\n')
    const before = (await responses()).length
    const res = await manager.submit(`${base()}/import`, { csvText: csv })
    assert.equal(res.status, 422)
    assert.match(res.$('title').text(), /^Error:/)
    const rows = res
      .$('#row-errors-heading + p + div tbody tr')
      .map((_, tr) =>
        res
          .$(tr)
          .find('td')
          .map((_, td) => res.$(td).text().trim())
          .get()
          .join(' | '),
      )
      .get()
    assert.deepEqual(rows, [
      '3 | channel | Choose how the response arrived',
      '3 | q2 | ' + rows.find((r) => r.startsWith('3 | q2'))!.split(' | ')[2],
    ])
    assert.equal(res.$('#csvText').text(), csv, 'the pasted file is kept')
    assert.equal((await responses()).length, before)
  })

  it('previews a good file, then imports it whole, once, each response marked with its channel', async () => {
    const csv = [
      'channel,received_date,respondent_type,name,organisation_name,email,publication,may_contact,q1: How could the service improve?,q2,q3',
      `post,${slashed(londonDay(-DAY))},individual,Imported One,,,publish-with-name,no,"More buses, please",Every day,EH1 3DG`,
      `email,${londonDay(-20 * DAY)},individual,Imported Two,,two@example.com,do-not-publish,yes,,Rarely,`,
    ].join('\n')
    const before = (await responses()).length
    const res = await manager.submit(`${base()}/import`, { csvText: csv })
    assert.equal(res.status, 303)
    const preview = await manager.follow(res)
    assert.equal(preview.status, 200)
    assert.match(text(preview.$, 'dl'), /Responses in the file 2/)
    assert.match(text(preview.$, 'dl'), /Of which late 1/)
    assert.match(text(preview.$, 'tbody'), /Imported One/)
    assert.equal((await responses()).length, before, 'nothing is imported before confirmation')

    const confirmUrl = preview.$('form[action$="/confirm"]').attr('action')!
    const csrf = preview.$('form[action$="/confirm"] input[name="_csrf"]').attr('value')!
    const first = await manager.request('POST', confirmUrl, { form: { _csrf: csrf } })
    const second = await manager.request('POST', confirmUrl, { form: { _csrf: csrf } })
    assert.equal(first.status, 303)
    assert.equal(second.status, 303)
    const done = await manager.follow(first)
    assert.match(text(done.$, 'main'), /2 responses imported/)
    const stored = await responses()
    assert.equal(stored.length, before + 2, 'imported once')
    const one = stored.find((r) => r.respondent_name === 'Imported One')!
    assert.equal(one.channel, 'post')
    assert.equal(one.late, true)
    assert.equal(one.answers[questionIds[0]!], 'More buses, please')
    assert.equal(stored.find((r) => r.respondent_name === 'Imported Two')!.channel, 'email')
    const row = await tables(t.app.kernel.db)
      .selectFrom('consultations.offline_import')
      .select(['status', 'rows'])
      .executeTakeFirstOrThrow()
    assert.equal(row.status, 'imported')
    assert.deepEqual(row.rows, [], 'the rows are not kept once imported')
  })

  it('takes the file as an upload too', async () => {
    const page = await manager.get(`${base()}/import`)
    const csrf = page.$('main form input[name="_csrf"]').attr('value')!
    const boundary = '----comhla-test-boundary'
    const csv = `channel,received_date,respondent_type,name,publication,may_contact\npost,${londonDay(-4 * DAY)},individual,Uploaded Person,do-not-publish,no\n`
    const payload = [
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="letters.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
      `--${boundary}--\r\n`,
    ].join('')
    // TestClient sends forms and JSON; an upload goes as a raw multipart body with the client's cookies.
    const upload = await t.app.inject({
      method: 'POST',
      url: `${base()}/import`,
      headers: {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        cookie: (manager as unknown as { cookieHeader: () => string }).cookieHeader(),
      },
      payload,
    })
    assert.equal(upload.statusCode, 303, upload.body.slice(0, 300))
    const preview = await manager.get(upload.headers.location!)
    assert.match(text(preview.$, 'dl'), /letters\.csv/)
  })

  it('lets only the consultation managers of its body enter or import responses', async () => {
    for (const url of [base(), `${base()}/new`, `${base()}/import`]) {
      const res = await analyst.get(url)
      assert.equal(res.status, 403, url)
    }
  })
})

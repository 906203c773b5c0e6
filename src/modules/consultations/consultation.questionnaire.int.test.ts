// The questionnaire and the respondent's journey: sections, paging modes, conditions, the new
// question types and their messages, reordering and preview, saving to come back later, the
// emailed receipt, and responding signed in.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text, type Page } from '../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn } from '../../../test/support/two-factor.js'
import * as cheerio from 'cheerio'
import { instantToLondon } from './consultation.dates.js'
import { ConsultationService } from './consultation.service.js'
import type { ConsultationTables } from './consultation.tables.js'

const DAY = 86_400_000
const london = (ms: number) => instantToLondon(new Date(Date.now() + ms))

describe('consultations: the questionnaire and the respondent journey', () => {
  let t: TestApp
  let manager: TestClient
  let fifeId: string
  let id: string
  const q: Record<string, string> = {}
  const s: Record<string, string> = {}
  const db = () => t.app.kernel.db.withTables<ConsultationTables>()
  const base = () => `/manage/consultations/${id}`

  const errorLinks = (page: Page) =>
    page
      .$('.ds_error-summary a')
      .map((_, a) => page.$(a).attr('href'))
      .get()
      .sort()
  const summaryTexts = (page: Page) =>
    page
      .$('.ds_error-summary a')
      .map((_, a) => page.$(a).text().trim())
      .get()

  async function questionIds(): Promise<Record<string, string>> {
    const rows = await db()
      .selectFrom('consultations.question')
      .select(['id', 'title'])
      .where('consultation_id', '=', id)
      .execute()
    return Object.fromEntries(rows.map((r) => [r.title, r.id]))
  }

  async function outbox(template: string, to: string) {
    return t.app.kernel.db
      .selectFrom('core.email_outbox')
      .select(['subject', 'body_text', 'to_address'])
      .where('template', '=', template)
      .where('to_address', '=', to)
      .orderBy('created_at', 'desc')
      .execute()
  }

  /** Submits a page's multipart form with files, as a browser does, keeping the client's cookies. */
  async function upload(
    client: TestClient,
    pageUrl: string,
    fields: Record<string, string>,
    files: Record<string, { name: string; data: string | Buffer }>,
  ) {
    const page = await client.get(pageUrl)
    const form = page.$('main form[enctype="multipart/form-data"]').first()
    assert.equal(form.length, 1, `a multipart form on ${pageUrl}`)
    const data = new FormData()
    data.append('_csrf', form.find('input[name="_csrf"]').attr('value') ?? '')
    for (const [k, v] of Object.entries(fields)) data.append(k, v)
    for (const [k, f] of Object.entries(files)) data.append(k, new Blob([new Uint8Array(Buffer.from(f.data))]), f.name)
    const request = new Request('http://localhost/', { method: 'POST', body: data })
    const jar = client as unknown as { cookies: Map<string, string>; keepCookies: (h: unknown) => void }
    const res = await t.app.inject({
      method: 'POST',
      url: form.attr('action')!,
      payload: Buffer.from(await request.arrayBuffer()),
      headers: {
        'content-type': request.headers.get('content-type')!,
        cookie: [...jar.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    })
    jar.keepCookies(res.headers['set-cookie'])
    return { status: res.statusCode, location: res.headers.location, $: cheerio.load(res.body) }
  }
  const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('a small consultation paper')])

  before(async () => {
    t = await testApp({})
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['consultation-manager'], { name: 'Morag Manager' })
    fifeId = fife.organisation.id
    manager = new TestClient(t.app)
    await signIn(manager, kernel, fife.account.email, PASSWORD)
    const opens = london(-DAY)
    const closes = london(30 * DAY)
    const created = await manager.submit('/manage/consultations/new', {
      organisationId: fifeId,
      title: 'Active travel in Fife',
      summary: 'Walking, wheeling and cycling',
      body: 'Tell us how you travel.',
      opensDate: opens.date,
      opensTime: opens.time,
      closesDate: closes.date,
      closesTime: closes.time,
    })
    id = /([0-9a-f-]{36})$/.exec(created.location!)![1]!
  })
  after(async () => {
    await t.close()
  })

  it('builds sections with introductions, refuses a bad section, and reorders sections', async () => {
    const bad = await manager.submit(`${base()}/sections/new`, { title: '', intro: 'x'.repeat(2001) })
    assert.equal(bad.status, 422)
    assert.deepEqual(errorLinks(bad), ['#intro', '#title'])
    assert.equal(bad.$('#intro').text(), 'x'.repeat(2001))
    for (const [title, intro] of [
      ['Your journeys', 'About the **journeys** you make.'],
      ['About cycling', ''],
    ] as const)
      assert.equal((await manager.submit(`${base()}/sections/new`, { title, intro })).status, 303)
    const rows = await db()
      .selectFrom('consultations.section')
      .select(['id', 'title'])
      .where('consultation_id', '=', id)
      .execute()
    for (const r of rows) s[r.title] = r.id
    // Move "About cycling" above "Your journeys", then back.
    await manager.submit(
      base(),
      { direction: 'up' },
      { formSelector: `form[action$="/sections/${s['About cycling']}/move"]` },
    )
    let page = await manager.get(base())
    assert.deepEqual(
      page
        .$('#sections + p + div tbody tr td:nth-child(2)')
        .map((_, td) => page.$(td).text().trim())
        .get(),
      ['About cycling', 'Your journeys'],
    )
    await manager.submit(
      base(),
      { direction: 'up' },
      { formSelector: `form[action$="/sections/${s['Your journeys']}/move"]` },
    )
    page = await manager.get(base())
    assert.deepEqual(
      page
        .$('#sections + p + div tbody tr td:nth-child(2)')
        .map((_, td) => page.$(td).text().trim())
        .get(),
      ['Your journeys', 'About cycling'],
    )
  })

  it('adds questions of every new type into sections, with a condition, refusing bad ones', async () => {
    const add = (fields: Record<string, string>) => manager.submit(`${base()}/questions/new`, fields)
    const badGrid = await add({ type: 'choice-grid', title: 'Rate the paths', options: 'Good', rows: '' })
    assert.equal(badGrid.status, 422)
    assert.deepEqual(errorLinks(badGrid), ['#options', '#rows'])
    const badNumber = await add({ type: 'number', title: 'Bikes', minValue: 'ten', maxValue: '1' })
    assert.deepEqual(errorLinks(badNumber), ['#minValue'])
    assert.equal(badNumber.$('#minValue').attr('value'), 'ten')
    const badRange = await add({ type: 'number', title: 'Bikes', minValue: '5', maxValue: '1' })
    assert.deepEqual(errorLinks(badRange), ['#maxValue'])

    const journeys = s['Your journeys']!
    const cycling = s['About cycling']!
    const questions: Record<string, string>[] = [
      { type: 'postcode', title: 'Your postcode', required: 'yes' },
      {
        type: 'single-choice',
        title: 'Do you cycle?',
        options: 'Yes\nNo',
        required: 'yes',
        section: journeys,
      },
      {
        type: 'multiple-choice',
        title: 'How do you travel?',
        options: 'Walking\nBus',
        allowOther: 'yes',
        required: 'yes',
        section: journeys,
      },
      {
        type: 'number',
        title: 'How many trips a week?',
        minValue: '1',
        maxValue: '10',
        required: 'yes',
        section: journeys,
      },
      { type: 'date', title: 'When did you last cycle?', required: 'yes', section: cycling },
      {
        type: 'choice-grid',
        title: 'Rate the paths',
        options: 'Good\nPoor',
        rows: 'Surface\nLighting',
        required: 'yes',
        section: cycling,
      },
    ]
    for (const fields of questions) assert.equal((await add(fields)).status, 303, fields.title)
    Object.assign(q, await questionIds())

    // The cycling questions depend on answering "Yes" to "Do you cycle?".
    const form = await manager.get(`${base()}/questions/${q['When did you last cycle?']}/edit`)
    const option = form
      .$('#condition option')
      .filter((_, o) => form.$(o).text().includes('‘Yes’'))
      .attr('value')!
    assert.equal(option, `${q['Do you cycle?']}|1`)
    assert.equal(
      form.$('#condition option').filter((_, o) => form.$(o).text().includes('Rate the paths')).length,
      0,
      'only earlier choice questions are offered',
    )
    const badCondition = await manager.submit(`${base()}/questions/${q['When did you last cycle?']}/edit`, {
      type: 'date',
      title: 'When did you last cycle?',
      required: 'yes',
      section: cycling,
      condition: `${q['Rate the paths']}|1`,
    })
    assert.deepEqual(errorLinks(badCondition), ['#condition'])
    for (const title of ['When did you last cycle?', 'Rate the paths']) {
      const done = await manager.submit(`${base()}/questions/${q[title]}/edit`, {
        type: title === 'Rate the paths' ? 'choice-grid' : 'date',
        title,
        required: 'yes',
        section: cycling,
        options: 'Good\nPoor',
        rows: 'Surface\nLighting',
        condition: option,
      })
      assert.equal(done.status, 303, title)
    }
    const show = await manager.get(base())
    assert.match(text(show.$, '#questions + div'), /Shown only if question 2 is answered ‘Yes’/)
    const sectionColumn = show
      .$('#questions + div tbody tr td:nth-child(5)')
      .map((_, td) => show.$(td).text().trim())
      .get()
    assert.deepEqual(sectionColumn, [
      '',
      'Your journeys',
      'Your journeys',
      'Your journeys',
      'About cycling',
      'About cycling',
    ])
  })

  it('reorders questions within their section, and previews every page as a respondent sees it', async () => {
    await manager.submit(
      base(),
      { direction: 'up' },
      { formSelector: `form[action$="/questions/${q['How many trips a week?']}/move"]` },
    )
    let show = await manager.get(base())
    const titles = () =>
      show
        .$('#questions + div tbody tr td:nth-child(2)')
        .map((_, td) => show.$(td).contents().first().text().trim())
        .get()
    assert.deepEqual(titles().slice(1, 4), ['Do you cycle?', 'How many trips a week?', 'How do you travel?'])
    assert.equal(
      show.$(`form[action$="/questions/${q['Do you cycle?']}/move"] input[value="up"]`).length,
      0,
      'the first question of a section cannot move up out of it',
    )
    await manager.submit(
      base(),
      { direction: 'down' },
      { formSelector: `form[action$="/questions/${q['How many trips a week?']}/move"]` },
    )
    show = await manager.get(base())
    assert.deepEqual(titles().slice(1, 4), ['Do you cycle?', 'How do you travel?', 'How many trips a week?'])

    assert.equal(
      (await manager.submit(base(), { paging: 'section' }, { formSelector: 'form[action$="/paging"]' })).status,
      303,
    )
    const preview = await manager.get(`${base()}/preview`)
    assert.equal(preview.status, 200)
    assert.deepEqual(
      preview
        .$('main section h2')
        .map((_, h) => preview.$(h).text().trim())
        .get(),
      ['Page 1 of 3', 'Page 2 of 3: Your journeys', 'Page 3 of 3: About cycling'],
    )
    assert.match(text(preview.$, 'main'), /About the journeys you make/)
    assert.match(text(preview.$, 'main'), /Answer this only if you chose ‘Yes’ in question 2/)
    assert.equal(preview.$('main form').length, 0, 'nothing in the preview is submitted')
    assert.equal(preview.$('main input[type="checkbox"][value="__other__"]').length, 1)
    assert.equal(preview.$('main fieldset.comhla-grid-row').length, 2)

    const published = await manager.submit(base(), {}, { formSelector: `form[action="${base()}/publish"]` })
    assert.equal(published.status, 303)
    const actions = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.map((e) => e.action)
    for (const a of ['consultation.section-added', 'consultation.section-moved', 'consultation.paging-changed'])
      assert.ok(actions.includes(a), a)
  })

  it('takes a respondent a section a page, with progress, Back links and messages that name each question', async () => {
    const person = new TestClient(t.app)
    const respond = `/consultations/${id}/respond`
    const first = await person.get(respond)
    assert.equal(first.status, 200)
    // The cycling section depends on an answer not given yet, so it still counts.
    assert.equal(text(first.$, '.comhla-progress'), 'Page 1 of 3')
    assert.equal(first.$('.ds_back-link').attr('href'), `/consultations/${id}`)
    assert.equal(first.$(`#q-${q['Your postcode']}`).length, 1)
    assert.equal(first.$(`#q-${q['Do you cycle?']}`).length, 0, 'one section a page')

    const badPostcode = await person.submit(respond, { [`q-${q['Your postcode']}`]: 'nope' })
    assert.equal(badPostcode.status, 422)
    assert.deepEqual(summaryTexts(badPostcode), ['Enter a real postcode for ‘Your postcode’, like EH1 3DG'])
    const toJourneys = await person.submit(respond, { [`q-${q['Your postcode']}`]: 'ky1 1aa' })
    assert.equal(toJourneys.status, 303)
    assert.equal(toJourneys.location, `${respond}?page=${s['Your journeys']}`)

    const journeys = await person.follow(toJourneys)
    assert.equal(text(journeys.$, 'h1'), 'Your journeys')
    assert.equal(text(journeys.$, '.comhla-progress'), 'Page 2 of 3')
    assert.equal(journeys.$('.ds_back-link').attr('href'), `${respond}?page=start`)
    assert.match(text(journeys.$, '.comhla-section-intro'), /About the journeys you make/)
    assert.equal(journeys.$('.comhla-section-intro strong').text(), 'journeys')

    const trips = `q-${q['How many trips a week?']}`
    const travel = `q-${q['How do you travel?']}`
    const cycle = `q-${q['Do you cycle?']}`
    const bad = await person.submit(toJourneys.location, { [trips]: '12', [travel]: '__other__', [cycle]: '' })
    assert.equal(bad.status, 422)
    assert.deepEqual(summaryTexts(bad), [
      'Select an answer to ‘Do you cycle?’',
      'Enter your other answer to ‘How do you travel?’',
      'Enter a number between 1 and 10 for ‘How many trips a week?’',
    ])
    assert.equal(text(bad.$, `#${trips}-error`), 'Enter a number between 1 and 10 for ‘How many trips a week?’')
    assert.equal(bad.$(`#${trips}`).attr('value'), '12', 'what was typed is kept')
    assert.equal(bad.$(`#${travel}-other-choice`).attr('checked'), 'checked')
    assert.match(text(bad.$, `#${trips}-hint`), /Enter a number from 1 to 10/)

    // "No": the cycling section is skipped, so its questions are neither asked nor required.
    const noCycling = await person.submit(toJourneys.location, {
      [trips]: '4',
      [travel]: ['Bus', '__other__'],
      [`${travel}-other`]: 'Ferry',
      [cycle]: 'No',
    })
    assert.equal(noCycling.location, `${respond}/about-you`)
    const about = await person.follow(noCycling)
    assert.equal(about.$('.ds_back-link').attr('href'), `${respond}?page=${s['Your journeys']}`)
    await person.submit(`${respond}/about-you`, {
      respondentType: 'individual',
      name: 'Iona Bruce',
      email: '',
      publication: 'publish-with-name',
      mayContact: 'no',
    })
    const check = await person.get(`${respond}/check-answers`)
    assert.equal(check.status, 200)
    const keys = check
      .$('main .ds_summary-list')
      .first()
      .find('.ds_summary-list__key')
      .map((_, k) => check.$(k).text().trim())
      .get()
    assert.deepEqual(keys, ['Your postcode', 'Do you cycle?', 'How do you travel?', 'How many trips a week?'])
    assert.match(text(check.$, 'main'), /Bus; Ferry/)

    // Changing to "Yes" brings in the cycling section, whose questions are then required.
    const change = check.$(`a[href*="#${cycle}"]`).attr('href')!
    assert.equal(change, `${respond}?page=${s['Your journeys']}&change=1#${cycle}`)
    const yes = await person.submit(change.split('#')[0]!, {
      [trips]: '4',
      [travel]: ['Bus'],
      [cycle]: 'Yes',
    })
    assert.equal(yes.location, `${respond}?page=${s['About cycling']}&change=1`)
    const cycling = await person.follow(yes)
    assert.equal(text(cycling.$, '.comhla-progress'), 'Page 3 of 3')
    assert.equal(cycling.$('.ds_back-link').attr('href'), `${respond}/check-answers`)
    const date = `q-${q['When did you last cycle?']}`
    const grid = `q-${q['Rate the paths']}`
    const badCycling = await person.submit(yes.location, {
      [`${date}-day`]: '31',
      [`${date}-month`]: '2',
      [`${date}-year`]: '2026',
      [`${grid}-1`]: 'Good',
    })
    assert.equal(badCycling.status, 422)
    assert.deepEqual(summaryTexts(badCycling), [
      'The date for ‘When did you last cycle?’ must be a real date, like 27 3 2027',
      'Select an answer in every row of ‘Rate the paths’: some rows have no answer',
    ])
    assert.equal(badCycling.$(`#${date}-day`).attr('value'), '31')
    assert.equal(badCycling.$(`#${grid}-1-1`).attr('checked'), 'checked')
    const missingMonth = await person.submit(yes.location, {
      [`${date}-day`]: '3',
      [`${date}-year`]: '2026',
      [`${grid}-1`]: 'Good',
      [`${grid}-2`]: 'Poor',
    })
    assert.deepEqual(summaryTexts(missingMonth), ['The date for ‘When did you last cycle?’ must include a month'])
    const done = await person.submit(yes.location, {
      [`${date}-day`]: '3',
      [`${date}-month`]: '11',
      [`${date}-year`]: '2026',
      [`${grid}-1`]: 'Good',
      [`${grid}-2`]: 'Poor',
    })
    assert.equal(done.location, `${respond}/check-answers`)
    const checkAgain = await person.follow(done)
    const main = text(checkAgain.$, 'main')
    assert.match(main, /3 November 2026/)
    assert.match(main, /Surface: Good; Lighting: Poor/)
    assert.doesNotMatch(main, /Ferry/, 'the other answer was taken away')

    // Back to "No": the cycling answers are not kept.
    await person.submit(change.split('#')[0]!, { [trips]: '4', [travel]: ['Bus'], [cycle]: 'No' })
    const submitted = await person.submit(`${respond}/check-answers`, {})
    assert.equal(submitted.location, `${respond}/confirmation`)
    const stored = await db()
      .selectFrom('consultations.response')
      .select(['answers', 'account_id'])
      .where('consultation_id', '=', id)
      .executeTakeFirstOrThrow()
    assert.deepEqual(
      Object.keys(stored.answers).sort(),
      [q['Do you cycle?'], q['How do you travel?'], q['How many trips a week?'], q['Your postcode']].sort(),
    )
    assert.equal(stored.account_id, null)
  })

  it('saves the answers to come back later by an emailed link that restores them on another device', async () => {
    const phone = new TestClient(t.app)
    const respond = `/consultations/${id}/respond`
    const saved = await phone.submit(respond, { [`q-${q['Your postcode']}`]: 'EH1 3DG', action: 'save' })
    assert.equal(saved.location, `${respond}/save`)
    const badEmail = await phone.submit(`${respond}/save`, { email: 'not-an-email' })
    assert.equal(badEmail.status, 422)
    assert.deepEqual(errorLinks(badEmail), ['#email'])
    assert.equal(badEmail.$('#email').attr('value'), 'not-an-email')
    const sent = await phone.submit(`${respond}/save`, { email: 'kirsty@example.com' })
    assert.equal(sent.status, 200)
    assert.match(text(sent.$, 'main'), /We sent it to kirsty@example.com/)
    const [mail] = await outbox('consultations.resume', 'kirsty@example.com')
    assert.ok(mail, 'the link is in the outbox')
    assert.match(mail.subject, /Continue your response to “Active travel in Fife”/)
    const link = /http:\/\/[^\s]+\/respond\/resume\/([A-Za-z0-9_-]+)/.exec(mail.body_text)!
    const token = link[1]!
    const stored = await db().selectFrom('consultations.response_draft').select(['resume_hash']).execute()
    assert.ok(
      stored.every((d) => d.resume_hash !== token),
      'only the hash of the link is kept',
    )

    const laptop = new TestClient(t.app)
    const resumePage = await laptop.get(`${respond}/resume/${token}`)
    assert.equal(resumePage.status, 200)
    assert.equal(text(resumePage.$, 'h1'), 'Continue your response')
    const resumed = await laptop.submit(`${respond}/resume/${token}`, {})
    assert.equal(resumed.location, `${respond}?page=${s['Your journeys']}`)
    const back = await laptop.get(respond)
    assert.equal(back.$(`#q-${q['Your postcode']}`).attr('value'), 'EH1 3DG', 'the answers are restored')

    await db()
      .updateTable('consultations.response_draft')
      .set({ resume_expires_at: new Date(Date.now() - 1000) })
      .execute()
    const expired = await new TestClient(t.app).get(`${respond}/resume/${token}`)
    assert.equal(expired.status, 404)
    assert.equal(text(expired.$, 'h1'), 'This link has expired or does not work')
    assert.equal((await new TestClient(t.app).get(`${respond}/resume/not-a-real-token-at-all-x`)).status, 404)
  })

  it('emails a receipt with the reference and a copy of the answers, and prefills a signed-in respondent', async () => {
    const account = await makeAccount(t.app.kernel, { email: 'calum.public@example.com', name: 'Calum Public' })
    const person = new TestClient(t.app)
    await signIn(person, t.app.kernel, account.email, PASSWORD)
    const respond = `/consultations/${id}/respond`
    await person.submit(respond, { [`q-${q['Your postcode']}`]: 'KY16 9AJ' })
    await person.submit(`${respond}?page=${s['Your journeys']}`, {
      [`q-${q['Do you cycle?']}`]: 'Yes',
      [`q-${q['How do you travel?']}`]: ['Walking'],
      [`q-${q['How many trips a week?']}`]: '7',
    })
    const cycling = await person.submit(`${respond}?page=${s['About cycling']}`, {
      [`q-${q['When did you last cycle?']}-day`]: '1',
      [`q-${q['When did you last cycle?']}-month`]: '10',
      [`q-${q['When did you last cycle?']}-year`]: '2026',
      [`q-${q['Rate the paths']}-1`]: 'Poor',
      [`q-${q['Rate the paths']}-2`]: 'Poor',
    })
    assert.equal(cycling.location, `${respond}/about-you`)
    const about = await person.follow(cycling)
    assert.equal(about.$('#email').attr('value'), 'calum.public@example.com')
    assert.equal(about.$('#name').attr('value'), 'Calum Public')
    await person.submit(`${respond}/about-you`, {
      respondentType: 'individual',
      name: 'Calum Public',
      email: 'calum.public@example.com',
      publication: 'do-not-publish',
      mayContact: 'no',
    })
    const confirmation = await person.follow(await person.submit(`${respond}/check-answers`, {}))
    const reference = text(confirmation.$, '.comhla-reference')
    assert.match(
      text(confirmation.$, 'main'),
      /We have sent a receipt with a copy of your answers to calum.public@example.com/,
    )
    const [receipt] = await outbox('consultations.receipt', 'calum.public@example.com')
    assert.ok(receipt)
    assert.equal(receipt.subject, `Your response to “Active travel in Fife”: ${reference}`)
    for (const expected of [
      reference,
      'Your postcode\nKY16 9AJ',
      'When did you last cycle?\n1 October 2026',
      'Surface: Poor; Lighting: Poor',
    ])
      assert.ok(receipt.body_text.includes(expected), expected)
    const row = await db()
      .selectFrom('consultations.response')
      .select('account_id')
      .where('reference', '=', reference)
      .executeTakeFirstOrThrow()
    assert.equal(row.account_id, account.id)
    assert.equal((await outbox('consultations.receipt', '')).length, 0)
  })

  it('takes a respondent a question a page when the manager chooses so, skipping conditional pages', async () => {
    const opens = london(-DAY)
    const closes = london(30 * DAY)
    const created = await manager.submit('/manage/consultations/new', {
      organisationId: fifeId,
      title: 'Dog walking on beaches',
      summary: 'Seasonal restrictions',
      body: '',
      opensDate: opens.date,
      opensTime: opens.time,
      closesDate: closes.date,
      closesTime: closes.time,
    })
    const other = /([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const m = `/manage/consultations/${other}`
    await manager.submit(`${m}/questions/new`, {
      type: 'single-choice',
      title: 'Do you have a dog?',
      options: 'Yes\nNo',
      required: 'yes',
    })
    const dog = (
      await db()
        .selectFrom('consultations.question')
        .select('id')
        .where('consultation_id', '=', other)
        .executeTakeFirstOrThrow()
    ).id
    await manager.submit(`${m}/questions/new`, {
      type: 'short-text',
      title: 'Its name',
      required: 'yes',
      condition: `${dog}|1`,
    })
    await manager.submit(`${m}/questions/new`, { type: 'long-text', title: 'Anything else?' })
    await manager.submit(m, { paging: 'question' }, { formSelector: 'form[action$="/paging"]' })
    await manager.submit(m, {}, { formSelector: `form[action="${m}/publish"]` })

    const person = new TestClient(t.app)
    const respond = `/consultations/${other}/respond`
    const first = await person.get(respond)
    assert.equal(text(first.$, '.comhla-progress'), 'Page 1 of 3', 'the conditional page counts until answered')
    assert.equal(first.$('main form .ds_question').length, 1)
    const no = await person.submit(respond, { [`q-${dog}`]: 'No' })
    const next = await person.follow(no)
    assert.equal(text(next.$, '.comhla-progress'), 'Page 2 of 2')
    assert.match(text(next.$, 'legend, label'), /Anything else/)
    const yes = await person.submit(respond, { [`q-${dog}`]: 'Yes' })
    const named = await person.follow(yes)
    assert.equal(text(named.$, '.comhla-progress'), 'Page 2 of 3')
    const empty = await person.submit(yes.location!, {})
    assert.deepEqual(summaryTexts(empty), ['Enter an answer to ‘Its name’'])
  })

  it('keeps supporting documents, listed on the public page with their kind and size, and refuses bad files', async () => {
    const opens = london(-DAY)
    const closes = london(30 * DAY)
    const created = await manager.submit('/manage/consultations/new', {
      organisationId: fifeId,
      title: 'Harbour charges',
      summary: 'Berthing fees',
      body: '',
      opensDate: opens.date,
      opensTime: opens.time,
      closesDate: closes.date,
      closesTime: closes.time,
    })
    const harbour = /([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const m = `/manage/consultations/${harbour}`
    const none = await upload(manager, `${m}/documents/new`, {}, {})
    assert.equal(none.status, 422)
    assert.equal(none.$('#document-error').text().trim(), 'Choose a file to upload')
    const bad = await upload(manager, `${m}/documents/new`, {}, { document: { name: 'tool.exe', data: 'MZ' } })
    assert.equal(bad.status, 422)
    assert.equal(bad.$('.ds_error-summary a').attr('href'), '#document')
    const fake = await upload(manager, `${m}/documents/new`, {}, { document: { name: 'paper.pdf', data: 'not a pdf' } })
    assert.equal(fake.status, 422, 'a file is what its first bytes say, not its name')
    for (const document of [
      { name: 'Harbour charges 2027.pdf', data: PDF },
      { name: 'notes.txt', data: 'Berthing fees by length' },
    ])
      assert.equal((await upload(manager, `${m}/documents/new`, {}, { document })).status, 303)
    let show = await manager.get(m)
    assert.match(text(show.$, 'main'), /Harbour charges 2027\.pdf \(PDF, 35 bytes\)/)
    const files = await t.app.kernel.files.list(`consultations.document:${harbour}`)
    assert.equal(files.length, 2)
    const txt = files.find((f) => f.filename === 'notes.txt')!
    await manager.submit(m, {}, { formSelector: `form[action$="/documents/${txt.id}/remove"]` })
    show = await manager.get(m)
    assert.doesNotMatch(text(show.$, 'main'), /notes\.txt/)
    const pdf = files.find((f) => f.filename.endsWith('.pdf'))!
    const visitor = new TestClient(t.app)
    assert.equal((await visitor.get(`/consultations/${harbour}/documents/${pdf.id}`)).status, 404, 'not while a draft')
    assert.equal((await manager.get(`${m}/documents/${pdf.id}`)).status, 200)

    await manager.submit(`${m}/questions/new`, { type: 'file', title: 'Upload your evidence', required: 'yes' })
    await manager.submit(m, {}, { formSelector: `form[action="${m}/publish"]` })
    const page = await visitor.get(`/consultations/${harbour}`)
    const link = page.$('main a').filter((_, a) => page.$(a).text() === 'Harbour charges 2027.pdf')
    assert.equal(link.attr('href'), `/consultations/${harbour}/documents/${pdf.id}`)
    assert.match(text(page.$, 'main'), /\(PDF, 35 bytes\)/)
    const download = await visitor.get(link.attr('href')!)
    assert.equal(download.status, 200)
    assert.equal(download.headers['content-type'], 'application/pdf')
    const api = (await t.app.inject({ method: 'GET', url: `/api/v1/consultations/${harbour}` })).json()
    assert.deepEqual(
      api.documents.map((d: { filename: string; size: number }) => [d.filename, d.size]),
      [['Harbour charges 2027.pdf', 35]],
    )
    const actions = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.map((e) => e.action)
    for (const a of ['consultation.document-added', 'consultation.document-removed']) assert.ok(actions.includes(a), a)

    // A file-upload question: required, of the accepted types, kept when the page is shown again.
    const person = new TestClient(t.app)
    const evidence = (
      await db()
        .selectFrom('consultations.question')
        .select('id')
        .where('consultation_id', '=', harbour)
        .executeTakeFirstOrThrow()
    ).id
    const respond = `/consultations/${harbour}/respond`
    const missing = await upload(person, respond, {}, {})
    assert.equal(missing.status, 422)
    assert.equal(missing.$(`#q-${evidence}-error`).text().trim(), 'Choose a file for ‘Upload your evidence’')
    const wrong = await upload(person, respond, {}, { [`q-${evidence}`]: { name: 'photo.png', data: 'not an image' } })
    assert.equal(wrong.status, 422)
    assert.equal(
      wrong.$(`#q-${evidence}-error`).text().trim(),
      'The file for ‘Upload your evidence’ must be a PDF, Word, OpenDocument, text or image file',
    )
    const answerFiles = () => t.app.kernel.files.list(`consultations.answer:${harbour}`)
    const first = await upload(person, respond, {}, { [`q-${evidence}`]: { name: 'first.pdf', data: PDF } })
    assert.equal(first.status, 303)
    const given = await upload(person, respond, {}, { [`q-${evidence}`]: { name: 'evidence.pdf', data: PDF } })
    assert.equal(given.status, 303)
    assert.deepEqual(
      (await answerFiles()).map((f) => f.filename),
      ['evidence.pdf'],
      'a file replaced is not kept',
    )
    const again = await person.get(respond)
    assert.match(text(again.$, 'main'), /You have uploaded evidence\.pdf/)
    const kept = await upload(person, respond, {}, {})
    assert.equal(kept.status, 303, 'the file given before stays when none is chosen')
    await person.submit(`${respond}/about-you`, {
      respondentType: 'individual',
      name: 'Ross Harbour',
      publication: 'do-not-publish',
      mayContact: 'no',
    })
    const check = await person.get(`${respond}/check-answers`)
    assert.match(text(check.$, 'main'), /Upload your evidence\s*evidence\.pdf/)
    const sent = await person.submit(`${respond}/check-answers`, {})
    assert.equal(sent.location, `${respond}/confirmation`, sent.body.slice(0, 3000))
    const responses = await manager.get(`${m}/responses`)
    const fileLink = responses.$('main a').filter((_, a) => responses.$(a).text() === 'evidence.pdf')
    assert.equal(fileLink.length, 1)
    const file = await manager.get(fileLink.attr('href')!)
    assert.equal(file.status, 200)
    assert.equal(file.headers['content-type'], 'application/pdf')
    assert.equal((await new TestClient(t.app).get(fileLink.attr('href')!)).status, 303, 'staff only')

    // A file in a draft abandoned for a month goes with the draft; a submitted one stays.
    const leaver = new TestClient(t.app)
    await upload(leaver, respond, {}, { [`q-${evidence}`]: { name: 'left.pdf', data: PDF } })
    assert.equal((await answerFiles()).length, 2)
    await db()
      .updateTable('consultations.response_draft')
      .set({ updated_at: new Date(Date.now() - 31 * DAY) })
      .where('consultation_id', '=', harbour)
      .execute()
    assert.equal(await new ConsultationService(t.app.kernel).purgeAbandonedDrafts(), 1)
    assert.deepEqual(
      (await answerFiles()).map((f) => f.filename),
      ['evidence.pdf'],
    )
  })

  it('answers odd addresses and values on the new pages with a page, never a 500', async () => {
    const visitor = new TestClient(t.app)
    const respond = `/consultations/${id}/respond`
    const odd = ['%00', 'x'.repeat(100), '../../etc', '%E2%80%AE', s['Your journeys']!.toUpperCase()]
    for (const page of odd) {
      const res = await visitor.get(`${respond}?page=${page}`)
      assert.ok(res.status === 303 || res.status === 200 || res.status === 400, `page=${page}: ${res.status}`)
    }
    for (const url of [
      `${respond}/resume/short`,
      `${respond}/resume/${'a'.repeat(150)}`,
      `${respond}/save`,
      `/consultations/${id}/documents/not-a-file`,
      `/consultations/${id}/documents/00000000-0000-0000-0000-000000000000`,
      `/consultations/not-a-consultation/respond/resume/${'a'.repeat(30)}`,
    ]) {
      const res = await visitor.get(url)
      assert.ok([303, 400, 404, 414].includes(res.status), `${url}: ${res.status}`)
    }
    const stranger = new TestClient(t.app)
    for (const url of [`${base()}/preview`, `${base()}/sections/new`, `${base()}/documents/new`]) {
      const res = await stranger.get(url)
      assert.equal(res.status, 303, url)
    }
    // Values that are not what a form sends: lists where one value is expected, and unknown answers.
    await visitor.get(respond)
    const csrf = (await visitor.get(respond)).$('main form input[name="_csrf"]').attr('value')!
    const res = await visitor.request('POST', respond, {
      form: {
        _csrf: csrf,
        [`q-${q['Your postcode']}`]: ['EH1 3DG', 'KY1 1AA'],
        [`q-${q['Do you cycle?']}`]: 'Yes',
        'q-not-a-question': 'x',
      },
    })
    assert.ok([303, 422].includes(res.status), String(res.status))
  })
})

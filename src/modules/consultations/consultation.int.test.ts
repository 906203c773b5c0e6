import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn } from '../../../test/support/two-factor.js'
import { systemContext } from '../../platform/auth/principal.js'
import { instantToLondon } from './consultation.dates.js'
import type { ConsultationTables } from './consultation.tables.js'

const DAY = 86_400_000
const london = (ms: number) => instantToLondon(new Date(Date.now() + ms))

function consultationForm(
  organisationId: string,
  title: string,
  opensIn: number,
  closesIn: number,
  extra: Record<string, string> = {},
) {
  const opens = london(opensIn)
  const closes = london(closesIn)
  return {
    organisationId,
    title,
    summary: `A summary of ${title}`,
    body: '## Why we ask\n\nWe want your **views**.\n\n<script>alert(1)</script>\n\n[a bad link](javascript:alert(1)) and [a good one](https://www.gov.scot/)',
    opensDate: opens.date,
    opensTime: opens.time,
    closesDate: closes.date,
    closesTime: closes.time,
    ...extra,
  }
}

describe('consultations', () => {
  let t: TestApp
  let manager: TestClient
  let otherManager: TestClient
  let fifeId: string
  let consultationId: string
  let questionIds: string[] = []
  let reference: string
  const db = () => t.app.kernel.db.withTables<ConsultationTables>()

  async function tokenFor(accountId: string, scopes: string[]): Promise<string> {
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, accountId, 'session', null)
    const { token } = await t.app.kernel.apiTokens.create(
      { ...systemContext('test'), principal },
      { name: `t${Date.now()}${Math.random()}`, scopes, expiresInDays: 30 },
    )
    return token
  }

  async function createAndPublish(
    client: TestClient,
    title: string,
    questions: Record<string, string>[],
  ): Promise<string> {
    const created = await client.submit('/manage/consultations/new', consultationForm(fifeId, title, -DAY, 30 * DAY))
    assert.equal(created.status, 303)
    const id = /\/manage\/consultations\/([0-9a-f-]{36})$/.exec(created.location!)![1]!
    for (const q of questions)
      assert.equal((await client.submit(`/manage/consultations/${id}/questions/new`, q)).status, 303)
    assert.equal(
      (
        await client.submit(
          `/manage/consultations/${id}`,
          {},
          { formSelector: `form[action="/manage/consultations/${id}/publish"]` },
        )
      ).status,
      303,
    )
    return id
  }

  let managerAccountId: string
  let otherAccountId: string
  let analystAccountId: string

  before(async () => {
    t = await testApp({}, { runJobWorkers: true })
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['consultation-manager'], { name: 'Morag Manager' })
    fifeId = fife.organisation.id
    managerAccountId = fife.account.id
    const other = await makeStaff(kernel, 'dundee-city-council', ['consultation-manager', 'org-admin'], {
      name: 'Duncan Dundee',
    })
    otherAccountId = other.account.id
    analystAccountId = (await makeStaff(kernel, 'fife-council', ['analyst'], { name: 'Anna Analyst' })).account.id
    manager = new TestClient(t.app)
    await signIn(manager, kernel, fife.account.email, PASSWORD)
    otherManager = new TestClient(t.app)
    await signIn(otherManager, kernel, other.account.email, PASSWORD)
  })
  after(async () => {
    await t.close()
  })

  it('lets a manager create a consultation, refusing bad details with an error summary and keeping what was typed', async () => {
    const bad = await manager.submit('/manage/consultations/new', {
      ...consultationForm(fifeId, '', DAY, -DAY),
      summary: '',
    })
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    const links = bad
      .$('.ds_error-summary a')
      .map((_, a) => bad.$(a).attr('href'))
      .get()
    assert.deepEqual(links.sort(), ['#closesDate', '#summary', '#title'])
    assert.match(text(bad.$, '#closesDate-error'), /closing date must be after the opening date/)
    assert.match(bad.$('#body').text(), /We want your \*\*views\*\*/)

    const created = await manager.submit(
      '/manage/consultations/new',
      consultationForm(fifeId, 'Local bus services in Fife', -DAY, 30 * DAY),
    )
    assert.equal(created.status, 303)
    consultationId = /\/manage\/consultations\/([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const page = await manager.follow(created)
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'h1'), /Local bus services in Fife/)
    assert.match(text(page.$, 'main'), /Draft/)
  })

  it('builds a questionnaire of every question type, refuses a bad question, and reorders', async () => {
    const base = `/manage/consultations/${consultationId}/questions/new`
    const bad = await manager.submit(base, { type: 'single-choice', title: '', options: 'Only one' })
    assert.equal(bad.status, 422)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#options', '#title'],
    )
    assert.equal(bad.$('#options').text(), 'Only one')

    const questions: Record<string, string>[] = [
      { type: 'short-text', title: 'Which bus route do you use most?', hint: 'For example, 7 or X59', required: 'yes' },
      { type: 'long-text', title: 'How could the service improve?', maxLength: '40', required: 'yes' },
      {
        type: 'single-choice',
        title: 'How often do you travel by bus?',
        options: 'Every day\nEvery week\nRarely',
        required: 'yes',
      },
      { type: 'multiple-choice', title: 'When do you travel?', options: 'Mornings\nAfternoons\nEvenings' },
      { type: 'email', title: 'A work email for follow-up' },
      { type: 'number', title: 'How many journeys a week?' },
      { type: 'postcode', title: 'Your postcode', required: 'yes' },
    ]
    for (const q of questions) assert.equal((await manager.submit(base, q)).status, 303, q.title)

    // Move the postcode question up one place, above the number.
    const rows = await db()
      .selectFrom('consultations.question')
      .select(['id', 'title'])
      .where('consultation_id', '=', consultationId)
      .orderBy('position')
      .execute()
    const postcode = rows.find((r) => r.title === 'Your postcode')!
    const moved = await manager.submit(
      `/manage/consultations/${consultationId}`,
      { direction: 'up' },
      { formSelector: `form[action$="/questions/${postcode.id}/move"]` },
    )
    assert.equal(moved.status, 303)
    const page = await manager.get(`/manage/consultations/${consultationId}`)
    const titles = page
      .$('#questions + div tbody tr td:nth-child(2)')
      .map((_, td) => page.$(td).contents().first().text().trim())
      .get()
    assert.deepEqual(titles.slice(-2), ['Your postcode', 'How many journeys a week?'])
    questionIds = (
      await db()
        .selectFrom('consultations.question')
        .select('id')
        .where('consultation_id', '=', consultationId)
        .orderBy('position')
        .execute()
    ).map((r) => r.id)
    assert.equal(questionIds.length, 7)

    const edited = await manager.submit(`/manage/consultations/${consultationId}/questions/${questionIds[4]}/edit`, {
      type: 'email',
      title: 'Your email for follow-up',
      hint: 'We will only use it about this consultation',
    })
    assert.equal(edited.status, 303)
  })

  it('publishes the consultation, which is open now, and renders its Markdown safely', async () => {
    const published = await manager.submit(
      `/manage/consultations/${consultationId}`,
      {},
      { formSelector: `form[action="/manage/consultations/${consultationId}/publish"]` },
    )
    assert.equal(published.status, 303)
    const page = await new TestClient(t.app).get(`/consultations/${consultationId}`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, '.ds_tag'), /Open/)
    assert.equal(text(page.$, '.comhla-consultation-body h2'), 'Why we ask')
    assert.equal(page.$('.comhla-consultation-body script').length, 0)
    assert.doesNotMatch(page.body, /javascript:alert/)
    assert.equal(page.$('.comhla-consultation-body a[href="https://www.gov.scot/"]').length, 1)

    const locked = await manager.get(`/manage/consultations/${consultationId}/questions/new`)
    assert.equal(locked.status, 200)
    const refused = await manager.submit(`/manage/consultations/${consultationId}/questions/new`, {
      type: 'short-text',
      title: 'Too late',
    })
    assert.equal(refused.status, 409)

    const actions = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.map((e) => e.action)
    for (const a of [
      'consultation.created',
      'consultation.question-added',
      'consultation.question-moved',
      'consultation.question-updated',
      'consultation.published',
    ])
      assert.ok(actions.includes(a), a)
  })

  it('takes a response without an account through every step, keeping what was typed on errors', async () => {
    const person = new TestClient(t.app)
    const [route, improve, often, when, email, postcode, journeys] = questionIds.map((id) => `q-${id}`) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    const form = await person.get(`/consultations/${consultationId}/respond`)
    assert.equal(form.status, 200)
    assert.equal(form.$(`fieldset#${often} legend`).length, 1, 'a single choice is a fieldset with a legend')
    assert.equal(form.$(`fieldset#${when} legend`).length, 1, 'a multiple choice is a fieldset with a legend')
    assert.equal(form.$(`label[for="${route}"]`).length, 1)
    assert.equal(form.$(`textarea#${improve}`).length, 1)

    const bad = await person.submit(`/consultations/${consultationId}/respond`, {
      [route]: '',
      [improve]: 'x'.repeat(41),
      [often]: 'Never',
      [email]: 'not an email',
      [journeys]: 'lots',
      [postcode]: 'NOT A POSTCODE',
    })
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    const links = bad
      .$('.ds_error-summary a')
      .map((_, a) => bad.$(a).attr('href'))
      .get()
    assert.deepEqual(links.sort(), [route, improve, often, email, postcode, journeys].map((n) => `#${n}`).sort())
    assert.match(text(bad.$, `#${improve}-error`), /40 characters or fewer/)
    assert.match(text(bad.$, `#${postcode}-error`), /Enter a real postcode/)
    assert.equal(bad.$(`#${postcode}`).attr('value'), 'NOT A POSTCODE')
    assert.equal(bad.$(`#${improve}`).text(), 'x'.repeat(41))
    assert.equal(bad.$(`#${email}`).attr('value'), 'not an email')

    const good = await person.submit(`/consultations/${consultationId}/respond`, {
      [route]: 'X59',
      [improve]: 'More buses = better',
      [often]: 'Every week',
      [when]: ['Mornings', 'Evenings'],
      [email]: '',
      [journeys]: '4',
      [postcode]: 'ky11aa',
    })
    assert.equal(good.status, 303)
    assert.equal(good.location, `/consultations/${consultationId}/respond/about-you`)
    // Going back shows the answers kept server-side.
    const back = await person.get(`/consultations/${consultationId}/respond`)
    assert.equal(back.$(`#${route}`).attr('value'), 'X59')
    assert.equal(back.$(`input[name="${when}"][value="Evenings"]`).attr('checked'), 'checked')

    const aboutBad = await person.submit(`/consultations/${consultationId}/respond/about-you`, {
      name: 'Ailsa Craig',
      mayContact: 'yes',
    })
    assert.equal(aboutBad.status, 422)
    assert.deepEqual(
      aboutBad
        .$('.ds_error-summary a')
        .map((_, a) => aboutBad.$(a).attr('href'))
        .get()
        .sort(),
      ['#email', '#publication', '#respondentType'],
    )
    assert.equal(aboutBad.$('#name').attr('value'), 'Ailsa Craig')
    assert.equal(aboutBad.$('fieldset#publication legend').length, 1)

    const about = await person.submit(`/consultations/${consultationId}/respond/about-you`, {
      respondentType: 'individual',
      name: 'Ailsa Craig',
      email: 'ailsa@example.com',
      publication: 'publish-without-name',
      mayContact: 'yes',
    })
    assert.equal(about.status, 303)
    const check = await person.follow(about)
    assert.equal(check.status, 200)
    assert.match(text(check.$, 'h1'), /Check your answers/)
    const main = text(check.$, 'main')
    for (const expected of [
      'X59',
      'More buses = better',
      'Every week',
      'Mornings; Evenings',
      'KY1 1AA',
      'Ailsa Craig',
      'Publish my response, without my name',
    ])
      assert.ok(main.includes(expected), expected)
    assert.equal(
      check.$(`a[href="/consultations/${consultationId}/respond?change=1#${postcode}"]`).length,
      1,
      'each answer can be changed',
    )

    // Submitting twice (a double click) records one response and shows the same reference.
    const csrf = check.$('main form input[name="_csrf"]').attr('value')!
    const first = await person.request('POST', `/consultations/${consultationId}/respond/check-answers`, {
      form: { _csrf: csrf },
    })
    const second = await person.request('POST', `/consultations/${consultationId}/respond/check-answers`, {
      form: { _csrf: csrf },
    })
    assert.equal(first.status, 303)
    assert.equal(second.status, 303)
    assert.equal(second.location, first.location)
    const confirmation = await person.follow(first)
    assert.equal(confirmation.status, 200)
    assert.match(text(confirmation.$, 'h1'), /Response submitted/)
    reference = text(confirmation.$, '.comhla-reference')
    assert.match(reference, /^CR-[A-Z2-9]{4}-[A-Z2-9]{4}$/)
    const stored = await db()
      .selectFrom('consultations.response')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .execute()
    assert.equal(stored.length, 1)
    assert.equal(stored[0]!.reference, reference)
    assert.equal(stored[0]!.answers[questionIds[5]!], 'KY1 1AA')
    assert.equal(
      await db().selectFrom('consultations.response_draft').select('id_hash').executeTakeFirst(),
      undefined,
      'the draft is gone once submitted',
    )

    // Starting again from the same browser makes a new response, not a replay of the first.
    const again = await person.submit(`/consultations/${consultationId}/respond`, {
      [route]: '7',
      [improve]: 'Fine',
      [often]: 'Rarely',
      [postcode]: 'EH1 3DG',
    })
    assert.equal(again.status, 303)
    const checkAgain = await person.get(`/consultations/${consultationId}/respond/check-answers`)
    assert.equal(checkAgain.status, 303, 'about you is asked again for a new response')
    assert.equal(checkAgain.location, `/consultations/${consultationId}/respond/about-you`)
  })

  it('shows staff the responses, as pages, CSV and through the API with the right scope', async () => {
    const page = await manager.get(`/manage/consultations/${consultationId}/responses`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), new RegExp(reference))
    assert.match(text(page.$, 'main'), /KY1 1AA/)

    const csv = await manager.get(`/manage/consultations/${consultationId}/responses.csv`)
    assert.equal(csv.status, 200)
    assert.match(String(csv.headers['content-type']), /text\/csv/)
    const lines = csv.body.trim().split('\n')
    assert.equal(lines.length, 2)
    assert.match(
      lines[0]!,
      /^reference,submitted_at,channel,respondent_type,name,organisation_name,email,publication,may_contact,q1: Which bus route/,
    )
    assert.match(
      lines[1]!,
      new RegExp(
        `^${reference},.*,online,individual,Ailsa Craig,,ailsa@example.com,publish-without-name,yes,X59,More buses = better,Every week,Mornings; Evenings,,KY1 1AA,4$`,
      ),
    )

    const token = await tokenFor(managerAccountId, ['consultations:read'])
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${consultationId}/responses`,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(api.statusCode, 200)
    const body = api.json()
    assert.equal(body.total, 1)
    assert.equal(body.items[0].reference, reference)
    assert.equal(body.items[0].respondent.publication, 'publish-without-name')
    assert.deepEqual(body.items[0].answers.find((a: { questionId: string }) => a.questionId === questionIds[3]).value, [
      'Mornings',
      'Evenings',
    ])

    const analyst = await tokenFor(analystAccountId, ['consultations:read'])
    assert.equal(
      (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/consultations/${consultationId}/responses`,
          headers: { authorization: `Bearer ${analyst}` },
        })
      ).statusCode,
      200,
    )
    const noScope = await tokenFor(managerAccountId, ['account:read'])
    const refused = await t.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${consultationId}/responses`,
      headers: { authorization: `Bearer ${noScope}` },
    })
    assert.equal(refused.statusCode, 403)
    assert.equal(refused.json().error.code, 'AUTH_SCOPE_MISSING')
    const otherToken = await tokenFor(otherAccountId, ['consultations:read'])
    const other = await t.app.inject({
      method: 'GET',
      url: `/api/v1/consultations/${consultationId}/responses`,
      headers: { authorization: `Bearer ${otherToken}` },
    })
    assert.equal(other.statusCode, 403)
    assert.equal(other.json().error.code, 'AUTH_FORBIDDEN')
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/consultations/${consultationId}/responses` })
    assert.equal(anonymous.statusCode, 401)
  })

  it("refuses another body's manager on every staff route, and sends the signed-out to sign in", async () => {
    const q = questionIds[0]
    const id = consultationId
    const gets = [
      `/manage/consultations/${id}`,
      `/manage/consultations/${id}/edit`,
      `/manage/consultations/${id}/questions/new`,
      `/manage/consultations/${id}/questions/${q}/edit`,
      `/manage/consultations/${id}/responses`,
      `/manage/consultations/${id}/responses.csv`,
    ]
    for (const url of gets) {
      const res = await otherManager.get(url)
      assert.equal(res.status, 403, url)
      assert.doesNotMatch(res.body, /Ailsa|Local bus services/, url)
      const anonymous = await new TestClient(t.app).get(url)
      assert.equal(anonymous.status, 303, url)
      assert.match(anonymous.location!, /^\/sign-in\?return=/)
    }
    const csrf = (await otherManager.get('/manage/consultations/new')).$('main form input[name="_csrf"]').attr('value')!
    const before = await db()
      .selectFrom('consultations.question')
      .select(['id', 'position', 'title'])
      .where('consultation_id', '=', id)
      .orderBy('id')
      .execute()
    const posts: [string, Record<string, string>][] = [
      [`/manage/consultations/${id}/edit`, consultationForm(fifeId, 'Hijacked', -DAY, DAY)],
      [`/manage/consultations/${id}/questions/new`, { type: 'short-text', title: 'Hijacked' }],
      [`/manage/consultations/${id}/questions/${q}/edit`, { type: 'short-text', title: 'Hijacked' }],
      [`/manage/consultations/${id}/questions/${q}/move`, { direction: 'down' }],
      [`/manage/consultations/${id}/questions/${q}/remove`, {}],
      [`/manage/consultations/${id}/publish`, {}],
    ]
    for (const [url, form] of posts) {
      const res = await otherManager.request('POST', url, { form: { ...form, _csrf: csrf } })
      assert.equal(res.status, 403, url)
    }
    // Nor may they create one for a body they do not belong to.
    const create = await otherManager.request('POST', '/manage/consultations/new', {
      form: { ...consultationForm(fifeId, 'Hijacked', -DAY, DAY), _csrf: csrf },
    })
    assert.equal(create.status, 403)
    const list = await otherManager.get('/manage/consultations')
    assert.doesNotMatch(text(list.$, 'main'), /Local bus services/)
    const afterwards = await db()
      .selectFrom('consultations.question')
      .select(['id', 'position', 'title'])
      .where('consultation_id', '=', id)
      .orderBy('id')
      .execute()
    assert.deepEqual(afterwards, before)
    assert.equal(
      (await db().selectFrom('consultations.consultation').select('id').where('title', '=', 'Hijacked').execute())
        .length,
      0,
    )
  })

  it('lists published consultations with filters, as a page, JSON and CSV, and hides drafts', async () => {
    const draft = await manager.submit(
      '/manage/consultations/new',
      consultationForm(fifeId, 'Secret draft plans', DAY, 30 * DAY),
    )
    const draftId = /([0-9a-f-]{36})$/.exec(draft.location!)![1]!
    const visitor = new TestClient(t.app)
    const list = await visitor.get('/consultations')
    assert.equal(list.status, 200)
    assert.match(text(list.$, 'main'), /Local bus services in Fife/)
    assert.doesNotMatch(list.body, /Secret draft plans/)
    assert.doesNotMatch(
      text((await visitor.get('/consultations?organisation=dundee-city-council')).$, 'main'),
      /Local bus services/,
    )
    assert.match(text((await visitor.get('/consultations?q=bus+services&status=open')).$, 'main'), /Local bus services/)
    assert.doesNotMatch(text((await visitor.get('/consultations?q=ferries')).$, 'main'), /Local bus services/)
    assert.doesNotMatch(text((await visitor.get('/consultations?status=closed')).$, 'main'), /Local bus services/)

    const json = await t.app.inject({ method: 'GET', url: '/api/v1/consultations?organisation=fife-council' })
    assert.equal(json.statusCode, 200)
    const body = json.json()
    assert.equal(body.total, 1)
    assert.equal(body.items[0].id, consultationId)
    assert.equal(body.items[0].status, 'open')
    assert.equal(body.items[0].organisation.slug, 'fife-council')
    const detail = (await t.app.inject({ method: 'GET', url: `/api/v1/consultations/${consultationId}` })).json()
    assert.equal(detail.questions.length, 7)
    assert.doesNotMatch(detail.bodyHtml, /<script/)
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/consultations/${draftId}` })).statusCode, 404)
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/consultations?status=bogus' })).statusCode, 400)

    const csv = await t.app.inject({ method: 'GET', url: '/api/v1/consultations.csv' })
    assert.equal(csv.statusCode, 200)
    const lines = csv.body.trim().split('\n')
    assert.match(lines[0]!, /^id,title,.*organisation_slug,status,.*opens_at,closes_at,url$/)
    assert.equal(lines.length, 2)
    assert.match(
      lines[1]!,
      new RegExp(`^${consultationId},Local bus services in Fife,.*Fife Council,fife-council,open,`),
    )

    assert.equal((await visitor.get(`/consultations/${draftId}`)).status, 404)
    assert.equal((await visitor.get(`/consultations/${draftId}/respond`)).status, 404)
  })

  it('closes a consultation by itself when its closing time passes, and refuses responses with a clear page', async () => {
    const id = await createAndPublish(manager, 'Winter gritting routes', [
      { type: 'short-text', title: 'Which street?', required: 'yes' },
    ])
    const person = new TestClient(t.app)
    const answered = await person.submit(`/consultations/${id}/respond`, {
      [`q-${(await db().selectFrom('consultations.question').select('id').where('consultation_id', '=', id).executeTakeFirstOrThrow()).id}`]:
        'High Street',
    })
    assert.equal(answered.status, 303)
    const csrf = (await person.get(`/consultations/${id}/respond/about-you`))
      .$('main form input[name="_csrf"]')
      .attr('value')!

    // The closing time passes.
    await db()
      .updateTable('consultations.consultation')
      .set({ opens_at: new Date(Date.now() - 2 * DAY), closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute()

    // Pages know at once, before the job has run.
    const refused = await person.get(`/consultations/${id}/respond`)
    assert.equal(refused.status, 409)
    assert.match(text(refused.$, 'h1'), /This consultation has closed/)
    const late = await person.request('POST', `/consultations/${id}/respond/about-you`, {
      form: {
        _csrf: csrf,
        respondentType: 'individual',
        name: 'Late',
        publication: 'do-not-publish',
        mayContact: 'no',
      },
    })
    assert.equal(late.status, 409)
    const lateSubmit = await person.request('POST', `/consultations/${id}/respond/check-answers`, {
      form: { _csrf: csrf },
    })
    assert.equal(lateSubmit.status, 409)
    assert.match(text((await person.get(`/consultations/${id}`)).$, '.ds_tag'), /Closed/)
    assert.equal(
      (await db().selectFrom('consultations.response').select('id').where('consultation_id', '=', id).execute()).length,
      0,
    )

    // The recurring job records the change and audits it.
    await t.app.kernel.jobs.send('consultations.open-close', {})
    const deadline = Date.now() + 15_000
    let status = ''
    while (Date.now() < deadline) {
      status = (
        await db()
          .selectFrom('consultations.consultation')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status
      if (status === 'closed') break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.equal(status, 'closed')
    const audit = (await t.app.kernel.audit.search({ organisationId: fifeId })).items.filter(
      (e) => e.action === 'consultation.closed' && e.targetId === id,
    )
    assert.equal(audit.length, 1)
    assert.deepEqual(audit[0]!.details, { from: 'open', to: 'closed' })
  })

  it('deletes drafts abandoned for a month, keeping recent ones', async () => {
    const old = new Date(Date.now() - 31 * DAY)
    await db()
      .insertInto('consultations.response_draft')
      .values([
        { id_hash: 'abandoned', consultation_id: consultationId, answers: '{}', created_at: old, updated_at: old },
        { id_hash: 'recent', consultation_id: consultationId, answers: '{}' },
      ])
      .execute()
    await t.app.kernel.jobs.send('consultations.purge-drafts', {})
    const deadline = Date.now() + 15_000
    let left: string[] = []
    while (Date.now() < deadline) {
      left = (
        await db()
          .selectFrom('consultations.response_draft')
          .select('id_hash')
          .where('id_hash', 'in', ['abandoned', 'recent'])
          .execute()
      ).map((r) => r.id_hash)
      if (!left.includes('abandoned')) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.deepEqual(left, ['recent'])
  })
})

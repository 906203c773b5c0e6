import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { instantToLondon } from '../consultation.dates.js'
import type { ConsultationTables } from '../consultation.tables.js'
import type { DiscoveryTables } from './discovery.tables.js'
import { DiscoveryService } from './discovery.service.js'
import { ConsultationService } from '../consultation.service.js'

const DAY = 86_400_000
const london = (ms: number) => instantToLondon(new Date(Date.now() + ms))

type Seed = {
  title: string
  summary: string
  body: string
  topics: string[]
  titleGd?: string
  summaryGd?: string
  bodyGd?: string
  opensIn?: number
}

function form(organisationId: string, s: Seed): Record<string, string | string[]> {
  const opens = london(s.opensIn ?? -DAY)
  const closes = london(30 * DAY)
  return {
    organisationId,
    title: s.title,
    summary: s.summary,
    body: s.body,
    opensDate: opens.date,
    opensTime: opens.time,
    closesDate: closes.date,
    closesTime: closes.time,
    topics: s.topics,
    titleGd: s.titleGd ?? '',
    summaryGd: s.summaryGd ?? '',
    bodyGd: s.bodyGd ?? '',
  }
}

describe('finding consultations: topics, Gaelic texts, search, subscriptions', () => {
  let t: TestApp
  let fife: TestClient
  let highland: TestClient
  let fifeId: string
  let highlandId: string
  const ids: Record<string, string> = {}
  const db = () => t.app.kernel.db.withTables<ConsultationTables & DiscoveryTables>()
  // the service as the module's jobs use it, called directly so each batch is seen
  let discoveryService: DiscoveryService
  const discovery = () => discoveryService

  async function outbox(to: string) {
    return db().selectFrom('core.email_outbox').selectAll().where('to_address', '=', to).orderBy('created_at').execute()
  }

  async function createAndPublish(client: TestClient, organisationId: string, key: string, s: Seed) {
    const created = await client.submit('/manage/consultations/new', form(organisationId, s))
    assert.equal(created.status, 303, `creating ${key}: ${text(created.$, '.ds_error-summary')}`)
    const id = /\/manage\/consultations\/([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const q = await client.submit(`/manage/consultations/${id}/questions/new`, {
      type: 'short-text',
      title: 'What do you think?',
    })
    assert.equal(q.status, 303)
    const published = await client.submit(
      `/manage/consultations/${id}`,
      {},
      { formSelector: `form[action="/manage/consultations/${id}/publish"]` },
    )
    assert.equal(published.status, 303)
    ids[key] = id
    return id
  }

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    const { kernel } = t.app
    const a = await makeStaff(kernel, 'fife-council', ['consultation-manager'], { name: 'Morag Fife' })
    const b = await makeStaff(kernel, 'highland-council', ['consultation-manager'], { name: 'Iain Highland' })
    fifeId = a.organisation.id
    highlandId = b.organisation.id
    fife = new TestClient(t.app)
    await signIn(fife, kernel, a.account.email, PASSWORD)
    highland = new TestClient(t.app)
    await signIn(highland, kernel, b.account.email, PASSWORD)
    discoveryService = new DiscoveryService(kernel, new ConsultationService(kernel))
  })
  after(async () => {
    await t.close()
  })

  it('lets a manager give topics and a Gaelic version, refusing bad ones with the other problems and keeping what was typed', async () => {
    const page = await fife.get('/manage/consultations/new')
    assert.equal(page.status, 200)
    assert.ok(page.$('input[name="topics"][value="transport"]').length, 'the topics are offered')
    assert.equal(page.$('#titleGd').attr('lang'), 'gd')

    const bad = await fife.submit('/manage/consultations/new', {
      ...form(fifeId, {
        title: '',
        summary: 'Bus services',
        body: '',
        topics: ['transport', 'not-a-topic'],
        titleGd: 'B'.repeat(201),
      }),
    })
    assert.equal(bad.status, 422)
    const links = bad
      .$('.ds_error-summary a')
      .map((_, a) => bad.$(a).attr('href'))
      .get()
      .sort()
    assert.deepEqual(links, ['#title', '#titleGd', '#topics'])
    assert.match(text(bad.$, '#topics-error'), /Choose topics from the list/)
    assert.equal(bad.$('input[name="topics"][value="transport"]').attr('checked'), 'checked')
    assert.equal(bad.$('#titleGd').val(), 'B'.repeat(201))

    // Nothing was saved by the refused form.
    const none = await db().selectFrom('consultations.consultation').select('id').execute()
    assert.equal(none.length, 0)
  })

  it('saves topics and Gaelic texts with the consultation, audited, and edits them', async () => {
    await createAndPublish(fife, fifeId, 'ferries', {
      title: 'Ferry services to the islands',
      summary: 'How the ferries to the islands should run.',
      body: 'We are reviewing the timetable of the ferries.',
      topics: ['transport', 'communities-third-sector'],
      titleGd: 'Seirbheisean aiseig dha na h-eileanan',
      summaryGd: 'Mar bu chòir dha na bàtaichean-aiseig ruith.',
    })
    await createAndPublish(fife, fifeId, 'schools', {
      title: 'School meals',
      summary: 'Free school meals for every pupil.',
      body: 'Healthy food in schools.',
      topics: ['education', 'children-families'],
    })
    await createAndPublish(highland, highlandId, 'gaelic', {
      title: 'Gaelic language plan',
      summary: 'Our plan for Gaelic in the Highlands.',
      body: 'Gaelic medium education and signs.',
      topics: ['gaelic', 'education'],
      titleGd: 'Plana Gàidhlig',
      summaryGd: 'Am plana againn airson na Gàidhlig air a’ Ghàidhealtachd.',
      bodyGd: 'Foghlam tro mheadhan na Gàidhlig agus soidhnichean dà-chànanach.',
    })
    await createAndPublish(highland, highlandId, 'roads', {
      title: 'Road repairs',
      summary: 'Which roads to mend first.',
      body: 'Potholes and bridges.',
      topics: ['transport'],
      opensIn: 3 * DAY,
    })
    const topics = await db()
      .selectFrom('consultations.consultation_topic')
      .select('topic')
      .where('consultation_id', '=', ids.ferries!)
      .orderBy('topic')
      .execute()
    assert.deepEqual(
      topics.map((r) => r.topic),
      ['communities-third-sector', 'transport'],
    )
    const audit = await db()
      .selectFrom('core.audit_event')
      .select(['action', 'details'])
      .where('target_id', '=', ids.ferries!)
      .where('action', '=', 'consultation.details-updated')
      .execute()
    assert.equal(audit.length, 1)

    const edit = await fife.get(`/manage/consultations/${ids.schools}/edit`)
    assert.equal(edit.$('input[name="topics"][value="education"]').attr('checked'), 'checked')
    const values = form(fifeId, {
      title: 'School meals',
      summary: 'Free school meals for every pupil.',
      body: 'Healthy food in schools.',
      topics: ['education', 'health-social-care'],
      titleGd: 'Biadh sgoile',
    })
    const saved = await fife.submit(`/manage/consultations/${ids.schools}/edit`, values)
    assert.equal(saved.status, 303, text(saved.$, '.ds_error-summary'))
    const after = await discovery().details(ids.schools!)
    assert.deepEqual(after.topics, ['education', 'health-social-care'])
    assert.equal(after.gaelic?.title, 'Biadh sgoile')
    assert.equal(after.gaelic?.summary, '')

    // The closed one: its closing date moved into the past, as the open-close job would find it.
    await createAndPublish(fife, fifeId, 'closed', {
      title: 'Parking charges',
      summary: 'Charges for parking in town centres.',
      body: 'Car parks.',
      topics: ['transport', 'money-tax'],
    })
    await sql`update consultations.consultation set opens_at = now() - interval '20 days', closes_at = now() - interval '1 day', status = 'closed' where id = ${ids.closed!}`.execute(
      t.app.kernel.db,
    )
  })

  const titles = (page: Awaited<ReturnType<TestClient['get']>>) =>
    page
      .$('.ds_search-result__link')
      .map((_, a) => page.$(a).text().trim())
      .get()

  it('filters the public list by topic, body and status, and says how many it found', async () => {
    const visitor = new TestClient(t.app)
    const byTopic = await visitor.get('/consultations?topic=transport')
    assert.equal(byTopic.status, 200)
    assert.deepEqual(titles(byTopic).sort(), ['Ferry services to the islands', 'Parking charges', 'Road repairs'])
    assert.equal(byTopic.$('#topic option[selected]').attr('value'), 'transport')

    const open = await visitor.get('/consultations?topic=transport&status=open')
    assert.deepEqual(titles(open), ['Ferry services to the islands'])
    const forthcoming = await visitor.get('/consultations?status=forthcoming')
    assert.deepEqual(titles(forthcoming), ['Road repairs'])
    const closed = await visitor.get('/consultations?status=closed')
    assert.deepEqual(titles(closed), ['Parking charges'])

    const highlandOnly = await visitor.get('/consultations?organisation=highland-council&topic=education')
    assert.deepEqual(titles(highlandOnly), ['Gaelic language plan'])
    assert.match(text(highlandOnly.$, 'p[role="status"]'), /1 consultation/)

    const unknownTopic = await visitor.get('/consultations?topic=nonsense')
    assert.equal(unknownTopic.status, 200)
    assert.equal(titles(unknownTopic).length, 5, 'an unknown topic is ignored on the page')
    assert.match(
      byTopic.$('a[href^="/consultations/subscribe"]').attr('href') ?? '',
      /^\/consultations\/subscribe\?topic=transport$/,
    )
  })

  it('searches the English and Gaelic texts by words, with stemming, accents optional and the last word as a prefix', async () => {
    const visitor = new TestClient(t.app)
    assert.deepEqual(titles(await visitor.get('/consultations?q=ferry')), ['Ferry services to the islands'])
    // "timetables" and "timetable" share a stem; the body is searched too.
    assert.deepEqual(titles(await visitor.get('/consultations?q=timetables')), ['Ferry services to the islands'])
    // Gaelic words, typed with or without accents.
    assert.deepEqual(titles(await visitor.get('/consultations?q=bàtaichean')), ['Ferry services to the islands'])
    assert.deepEqual(titles(await visitor.get('/consultations?q=soidhnichean')), ['Gaelic language plan'])
    assert.deepEqual(titles(await visitor.get('/consultations?q=Gaidhlig')), ['Gaelic language plan'])
    // A word still being typed.
    assert.deepEqual(titles(await visitor.get('/consultations?q=pothol')), ['Road repairs'])
    // Every word must match.
    assert.deepEqual(titles(await visitor.get('/consultations?q=school+ferry')), [])
    // Symbols alone match nothing, and never break the query.
    const symbols = await visitor.get('/consultations?q=' + encodeURIComponent("'&|!:*()"))
    assert.equal(symbols.status, 200)
    assert.deepEqual(titles(symbols), [])
    assert.match(text(symbols.$, 'main'), /No consultations match/)
  })

  it('offers the same filters on the JSON API and the CSV download, paged, with both languages', async () => {
    const visitor = new TestClient(t.app)
    const api = await visitor.get('/api/v1/consultations?topic=transport&pageSize=2&page=1')
    assert.equal(api.status, 200)
    const body = JSON.parse(api.body) as {
      items: Array<{ title: string; topics: Array<{ slug: string; nameGd: string }>; gaelic: unknown }>
      total: number
      pageCount: number
    }
    assert.equal(body.total, 3)
    assert.equal(body.pageCount, 2)
    assert.equal(body.items.length, 2)
    const page2 = JSON.parse((await visitor.get('/api/v1/consultations?topic=transport&pageSize=2&page=2')).body) as {
      items: unknown[]
    }
    assert.equal(page2.items.length, 1)

    const gaelic = JSON.parse((await visitor.get('/api/v1/consultations?q=plana')).body) as {
      items: Array<{
        title: string
        gaelic: { title: string | null; summary: string | null } | null
        topics: unknown[]
      }>
    }
    assert.equal(gaelic.items.length, 1)
    assert.equal(gaelic.items[0]!.title, 'Gaelic language plan')
    assert.equal(gaelic.items[0]!.gaelic?.title, 'Plana Gàidhlig')
    assert.deepEqual(gaelic.items[0]!.topics, [
      { slug: 'education', nameEn: 'Education', nameGd: 'Foghlam' },
      { slug: 'gaelic', nameEn: 'Gaelic', nameGd: 'Gàidhlig' },
    ])

    const bad = await visitor.get('/api/v1/consultations?status=sideways')
    assert.equal(bad.status, 400)
    assert.ok((JSON.parse(bad.body) as { error: { code: string } }).error.code)

    const csv = await visitor.get('/api/v1/consultations.csv?organisation=fife-council&status=open')
    assert.equal(csv.status, 200)
    assert.match(String(csv.headers['content-type']), /text\/csv/)
    const lines = csv.body.trim().split(/\r?\n/)
    assert.match(lines[0]!, /^id,title,title_gd,organisation,organisation_slug,status,topics,/)
    assert.equal(lines.length, 3)
    assert.ok(lines.some((l) => l.includes('Seirbheisean aiseig dha na h-eileanan')))
    assert.ok(lines.some((l) => l.includes('communities-third-sector; transport')))

    const topics = JSON.parse((await visitor.get('/api/v1/consultation-topics')).body) as {
      items: Array<{ slug: string }>
    }
    assert.ok(topics.items.some((x) => x.slug === 'environment-climate-change'))
  })

  it('shows the Gaelic texts on Gaelic pages, marked lang="gd", and the English where there is none, marked lang="en"', async () => {
    const visitor = new TestClient(t.app)
    const english = await visitor.get(`/consultations/${ids.ferries}`)
    assert.equal(text(english.$, 'h1'), 'Ferry services to the islands')
    assert.equal(english.$('h1').attr('lang'), undefined)
    assert.match(text(english.$, 'main'), /Transport/)

    await visitor.get(`/language/gd?return=/consultations/${ids.ferries}`)
    const gaelic = await visitor.get(`/consultations/${ids.ferries}`)
    assert.equal(gaelic.$('html').attr('lang'), 'gd')
    assert.equal(text(gaelic.$, 'h1'), 'Seirbheisean aiseig dha na h-eileanan')
    assert.equal(gaelic.$('h1').attr('lang'), 'gd')
    assert.equal(gaelic.$('.ds_lead').attr('lang'), 'gd')
    assert.equal(text(gaelic.$, '.ds_lead'), 'Mar bu chòir dha na bàtaichean-aiseig ruith.')
    // No Gaelic body: the English stands, declared as English.
    assert.equal(gaelic.$('.comhla-consultation-body').attr('lang'), 'en')
    assert.match(text(gaelic.$, '.comhla-consultation-body'), /reviewing the timetable/)
    assert.match(text(gaelic.$, 'main'), /Còmhdhail/)

    const full = await visitor.get(`/consultations/${ids.gaelic}`)
    assert.equal(full.$('.comhla-consultation-body').attr('lang'), 'gd')
    assert.match(text(full.$, '.comhla-consultation-body'), /Foghlam tro mheadhan/)

    const list = await visitor.get('/consultations?organisation=highland-council&status=open')
    assert.equal(list.$('.ds_search-result__link').first().attr('lang'), 'gd')
    assert.equal(text(list.$, '.ds_search-result__link'), 'Plana Gàidhlig')

    const api = JSON.parse((await visitor.get(`/api/v1/consultations/${ids.gaelic}`)).body) as {
      title: string
      gaelic: { title: string; bodyHtml: string }
      topics: Array<{ slug: string }>
    }
    assert.equal(api.title, 'Gaelic language plan')
    assert.equal(api.gaelic.title, 'Plana Gàidhlig')
    assert.match(api.gaelic.bodyHtml, /<p>Foghlam tro mheadhan/)
    assert.deepEqual(
      api.topics.map((x) => x.slug),
      ['education', 'gaelic'],
    )
  })

  it('subscribes by email, confirmed from the emailed link, refusing bad input with an error summary', async () => {
    const visitor = new TestClient(t.app)
    const bad = await visitor.submit('/consultations/subscribe', {
      email: 'not an address',
      organisation: '',
      topic: '',
    })
    assert.equal(bad.status, 422)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#email', '#organisation'],
    )
    assert.equal(bad.$('#email').val(), 'not an address')

    const form = await visitor.get('/consultations/subscribe?topic=transport')
    assert.equal(form.$('#topic option[selected]').attr('value'), 'transport', 'the topic comes chosen from the list')
    const ok = await visitor.submit('/consultations/subscribe?topic=transport', {
      email: 'Eilidh@Example.com',
      topic: 'transport',
    })
    assert.equal(ok.status, 303)
    assert.equal(ok.location, '/consultations/subscribe/check-email')
    const mails = await outbox('Eilidh@Example.com')
    assert.equal(mails.length, 1)
    assert.equal(mails[0]!.template, 'consultations.subscription-confirm')
    assert.match(mails[0]!.body_text, /on Transport/)
    assert.match(mails[0]!.body_text, /\/unsubscribe\?token=/)
    const link = /(http:\/\/comhla\.test\/consultations\/subscriptions\/[^\s]+\/confirm\?token=[^\s]+)/.exec(
      mails[0]!.body_text,
    )![1]!
    const path = link.replace('http://comhla.test', '')

    // Asking again straight away sends no second email, and says the same.
    const again = await visitor.submit('/consultations/subscribe', { email: 'eilidh@example.com', topic: 'transport' })
    assert.equal(again.status, 303)
    assert.equal((await outbox('Eilidh@Example.com')).length + (await outbox('eilidh@example.com')).length, 1)

    // A made-up token finds nothing.
    const forged = await visitor.get(path.replace(/token=.*/, 'token=forged'))
    assert.equal(forged.status, 404)

    const confirmPage = await visitor.get(path)
    assert.equal(confirmPage.status, 200)
    assert.match(text(confirmPage.$, 'main'), /Eilidh@Example\.com/)
    const confirmed = await visitor.submit(path, {})
    assert.equal(confirmed.status, 303)
    const done = await visitor.follow(confirmed)
    assert.match(text(done.$, 'h1'), /You are subscribed/)

    const actions = await db()
      .selectFrom('core.audit_event')
      .select('action')
      .where('target_type', '=', 'consultation-subscription')
      .execute()
    assert.deepEqual(actions.map((a) => a.action).sort(), [
      'consultation.subscription-confirmed',
      'consultation.subscription-requested',
      'consultation.subscription-requested',
    ])
    const details = JSON.stringify(
      await db()
        .selectFrom('core.audit_event')
        .select('details')
        .where('target_type', '=', 'consultation-subscription')
        .execute(),
    )
    assert.doesNotMatch(details, /example\.com/i, 'the audit trail keeps no address')
  })

  it('sends one address at most five confirmation emails a day, whatever it is asked to subscribe to', async () => {
    const visitor = new TestClient(t.app)
    const asked = ['housing', 'energy', 'digital', 'economy', 'research', 'statistics', 'international']
    for (const topic of asked) {
      const r = await visitor.submit('/consultations/subscribe', { email: 'flood@example.com', topic })
      assert.equal(r.status, 303, 'the page says the same either way')
    }
    assert.equal((await outbox('flood@example.com')).length, 5)
  })

  it('tells each confirmed subscriber once about a consultation that opens, in batches, and never the unconfirmed', async () => {
    const gaelicReader = new TestClient(t.app)
    await gaelicReader.get('/language/gd?return=/')
    await gaelicReader.submit('/consultations/subscribe', {
      email: 'seonaid@example.com',
      organisation: 'fife-council',
    })
    const confirmMail = (await outbox('seonaid@example.com'))[0]!
    assert.equal(confirmMail.locale, 'gd')
    const path = /(\/consultations\/subscriptions\/[^\s]+\/confirm\?token=[^\s]+)/.exec(confirmMail.body_text)![1]!
    await gaelicReader.submit(path, {})
    // Subscribed twice over (body and topic): still one email per consultation.
    const twice = new TestClient(t.app)
    await twice.submit('/consultations/subscribe', { email: 'eilidh@example.com', organisation: 'fife-council' })
    const secondConfirm = (await outbox('eilidh@example.com')).find(
      (m) => m.template === 'consultations.subscription-confirm',
    )!
    await twice.submit(
      /(\/consultations\/subscriptions\/[^\s]+\/confirm\?token=[^\s]+)/.exec(secondConfirm.body_text)![1]!,
      {},
    )
    // Never confirmed: never told.
    await new TestClient(t.app).submit('/consultations/subscribe', { email: 'lazy@example.com', topic: 'transport' })

    const discoveryOf = discovery()
    const started = await discoveryOf.announceOpened()
    assert.ok(started.includes(ids.ferries!), 'the open ferries consultation is announced')
    assert.ok(!started.includes(ids.roads!), 'a forthcoming one is not')
    assert.deepEqual(await discoveryOf.announceOpened(), [], 'each consultation is announced once')

    // Batches of one, to show the job carrying on until everyone is told.
    let sent = 0
    for (let i = 0; i < 5; i++) sent += await discoveryOf.notifyBatch(ids.ferries!, 1)
    assert.equal(sent, 2)
    assert.equal(await discoveryOf.notifyBatch(ids.ferries!), 0, 'nobody is told twice')

    const eilidh = (await outbox('Eilidh@Example.com'))
      .concat(await outbox('eilidh@example.com'))
      .filter((m) => m.template === 'consultations.new-consultation')
    assert.equal(eilidh.length, 1)
    assert.match(eilidh[0]!.subject, /New consultation: Ferry services to the islands/)
    const seonaid = (await outbox('seonaid@example.com')).filter((m) => m.template === 'consultations.new-consultation')
    assert.equal(seonaid.length, 1)
    assert.match(seonaid[0]!.subject, /Co-chomhairleachadh ùr: Seirbheisean aiseig dha na h-eileanan/)
    assert.match(seonaid[0]!.body_text, /\/unsubscribe\?token=/)
    assert.equal(
      (await outbox('lazy@example.com')).filter((m) => m.template !== 'consultations.subscription-confirm').length,
      0,
    )

    const notices = await db()
      .selectFrom('consultations.subscription_notice')
      .select('recipient_hash')
      .where('consultation_id', '=', ids.ferries!)
      .execute()
    assert.equal(notices.length, 2)
  })

  it('unsubscribes at once from the link in an email, forgetting the address, and says so kindly a second time', async () => {
    const mail = (await outbox('seonaid@example.com')).find((m) => m.template === 'consultations.new-consultation')!
    const path = /(\/consultations\/subscriptions\/[^\s]+\/unsubscribe\?token=[^\s]+)/.exec(mail.body_text)![1]!
    const visitor = new TestClient(t.app)
    const first = await visitor.get(path)
    assert.equal(first.status, 200)
    assert.match(text(first.$, 'h1'), /You have unsubscribed/)
    const left = await db()
      .selectFrom('consultations.subscription')
      .select('email')
      .where('email_key', '=', 'seonaid@example.com')
      .execute()
    assert.equal(left.length, 0)
    const second = await visitor.get(path)
    assert.equal(second.status, 200)
    assert.match(text(second.$, 'h1'), /already ended/)
    const forged = await visitor.get(path.replace(/token=.*/, 'token=x'))
    assert.equal(forged.status, 404)

    // A consultation opening now reaches the remaining subscriber only.
    await createAndPublish(fife, fifeId, 'libraries', {
      title: 'Library opening hours',
      summary: 'When libraries should open.',
      body: 'Evenings and weekends.',
      topics: ['arts-culture-sport'],
    })
    const started = await discovery().announceOpened()
    assert.deepEqual(started, [ids.libraries])
    assert.equal(await discovery().notifyBatch(ids.libraries!), 1)
    assert.equal(
      (await outbox('seonaid@example.com')).filter((m) => m.template === 'consultations.new-consultation').length,
      1,
    )
  })

  it('forgets the address of a subscription never confirmed once its link has expired', async () => {
    await sql`update consultations.subscription set created_at = now() - interval '8 days', confirmation_sent_at = now() - interval '8 days' where email_key = 'lazy@example.com'`.execute(
      t.app.kernel.db,
    )
    assert.equal(await discovery().purgeUnconfirmed(), 1)
    const left = await db().selectFrom('consultations.subscription').select('email_key').execute()
    assert.ok(!left.some((r) => r.email_key === 'lazy@example.com'))
    assert.ok(
      left.some((r) => r.email_key === 'eilidh@example.com'),
      'confirmed subscriptions stay',
    )
  })
})

describe('subscription actions are rate-limited', () => {
  let t: TestApp
  before(async () => {
    t = await testApp({ RATE_LIMIT_MAX: '2' })
  })
  after(async () => {
    await t.close()
  })

  it('refuses a third request a minute from one address, for subscribing and for unsubscribing', async () => {
    const visitor = new TestClient(t.app)
    const statuses: number[] = []
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await visitor.submit('/consultations/subscribe', { email: `r${i}@example.com`, topic: 'housing' })).status,
      )
    assert.deepEqual(statuses, [303, 303, 429])
    const unsubscribes: number[] = []
    for (let i = 0; i < 3; i++)
      unsubscribes.push(
        (await visitor.get('/consultations/subscriptions/00000000-0000-0000-0000-000000000000/unsubscribe?token=x'))
          .status,
      )
    assert.deepEqual(unsubscribes, [404, 404, 429])
  })
})

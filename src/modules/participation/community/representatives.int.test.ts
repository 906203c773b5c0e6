// Representatives, the postcode lookup, remote surgeries and casework, through the pages, the
// API and (for concurrency) the service: who may do what, bad input, one booking a slot whatever
// the concurrency, and cases private to the representative's office.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { londonFields } from './community.text.js'
import { RepresentativeService } from './representatives.service.js'
import type { CommunityTables } from './community.tables.js'

const DAY = 86_400_000

const POSTCODES = [
  'postcode,ward_code,ward_name,constituency_code,constituency_name,region_code,region_name',
  'EH15 1AB,S13002516,Portobello/Craigmillar,S16000109,Edinburgh Eastern,S17000012,Lothian',
  'EH15 2QR,S13002516,Portobello/Craigmillar,S16000109,Edinburgh Eastern,S17000012,Lothian',
].join('\n')

const REPRESENTATIVES = [
  'name,role,party,area_kind,area_code,area_name,email',
  'Kate Campbell,councillor,Scottish National Party,ward,S13002516,Portobello/Craigmillar,kate.campbell@example.gov.scot',
  'Jane Meagher,councillor,Labour,ward,S13002516,Portobello/Craigmillar,',
].join('\n')

function slotForm(daysAhead: number, extra: Record<string, string> = {}) {
  const day = londonFields(new Date(Date.now() + daysAhead * DAY)).date
  return {
    mode: 'online',
    date: day,
    startTime: '10:00',
    endTime: '10:20',
    location: '',
    joiningUrl: 'https://meet.example.scot/surgery-campbell',
    ...extra,
  }
}

describe('representatives, surgeries and casework', () => {
  let t: TestApp
  let staff: TestClient
  let councillorClient: TestClient
  let officeClient: TestClient
  let resident: TestClient
  let neighbour: TestClient
  let otherRepClient: TestClient
  let adminClient: TestClient
  let residentEmail: string
  let edinburghId: string
  let councillorId: string
  let otherRepId: string
  let councillorAccountId: string
  let slotId: string
  let bookingId: string
  let caseId: string
  const outbox = (template: string) =>
    t.app.kernel.db.selectFrom('core.email_outbox').selectAll().where('template', '=', template).execute()

  const client = async (email: string) => {
    const c = new TestClient(t.app)
    await signIn(c, t.app.kernel, email, PASSWORD)
    return c
  }

  before(async () => {
    t = await testApp()
    const kernel = t.app.kernel
    const s = await makeStaff(kernel, 'city-of-edinburgh-council', ['participation-manager'])
    staff = await client(s.account.email)
    edinburghId = s.organisation.id
    const admin = await makeAccount(kernel, { platformAdmin: true })
    adminClient = await client(admin.email)
    const r = await makeAccount(kernel, { name: 'Eilidh Fraser' })
    residentEmail = r.email
    resident = await client(r.email)
    neighbour = await client((await makeAccount(kernel, { name: 'Calum Ross' })).email)
  })
  after(async () => {
    await t.close()
  })

  it('refuses a councillor for a constituency, and one without a name, keeping what was typed', async () => {
    const res = await staff.submit('/manage/representatives/new', {
      organisationId: edinburghId,
      name: '',
      role: 'councillor',
      areaKind: 'constituency',
      areaCode: 'S16000109',
      areaName: 'Edinburgh Eastern',
      email: 'nope',
    })
    assert.equal(res.status, 422)
    const summary = text(res.$, '.ds_error-summary')
    assert.match(summary, /Enter the name/)
    assert.match(summary, /A councillor represents a ward/)
    assert.match(summary, /Enter an email address in the right format/)
    assert.equal(res.$('#areaName').val(), 'Edinburgh Eastern')
  })

  it('imports representatives from CSV, naming bad rows and changing nothing for them', async () => {
    const bad = await staff.submit('/manage/representatives/import', {
      organisationId: edinburghId,
      csv: `${REPRESENTATIVES}\nNobody,mayor,,ward,S1,X,`,
    })
    assert.equal(bad.status, 422)
    assert.match(text(bad.$, '.ds_error-summary'), /Some rows are not right/)
    assert.match(String(bad.$('#csv').val()), /Kate Campbell/)
    assert.equal(
      (await t.app.kernel.db.withTables<Record<string, never>>().selectFrom('core.organisation').select('id').execute())
        .length > 0,
      true,
    )
    const ok = await staff.submit('/manage/representatives/import', {
      organisationId: edinburghId,
      csv: REPRESENTATIVES,
    })
    assert.equal(ok.status, 200)
    assert.match(text(ok.$, 'main'), /2 added and 0 updated/)
    const again = await staff.submit('/manage/representatives/import', {
      organisationId: edinburghId,
      csv: REPRESENTATIVES,
    })
    assert.match(text(again.$, 'main'), /0 added and 2 updated/)
    const list = JSON.parse((await resident.get('/api/v1/representatives?role=councillor')).body)
    assert.equal(list.total, 2)
    councillorId = list.items.find((x: { name: string }) => x.name === 'Kate Campbell').id
    const provider = t.app.kernel.datasets.provider('participation.representatives')!
    assert.equal(
      (await provider.describe(edinburghId))?.title,
      'Councillors and MSPs kept by The City of Edinburgh Council',
    )
    const rows = []
    for await (const r of provider.rows(edinburghId)) rows.push(r)
    assert.equal(rows.length, 2)
    const csv = await resident.get('/api/v1/representatives.csv')
    assert.match(csv.body, /Kate Campbell,councillor,Scottish National Party,ward,S13002516/)
  })

  it('adds an MSP by hand, and lets only staff keep the postcode lookup', async () => {
    const msp = await staff.submit('/manage/representatives/new', {
      organisationId: edinburghId,
      name: 'Ash Regan',
      role: 'msp',
      party: '',
      areaKind: 'constituency',
      areaCode: 'S16000109',
      areaName: 'Edinburgh Eastern',
      email: '',
    })
    assert.equal(msp.status, 303)
    const refused = await resident.get('/manage/representatives/postcodes')
    assert.equal(refused.status, 403)
    const badRows = await staff.submit('/manage/representatives/postcodes', {
      csv: `${POSTCODES}\nNOT A POSTCODE,S1,,,,,`,
    })
    assert.equal(badRows.status, 422)
    assert.match(text(badRows.$, '.ds_error-summary'), /real postcode/)
    const ok = await staff.submit('/manage/representatives/postcodes', { csv: POSTCODES })
    assert.equal(ok.status, 200)
    assert.match(text(ok.$, 'main'), /2 postcodes imported/)
  })

  it('finds representatives by postcode, and explains an empty, malformed or unknown postcode', async () => {
    const found = await resident.get('/representatives?postcode=eh151ab')
    assert.equal(found.status, 200)
    const main = text(found.$, 'main')
    assert.match(main, /Representatives for EH15 1AB/)
    assert.match(main, /Kate Campbell/)
    assert.match(main, /Jane Meagher/)
    assert.match(main, /Ash Regan/)
    assert.match(main, /Portobello\/Craigmillar/)
    const empty = await resident.get('/representatives?postcode=')
    assert.match(text(empty.$, '.ds_error-summary'), /Enter your postcode/)
    const bad = await resident.get('/representatives?postcode=hello')
    assert.match(text(bad.$, '.ds_error-summary'), /Enter a real postcode/)
    assert.equal(bad.$('#postcode').val(), 'hello')
    const unknown = await resident.get('/representatives?postcode=ZE1 0AA')
    assert.match(text(unknown.$, '.ds_error-summary'), /cannot find that postcode/)
    const api = JSON.parse((await resident.get('/api/v1/postcodes/EH151AB/representatives')).body)
    assert.equal(api.ward.code, 'S13002516')
    assert.equal(api.representatives.length, 3)
    const apiBad = await resident.get('/api/v1/postcodes/nonsense/representatives')
    assert.equal(apiBad.status, 422)
    assert.equal(JSON.parse(apiBad.body).error.code, 'POSTCODE_INVALID')
  })

  it("links the councillor's account, and lets only their office publish surgery slots", async () => {
    const councillor = await makeAccount(t.app.kernel, { name: 'Kate Campbell' })
    councillorAccountId = councillor.id
    const noAccount = await staff.submit(
      `/manage/representatives/${councillorId}/edit`,
      { accountEmail: 'nobody@example.scot' },
      { formSelector: 'form[action$="/account"]' },
    )
    assert.equal(noAccount.status, 422)
    assert.match(text(noAccount.$, '.ds_error-summary'), /no Còmhla account/)
    const linked = await staff.submit(
      `/manage/representatives/${councillorId}/edit`,
      { accountEmail: councillor.email },
      { formSelector: 'form[action$="/account"]' },
    )
    assert.equal(linked.status, 303)
    councillorClient = await client(councillor.email)
    assert.equal((await resident.get(`/office/${councillorId}`)).status, 404)
    const bad = await councillorClient.submit(`/office/${councillorId}`, slotForm(3, { joiningUrl: '' }), {
      formSelector: 'form[action$="/surgeries"]',
    })
    assert.equal(bad.status, 422)
    assert.match(text(bad.$, '.ds_error-summary'), /Enter the joining link/)
    const past = await councillorClient.submit(`/office/${councillorId}`, slotForm(-3), {
      formSelector: 'form[action$="/surgeries"]',
    })
    assert.match(text(past.$, '.ds_error-summary'), /Choose a time in the future/)
    const ok = await councillorClient.submit(`/office/${councillorId}`, slotForm(3), {
      formSelector: 'form[action$="/surgeries"]',
    })
    assert.equal(ok.status, 303)
    const page = await resident.get(`/representatives/${councillorId}`)
    const link = page.$('a[href*="/surgeries/"]').first()
    assert.match(link.text(), /Book .*10:00–10:20 \(Online\)/)
    slotId = /surgeries\/([0-9a-f-]{36})$/.exec(link.attr('href')!)![1]!
  })

  it('books a surgery, emails the joining details and a calendar link, and refuses the slot to anyone else', async () => {
    const url = `/representatives/${councillorId}/surgeries/${slotId}`
    const res = await resident.submit(url, { topic: 'The state of the promenade' })
    assert.equal(res.status, 303)
    bookingId = /surgery-bookings\/([0-9a-f-]{36})$/.exec(res.location!)![1]!
    const page = await resident.get(res.location!)
    assert.match(text(page.$, 'main'), /Your appointment is booked/)
    assert.equal(page.$('a[href="https://meet.example.scot/surgery-campbell"]').length, 1)
    const mail = (await outbox('participation.surgery-booked'))[0]!
    assert.equal(mail.to_address, residentEmail)
    assert.match(mail.body_text, /https:\/\/meet\.example\.scot\/surgery-campbell/)
    assert.match(mail.body_text, new RegExp(`/surgery-bookings/${bookingId}/calendar\\.ics`))
    const ics = await resident.get(`/surgery-bookings/${bookingId}/calendar.ics`)
    assert.match(String(ics.headers['content-type']), /^text\/calendar/)
    assert.match(ics.body, /SUMMARY:Surgery appointment with Kate Campbell/)
    const csrfOf = async (c: TestClient) =>
      (await c.get(`/representatives/${councillorId}`)).$('input[name="_csrf"]').attr('value') ?? ''
    const twice = await resident.request('POST', url, { form: { _csrf: await csrfOf(resident), topic: 'Again' } })
    assert.equal(twice.location, `/surgery-bookings/${bookingId}`, 'a double submit finds the same booking')
    const taken = await neighbour.request('POST', url, {
      form: {
        _csrf: (await neighbour.get(`/representatives/${councillorId}`)).$('input[name="_csrf"]').attr('value') ?? '',
        topic: '',
      },
    })
    assert.equal(taken.status, 409)
    assert.doesNotMatch((await neighbour.get(`/representatives/${councillorId}`)).body, new RegExp(slotId))
    assert.equal((await neighbour.get(`/surgery-bookings/${bookingId}`)).status, 404)
    const office = await councillorClient.get(`/office/${councillorId}`)
    assert.match(text(office.$, 'main'), /Eilidh Fraser .*The state of the promenade/)
  })

  it('never books one slot twice, however many people try at once', async () => {
    const service = new RepresentativeService(t.app.kernel)
    const ctxOf = async (accountId: string): Promise<ActionContext> => ({
      principal: await t.app.kernel.accounts.principalFor(t.app.kernel.db, accountId, 'session', null),
      requestId: null,
      ip: null,
      locale: 'en',
    })
    const officeCtx = await ctxOf(councillorAccountId)
    const slot = await service.createSlot(
      officeCtx,
      councillorId,
      slotForm(4, { startTime: '11:00', endTime: '11:20' }),
    )
    const people = await Promise.all(
      Array.from({ length: 12 }, (_, i) => makeAccount(t.app.kernel, { name: `Rush ${i}` })),
    )
    const results = await Promise.allSettled(
      people.map(async (p) => service.book(await ctxOf(p.id), councillorId, slot.id, '')),
    )
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
    const refusals = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    assert.ok(refusals.every((r) => (r.reason as { code?: string }).code === 'SURGERY_TAKEN'))
    const live = await t.app.kernel.db
      .withTables<CommunityTables>()
      .selectFrom('participation.rep_surgery_booking')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('slot_id', '=', slot.id)
      .where('cancelled_at', 'is', null)
      .executeTakeFirstOrThrow()
    assert.equal(Number(live.n), 1)
  })

  it('lets the constituent cancel, emails them, and frees the slot', async () => {
    const res = await resident.submit(`/surgery-bookings/${bookingId}`, {})
    assert.equal(res.status, 303)
    const page = await resident.get(`/surgery-bookings/${bookingId}`)
    assert.match(text(page.$, 'main'), /This appointment is cancelled/)
    assert.equal((await outbox('participation.surgery-cancelled')).length, 1)
    assert.match((await neighbour.get(`/representatives/${councillorId}`)).body, new RegExp(slotId))
  })

  it('refuses an empty enquiry, keeping what was typed, then sends one', async () => {
    const url = `/representatives/${councillorId}/enquiries/new`
    const bad = await resident.submit(url, { subject: 'Bins', message: '', postcode: 'nonsense' })
    assert.equal(bad.status, 422)
    const summary = text(bad.$, '.ds_error-summary')
    assert.match(summary, /Enter your enquiry/)
    assert.match(summary, /Enter a real postcode/)
    assert.equal(bad.$('#subject').val(), 'Bins')
    const enquiry = {
      subject: 'Bins on Bath Street',
      message: 'The bins on Bath Street have not been emptied for three weeks.',
      postcode: 'EH15 1AB',
    }
    const ok = await resident.submit(url, enquiry)
    assert.equal(ok.status, 303)
    caseId = /enquiries\/([0-9a-f-]{36})$/.exec(ok.location!)![1]!
    const twice = await resident.submit(url, enquiry)
    assert.equal(twice.location, ok.location, 'a double submit finds the same enquiry')
    const mine = await resident.get('/enquiries')
    assert.match(text(mine.$, 'main'), /Bins on Bath Street.*Kate Campbell.*Open/)
    assert.equal((await outbox('participation.enquiry-received')).length, 1)
    const toOffice = await outbox('participation.enquiry-new')
    assert.equal(toOffice.length, 1)
    assert.equal(toOffice[0]!.to_address, 'kate.campbell@example.gov.scot')
    assert.doesNotMatch(toOffice[0]!.body_text, /three weeks/, 'the enquiry itself stays on Còmhla')
  })

  it("keeps cases private to the representative's office", async () => {
    const other = await makeAccount(t.app.kernel, { name: 'Jane Meagher' })
    const list = JSON.parse((await resident.get('/api/v1/representatives?q=Meagher')).body)
    otherRepId = list.items[0].id
    await t.app.kernel.db
      .withTables<CommunityTables>()
      .updateTable('participation.rep_representative')
      .set({ account_id: other.id })
      .where('id', '=', otherRepId)
      .execute()
    otherRepClient = await client(other.email)
    const paths = [`/office/${councillorId}/cases`, `/office/${councillorId}/cases/${caseId}`]
    const fife = await makeStaff(t.app.kernel, 'fife-council', ['org-admin', 'participation-manager'])
    const fifeClient = await client(fife.account.email)
    for (const c of [otherRepClient, staff, fifeClient, adminClient, neighbour]) {
      for (const path of paths) assert.equal((await c.get(path)).status, 404, path)
    }
    assert.equal((await neighbour.get(`/enquiries/${caseId}`)).status, 404)
    assert.equal((await adminClient.get(`/enquiries/${caseId}`)).status, 404)
    // The other councillor's own office holds nothing of it either.
    assert.equal((await otherRepClient.get(`/office/${otherRepId}/cases/${caseId}`)).status, 404)
    const theirs = await otherRepClient.get(`/office/${otherRepId}/cases`)
    assert.doesNotMatch(theirs.body, /Bath Street/)
  })

  it('lets the representative add office staff, who then work the case; replies go by email, notes stay inside', async () => {
    const officer = await makeAccount(t.app.kernel, { name: 'Morag Office' })
    const add = await councillorClient.submit(
      `/office/${councillorId}`,
      { email: officer.email },
      { formSelector: 'form[action$="/members"]' },
    )
    assert.equal(add.status, 303)
    officeClient = await client(officer.email)
    const list = await officeClient.get(`/office/${councillorId}/cases`)
    assert.match(text(list.$, 'main'), /Bins on Bath Street.*Eilidh Fraser/)
    const url = `/office/${councillorId}/cases/${caseId}`
    const empty = await officeClient.submit(url, { reply: '' }, { formSelector: 'form[action$="/reply"]' })
    assert.equal(empty.status, 422)
    assert.match(text(empty.$, '.ds_error-summary'), /Enter the reply/)
    await officeClient.submit(url, { note: 'Called waste services.' }, { formSelector: 'form[action$="/note"]' })
    const reply = await officeClient.submit(
      url,
      { reply: 'I have asked waste services to empty them this week.' },
      { formSelector: 'form[action$="/reply"]' },
    )
    assert.equal(reply.status, 303)
    const mail = (await outbox('participation.enquiry-reply'))[0]!
    assert.equal(mail.to_address, residentEmail)
    assert.match(mail.body_text, /asked waste services to empty them/)
    await officeClient.submit(url, { status: 'closed' }, { formSelector: 'form[action$="/status"]' })
    const mine = await resident.get(`/enquiries/${caseId}`)
    const main = text(mine.$, 'main')
    assert.match(main, /asked waste services to empty them/)
    assert.match(main, /Closed/)
    assert.doesNotMatch(main, /Called waste services/)
    const actions = await t.app.kernel.db
      .selectFrom('core.audit_event')
      .select(['action', 'details'])
      .where('target_id', '=', caseId)
      .execute()
    assert.deepEqual(actions.map((a) => a.action).sort(), [
      'participation.case.created',
      'participation.case.note-added',
      'participation.case.replied',
      'participation.case.status-changed',
    ])
    assert.doesNotMatch(JSON.stringify(actions), /waste services|Bath Street/)
  })
})

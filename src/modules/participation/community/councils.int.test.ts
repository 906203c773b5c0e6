// Community councils and their meetings through the pages and the API: a council's staff add a
// community council and invite its administrator; meetings with agenda, papers, joining link,
// registration and minutes; calendars; who may do what; and bad input.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { londonFields } from './community.text.js'

const HOUR = 3_600_000

function meetingForm(startIn: number, extra: Record<string, string> = {}) {
  const start = londonFields(new Date(Date.now() + startIn))
  const end = londonFields(new Date(Date.now() + startIn + 2 * HOUR))
  // Keep both times on the start's date: a meeting never runs past midnight in these tests.
  const endTime = end.date === start.date ? end.time : '23:59'
  return {
    title: 'December meeting',
    kind: 'hybrid',
    date: start.date,
    startTime: start.time,
    endTime: endTime > start.time ? endTime : '23:59',
    location: 'Portobello Library, 14 Rosefield Avenue',
    joiningUrl: 'https://meet.example.scot/portobello-cc',
    joiningVisibility: 'registered',
    agenda: '# Agenda\n\n1. Apologies\n2. Planning, the promenade\n\n<script>alert(1)</script>',
    ...extra,
  }
}

describe('community councils and meetings', () => {
  let t: TestApp
  let manager: TestClient
  let fifeManager: TestClient
  let resident: TestClient
  let anonymous: TestClient
  let edinburghId: string
  let meetingId: string
  const outbox = (template: string) =>
    t.app.kernel.db.selectFrom('core.email_outbox').selectAll().where('template', '=', template).execute()
  const audit = (action: string) =>
    t.app.kernel.db.selectFrom('core.audit_event').selectAll().where('action', '=', action).execute()

  before(async () => {
    t = await testApp()
    const kernel = t.app.kernel
    const m = await makeStaff(kernel, 'city-of-edinburgh-council', ['participation-manager'])
    edinburghId = m.organisation.id
    manager = new TestClient(t.app)
    await signIn(manager, kernel, m.account.email, PASSWORD)
    const f = await makeStaff(kernel, 'fife-council', ['participation-manager'])
    fifeManager = new TestClient(t.app)
    await signIn(fifeManager, kernel, f.account.email, PASSWORD)
    const r = await makeAccount(kernel, { name: 'Eilidh Fraser' })
    resident = new TestClient(t.app)
    await signIn(resident, kernel, r.email, PASSWORD)
    anonymous = new TestClient(t.app)
  })
  after(async () => {
    await t.close()
  })

  it('refuses a community council without a name, keeping what was typed', async () => {
    const res = await manager.submit('/manage/community-councils/new', {
      councilId: edinburghId,
      nameEn: ' ',
      website: 'https://portobellocc.example',
      adminEmail: 'not-an-email',
    })
    assert.equal(res.status, 422)
    assert.match(text(res.$, '.ds_error-summary'), /Enter the community council's name/)
    assert.match(text(res.$, '.ds_error-summary'), /Enter an email address in the right format/)
    assert.equal(res.$('#website').val(), 'https://portobellocc.example')
    assert.match(res.$('title').text(), /^Error:/)
  })

  it("lets a council's staff add a community council under their council and invite its administrator", async () => {
    const res = await manager.submit('/manage/community-councils/new', {
      councilId: edinburghId,
      nameEn: 'Portobello Community Council',
      nameGd: 'Comhairle Coimhearsnachd Phortobello',
      website: '',
      adminEmail: 'secretary@portobellocc.example',
    })
    assert.equal(res.status, 303)
    assert.equal(res.location, '/manage/community-councils/portobello-community-council')
    const cc = await t.app.kernel.organisations.getBySlug('portobello-community-council')
    assert.equal(cc.type, 'community-council')
    assert.equal(cc.parentId, edinburghId)
    const invitations = await outbox('invitation')
    assert.equal(invitations.length, 1)
    assert.equal(invitations[0]!.to_address, 'secretary@portobellocc.example')
    assert.match(invitations[0]!.subject, /Portobello Community Council/)
    assert.equal((await audit('organisation.created')).length, 1)
    const members = await manager.get('/manage/community-councils/portobello-community-council/members')
    assert.match(text(members.$, 'main'), /secretary@portobellocc\.example/)
  })

  it("refuses another council's staff: adding under someone else's council and running its community councils", async () => {
    const add = await fifeManager.submit('/manage/community-councils/new', {
      councilId: edinburghId,
      nameEn: 'Not Ours Community Council',
    })
    assert.equal(add.status, 403)
    const page = await fifeManager.get('/manage/community-councils/portobello-community-council')
    assert.equal(page.status, 403)
    const members = await fifeManager.get('/manage/community-councils/portobello-community-council/members')
    assert.equal(members.status, 403)
    const residentAdd = await resident.get('/manage/community-councils/portobello-community-council/meetings/new')
    assert.equal(residentAdd.status, 403)
  })

  it('invites a member with a role through the kernel invitations, refusing an invitation without a role', async () => {
    const url = '/manage/community-councils/portobello-community-council/members'
    const none = await manager.submit(url, { email: 'treasurer@portobellocc.example' })
    assert.equal(none.status, 422)
    assert.match(text(none.$, '.ds_error-summary'), /Choose at least one role/)
    assert.equal(none.$('#email').val(), 'treasurer@portobellocc.example')
    const ok = await manager.submit(url, { email: 'treasurer@portobellocc.example', roles: 'participation-manager' })
    assert.equal(ok.status, 303)
    assert.equal(
      (await outbox('invitation')).filter((m) => m.to_address === 'treasurer@portobellocc.example').length,
      1,
    )
  })

  it('refuses a hybrid meeting without a place or joining link, and keeps what was typed', async () => {
    const res = await manager.submit(
      '/manage/community-councils/portobello-community-council/meetings/new',
      meetingForm(48 * HOUR, { location: '', joiningUrl: 'javascript:alert(1)', endTime: '00:00' }),
    )
    assert.equal(res.status, 422)
    const summary = text(res.$, '.ds_error-summary')
    assert.match(summary, /Enter the place/)
    assert.match(summary, /Enter the joining link, starting https:\/\//)
    assert.match(summary, /The end time must be after the start time/)
    assert.equal(res.$('#title').val(), 'December meeting')
    assert.match(res.$('#agenda').text(), /Planning, the promenade/)
  })

  it('creates a draft meeting the public cannot see until it is published', async () => {
    const res = await manager.submit(
      '/manage/community-councils/portobello-community-council/meetings/new',
      meetingForm(48 * HOUR),
    )
    assert.equal(res.status, 303)
    meetingId = /meetings\/([0-9a-f-]{36})$/.exec(res.location!)![1]!
    const hidden = await anonymous.get(`/community-councils/portobello-community-council/meetings/${meetingId}`)
    assert.equal(hidden.status, 404)
    const published = await manager.submit(
      `/manage/community-councils/portobello-community-council/meetings/${meetingId}`,
      {},
      { formSelector: `form[action$="/${meetingId}/publish"]` },
    )
    assert.equal(published.status, 303)
    const page = await anonymous.get(`/community-councils/portobello-community-council/meetings/${meetingId}`)
    assert.equal(page.status, 200)
    assert.equal(text(page.$, 'h1'), 'December meeting')
    assert.match(text(page.$, 'main'), /Hybrid \(in person and online\)/)
    assert.match(text(page.$, 'main'), /Planning, the promenade/)
    assert.doesNotMatch(page.body, /<script>alert/)
    // Registered attendees only: the joining link is not shown to the public.
    assert.doesNotMatch(page.body, /meet\.example\.scot/)
    assert.equal((await audit('participation.meeting.published')).length, 1)
  })

  it('adds papers as links, refusing a bad address', async () => {
    const url = `/manage/community-councils/portobello-community-council/meetings/${meetingId}`
    const bad = await manager.submit(
      url,
      { paperTitle: 'Budget', paperUrl: 'ftp://x' },
      { formSelector: 'form[action$="/papers"]' },
    )
    assert.equal(bad.status, 422)
    assert.match(text(bad.$, '.ds_error-summary'), /Enter the paper's web address/)
    assert.equal(bad.$('#paperTitle').val(), 'Budget')
    const ok = await manager.submit(
      url,
      { paperTitle: 'Treasurer’s report', paperUrl: 'https://portobellocc.example/papers/treasurer.pdf' },
      { formSelector: 'form[action$="/papers"]' },
    )
    assert.equal(ok.status, 303)
    const page = await anonymous.get(`/community-councils/portobello-community-council/meetings/${meetingId}`)
    assert.equal(page.$('a[href="https://portobellocc.example/papers/treasurer.pdf"]').text(), 'Treasurer’s report')
  })

  it('stores an uploaded paper and serves it from the meeting, refusing a file of the wrong kind', async () => {
    const url = `/manage/community-councils/portobello-community-council/meetings/${meetingId}/papers`
    const csrf = (await manager.get(`/manage/community-councils/portobello-community-council/meetings/${meetingId}`))
      .$('form[action$="/papers"] input[name="_csrf"]')
      .attr('value')!
    const upload = async (filename: string, content: string, type: string) => {
      const form = new FormData()
      form.append('_csrf', csrf)
      form.append('paperTitle', 'Planning map')
      form.append('paperUrl', '')
      form.append('paperFile', new Blob([content], { type }), filename)
      const request = new Request('http://comhla.test/', { method: 'POST', body: form })
      return t.app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': request.headers.get('content-type')!,
          cookie: `comhla_session=${manager.cookie('comhla_session')}; comhla_csrf=${manager.cookie('comhla_csrf')}`,
        },
        payload: Buffer.from(await request.arrayBuffer()),
      })
    }
    const wrong = await upload('map.exe', 'MZ not a document', 'application/octet-stream')
    assert.equal(wrong.statusCode, 422)
    assert.match(wrong.body, /The selected file must be one of the types listed/)
    const ok = await upload('map.pdf', '%PDF-1.4 a planning map', 'application/pdf')
    assert.equal(ok.statusCode, 303)
    const page = await anonymous.get(`/community-councils/portobello-community-council/meetings/${meetingId}`)
    const href = page
      .$('a')
      .filter((_, el) => page.$(el).text() === 'Planning map')
      .attr('href')!
    assert.match(href, new RegExp(`/meetings/${meetingId}/papers/[0-9a-f-]{36}$`))
    const file = await anonymous.get(href)
    assert.equal(file.status, 200)
    assert.equal(file.headers['content-type'], 'application/pdf')
    assert.equal(file.body, '%PDF-1.4 a planning map')
  })

  it('lists the community council and its meetings publicly, as JSON and as CSV', async () => {
    const list = await anonymous.get('/community-councils?council=city-of-edinburgh-council')
    assert.match(text(list.$, 'main'), /Portobello Community Council/)
    const json = JSON.parse((await anonymous.get('/api/v1/community-councils?council=city-of-edinburgh-council')).body)
    assert.equal(json.total, 1)
    assert.equal(json.items[0].council.slug, 'city-of-edinburgh-council')
    const csv = await anonymous.get('/api/v1/community-councils.csv')
    assert.match(String(csv.headers['content-type']), /text\/csv/)
    assert.match(csv.body, /portobello-community-council,Portobello Community Council/)
    const meetings = JSON.parse(
      (await anonymous.get('/api/v1/community-councils/portobello-community-council/meetings')).body,
    )
    assert.equal(meetings.items.length, 1)
    assert.equal(meetings.items[0].joiningUrl, null)
    assert.equal(meetings.items[0].kind, 'hybrid')
    const meetingsCsv = await anonymous.get('/api/v1/community-councils/portobello-community-council/meetings.csv')
    assert.match(meetingsCsv.body, /December meeting,hybrid/)
    const cc = await t.app.kernel.organisations.getBySlug('portobello-community-council')
    const provider = t.app.kernel.datasets.provider('participation.community-council-meetings')!
    assert.equal((await provider.describe(cc.id))?.landingPage, '/community-councils/portobello-community-council')
    const missing = await anonymous.get('/api/v1/community-councils/no-such-place/meetings')
    assert.equal(missing.status, 404)
    assert.equal(JSON.parse(missing.body).error.code, 'COMMUNITY_COUNCIL_NOT_FOUND')
  })

  it("speaks Gaelic when asked, with the community council's Gaelic name", async () => {
    const gaelic = new TestClient(t.app)
    await gaelic.get('/language/gd?return=/community-councils')
    const list = await gaelic.get('/community-councils')
    assert.equal(list.$('html').attr('lang'), 'gd')
    assert.equal(text(list.$, 'h1'), 'Comhairlean coimhearsnachd')
    assert.match(text(list.$, 'main'), /Comhairle Coimhearsnachd Phortobello/)
    const meeting = await gaelic.get(`/community-councils/portobello-community-council/meetings/${meetingId}`)
    assert.match(text(meeting.$, 'main'), /Clàr-gnothaich/)
  })

  it('publishes an iCalendar feed without the private joining link', async () => {
    const res = await anonymous.get('/community-councils/portobello-community-council/meetings.ics')
    assert.equal(res.status, 200)
    const unfolded = res.body.replace(/\r\n /g, '')
    assert.match(String(res.headers['content-type']), /^text\/calendar/)
    assert.match(res.body, /^BEGIN:VCALENDAR\r\n/)
    assert.match(res.body, new RegExp(`UID:meeting-${meetingId}@comhla`))
    assert.match(res.body, /SUMMARY:Portobello Community Council: December meeting/)
    assert.match(res.body, /DTSTART:\d{8}T\d{6}Z/)
    assert.match(res.body, /LOCATION:Portobello Library\\, 14 Rosefield Avenue/)
    assert.doesNotMatch(unfolded, /meet\.example\.scot/)
  })

  it('registers a signed-in resident to attend, emails them, and then shows them the joining link', async () => {
    const url = `/community-councils/portobello-community-council/meetings/${meetingId}`
    const signedOut = await anonymous.get(url)
    assert.match(text(signedOut.$, '#registration ~ p'), /Sign in to register/)
    const none = await resident.submit(url, {}, { formSelector: 'form[action$="/register"]' })
    assert.equal(none.status, 422)
    assert.match(text(none.$, '.ds_error-summary'), /Choose how you will attend/)
    const ok = await resident.submit(url, { attendance: 'online' }, { formSelector: 'form[action$="/register"]' })
    assert.equal(ok.status, 303)
    const page = await resident.get(url)
    assert.match(text(page.$, 'main'), /You are registered to attend: Online/)
    assert.equal(page.$('a[href="https://meet.example.scot/portobello-cc"]').length, 1)
    const mails = await outbox('participation.meeting-registered')
    assert.equal(mails.length, 1)
    assert.match(mails[0]!.body_text, /https:\/\/meet\.example\.scot\/portobello-cc/)
    assert.match(mails[0]!.body_text, /calendar\.ics/)
    const ics = await resident.get(`${url}/calendar.ics`)
    assert.match(ics.body.replace(/\r\n /g, ''), /meet\.example\.scot/)
    const staffView = await manager.get(`/manage/community-councils/portobello-community-council/meetings/${meetingId}`)
    assert.match(text(staffView.$, 'main'), /Eilidh Fraser/)
  })

  it('publishes minutes only once a meeting has started', async () => {
    const early = await manager.request(
      'POST',
      `/manage/community-councils/portobello-community-council/meetings/${meetingId}/minutes`,
      {
        form: {
          _csrf: (await manager.get(`/manage/community-councils/portobello-community-council/meetings/${meetingId}`))
            .$('input[name="_csrf"]')
            .first()
            .attr('value')!,
          minutes: 'Too soon',
        },
      },
    )
    assert.equal(early.status, 422)
    assert.match(text(early.$, '.ds_error-summary'), /once the meeting has started/)
    const created = await manager.submit(
      '/manage/community-councils/portobello-community-council/meetings/new',
      meetingForm(-3 * HOUR, { title: 'November meeting', kind: 'in-person', joiningUrl: '' }),
    )
    assert.equal(created.status, 303)
    const pastId = /meetings\/([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const url = `/manage/community-councils/portobello-community-council/meetings/${pastId}`
    await manager.submit(url, {}, { formSelector: `form[action$="/publish"]` })
    const empty = await manager.submit(url, { minutes: '' }, { formSelector: 'form[action$="/minutes"]' })
    assert.equal(empty.status, 422)
    assert.match(text(empty.$, '.ds_error-summary'), /Enter the minutes/)
    const ok = await manager.submit(
      url,
      { minutes: '## Present\n\nSix members.\n\n## Decisions\n\nSupport the **promenade** plan.' },
      { formSelector: 'form[action$="/minutes"]' },
    )
    assert.equal(ok.status, 303)
    const page = await anonymous.get(`/community-councils/portobello-community-council/meetings/${pastId}`)
    assert.match(text(page.$, 'main'), /Support the promenade plan/)
    const show = await anonymous.get('/community-councils/portobello-community-council')
    assert.match(text(show.$, 'main'), /November meeting .* minutes available/)
    assert.equal((await audit('participation.meeting.minutes-published')).length, 1)
  })
})

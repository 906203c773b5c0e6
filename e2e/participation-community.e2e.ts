// The community part of the participation module's "done when": a council's administrator adds a
// community council and invites its secretary, who publishes a hybrid meeting with its agenda and
// papers, then its minutes; the community council's calendar carries the meeting. A councillor is
// listed with their ward and the postcode lookup is imported; the councillor publishes an online
// surgery slot; on a phone-sized window (375×667), by keyboard alone, a constituent finds their
// councillor by postcode and books the online surgery, gets the confirmation email with the
// joining link and a calendar file, and cancels. Every page is checked with axe-core.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, openPage, screenshot, visit, visitedUrls } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { AdminPage, BasePage, InvitationPage, RegisterPage, SetupPage, SignInPage } from './support/pages.js'
import {
  KeyboardUser,
  POINTER_COUNTER,
  formatOverflow,
  horizontalOverflow,
  londonDateTime,
  pointerPresses,
} from './support/consultation-pages.js'
import {
  ImportPage,
  ManageCommunityCouncilPage,
  ManageMeetingPage,
  MeetingFormPage,
  MeetingPage,
  NewCommunityCouncilPage,
  OfficePage,
  RepresentativeFormPage,
} from './support/community-pages.js'

const administrator = { name: 'Fiona Reid', email: 'fiona.reid@example.gov.scot', password: 'Arthurs-Seat-Kettle-2026' }
const secretary = {
  name: 'Seumas Grant',
  email: 'secretary@portobellocc.example',
  password: 'Promenade-Lantern-Bothy-8',
}
const councillor = {
  name: 'Kate Campbell',
  email: 'kate.campbell@example.gov.scot',
  password: 'Joppa-Rocks-Harbour-2026',
}
const constituent = { name: 'Eilidh Fraser', email: 'eilidh.fraser@example.scot', password: 'Figgate-Burn-Heron-2026' }
const cc = {
  name: 'Portobello Community Council',
  nameGd: 'Comhairle Coimhearsnachd Phortobello',
  slug: 'portobello-community-council',
}
const joining = 'https://meet.example.scot/portobello-cc-december'
const surgeryLink = 'https://meet.example.scot/campbell-surgery'
const phoneViewport = { width: 375, height: 667 }

/** A meeting under way now: it started within the last hour and ends before midnight (London time). */
function meetingUnderWay(): { date: string; startTime: string; endTime: string } {
  const now = londonDateTime(new Date())
  const start = londonDateTime(new Date(Date.now() - 50 * 60_000))
  const startTime = start.date === now.date ? start.time : '00:00'
  const later = londonDateTime(new Date(Date.now() + 2 * 3_600_000))
  const endTime = later.date === now.date ? later.time : '23:59'
  return { date: now.date, startTime, endTime }
}

describe('participation: community councils, representatives and surgeries', { timeout: 300_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let admin: Page
  let secretaryPage: Page
  let councillorPage: Page
  let phone: Page
  let meetingId = ''
  let councillorId = ''
  let phonePagesMeasured = 0
  const overflows: string[] = []

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    admin = (await openPage(browser, server.baseUrl)).page
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  async function outboxLink(to: string, subject: string | RegExp, pattern: RegExp): Promise<string> {
    const outbox = await (await AdminPage.open(admin)).openOutbox()
    const message = await outbox.openMessage(to, subject)
    return message.link(pattern)
  }

  async function outboxBody(to: string, subject: string | RegExp): Promise<string> {
    const outbox = await (await AdminPage.open(admin)).openOutbox()
    return (await outbox.openMessage(to, subject)).body()
  }

  async function measurePhone(name: string): Promise<void> {
    const overflow = await horizontalOverflow(phone)
    if (overflow) overflows.push(formatOverflow(overflow))
    phonePagesMeasured++
    await screenshot(phone, `community-${name}`)
  }

  const step = journey()

  step('the first administrator adds a community council under the council, refusing an empty form first', async () => {
    assert.ok(server.setupLink, 'a set-up link was printed')
    await (await SetupPage.open(admin, server.setupLink)).createAdministrator(administrator)
    const form = await NewCommunityCouncilPage.open(admin)
    await form.submit()
    await form.expectErrors([
      { text: 'Choose the council area', href: '#councilId' },
      { text: "Enter the community council's name", href: '#nameEn' },
    ])
    await form.add({
      council: 'The City of Edinburgh Council',
      name: cc.name,
      nameGd: cc.nameGd,
      adminEmail: secretary.email,
    })
    await new ManageCommunityCouncilPage(admin).expect(`/manage/community-councils/${cc.slug}`, cc.name)
    await screenshot(admin, 'community-01-added')
  })

  step("the community council's secretary accepts the emailed invitation", async () => {
    const link = await outboxLink(
      secretary.email,
      `You have been invited to join ${cc.name} on Còmhla`,
      /https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/,
    )
    ;({ page: secretaryPage } = await openPage(browser, server.baseUrl))
    const invitation = await InvitationPage.open(secretaryPage, new URL(link).pathname)
    await (await invitation.createAccount()).register(secretary)
    await new InvitationPage(secretaryPage).accept(secretary.email)
    assert.equal(new URL(secretaryPage.url()).pathname, `/manage/organisations/${cc.slug}`)
  })

  step(
    'the secretary adds a hybrid meeting, correcting a missing place and joining link, and publishes it',
    async () => {
      const manage = await ManageCommunityCouncilPage.open(secretaryPage, cc.slug, cc.name)
      const form = await manage.addMeeting()
      await form.expect(`/manage/community-councils/${cc.slug}/meetings/new`, 'Add a meeting')
      const when = meetingUnderWay()
      await form.fill({
        title: 'December meeting',
        kind: 'Hybrid (in person and online)',
        ...when,
        agenda: '## Business\n\n1. Apologies\n2. **Promenade** lighting\n3. Planning applications',
      })
      await form.save()
      await form.expectErrors([
        { text: 'Enter the place', href: '#location' },
        { text: 'Enter the joining link, starting https://', href: '#joiningUrl' },
      ])
      assert.equal(await secretaryPage.getByLabel('Title', { exact: true }).inputValue(), 'December meeting')
      await new MeetingFormPage(secretaryPage).fill({
        place: 'Portobello Library, 14 Rosefield Avenue',
        joiningLink: joining,
      })
      await form.save()
      const meeting = await new ManageMeetingPage(secretaryPage).expect(
        /\/meetings\/[0-9a-f-]{36}$/,
        'December meeting',
      )
      meetingId = meeting.id()
      assert.equal(await meeting.summaryValue('Status'), 'Draft')
      await meeting.publish()
      assert.equal(await meeting.summaryValue('Status'), 'Coming up')
      await meeting.addPaper('Treasurer’s report', 'https://portobellocc.example/papers/treasurer-december.pdf')
      await meeting.uploadPaper('Promenade lighting plan', {
        name: 'lighting-plan.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n% Promenade lighting plan\n'),
      })
      await screenshot(secretaryPage, 'community-02-meeting')
    },
  )

  step(
    'the public meeting page shows the agenda and papers, but the joining link only to registered attendees',
    async () => {
      const page = (await openPage(browser, server.baseUrl)).page
      await visit(page, `/community-councils/${cc.slug}`)
      await new BasePage(page).expect(`/community-councils/${cc.slug}`, cc.name)
      assert.match(await page.locator('main').innerText(), /December meeting/)
      await visit(page, `/community-councils/${cc.slug}/meetings/${meetingId}`)
      const meeting = await new MeetingPage(page).expect(
        `/community-councils/${cc.slug}/meetings/${meetingId}`,
        'December meeting',
      )
      assert.equal(await meeting.summaryValue('How people attend'), 'Hybrid (in person and online)')
      assert.match(await meeting.section('Agenda'), /Promenade lighting/)
      assert.equal(await page.locator('main h2', { hasText: 'Business' }).count(), 1, "the agenda's own heading")
      assert.match(await meeting.section('Papers'), /Treasurer’s report\s+Promenade lighting plan/)
      const plan = await page
        .locator('main')
        .getByRole('link', { name: 'Promenade lighting plan' })
        .getAttribute('href')
      const download = await page.request.get(new URL(plan!, server.baseUrl).toString())
      assert.equal(download.headers()['content-type'], 'application/pdf')
      assert.match(await meeting.section('Joining online'), /Register to attend online/)
      assert.equal(await page.locator(`a[href="${joining}"]`).count(), 0)
      const feed = await page.request.get(`${server.baseUrl}/community-councils/${cc.slug}/meetings.ics`)
      assert.match(feed.headers()['content-type'] ?? '', /^text\/calendar/)
      const ics = (await feed.text()).replace(/\r\n /g, '')
      assert.match(ics, new RegExp(`UID:meeting-${meetingId}@comhla`))
      assert.match(ics, /SUMMARY:Portobello Community Council: December meeting/)
      await page.context().close()
    },
  )

  step('after the meeting starts the secretary publishes its minutes, which the public then reads', async () => {
    await visit(secretaryPage, `/manage/community-councils/${cc.slug}/meetings/${meetingId}`)
    const meeting = new ManageMeetingPage(secretaryPage)
    await meeting.publishMinutes(
      '## Present\n\nSeven members and twelve residents.\n\n## Decided\n\nTo support new lighting on the promenade.',
    )
    const publicPage = await meeting.viewPublic()
    await publicPage.expect(`/community-councils/${cc.slug}/meetings/${meetingId}`, 'December meeting')
    assert.match(await publicPage.section('Minutes'), /Seven members and twelve residents/)
    await screenshot(secretaryPage, 'community-03-minutes')
  })

  step(
    'the councillor creates an account, and the administrator lists them with their ward and imports postcodes',
    async () => {
      ;({ page: councillorPage } = await openPage(browser, server.baseUrl))
      await visit(councillorPage, '/register')
      await councillorPage.getByLabel('Email address', { exact: true }).fill(councillor.email)
      await new RegisterPage(councillorPage).register(councillor)
      const verify = await outboxLink(
        councillor.email,
        /Confirm your email address/,
        /https?:\/\/\S+\/verify-email\/\S+/,
      )
      await visit(councillorPage, new URL(verify).pathname)

      const postcodes = await ImportPage.openPostcodes(admin)
      await postcodes.import(
        'postcode,ward_code,ward_name,constituency_code,constituency_name,region_code,region_name\n' +
          'EH15 1AB,S13002516,Portobello/Craigmillar,S16000109,Edinburgh Eastern,S17000012,Lothian',
      )
      await new BasePage(admin).expect('/manage/representatives/postcodes', 'Imported')
      assert.match(await admin.locator('main').innerText(), /1 postcode imported/)
      const form = await RepresentativeFormPage.open(admin)
      await form.add({
        body: 'The City of Edinburgh Council',
        name: councillor.name,
        party: 'Independent',
        areaCode: 'S13002516',
        areaName: 'Portobello/Craigmillar',
        email: councillor.email,
      })
      await form.expect(/^\/manage\/representatives\/[0-9a-f-]{36}\/edit$/, 'Change a representative')
      councillorId = /representatives\/([0-9a-f-]{36})\/edit$/.exec(form.pathname())![1]!
      await form.linkAccount(councillor.email)
      await form.expect(`/manage/representatives/${councillorId}/edit`, 'Change a representative')
    },
  )

  step('the councillor publishes an online surgery slot for tomorrow', async () => {
    await (await SignInPage.open(councillorPage)).signIn(councillor.email, councillor.password)
    const office = await OfficePage.open(councillorPage, councillor.name)
    const tomorrow = londonDateTime(new Date(Date.now() + 86_400_000)).date
    await office.addOnlineSlot({ date: tomorrow, startTime: '10:00', endTime: '10:20', joiningLink: surgeryLink })
    const rows = await office.slotRows()
    assert.equal(rows.length, 1)
    assert.match(rows[0]!, /10:00–10:20 Online Free/)
  })

  step(
    'on a phone, by keyboard alone, a constituent finds their councillor by postcode and books the surgery',
    async () => {
      ;({ page: phone } = await openPage(browser, server.baseUrl, {
        viewport: phoneViewport,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      }))
      // The account is made first, as anyone would before booking.
      await visit(phone, '/register')
      await phone.getByLabel('Email address', { exact: true }).fill(constituent.email)
      await new RegisterPage(phone).register(constituent)
      const verify = await outboxLink(
        constituent.email,
        /Confirm your email address/,
        /https?:\/\/\S+\/verify-email\/\S+/,
      )
      await visit(phone, new URL(verify).pathname)
      await (await SignInPage.open(phone)).signIn(constituent.email, constituent.password)
      await phone.context().addInitScript({ content: POINTER_COUNTER })
      const kb = new KeyboardUser(phone)

      await visit(phone, '/representatives')
      await new BasePage(phone).expect('/representatives', 'Find your representatives')
      await measurePhone('04-phone-find')
      await kb.tabTo((s) => s.id === 'postcode', 'the postcode box')
      await kb.type('eh15 1ab')
      await kb.enterAndLoad()
      assert.match(await phone.locator('main').innerText(), /Representatives for EH15 1AB/)
      await measurePhone('05-phone-results')

      await kb.tabTo((s) => s.tag === 'a' && s.text === councillor.name, `the link "${councillor.name}"`)
      await kb.enterAndLoad()
      const rep = await new BasePage(phone).expect(`/representatives/${councillorId}`, councillor.name)
      assert.equal(await rep.summaryValue('Area'), 'Portobello/Craigmillar (Ward)')
      await measurePhone('06-phone-councillor')

      await kb.tabTo((s) => s.tag === 'a' && /^Book .*\(Online\)$/.test(s.text), 'the free online slot')
      await kb.enterAndLoad()
      await new BasePage(phone).expect(/\/surgeries\/[0-9a-f-]{36}$/, 'Book a surgery appointment')
      await measurePhone('07-phone-book')
      await kb.tabTo((s) => s.id === 'topic', 'the topic box')
      await kb.type('Lighting on the promenade')
      await kb.tabTo((s) => s.tag === 'button' && s.text === 'Book appointment', 'the "Book appointment" button')
      await kb.enterAndLoad()
      const booked = await new BasePage(phone).expect(
        /^\/surgery-bookings\/[0-9a-f-]{36}$/,
        `Your appointment with ${councillor.name}`,
      )
      assert.match(await booked.notification.innerText(), /Your appointment is booked/)
      assert.equal(await booked.summaryValue('Joining link'), surgeryLink)
      await measurePhone('08-phone-booked')
    },
  )

  step('the confirmation email has the joining link and a calendar file, which the constituent can open', async () => {
    const body = await outboxBody(constituent.email, `Your surgery appointment with ${councillor.name}`)
    assert.match(body, new RegExp(surgeryLink.replace(/[.]/g, '\\.')))
    const calendarLink = body.match(/https?:\/\/\S+\/calendar\.ics/)?.[0]
    assert.ok(calendarLink, `a calendar link in:\n${body}`)
    const ics = await phone.request.get(new URL(new URL(calendarLink).pathname, server.baseUrl).toString())
    assert.equal(ics.status(), 200)
    assert.match(ics.headers()['content-type'] ?? '', /^text\/calendar/)
    assert.match((await ics.text()).replace(/\r\n /g, ''), /SUMMARY:Surgery appointment with Kate Campbell/)
    await visit(councillorPage, `/office/${councillorId}`)
    assert.match((await new OfficePage(councillorPage).slotRows())[0]!, /Eilidh Fraser .*Lighting on the promenade/)
  })

  step('the constituent cancels by keyboard, and the phone journey used no pointer and fitted the screen', async () => {
    const kb = new KeyboardUser(phone)
    await kb.tabTo((s) => s.tag === 'button' && s.text === 'Cancel appointment', 'the "Cancel appointment" button')
    await kb.enterAndLoad()
    assert.match(await phone.locator('main').innerText(), /This appointment is cancelled/)
    await measurePhone('09-phone-cancelled')
    assert.equal(await pointerPresses(phone), 0, 'no pointer, mouse or touch presses during the booking')
    assert.deepEqual(overflows, [], `pages wider than the phone:\n${overflows.join('\n')}`)
    for (const p of [admin, secretaryPage, councillorPage, phone]) assertEveryPageChecked(p)
    assert.ok(phonePagesMeasured >= 6, `phone pages measured: ${visitedUrls(phone).join(', ')}`)
  })
})

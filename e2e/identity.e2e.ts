// Identity's "done when": a member of a council's staff signs in through a locally started OpenID
// Connect provider, must set up two-factor sign-in, signs in again with a code and once with a
// recovery code, sees and ends another session; a member of the public signs in through the
// ScotAccount-style profile and consents to releasing their address to a service (and declining
// stores nothing). Every Còmhla page visited is checked with axe-core (WCAG 2.2 AA) and must have
// the common layout; the provider's own login and consent pages are not Còmhla's and are not checked
// (see e2e/support/idp.ts).
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, navigate, screenshot, visit, visitedUrls } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import {
  assertEveryComhlaPageChecked,
  attributeServiceModule,
  continueAtProvider,
  goToProvider,
  openPersonPage,
  pressSignInWith,
  startLocalIdp,
  type LocalIdp,
} from './support/idp.js'
import {
  AccountPage,
  AttributeConsentPage,
  BasePage,
  SecondFactorPage,
  SessionsPage,
  SetupPage,
  SignInPage,
  StaffSignInDomainsPage,
  TwoFactorSetupPage,
  VerifiedAttributesPage,
  type Authenticator,
} from './support/pages.js'
import { attributeRequestPath } from '../src/platform/oidc/attributes.js'

const administrator = {
  name: 'Morag MacLeod',
  email: 'morag.macleod@example.gov.scot',
  password: 'Heather-Kettle-Ferry-2026',
}
const council = { name: 'The Highland Council', slug: 'highland-council', domain: 'highland.gov.uk' }
const staffMember = { login: 'eilidh', email: 'eilidh.fraser@highland.gov.uk', name: 'Eilidh Fraser' }
const citizen = { login: 'citizen-1', name: 'Seonaid MacNeil', address: '1 Cromwell Street, Stornoway, HS1 2DB' }
/** A service that may ask for a person's verified address, registered in the server as a module would. */
const blueBadge = { id: 'blue-badge', labelKey: 'Blue Badge applications', attributes: ['address'] as const }

// Three of the staff member's devices, told apart on "Where you are signed in" by their browsers.
const devices = {
  laptop: 'Chrome on Linux', // the test browser's own user agent
  office: 'Edge on Windows',
  phone: 'Chrome on macOS',
}
const userAgents = {
  office:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  phone:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
}

const totpStep = () => Math.floor(Date.now() / 30_000)

describe('identity: staff and the public sign in through OpenID Connect', { timeout: 170_000 }, () => {
  let idp: LocalIdp
  let server: RunningServer
  let browser: Browser
  let admin: Page
  let laptop: Page
  let office: Page
  let phone: Page
  let citizenPage: Page
  let authenticator: Authenticator
  let setUpInStep = 0

  const open = (userAgent?: string) => openPersonPage(browser, server.baseUrl, userAgent ? { userAgent } : {})

  before(async () => {
    idp = await startLocalIdp({
      [staffMember.login]: { email: staffMember.email, name: staffMember.name },
      [citizen.login]: {
        name: citizen.name,
        address: { street_address: '1 Cromwell Street', locality: 'Stornoway', postal_code: 'HS1 2DB' },
        verifiedEmail: 'seonaid@example.scot',
      },
    })
    ;[server, browser] = await Promise.all([
      startServer({
        port: idp.comhlaPort,
        env: { OIDC_PROVIDERS: idp.oidcProviders },
        imports: [attributeServiceModule({ ...blueBadge, attributes: [...blueBadge.attributes] })],
      }),
      launchBrowser(),
    ])
    assert.equal(server.baseUrl, idp.comhlaBase, 'Còmhla is where the provider expects it')
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
    await idp?.close()
  })

  // Two journeys: the public one does not depend on the staff one, and goes on if that one fails.
  const staffStep = journey()
  const citizenStep = journey()

  staffStep('a platform administrator links the staff provider and the email domain to the council', async () => {
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    admin = await open()
    const setup = await SetupPage.open(admin, server.setupLink)
    await (await setup.createAdministrator(administrator)).expect('/admin', 'Platform administration')
    await visit(admin, `/manage/organisations/${council.slug}`)
    await new BasePage(admin).expect(`/manage/organisations/${council.slug}`, council.name)
    await navigate(admin, () => admin.locator('main').getByRole('link', { name: 'Staff sign-in', exact: true }).click())
    const domains = await new StaffSignInDomainsPage(admin).expect(
      `/manage/organisations/${council.slug}/sign-in-domains`,
      'Staff sign-in',
    )
    await domains.link(idp.staff.name, council.domain)
    await domains.expect(`/manage/organisations/${council.slug}/sign-in-domains`, 'Staff sign-in')
    assert.deepEqual(await domains.linked(), [{ provider: idp.staff.name, domain: council.domain }])
  })

  staffStep(
    'a member of staff signs in with the provider, must set up two-factor sign-in, and lands signed in',
    async () => {
      laptop = await open()
      await SignInPage.open(laptop)
      await pressSignInWith(laptop, idp, idp.staff.name)
      const prompts = await continueAtProvider(laptop, idp, staffMember.login)
      assert.equal(prompts[0], 'login', 'the provider asked who they are')
      assert.match(
        laptop.url(),
        new RegExp(`/account/two-factor/setup\\?return=${encodeURIComponent(`/manage/organisations/${council.slug}`)}`),
        'new staff are sent to set up two-factor sign-in before anything else',
      )
      authenticator = await new TwoFactorSetupPage(laptop).complete(staffMember.email)
      setUpInStep = totpStep()
      const landed = await new BasePage(laptop).expect(`/manage/organisations/${council.slug}`, council.name)
      assert.ok(await landed.signOutButton.isVisible(), 'signed in')
      await screenshot(laptop, 'identity-01-staff-joined')
      const account = await landed.goToAccount()
      assert.deepEqual(await account.organisations(), [council.name], 'joined the council through its email domain')
      assert.match(await laptop.locator('main').innerText(), new RegExp(staffMember.email))
    },
  )

  staffStep('on a second device, they sign in with the provider and a code from their authenticator app', async () => {
    office = await open(userAgents.office)
    await SignInPage.open(office)
    await pressSignInWith(office, idp, idp.staff.name)
    await continueAtProvider(office, idp, staffMember.login)
    await new BasePage(office).expect('/sign-in/two-factor', 'Enter your security code')
    // Codes are single-use: the one that turned two-factor on used this 30-second step.
    while (totpStep() <= setUpInStep) await sleep(250)
    await new SecondFactorPage(office).answer(staffMember.email)
    assert.equal(authenticator.recoveryCodes.length, 10, 'a code from the app was used, not a recovery code')
    const landed = await new AccountPage(office).expect('/account', 'Your account')
    assert.ok(await landed.signOutButton.isVisible(), 'signed in')
  })

  staffStep('on a third device, they sign in with the provider and a recovery code', async () => {
    phone = await open(userAgents.phone)
    await SignInPage.open(phone)
    await pressSignInWith(phone, idp, idp.staff.name)
    await continueAtProvider(phone, idp, staffMember.login)
    await new SecondFactorPage(phone).answer(staffMember.email, { useRecoveryCode: true })
    const twoFactor = await new BasePage(phone).expect('/account/two-factor', 'Two-factor sign-in')
    assert.match(await twoFactor.notification.innerText(), /9 recovery codes left/)
    assert.ok(await twoFactor.signOutButton.isVisible(), 'signed in')
  })

  staffStep('on the first device, they see where they are signed in and end the second device’s session', async () => {
    const sessions = await SessionsPage.open(laptop)
    const before = await sessions.sessions()
    assert.ok(before.length > 1, `more than one session: ${JSON.stringify(before)}`)
    assert.deepEqual(
      before.map((s) => [s.device, s.current]).sort(),
      [
        [devices.laptop, true],
        [devices.office, false],
        [devices.phone, false],
      ].sort(),
    )
    await screenshot(laptop, 'identity-02-sessions')
    await sessions.end(devices.office)
    await sessions.expect('/account/sessions', 'Where you are signed in')
    assert.deepEqual((await sessions.sessions()).map((s) => s.device).sort(), [devices.laptop, devices.phone].sort())

    await visit(office, '/account')
    await new SignInPage(office).expect('/sign-in', 'Sign in')
    assert.equal(await new BasePage(office).signOutButton.count(), 0, 'the ended device is signed out')
    await visit(phone, '/account')
    await new AccountPage(phone).expect('/account', 'Your account')
  })

  staffStep('every Còmhla page the staff saw was checked (the provider’s pages excepted)', async () => {
    for (const page of [admin, laptop, office, phone]) assertEveryComhlaPageChecked(page, idp)
    assert.ok(
      visitedUrls(laptop).some((url) => url.startsWith(`${idp.issuer}/`)),
      "the provider's own pages were visited in the browser",
    )
  })

  citizenStep('a member of the public signs in with ScotAccount', async () => {
    citizenPage = await open()
    await SignInPage.open(citizenPage)
    await pressSignInWith(citizenPage, idp, idp.scotAccount.name)
    await continueAtProvider(citizenPage, idp, citizen.login)
    const account = await new AccountPage(citizenPage).expect('/account', 'Your account')
    assert.ok(await account.signOutButton.isVisible(), 'signed in')
    assert.deepEqual(idp.attributeRequests, [], 'nothing is fetched from the attributes endpoint at sign-in')
  })

  const askForAddress = async (): Promise<AttributeConsentPage> => {
    await visit(citizenPage, attributeRequestPath(blueBadge.id, ['address'], '/account/verified-attributes'))
    const consent = await new AttributeConsentPage(citizenPage).expect(
      `/account/verified-attributes/${blueBadge.id}`,
      'Share your verified details',
    )
    assert.match(await citizenPage.locator('main').innerText(), new RegExp(`${blueBadge.labelKey} is asking for:`))
    assert.deepEqual(await consent.asked(), ['Your verified address'])
    return consent
  }

  citizenStep('a service asks for their address; when they decline, nothing is fetched or kept', async () => {
    const consent = await askForAddress()
    await screenshot(citizenPage, 'identity-03-consent')
    await consent.decline()
    const shared = await new VerifiedAttributesPage(citizenPage).expect(
      '/account/verified-attributes',
      'Verified details you have shared',
    )
    assert.deepEqual(await shared.shared(), {})
    assert.match(await citizenPage.locator('main').innerText(), /You have not shared any verified details/)
    assert.deepEqual(idp.attributeRequests, [], 'nothing was fetched')
  })

  citizenStep('when they agree, only their address is fetched from ScotAccount and recorded', async () => {
    const consent = await askForAddress()
    await consent.chooseToShare()
    await goToProvider(citizenPage, idp, () => consent.continueButton.click())
    await continueAtProvider(citizenPage, idp, citizen.login)
    const shared = await new VerifiedAttributesPage(citizenPage).expect(
      '/account/verified-attributes',
      'Verified details you have shared',
    )
    assert.deepEqual(await shared.shared(), { [blueBadge.labelKey]: { 'Your verified address': citizen.address } })
    assert.doesNotMatch(await citizenPage.locator('main').innerText(), /seonaid@example\.scot|Seonaid/)
    await screenshot(citizenPage, 'identity-04-shared')
    assert.equal(idp.attributeRequests.length, 1)
    assert.deepEqual([...idp.attributeRequests[0]!.scopes].sort(), ['openid', 'scotaccount.address'])
    assert.equal(idp.attributeRequests[0]!.accountId, citizen.login)
    // Reloaded from the list, as the person would find it later.
    const again = await VerifiedAttributesPage.open(citizenPage)
    assert.deepEqual(await again.shared(), { [blueBadge.labelKey]: { 'Your verified address': citizen.address } })
  })

  citizenStep(
    'every Còmhla page was checked (the provider’s pages excepted) and the server logged no errors',
    async () => {
      assertEveryComhlaPageChecked(citizenPage, idp)
      assert.ok(
        visitedUrls(citizenPage).some((url) => url.startsWith(`${idp.issuer}/`)),
        "the provider's own pages were visited in the browser",
      )
      assert.deepEqual(server.errorLogs(), [], 'the server logged errors')
    },
  )
})

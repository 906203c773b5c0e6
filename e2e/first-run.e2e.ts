// The platform foundation's "done when": a newcomer starts Còmhla, creates the first administrator
// from the printed link, invites a colleague to a council; the colleague accepts and signs in; the
// administrator finds both in the audit trail and calls the API with a token. Every page visited
// is checked with axe-core (WCAG 2.2 AA), and must have the layout every page has.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, openPage, screenshot, visit } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import {
  AccountPage,
  AdminPage,
  BasePage,
  InvitationPage,
  InvitePage,
  ManageOrganisationPage,
  OrganisationsPage,
  SetupPage,
  type AuditPage,
} from './support/pages.js'

const administrator = {
  name: 'Morag MacLeod',
  email: 'morag.macleod@example.gov.scot',
  password: 'Heather-Kettle-Ferry-2026',
}
const colleague = { name: 'Iain Stewart', email: 'colleague@example.gov.scot', password: 'Ptarmigan-Lantern-Bothy-7' }
const council = { name: 'The Highland Council', slug: 'highland-council' }
const tokenName = 'Staff directory sync'

describe('first run: set up, invite a colleague, audit and API', { timeout: 180_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let admin: Page
  let colleaguePage: Page
  let invitationLink = ''
  /** Where the colleague's roles are shown to people, and how. */
  const rolesShown: Record<string, string | null> = {}
  let apiToken = ''
  let audit: AuditPage

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    admin = (await openPage(browser, server.baseUrl)).page
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const step = journey()

  step('prints a one-time link for creating the first administrator when it starts', async () => {
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    assert.ok(
      server.setupLink.startsWith(`${server.baseUrl}/setup/`),
      `set-up link ${server.setupLink} is not on ${server.baseUrl}`,
    )
    assert.match(
      server.output(),
      server.database === 'PostgreSQL' ? / on PostgreSQL\./ : / on the embedded database in /,
    )
  })

  step('the set-up link creates the first administrator, who is then signed in', async () => {
    const setup = await SetupPage.open(admin, server.setupLink!)
    await screenshot(admin, 'first-run-01-setup')
    const home = await setup.createAdministrator(administrator)
    await home.expect('/admin', 'Platform administration')
    assert.match(await home.notification.innerText(), /Còmhla is set up/)
    assert.ok(await home.signOutButton.isVisible(), 'the new administrator is signed in')
  })

  step('the administrator finds the council in the directory and opens its staff page', async () => {
    const home = new AdminPage(admin)
    await home.followMainNav('Organisations')
    const directory = await new OrganisationsPage(admin).expect('/organisations', 'Directory of public bodies')
    await directory.search('Highland')
    assert.ok(
      (await directory.names()).includes(council.name),
      `search results: ${(await directory.names()).join(', ')}`,
    )
    const organisation = await directory.open(council.name)
    const manage = await organisation.manageStaff()
    await manage.expect(`/manage/organisations/${council.slug}`, council.name)
    assert.deepEqual(await manage.pendingInvitationEmails(), [])
  })

  step('sending an empty invitation shows an error summary linked to the fields', async () => {
    const invite = await new ManageOrganisationPage(admin).inviteStaff()
    await invite.submit()
    assert.equal(invite.pathname(), `/manage/organisations/${council.slug}/invite`)
    const items = await invite.errorSummaryItems()
    assert.ok(
      items.some((i) => i.href === '#email'),
      `the error summary should link to the email field: ${JSON.stringify(items)}`,
    )
    await invite.expectErrors(items)
    await screenshot(admin, 'first-run-02-invite-errors')
  })

  step('the administrator corrects the form and invites a colleague with a role', async () => {
    const invite = new InvitePage(admin)
    const manage = await invite.invite(colleague.email, ['Consultation manager'])
    await manage.expect(`/manage/organisations/${council.slug}`, council.name)
    assert.match(await manage.notification.innerText(), new RegExp(`Invitation sent to ${colleague.email}`))
    assert.deepEqual(await manage.pendingInvitationEmails(), [colleague.email])
    await screenshot(admin, 'first-run-03-invitation-sent')
  })

  step('with no email server, the invitation email waits in the outbox with its link', async () => {
    const home = await AdminPage.open(admin)
    const outbox = await home.openOutbox()
    assert.match(await admin.locator('main').innerText(), /No email server \(SMTP\) is configured/)
    const message = await outbox.openMessage(colleague.email, `You have been invited to join ${council.name} on Còmhla`)
    await message.expect(/^\/admin\/outbox\//, `You have been invited to join ${council.name} on Còmhla`)
    invitationLink = await message.link(/https?:\/\/\S+\/invitations\/[A-Za-z0-9_-]+/)
    rolesShown['the invitation email'] = (await message.body()).match(/with these roles: (.*?)\.\n/)?.[1] ?? null
    assert.ok(invitationLink.startsWith(`${server.baseUrl}/invitations/`), `invitation link ${invitationLink}`)
  })

  step('the set-up link no longer works once used', async () => {
    ;({ page: colleaguePage } = await openPage(browser, server.baseUrl))
    const response = await visit(colleaguePage, server.setupLink!)
    assert.equal(response?.status(), 410)
    assert.equal(await colleaguePage.locator('main h1').innerText(), 'This link is no longer valid')
  })

  step('the colleague opens the invitation and creates an account with the invited address', async () => {
    const invitation = await InvitationPage.open(colleaguePage, invitationLink)
    rolesShown['the invitation page'] = await invitation.summaryValue('Roles')
    assert.match(await colleaguePage.locator('main').innerText(), new RegExp(council.name))
    const register = await invitation.createAccount()
    assert.equal(await register.emailValue(), colleague.email)
    assert.match(
      await colleaguePage.locator('main .ds_inset-text').innerText(),
      new RegExp(`invited to join ${council.name}`),
    )
    await register.register(colleague)
    await new InvitationPage(colleaguePage).expect(/^\/invitations\//, 'Join an organisation')
    assert.ok(
      await colleaguePage.getByRole('button', { name: 'Accept invitation' }).isVisible(),
      'the new account can accept',
    )
  })

  step("the colleague accepts and lands on the council's page", async () => {
    const manage = await new InvitationPage(colleaguePage).accept(colleague.email)
    await manage.expect(`/manage/organisations/${council.slug}`, council.name)
    assert.match(await manage.notification.innerText(), new RegExp(`You have joined ${council.name}`))
    rolesShown["the member's view of the council"] = await manage.summaryValue('Roles')
    await screenshot(colleaguePage, 'first-run-04-colleague-joined')
  })

  step('the colleague signs out and signs in again with a recovery code', async () => {
    const signedOut = await new ManageOrganisationPage(colleaguePage).signOut()
    await signedOut.expect('/signed-out', 'You have signed out')
    const signIn = await signedOut.signInAgain()
    await signIn.signIn(colleague.email, colleague.password, { useRecoveryCode: true })
    await new BasePage(colleaguePage).expect('/account/two-factor', 'Two-factor sign-in')
    assert.match(await colleaguePage.locator('.ds_notification-panel').innerText(), /9 recovery codes left/)
    await visit(colleaguePage, '/account')
    const account = new AccountPage(colleaguePage)
    await account.expect('/account', 'Your account')
    assert.deepEqual(await account.organisations(), [council.name])
    assertEveryPageChecked(colleaguePage)
  })

  step('the administrator sees the colleague on the staff page and both actions in the audit trail', async () => {
    await visit(admin, `/manage/organisations/${council.slug}`)
    const manage = await new ManageOrganisationPage(admin).expect(`/manage/organisations/${council.slug}`, council.name)
    const staff = await manage.staff()
    assert.deepEqual(
      staff.map((s) => [s.name, s.email, s.roles]),
      [[colleague.name, colleague.email, 'Consultation manager']],
    )
    assert.deepEqual(await manage.pendingInvitationEmails(), [])
    audit = await manage.auditTrail()
    const entries = await audit.entries()
    const who = (action: string) => entries.find((e) => e.action === action)?.actor
    assert.match(
      who('staff.invited') ?? '(missing)',
      new RegExp(`${administrator.name}|${administrator.email}`),
      `audit entries: ${JSON.stringify(entries)}`,
    )
    assert.match(
      who('staff.invitation-accepted') ?? '(missing)',
      new RegExp(`${colleague.name}|${colleague.email}`),
      `audit entries: ${JSON.stringify(entries)}`,
    )
    await screenshot(admin, 'first-run-05-audit')
    await audit.filterByAction('staff.invitation-')
    assert.deepEqual(await audit.actions(), ['staff.invitation-accepted'])
  })

  step('the administrator creates an API token, which is shown once', async () => {
    const account = await audit.goToAccount()
    await account.expect('/account', 'Your account')
    const tokens = await account.apiTokens()
    await tokens.submit()
    const items = await tokens.errorSummaryItems()
    assert.ok(
      items.some((i) => i.href === '#name'),
      `the error summary should link to the name field: ${JSON.stringify(items)}`,
    )
    assert.ok(
      items.some((i) => i.href === '#scopes'),
      `the error summary should link to the scopes: ${JSON.stringify(items)}`,
    )
    await tokens.expectErrors(items)
    const created = await tokens.create({ name: tokenName, scopes: ['account:read', 'staff:read'], expiresInDays: 90 })
    apiToken = await created.token()
    assert.ok(apiToken.length >= 20, `token "${apiToken}"`)
    await screenshot(admin, 'first-run-06-token-created')
    const list = await created.backToTokens()
    assert.deepEqual(await list.tokenNames(), [tokenName])
    assert.ok(!(await admin.content()).includes(apiToken), 'the token is not shown again')
  })

  step('the token calls the API from outside the browser', async () => {
    const get = (path: string, token: string | null = apiToken) =>
      fetch(`${server.baseUrl}${path}`, {
        headers: token
          ? { authorization: `Bearer ${token}`, accept: 'application/json' }
          : { accept: 'application/json' },
      })

    const me = await get('/api/v1/me')
    assert.equal(me.status, 200)
    const who = (await me.json()) as {
      email: string
      displayName: string
      isPlatformAdmin: boolean
      authenticatedBy: string
      scopes: string[]
    }
    assert.equal(who.email, administrator.email)
    assert.equal(who.displayName, administrator.name)
    assert.equal(who.isPlatformAdmin, true)
    assert.equal(who.authenticatedBy, 'token')
    assert.deepEqual([...who.scopes].sort(), ['account:read', 'staff:read'])

    const members = await get(`/api/v1/organisations/${council.slug}/members`)
    assert.equal(members.status, 200)
    const body = (await members.json()) as { items: { email: string; displayName: string; roles: string[] }[] }
    assert.deepEqual(
      body.items.map((m) => [m.email, m.displayName, m.roles]),
      [[colleague.email, colleague.name, ['consultation-manager']]],
    )

    const anonymous = await get('/api/v1/me', null)
    assert.equal(anonymous.status, 401)
    assert.ok(((await anonymous.json()) as { error?: { code?: string } }).error?.code)

    // The token was not given audit:read.
    const auditApi = await get(`/api/v1/organisations/${council.slug}/audit`)
    assert.equal(auditApi.status, 403)
    assert.equal(((await auditApi.json()) as { error: { code: string } }).error.code, 'AUTH_SCOPE_MISSING')
  })

  step('every page was checked, the server logged no errors and it stops cleanly', async () => {
    assertEveryPageChecked(admin)
    assertEveryPageChecked(colleaguePage)
    assert.deepEqual(server.errorLogs(), [], 'the server logged errors')
    const stopped = await server.stop()
    assert.deepEqual(stopped, { code: 0, signal: null }, `Còmhla did not stop cleanly on SIGTERM:\n${server.output()}`)
  })

  // Last, so that a wording problem does not stop the journey.
  step('the colleague sees their role by its name, not its code', async () => {
    const expected = Object.fromEntries(Object.keys(rolesShown).map((where) => [where, 'Consultation manager']))
    assert.equal(Object.keys(rolesShown).length, 3)
    assert.deepEqual(rolesShown, expected)
  })
})

// Page objects: what a person sees and does on each page, by its visible labels. Every action that
// loads a page goes through navigate() or visit(), so each page is checked (layout, axe, errors).
import assert from 'node:assert/strict'
import type { Locator, Page } from 'playwright-core'
import * as OTPAuth from 'otpauth'
import { navigate, visit } from './browser.js'

export type FieldError = { text: string; href: string }

/** Ticks a design-system checkbox or radio by clicking its label, as a person does (the label covers the input). */
async function choose(page: Page, role: 'checkbox' | 'radio', name: string, exact = true): Promise<void> {
  const input = page.getByRole(role, { name, exact })
  const id = await input.getAttribute('id')
  await page.locator(`label[for="${id}"]`).click()
  assert.ok(await input.isChecked(), `${role} "${name}" is not selected after clicking its label`)
}

/** A person's authenticator app and saved recovery codes, as the browser journeys use them. */
export class Authenticator {
  private lastStep: number
  constructor(
    readonly secret: string,
    readonly recoveryCodes: string[],
  ) {
    // Setting up used the current 30-second step.
    this.lastStep = Math.floor(Date.now() / 30_000)
  }

  /** A code for a step not used yet, or null while the last one's step lasts (codes are single-use). */
  freshCode(): string | null {
    const step = Math.floor(Date.now() / 30_000)
    if (step <= this.lastStep) return null
    this.lastStep = step
    return new OTPAuth.TOTP({
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: OTPAuth.Secret.fromBase32(this.secret),
    }).generate()
  }

  recoveryCode(): string {
    const code = this.recoveryCodes.shift()
    assert.ok(code, 'a recovery code is left')
    return code
  }
}

/** Everyone who has set up two-factor sign-in in this run, by email address. */
export const authenticators = new Map<string, Authenticator>()

export class BasePage {
  constructor(readonly page: Page) {}

  get heading(): Locator {
    return this.page.locator('main h1')
  }

  async headingText(): Promise<string> {
    return (await this.heading.innerText()).trim()
  }

  get errorSummary(): Locator {
    return this.page.locator('.ds_error-summary')
  }

  async errorSummaryItems(): Promise<FieldError[]> {
    const links = this.errorSummary.locator('a')
    const items: FieldError[] = []
    for (const link of await links.all())
      items.push({ text: (await link.innerText()).trim(), href: (await link.getAttribute('href')) ?? '' })
    return items
  }

  /** The message beside a field, and that the field points to it for assistive technology. */
  async fieldError(name: string): Promise<string | null> {
    const message = this.page.locator(`#${name}-error`)
    if ((await message.count()) === 0) return null
    const describedBy = (await this.page.locator(`#${name}`).getAttribute('aria-describedby')) ?? ''
    assert.ok(describedBy.split(/\s+/).includes(`${name}-error`), `#${name} is not described by its error message`)
    return (await message.innerText()).trim()
  }

  /** The value beside a key in the page's summary list. */
  async summaryValue(key: string): Promise<string | null> {
    const item = this.page
      .locator('main .ds_summary-list__item')
      .filter({ has: this.page.locator('dt', { hasText: key }) })
    if ((await item.count()) === 0) return null
    return (await item.first().locator('dd.ds_summary-list__value').innerText()).trim()
  }

  get notification(): Locator {
    return this.page.locator('.ds_notification-panel')
  }

  get languageSwitch(): Locator {
    return this.page.locator('header a[hreflang]')
  }

  async htmlLang(): Promise<string | null> {
    return this.page.locator('html').getAttribute('lang')
  }

  async switchLanguage(): Promise<void> {
    await navigate(this.page, () => this.languageSwitch.click())
  }

  mainNavLink(name: string): Locator {
    return this.page.locator('nav.comhla-nav').getByRole('link', { name, exact: true })
  }

  async followMainNav(name: string): Promise<void> {
    await navigate(this.page, () => this.mainNavLink(name).click())
  }

  get signOutButton(): Locator {
    return this.page.locator('header').getByRole('button', { name: 'Sign out', exact: true })
  }

  async signOut(): Promise<SignedOutPage> {
    await navigate(this.page, () => this.signOutButton.click())
    return new SignedOutPage(this.page)
  }

  async goToAccount(): Promise<AccountPage> {
    await navigate(this.page, () =>
      this.page.locator('header').getByRole('link', { name: 'Your account', exact: true }).click(),
    )
    return new AccountPage(this.page)
  }

  pathname(): string {
    return new URL(this.page.url()).pathname
  }

  /** Fails unless the page is at this path with this main heading. */
  async expect(pathname: string | RegExp, heading: string): Promise<this> {
    if (typeof pathname === 'string') assert.equal(this.pathname(), pathname, `expected to be on ${pathname}`)
    else assert.match(this.pathname(), pathname)
    assert.equal(await this.headingText(), heading, `main heading on ${this.page.url()}`)
    return this
  }

  /** An error summary at the top linking to each field, and "Error: " before the page title. */
  async expectErrors(expected: FieldError[]): Promise<void> {
    assert.ok(await this.errorSummary.isVisible(), `no error summary on ${this.page.url()}`)
    assert.equal((await this.errorSummary.locator('h2').innerText()).trim(), 'There is a problem')
    assert.deepEqual(await this.errorSummaryItems(), expected)
    assert.match(await this.page.title(), /^Error: /)
    for (const item of expected) {
      const name = item.href.slice(1)
      assert.equal(await this.fieldError(name), item.text, `message beside #${name}`)
    }
  }
}

export class SetupPage extends BasePage {
  static async open(page: Page, link: string): Promise<SetupPage> {
    const response = await visit(page, link)
    assert.equal(response?.status(), 200, 'the set-up link opens the set-up page')
    return new SetupPage(page).expect(/^\/setup\//, 'Set up Còmhla')
  }

  async createAdministrator(who: { name: string; email: string; password: string }): Promise<AdminPage> {
    await this.page.getByLabel('Full name', { exact: true }).fill(who.name)
    await this.page.getByLabel('Email address', { exact: true }).fill(who.email)
    await this.page.getByLabel('New password', { exact: true }).fill(who.password)
    await this.page.getByLabel('Confirm the new password', { exact: true }).fill(who.password)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Create administrator' }).click())
    // A platform administrator must set up two-factor sign-in before anything else.
    await new TwoFactorSetupPage(this.page).complete(who.email)
    return new AdminPage(this.page)
  }
}

export class TwoFactorSetupPage extends BasePage {
  /** Adds Còmhla to the "authenticator app" from the key shown as text, confirms a code, keeps the recovery codes. */
  async complete(email: string): Promise<Authenticator> {
    await this.expect('/account/two-factor/setup', 'Set up two-factor sign-in')
    assert.ok(await this.page.locator('main .comhla-qr svg').isVisible(), 'a QR code is shown')
    const secret = (await this.page.locator('main .comhla-code').first().innerText())
      .replace('Key:', '')
      .replace(/\s/g, '')
    const code = new OTPAuth.TOTP({
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      secret: OTPAuth.Secret.fromBase32(secret),
    }).generate()
    await this.page.getByLabel('Security code', { exact: true }).fill(code)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click())
    await this.expect('/account/two-factor/setup', 'Your recovery codes')
    const codes = (await this.page.locator('main .comhla-codes li').allInnerTexts()).map((c) => c.trim())
    assert.equal(codes.length, 10, 'ten recovery codes are shown')
    await navigate(this.page, () => this.page.getByRole('link', { name: 'I have saved my recovery codes' }).click())
    const authenticator = new Authenticator(secret, codes)
    authenticators.set(email.toLowerCase(), authenticator)
    return authenticator
  }
}

export class SecondFactorPage extends BasePage {
  /** Answers with a fresh code from the app, or with a recovery code when none is fresh (or when asked to). */
  async answer(email: string, options: { useRecoveryCode?: boolean } = {}): Promise<void> {
    const authenticator = authenticators.get(email.toLowerCase())
    assert.ok(authenticator, `${email} has set up two-factor sign-in in this run`)
    await this.expect('/sign-in/two-factor', 'Enter your security code')
    const code = options.useRecoveryCode ? null : authenticator.freshCode()
    if (code) {
      await this.page.getByLabel('Security code', { exact: true }).fill(code)
    } else {
      await navigate(this.page, () => this.page.getByRole('link', { name: /use a recovery code/ }).click())
      await this.expect('/sign-in/recovery-code', 'Use a recovery code')
      await this.page.getByLabel('Recovery code', { exact: true }).fill(authenticator.recoveryCode())
    }
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Continue' }).click())
  }
}

export class SignInPage extends BasePage {
  static async open(page: Page): Promise<SignInPage> {
    await visit(page, '/sign-in')
    return new SignInPage(page).expect('/sign-in', 'Sign in')
  }

  async fill(email: string, password: string): Promise<void> {
    await this.page.getByLabel('Email address', { exact: true }).fill(email)
    await this.page.getByLabel('Password', { exact: true }).fill(password)
  }

  async submit(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Sign in', exact: true }).click(),
    )
  }

  async signIn(email: string, password: string, options: { useRecoveryCode?: boolean } = {}): Promise<AccountPage> {
    await this.fill(email, password)
    await this.submit()
    if (new URL(this.page.url()).pathname === '/sign-in/two-factor') {
      await new SecondFactorPage(this.page).answer(email, options)
      // After a recovery code, Còmhla shows how many are left before going on.
      if (new URL(this.page.url()).pathname === '/account/two-factor') {
        assert.match(await this.page.locator('.ds_notification-panel').innerText(), /recovery codes left/)
        if (!options.useRecoveryCode) await visit(this.page, '/account')
      }
    }
    return new AccountPage(this.page)
  }
}

export class SignedOutPage extends BasePage {
  async signInAgain(): Promise<SignInPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'Sign in again' }).click())
    return new SignInPage(this.page).expect('/sign-in', 'Sign in')
  }
}

export class RegisterPage extends BasePage {
  async emailValue(): Promise<string> {
    return this.page.getByLabel('Email address', { exact: true }).inputValue()
  }

  async register(who: { name: string; password: string }): Promise<void> {
    await this.page.getByLabel('Full name', { exact: true }).fill(who.name)
    await this.page.getByLabel('New password', { exact: true }).fill(who.password)
    await this.page.getByLabel('Confirm the new password', { exact: true }).fill(who.password)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Create account', exact: true }).click())
  }
}

export class InvitationPage extends BasePage {
  static async open(page: Page, link: string): Promise<InvitationPage> {
    const response = await visit(page, link)
    assert.equal(response?.status(), 200, 'the invitation link opens the invitation')
    return new InvitationPage(page).expect(/^\/invitations\//, 'Join an organisation')
  }

  async createAccount(): Promise<RegisterPage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Create an account to accept' }).click())
    return new RegisterPage(this.page).expect('/register', 'Create an account')
  }

  /** Accepts; as new staff the person then sets up two-factor sign-in and returns to the organisation. */
  async accept(email: string): Promise<ManageOrganisationPage> {
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Accept invitation' }).click())
    await new TwoFactorSetupPage(this.page).complete(email)
    return new ManageOrganisationPage(this.page)
  }
}

export class AdminPage extends BasePage {
  static async open(page: Page): Promise<AdminPage> {
    await visit(page, '/admin')
    return new AdminPage(page).expect('/admin', 'Platform administration')
  }

  async openOutbox(): Promise<OutboxPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'Email outbox' }).click())
    return new OutboxPage(this.page).expect('/admin/outbox', 'Email outbox')
  }
}

export class OutboxPage extends BasePage {
  async openMessage(to: string, subject: string | RegExp): Promise<OutboxMessagePage> {
    const row = this.page.locator('main table tbody tr').filter({ hasText: to })
    await navigate(this.page, () => row.getByRole('link', { name: subject }).first().click())
    return new OutboxMessagePage(this.page)
  }
}

export class OutboxMessagePage extends BasePage {
  async body(): Promise<string> {
    return this.page.locator('main pre').innerText()
  }

  async link(pattern: RegExp): Promise<string> {
    const found = (await this.body()).match(pattern)
    assert.ok(found, `no link matching ${pattern} in the email:\n${await this.body()}`)
    return found[0]
  }
}

export class OrganisationsPage extends BasePage {
  async search(q: string): Promise<void> {
    await this.page.getByLabel('Search by name or code', { exact: true }).fill(q)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Apply filters' }).click())
  }

  async names(): Promise<string[]> {
    return (await this.page.locator('main table tbody td:first-child a').allInnerTexts()).map((s) => s.trim())
  }

  async open(name: string): Promise<OrganisationPage> {
    await navigate(this.page, () => this.page.locator('main table').getByRole('link', { name, exact: true }).click())
    return new OrganisationPage(this.page).expect(/^\/organisations\/[a-z0-9-]+$/, name)
  }
}

export class OrganisationPage extends BasePage {
  async manageStaff(): Promise<ManageOrganisationPage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Manage staff' }).click())
    return new ManageOrganisationPage(this.page)
  }
}

export class ManageOrganisationPage extends BasePage {
  async staff(): Promise<{ name: string; email: string; roles: string }[]> {
    const rows = this.page.getByRole('table', { name: 'Staff', exact: true }).locator('tbody tr')
    const staff = []
    for (const row of await rows.all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim())
      if (cells.length >= 3) staff.push({ name: cells[0]!, email: cells[1]!, roles: cells[2]! })
    }
    return staff
  }

  async pendingInvitationEmails(): Promise<string[]> {
    const table = this.page.getByRole('table', { name: 'Invitations waiting to be accepted' })
    if ((await table.count()) === 0) return []
    return (await table.locator('tbody td:first-child').allInnerTexts()).map((s) => s.trim())
  }

  async inviteStaff(): Promise<InvitePage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Invite a member of staff' }).click())
    return new InvitePage(this.page).expect(/\/invite$/, 'Invite a member of staff')
  }

  async auditTrail(): Promise<AuditPage> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Audit trail', exact: true }).click(),
    )
    return new AuditPage(this.page).expect(/\/audit$/, 'Audit trail')
  }
}

export class InvitePage extends BasePage {
  async submit(): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Send invitation' }).click())
  }

  async invite(email: string, roles: string[]): Promise<ManageOrganisationPage> {
    await this.page.getByLabel('Email address', { exact: true }).fill(email)
    for (const role of roles) await choose(this.page, 'checkbox', role)
    await this.submit()
    return new ManageOrganisationPage(this.page)
  }
}

export class AuditPage extends BasePage {
  async entries(): Promise<{ actor: string; action: string }[]> {
    const entries = []
    for (const row of await this.page.locator('main table tbody tr').all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim())
      if (cells.length >= 4) entries.push({ actor: cells[2]!, action: cells[3]! })
    }
    return entries
  }

  async actions(): Promise<string[]> {
    return (await this.entries()).map((e) => e.action)
  }

  async filterByAction(prefix: string): Promise<void> {
    await this.page.getByLabel('Action', { exact: true }).fill(prefix)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Apply filters' }).click())
  }
}

export class AccountPage extends BasePage {
  async organisations(): Promise<string[]> {
    const table = this.page.getByRole('table', { name: 'Your organisations' })
    if ((await table.count()) === 0) return []
    return (await table.locator('tbody td:first-child').allInnerTexts()).map((s) => s.trim())
  }

  async apiTokens(): Promise<TokensPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'API tokens' }).click())
    return new TokensPage(this.page).expect('/account/tokens', 'API tokens')
  }
}

export class TokensPage extends BasePage {
  async submit(): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Create token' }).click())
  }

  async create(token: { name: string; scopes: string[]; expiresInDays: number }): Promise<TokenCreatedPage> {
    await this.page.getByLabel('Token name', { exact: true }).fill(token.name)
    for (const scope of token.scopes) await choose(this.page, 'checkbox', `(${scope})`, false)
    await choose(this.page, 'radio', `In ${token.expiresInDays} days`)
    await this.submit()
    return new TokenCreatedPage(this.page).expect('/account/tokens', 'Your new API token')
  }

  async tokenNames(): Promise<string[]> {
    const table = this.page.getByRole('table', { name: 'Your tokens' })
    if ((await table.count()) === 0) return []
    return (await table.locator('tbody td:first-child').allInnerTexts()).map((s) => s.trim())
  }
}

export class TokenCreatedPage extends BasePage {
  async token(): Promise<string> {
    return (await this.page.locator('#token-value').innerText()).trim()
  }

  async backToTokens(): Promise<TokensPage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Back to your API tokens' }).click())
    return new TokensPage(this.page).expect('/account/tokens', 'API tokens')
  }
}

/** An organisation's "Staff sign-in" page: which provider and email domain let its staff join. */
export class StaffSignInDomainsPage extends BasePage {
  async link(providerName: string, domain: string): Promise<void> {
    await this.page.getByLabel('Sign-in provider', { exact: true }).selectOption({ label: providerName })
    await this.page.getByLabel('Email domain', { exact: true }).fill(domain)
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Link domain' }).click())
  }

  async linked(): Promise<{ provider: string; domain: string }[]> {
    const rows = this.page.getByRole('table', { name: 'Staff sign-in' }).locator('tbody tr')
    const linked = []
    for (const row of await rows.all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim())
      linked.push({ provider: cells[0]!, domain: cells[1]! })
    }
    return linked
  }
}

/** "Where you are signed in": a row for each session, with a button to end the others. */
export class SessionsPage extends BasePage {
  static async open(page: Page): Promise<SessionsPage> {
    await visit(page, '/account/sessions')
    return new SessionsPage(page).expect('/account/sessions', 'Where you are signed in')
  }

  async sessions(): Promise<{ device: string; current: boolean }[]> {
    const rows = this.page.getByRole('table', { name: 'Where you are signed in' }).locator('tbody tr')
    const sessions = []
    for (const row of await rows.all()) {
      const cell = row.locator('td').first()
      const tag = cell.locator('.ds_tag')
      const current = (await tag.count()) > 0 && (await tag.textContent())?.trim() === 'This device'
      const device = ((await cell.textContent()) ?? '').replace(current ? 'This device' : '', '').trim()
      sessions.push({ device, current })
    }
    return sessions
  }

  /** Ends the session on a device, by the button that names it to assistive technology. */
  async end(device: string): Promise<void> {
    const button = this.page.locator('main').getByRole('button', { name: `Sign out ${device}`, exact: true })
    assert.equal(await button.count(), 1, `one "Sign out ${device}" button`)
    await navigate(this.page, () => button.click())
  }
}

/** "Share your verified details": a service asks for some of a person's verified attributes. */
export class AttributeConsentPage extends BasePage {
  async asked(): Promise<string[]> {
    return (await this.page.locator('main ul.ds_bulleted-list li').allInnerTexts()).map((s) => s.trim())
  }

  /** Says no and continues: the person goes back where the service asked them to return. */
  async decline(): Promise<void> {
    await choose(this.page, 'radio', 'No, do not share them')
    await navigate(this.page, () => this.continueButton.click())
  }

  /** Says yes; continuing (continueButton) then takes the browser on to the provider, which the caller follows. */
  async chooseToShare(): Promise<void> {
    await choose(this.page, 'radio', 'Yes, share these details')
  }

  get continueButton(): Locator {
    return this.page.locator('main').getByRole('button', { name: 'Continue', exact: true })
  }
}

/** "Verified details you have shared": each service's summary list of what it was given. */
export class VerifiedAttributesPage extends BasePage {
  static async open(page: Page): Promise<VerifiedAttributesPage> {
    await visit(page, '/account/verified-attributes')
    return new VerifiedAttributesPage(page).expect('/account/verified-attributes', 'Verified details you have shared')
  }

  async shared(): Promise<Record<string, Record<string, string>>> {
    return this.page.evaluate(() => {
      const out: Record<string, Record<string, string>> = {}
      for (const h2 of document.querySelectorAll('main h2')) {
        const list = h2.nextElementSibling
        if (!list?.matches('.ds_summary-list')) continue
        const rows: Record<string, string> = {}
        for (const item of list.querySelectorAll('.ds_summary-list__item')) {
          const key = item.querySelector('.ds_summary-list__key')?.textContent?.trim() ?? ''
          rows[key] = item.querySelector('.ds_summary-list__value')?.textContent?.trim() ?? ''
        }
        out[h2.textContent?.trim() ?? ''] = rows
      }
      return out
    })
  }
}

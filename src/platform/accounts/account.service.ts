// Accounts: registration, email verification, sign-in, password reset and change,
// the first administrator's set-up link. Every change is audited in its own transaction.
import type { Transaction } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import type { AuditService } from '../audit/audit.service.js'
import type { MailService } from '../mail/mail.service.js'
import type { ActionContext, MembershipSummary, Principal } from '../auth/principal.js'
import { DomainError, assertNoFieldErrors, type FieldErrors } from '../errors/domain-error.js'
import { randomToken, sha256 } from '../../shared/crypto.js'
import { isValidEmail, normaliseEmail } from '../../shared/email.js'
import { burnPasswordCheck, hashPassword, passwordProblem, verifyPassword } from './password.js'
import type { SessionService } from '../auth/session.service.js'
import { inTransaction } from '../db/transaction.js'

export type AccountErrorCode =
  | 'ACCOUNT_INVALID'
  | 'ACCOUNT_CREDENTIALS_WRONG'
  | 'ACCOUNT_LOCKED'
  | 'ACCOUNT_EMAIL_UNVERIFIED'
  | 'ACCOUNT_TOKEN_INVALID'
  | 'ACCOUNT_NOT_FOUND'
  | 'ACCOUNT_EXISTS'
  | 'ACCOUNT_SETUP_DONE'

const HOUR = 3_600_000
const LOCK_AFTER_FAILURES = 10
const LOCK_MINUTES = 15

export type Account = {
  id: string
  email: string
  displayName: string
  emailVerified: boolean
  isPlatformAdmin: boolean
  twoFactorEnabled: boolean
  locale: 'en' | 'gd'
  createdAt: Date
  lastSignInAt: Date | null
}

type AccountRow = CoreDatabase['core.account'] extends infer T ? { [K in keyof T]: any } : never

function toAccount(r: AccountRow): Account {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    emailVerified: r.email_verified_at !== null,
    isPlatformAdmin: r.is_platform_admin,
    twoFactorEnabled: r.totp_enabled_at !== null,
    locale: r.locale === 'gd' ? 'gd' : 'en',
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
  }
}

export type RegistrationInput = { email: string; displayName: string; password: string; confirmPassword?: string }

export class AccountService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly sessions: SessionService,
    private readonly baseUrl: string,
  ) {}

  validateRegistration(input: RegistrationInput): FieldErrors {
    const fields: FieldErrors = {}
    const name = input.displayName.trim()
    if (name === '') fields.displayName = 'validation.name.required'
    else if (name.length > 100) fields.displayName = 'validation.name.tooLong'
    if (input.email.trim() === '') fields.email = 'validation.email.required'
    else if (!isValidEmail(input.email)) fields.email = 'validation.email.format'
    const problem = passwordProblem(input.password, input.email)
    if (problem) fields.password = problem
    else if (input.confirmPassword !== undefined && input.confirmPassword !== input.password) {
      fields.confirmPassword = 'validation.password.mismatch'
    }
    return fields
  }

  /**
   * Creates an unverified account and emails a confirmation link. When the address is taken,
   * the owner is emailed instead and the caller sees the same outcome, so addresses cannot be probed.
   */
  async register(
    input: RegistrationInput,
    ctx: ActionContext,
    options: { emailVerified?: boolean } = {},
  ): Promise<{ accountId: string | null }> {
    assertNoFieldErrors('ACCOUNT_INVALID', this.validateRegistration(input))
    const email = input.email.trim()
    const normalised = normaliseEmail(email)
    const passwordHash = await hashPassword(input.password)
    return inTransaction(this.db, async (trx) => {
      const existing = await trx
        .selectFrom('core.account')
        .selectAll()
        .where('email_normalised', '=', normalised)
        .executeTakeFirst()
      if (existing) {
        await this.mail.enqueue(trx, {
          to: existing.email,
          template: 'account-exists',
          locale: ctx.locale,
          params: {
            name: existing.display_name,
            signInLink: `${this.baseUrl}/sign-in`,
            resetLink: `${this.baseUrl}/forgotten-password`,
          },
        })
        return { accountId: null }
      }
      const account = await trx
        .insertInto('core.account')
        .values({
          email,
          email_normalised: normalised,
          display_name: input.displayName.trim(),
          password_hash: passwordHash,
          locale: ctx.locale,
          email_verified_at: options.emailVerified ? new Date() : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await this.audit.record(
        trx,
        { ...ctx, principal: null },
        {
          action: 'account.registered',
          targetType: 'account',
          targetId: account.id,
          details: { email, verifiedBy: options.emailVerified ? 'invitation' : null },
        },
      )
      if (!options.emailVerified)
        await this.sendVerification(trx, account.id, email, input.displayName.trim(), ctx.locale)
      return { accountId: account.id }
    })
  }

  private async createOneTimeToken(
    trx: Transaction<CoreDatabase>,
    purpose: string,
    accountId: string | null,
    ttlMs: number,
  ): Promise<string> {
    const token = randomToken()
    await trx
      .insertInto('core.one_time_token')
      .values({ token_hash: sha256(token), purpose, account_id: accountId, expires_at: new Date(Date.now() + ttlMs) })
      .execute()
    return token
  }

  private async sendVerification(
    trx: Transaction<CoreDatabase>,
    accountId: string,
    email: string,
    name: string,
    locale: 'en' | 'gd',
  ): Promise<void> {
    const token = await this.createOneTimeToken(trx, 'verify-email', accountId, 24 * HOUR)
    await this.mail.enqueue(trx, {
      to: email,
      template: 'verify-email',
      locale,
      params: { name, link: `${this.baseUrl}/verify-email/${token}` },
    })
  }

  /** Uses a one-time token: returns its account, or throws when unknown, used or expired. */
  private async useToken(trx: Transaction<CoreDatabase>, token: string, purpose: string): Promise<string | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) {
      throw new DomainError<AccountErrorCode>(
        'ACCOUNT_TOKEN_INVALID',
        'gone',
        'This link is not valid. It may have been used already or have expired.',
      )
    }
    const row = await trx
      .updateTable('core.one_time_token')
      .set({ used_at: new Date() })
      .where('token_hash', '=', sha256(token))
      .where('purpose', '=', purpose)
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning('account_id')
      .executeTakeFirst()
    if (!row) {
      throw new DomainError<AccountErrorCode>(
        'ACCOUNT_TOKEN_INVALID',
        'gone',
        'This link is not valid. It may have been used already or have expired.',
      )
    }
    return row.account_id
  }

  async verifyEmail(token: string, ctx: ActionContext): Promise<Account> {
    return inTransaction(this.db, async (trx) => {
      const accountId = await this.useToken(trx, token, 'verify-email')
      const row = await trx
        .updateTable('core.account')
        .set({ email_verified_at: new Date(), updated_at: new Date() })
        .where('id', '=', accountId!)
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.audit.record(trx, ctx, { action: 'account.email-verified', targetType: 'account', targetId: row.id })
      return toAccount(row)
    })
  }

  async resendVerification(accountId: string, ctx: ActionContext): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const row = await trx.selectFrom('core.account').selectAll().where('id', '=', accountId).executeTakeFirst()
      if (!row || row.email_verified_at) return
      await this.sendVerification(trx, row.id, row.email, row.display_name, ctx.locale)
    })
  }

  /** Checks email and password. Failures are counted; ten in a row lock the account for 15 minutes. */
  async authenticate(emailInput: string, password: string, ctx: ActionContext): Promise<Account> {
    const fields: FieldErrors = {}
    if (emailInput.trim() === '') fields.email = 'validation.email.required'
    else if (!isValidEmail(emailInput)) fields.email = 'validation.email.format'
    if (password === '') fields.password = 'validation.password.required'
    else if (password.length > 1024) fields.password = 'validation.password.tooLong'
    assertNoFieldErrors('ACCOUNT_INVALID', fields)
    const row = await this.db
      .selectFrom('core.account')
      .selectAll()
      .where('email_normalised', '=', normaliseEmail(emailInput))
      .executeTakeFirst()
    const wrong = () =>
      new DomainError<AccountErrorCode>('ACCOUNT_CREDENTIALS_WRONG', 'unauthenticated', 'validation.signIn.wrong', {
        fields: { email: 'validation.signIn.wrong' },
      })
    if (!row || !row.password_hash) {
      await burnPasswordCheck(password)
      throw wrong()
    }
    if (row.locked_until && row.locked_until > new Date()) {
      await burnPasswordCheck(password)
      throw new DomainError<AccountErrorCode>('ACCOUNT_LOCKED', 'rate-limited', 'validation.signIn.locked', {
        fields: { email: 'validation.signIn.locked' },
      })
    }
    if (!(await verifyPassword(row.password_hash, password))) {
      await inTransaction(this.db, async (trx) => {
        const failures = row.failed_sign_ins + 1
        const lock = failures >= LOCK_AFTER_FAILURES
        await trx
          .updateTable('core.account')
          .set({
            failed_sign_ins: lock ? 0 : failures,
            locked_until: lock ? new Date(Date.now() + LOCK_MINUTES * 60_000) : row.locked_until,
          })
          .where('id', '=', row.id)
          .execute()
        await this.audit.record(
          trx,
          { ...ctx, principal: null },
          {
            action: lock ? 'account.locked' : 'account.sign-in-failed',
            targetType: 'account',
            targetId: row.id,
            details: { failures },
          },
        )
      })
      throw wrong()
    }
    return toAccount(row)
  }

  /**
   * After a successful authenticate() (or an OpenID Connect sign-in): records the sign-in and opens
   * a new session, never reusing one. With pendingSecondFactor the session opens only the code page.
   */
  async signIn(
    account: Account,
    ctx: ActionContext,
    client: { ip: string | null; userAgent: string | null },
    options: { method?: string; pendingSecondFactor?: boolean; secondFactorDone?: boolean } = {},
  ): Promise<string> {
    return inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('core.account')
        .set({ failed_sign_ins: 0, locked_until: null, last_sign_in_at: new Date() })
        .where('id', '=', account.id)
        .execute()
      const token = await this.sessions.create(trx, account.id, client, options)
      await this.audit.record(
        trx,
        { ...ctx, principal: await this.principalFor(trx, account.id, 'session', null) },
        {
          action: options.pendingSecondFactor ? 'account.password-accepted' : 'account.signed-in',
          targetType: 'account',
          targetId: account.id,
          details: { method: options.method ?? 'password', secondFactor: options.secondFactorDone ?? false },
        },
      )
      return token
    })
  }

  async signOut(sessionToken: string, ctx: ActionContext): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const ended = await this.sessions.revoke(trx, sessionToken)
      if (ended)
        await this.audit.record(trx, ctx, {
          action: 'account.signed-out',
          targetType: 'account',
          targetId: ended.accountId,
        })
    })
  }

  /** Always looks the same to the caller, whether or not the address has an account. */
  async requestPasswordReset(emailInput: string, ctx: ActionContext): Promise<void> {
    const fields: FieldErrors = {}
    if (emailInput.trim() === '') fields.email = 'validation.email.required'
    else if (!isValidEmail(emailInput)) fields.email = 'validation.email.format'
    assertNoFieldErrors('ACCOUNT_INVALID', fields)
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .selectFrom('core.account')
        .selectAll()
        .where('email_normalised', '=', normaliseEmail(emailInput))
        .executeTakeFirst()
      if (!row) return
      const token = await this.createOneTimeToken(trx, 'reset-password', row.id, HOUR)
      await this.mail.enqueue(trx, {
        to: row.email,
        template: 'reset-password',
        locale: ctx.locale,
        params: { name: row.display_name, link: `${this.baseUrl}/reset-password/${token}` },
      })
      await this.audit.record(
        trx,
        { ...ctx, principal: null },
        { action: 'account.password-reset-requested', targetType: 'account', targetId: row.id },
      )
    })
  }

  async checkResetToken(token: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false
    const row = await this.db
      .selectFrom('core.one_time_token')
      .select('token_hash')
      .where('token_hash', '=', sha256(token))
      .where('purpose', '=', 'reset-password')
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
    return row !== undefined
  }

  async resetPassword(token: string, password: string, confirmPassword: string, ctx: ActionContext): Promise<void> {
    const fields: FieldErrors = {}
    const problem = passwordProblem(password)
    if (problem) fields.password = problem
    else if (password !== confirmPassword) fields.confirmPassword = 'validation.password.mismatch'
    assertNoFieldErrors('ACCOUNT_INVALID', fields)
    const hash = await hashPassword(password)
    await inTransaction(this.db, async (trx) => {
      const accountId = await this.useToken(trx, token, 'reset-password')
      // Following the emailed link proves the address too.
      const row = await trx
        .updateTable('core.account')
        .set((eb) => ({
          password_hash: hash,
          failed_sign_ins: 0,
          locked_until: null,
          updated_at: new Date(),
          email_verified_at: eb.fn.coalesce('email_verified_at', eb.val(new Date())),
        }))
        .where('id', '=', accountId!)
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.sessions.revokeAll(trx, row.id)
      await this.mail.enqueue(trx, {
        to: row.email,
        template: 'password-changed',
        locale: ctx.locale,
        params: { name: row.display_name },
      })
      await this.audit.record(
        trx,
        { ...ctx, principal: null },
        { action: 'account.password-reset', targetType: 'account', targetId: row.id },
      )
    })
  }

  async changePassword(
    ctx: ActionContext,
    current: string,
    password: string,
    confirmPassword: string,
    keepSessionToken: string | null,
  ): Promise<void> {
    const principal = ctx.principal
    if (!principal) throw new DomainError('AUTH_REQUIRED', 'unauthenticated', 'Sign in to continue')
    const row = await this.db
      .selectFrom('core.account')
      .selectAll()
      .where('id', '=', principal.accountId)
      .executeTakeFirstOrThrow()
    const fields: FieldErrors = {}
    if (current === '') fields.currentPassword = 'validation.password.currentRequired'
    else if (!row.password_hash || !(await verifyPassword(row.password_hash, current)))
      fields.currentPassword = 'validation.password.currentWrong'
    const problem = passwordProblem(password, row.email)
    if (problem) fields.password = problem
    else if (password !== confirmPassword) fields.confirmPassword = 'validation.password.mismatch'
    assertNoFieldErrors('ACCOUNT_INVALID', fields)
    const hash = await hashPassword(password)
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('core.account')
        .set({ password_hash: hash, updated_at: new Date() })
        .where('id', '=', row.id)
        .execute()
      const ended = await this.sessions.revokeAll(trx, row.id, keepSessionToken)
      await this.mail.enqueue(trx, {
        to: row.email,
        template: 'password-changed',
        locale: ctx.locale,
        params: { name: row.display_name },
      })
      await this.audit.record(trx, ctx, {
        action: 'account.password-changed',
        targetType: 'account',
        targetId: row.id,
        details: { otherSessionsEnded: ended },
      })
    })
  }

  async setLocale(accountId: string, locale: 'en' | 'gd'): Promise<void> {
    await this.db.updateTable('core.account').set({ locale }).where('id', '=', accountId).execute()
  }

  async get(accountId: string): Promise<Account | null> {
    const row = await this.db.selectFrom('core.account').selectAll().where('id', '=', accountId).executeTakeFirst()
    return row ? toAccount(row) : null
  }

  async findByEmail(email: string): Promise<Account | null> {
    const row = await this.db
      .selectFrom('core.account')
      .selectAll()
      .where('email_normalised', '=', normaliseEmail(email))
      .executeTakeFirst()
    return row ? toAccount(row) : null
  }

  /** The person behind a session or token, with their memberships. */
  async principalFor(
    executor: Db | Transaction<CoreDatabase>,
    accountId: string,
    via: Principal['via'],
    scopes: readonly string[] | null,
  ): Promise<Principal | null> {
    // One round trip: the account with its memberships as a JSON array.
    const row = await executor
      .selectFrom('core.account as a')
      .selectAll('a')
      .select((eb) =>
        jsonArrayFrom(
          eb
            .selectFrom('core.membership as m')
            .innerJoin('core.organisation as o', 'o.id', 'm.organisation_id')
            .select(['m.organisation_id', 'o.slug', 'o.name_en', 'm.roles'])
            .whereRef('m.account_id', '=', 'a.id')
            .orderBy('o.name_en'),
        ).as('memberships'),
      )
      .where('a.id', '=', accountId)
      .executeTakeFirst()
    if (!row) return null
    return {
      accountId: row.id,
      email: row.email,
      displayName: row.display_name,
      isPlatformAdmin: row.is_platform_admin,
      emailVerified: row.email_verified_at !== null,
      twoFactorEnabled: row.totp_enabled_at !== null,
      locale: row.locale === 'gd' ? 'gd' : 'en',
      memberships: row.memberships.map((m): MembershipSummary => ({
        organisationId: m.organisation_id,
        organisationSlug: m.slug,
        organisationName: m.name_en,
        roles: m.roles,
      })),
      via,
      scopes,
    }
  }

  // --- the first platform administrator ---

  async hasPlatformAdmin(): Promise<boolean> {
    const row = await this.db
      .selectFrom('core.account')
      .select('id')
      .where('is_platform_admin', '=', true)
      .limit(1)
      .executeTakeFirst()
    return row !== undefined
  }

  /** A one-time link, valid 24 hours, to create the first platform administrator; null once one exists. */
  async createSetupLink(): Promise<string | null> {
    if (await this.hasPlatformAdmin()) return null
    const token = await inTransaction(this.db, (trx) => this.createOneTimeToken(trx, 'setup-admin', null, 24 * HOUR))
    return `${this.baseUrl}/setup/${token}`
  }

  async checkSetupToken(token: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token) || (await this.hasPlatformAdmin())) return false
    const row = await this.db
      .selectFrom('core.one_time_token')
      .select('token_hash')
      .where('token_hash', '=', sha256(token))
      .where('purpose', '=', 'setup-admin')
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
    return row !== undefined
  }

  async completeSetup(token: string, input: RegistrationInput, ctx: ActionContext): Promise<Account> {
    assertNoFieldErrors('ACCOUNT_INVALID', this.validateRegistration(input))
    if (await this.hasPlatformAdmin()) {
      throw new DomainError<AccountErrorCode>(
        'ACCOUNT_SETUP_DONE',
        'gone',
        'Còmhla has already been set up. Sign in instead.',
      )
    }
    const hash = await hashPassword(input.password)
    return inTransaction(this.db, async (trx) => {
      await this.useToken(trx, token, 'setup-admin')
      const account = await this.upsertAdmin(trx, input.email, input.displayName, hash)
      await this.audit.record(
        trx,
        { ...ctx, principal: null },
        {
          action: 'platform.first-admin-created',
          targetType: 'account',
          targetId: account.id,
          details: { email: account.email },
        },
      )
      return account
    })
  }

  /** For the CLI: creates a platform administrator, or makes an existing account one. */
  async createAdmin(input: RegistrationInput, ctx: ActionContext): Promise<Account> {
    const existing = await this.findByEmail(input.email)
    const fields = this.validateRegistration(input)
    if (existing) delete fields.password
    assertNoFieldErrors('ACCOUNT_INVALID', fields)
    const hash = existing ? null : await hashPassword(input.password)
    return inTransaction(this.db, async (trx) => {
      const account = await this.upsertAdmin(trx, input.email, input.displayName, hash)
      await this.audit.record(trx, ctx, {
        action: 'platform.admin-created',
        targetType: 'account',
        targetId: account.id,
        details: { email: account.email },
      })
      return account
    })
  }

  private async upsertAdmin(
    trx: Transaction<CoreDatabase>,
    email: string,
    name: string,
    hash: string | null,
  ): Promise<Account> {
    const normalised = normaliseEmail(email)
    const existing = await trx
      .selectFrom('core.account')
      .selectAll()
      .where('email_normalised', '=', normalised)
      .executeTakeFirst()
    if (existing) {
      const row = await trx
        .updateTable('core.account')
        .set({
          is_platform_admin: true,
          updated_at: new Date(),
          ...(hash ? { password_hash: hash, email_verified_at: new Date() } : {}),
        })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      return toAccount(row)
    }
    const row = await trx
      .insertInto('core.account')
      .values({
        email: email.trim(),
        email_normalised: normalised,
        display_name: name.trim(),
        password_hash: hash,
        is_platform_admin: true,
        // The set-up link or the operator's shell stands in for an emailed confirmation.
        email_verified_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toAccount(row)
  }
}

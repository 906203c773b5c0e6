// Two-factor sign-in with authenticator apps (TOTP, RFC 6238) and single-use recovery codes.
// Secrets are sealed with the deployment's key; codes cannot be replayed within their window.
import * as OTPAuth from 'otpauth'
import QRCode from 'qrcode'
import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import type { AuditService } from '../audit/audit.service.js'
import type { MailService } from '../mail/mail.service.js'
import type { ActionContext } from './principal.js'
import { requirePrincipal } from './authorisation.js'
import type { SessionService } from './session.service.js'
import { DomainError, assertNoFieldErrors, type FieldErrors } from '../errors/domain-error.js'
import { randomBytes } from 'node:crypto'
import { sha256 } from '../../shared/crypto.js'
import type { SecretBox } from '../../shared/secret-box.js'
import { verifyPassword } from '../accounts/password.js'

export type TwoFactorErrorCode = 'TWO_FACTOR_INVALID' | 'TWO_FACTOR_NOT_SET_UP' | 'TWO_FACTOR_TOO_MANY_ATTEMPTS'

const PERIOD = 30
const RECOVERY_CODES = 10
export const MAX_CODE_ATTEMPTS = 5
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

function totpFor(secret: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: 'Còmhla',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  })
}

function recoveryCode(): string {
  const bytes = randomBytes(10)
  const chars = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5)}`
}

const normaliseRecovery = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '')
const normaliseCode = (code: string) => code.replace(/\s/g, '')

export type TwoFactorSetup = { secret: string; uri: string; qrSvg: string }
export type TwoFactorStatus = { enabled: boolean; enabledAt: Date | null; recoveryCodesLeft: number }

export class TwoFactorService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly sessions: SessionService,
    private readonly box: SecretBox,
    private readonly baseUrl: string,
  ) {}

  async status(accountId: string): Promise<TwoFactorStatus> {
    const account = await this.db
      .selectFrom('core.account')
      .select(['totp_enabled_at'])
      .where('id', '=', accountId)
      .executeTakeFirstOrThrow()
    const left = await this.db
      .selectFrom('core.recovery_code')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow()
    return {
      enabled: account.totp_enabled_at !== null,
      enabledAt: account.totp_enabled_at,
      recoveryCodesLeft: Number(left.n),
    }
  }

  /** A new secret for this session to confirm; shown as a QR code and as text for screen-reader users. */
  async beginSetup(ctx: ActionContext, sessionIdHash: string): Promise<TwoFactorSetup> {
    const principal = requirePrincipal(ctx)
    const sealed = await this.sessions.pendingTotpSecret(sessionIdHash)
    const existing = sealed ? this.box.open(sealed) : null
    const secret = existing ?? new OTPAuth.Secret({ size: 20 }).base32
    if (!existing) await this.sessions.setPendingTotpSecret(sessionIdHash, this.box.seal(secret))
    const uri = totpFor(secret, principal.email).toString()
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' })
    return { secret: secret.replace(/(.{4})/g, '$1 ').trim(), uri, qrSvg }
  }

  /** Confirms the authenticator with one code; returns the recovery codes, shown this once. */
  async confirmSetup(ctx: ActionContext, sessionIdHash: string, code: string): Promise<string[]> {
    const principal = requirePrincipal(ctx)
    const sealed = await this.sessions.pendingTotpSecret(sessionIdHash)
    const secret = sealed ? this.box.open(sealed) : null
    if (!secret)
      throw new DomainError<TwoFactorErrorCode>(
        'TWO_FACTOR_NOT_SET_UP',
        'conflict',
        'Start setting up two-factor sign-in again',
      )
    const fields: FieldErrors = {}
    const given = normaliseCode(code)
    if (given === '') fields.code = 'validation.twoFactor.codeRequired'
    else if (!/^\d{6}$/.test(given)) fields.code = 'validation.twoFactor.codeFormat'
    assertNoFieldErrors('TWO_FACTOR_INVALID', fields)
    const delta = totpFor(secret, principal.email).validate({ token: given, window: 1 })
    if (delta === null) {
      throw new DomainError<TwoFactorErrorCode>('TWO_FACTOR_INVALID', 'invalid', 'validation.twoFactor.codeWrong', {
        fields: { code: 'validation.twoFactor.codeWrong' },
      })
    }
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode)
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('core.account')
        .set({ totp_secret: this.box.seal(secret), totp_enabled_at: new Date(), totp_last_step: this.step() + delta })
        .where('id', '=', principal.accountId)
        .execute()
      await trx.deleteFrom('core.recovery_code').where('account_id', '=', principal.accountId).execute()
      await trx
        .insertInto('core.recovery_code')
        .values(codes.map((c) => ({ account_id: principal.accountId, code_hash: sha256(normaliseRecovery(c)) })))
        .execute()
      await trx
        .updateTable('core.session')
        .set({ pending_totp_secret: null, second_factor_at: new Date() })
        .where('id_hash', '=', sessionIdHash)
        .execute()
      await this.audit.record(trx, ctx, {
        action: 'account.two-factor-enabled',
        targetType: 'account',
        targetId: principal.accountId,
      })
    })
    return codes
  }

  private step(): number {
    return Math.floor(Date.now() / 1000 / PERIOD)
  }

  /**
   * Checks the second factor for a session that has passed the password: an authenticator code,
   * or a recovery code (used up). Wrong answers are counted; after five the session is ended.
   */
  async verifyForSession(
    ctx: ActionContext,
    session: { idHash: string; accountId: string },
    answer: { code?: string; recoveryCode?: string },
  ): Promise<'code' | 'recovery-code'> {
    const account = await this.db
      .selectFrom('core.account')
      .select(['id', 'email', 'totp_secret', 'totp_last_step'])
      .where('id', '=', session.accountId)
      .executeTakeFirstOrThrow()
    const secret = account.totp_secret ? this.box.open(account.totp_secret) : null
    if (!secret)
      throw new DomainError<TwoFactorErrorCode>(
        'TWO_FACTOR_NOT_SET_UP',
        'conflict',
        'Two-factor sign-in is not set up for this account',
      )
    const field = answer.recoveryCode !== undefined ? 'recoveryCode' : 'code'
    const given =
      answer.recoveryCode !== undefined ? normaliseRecovery(answer.recoveryCode) : normaliseCode(answer.code ?? '')
    if (given === '') {
      throw new DomainError<TwoFactorErrorCode>('TWO_FACTOR_INVALID', 'invalid', 'validation.twoFactor.codeRequired', {
        fields: {
          [field]: field === 'code' ? 'validation.twoFactor.codeRequired' : 'validation.twoFactor.recoveryRequired',
        },
      })
    }
    let ok = false
    await inTransaction(this.db, async (trx) => {
      if (field === 'code') {
        const delta = /^\d{6}$/.test(given)
          ? totpFor(secret, account.email).validate({ token: given, window: 1 })
          : null
        const step = delta === null ? null : this.step() + delta
        // A code is accepted once: a later sign-in cannot reuse one already seen.
        if (step !== null && (account.totp_last_step === null || step > Number(account.totp_last_step))) {
          await trx.updateTable('core.account').set({ totp_last_step: step }).where('id', '=', account.id).execute()
          ok = true
        }
      } else {
        const used = await trx
          .updateTable('core.recovery_code')
          .set({ used_at: new Date() })
          .where('account_id', '=', account.id)
          .where('code_hash', '=', sha256(given))
          .where('used_at', 'is', null)
          .returning('code_hash')
          .executeTakeFirst()
        ok = used !== undefined
        if (ok)
          await this.audit.record(trx, ctx, {
            action: 'account.recovery-code-used',
            targetType: 'account',
            targetId: account.id,
          })
      }
    })
    if (ok) return field === 'code' ? 'code' : 'recovery-code'
    const failures = await this.sessions.countFailedCode(session.idHash)
    await inTransaction(this.db, async (trx) => {
      await this.audit.record(trx, ctx, {
        action: 'account.two-factor-failed',
        targetType: 'account',
        targetId: account.id,
        details: { failures, kind: field },
      })
      if (failures >= MAX_CODE_ATTEMPTS) {
        await trx
          .updateTable('core.session')
          .set({ revoked_at: new Date() })
          .where('id_hash', '=', session.idHash)
          .execute()
      }
    })
    if (failures >= MAX_CODE_ATTEMPTS) {
      throw new DomainError<TwoFactorErrorCode>(
        'TWO_FACTOR_TOO_MANY_ATTEMPTS',
        'rate-limited',
        'validation.twoFactor.tooMany',
      )
    }
    const key = field === 'code' ? 'validation.twoFactor.codeWrong' : 'validation.twoFactor.recoveryWrong'
    throw new DomainError<TwoFactorErrorCode>('TWO_FACTOR_INVALID', 'invalid', key, { fields: { [field]: key } })
  }

  /** Re-authentication before changing the second factor: the password, and a current code. */
  private async reauthenticate(ctx: ActionContext, password: string, code: string): Promise<string> {
    const principal = requirePrincipal(ctx)
    const account = await this.db
      .selectFrom('core.account')
      .select(['id', 'email', 'password_hash', 'totp_secret'])
      .where('id', '=', principal.accountId)
      .executeTakeFirstOrThrow()
    const fields: FieldErrors = {}
    if (password === '') fields.password = 'validation.password.currentRequired'
    else if (!account.password_hash || !(await verifyPassword(account.password_hash, password)))
      fields.password = 'validation.password.currentWrong'
    const secret = account.totp_secret ? this.box.open(account.totp_secret) : null
    if (secret) {
      const given = normaliseCode(code)
      if (given === '') fields.code = 'validation.twoFactor.codeRequired'
      else if (!/^\d{6}$/.test(given)) fields.code = 'validation.twoFactor.codeFormat'
      else if (totpFor(secret, account.email).validate({ token: given, window: 1 }) === null)
        fields.code = 'validation.twoFactor.codeWrong'
    }
    assertNoFieldErrors('TWO_FACTOR_INVALID', fields)
    return account.id
  }

  async disable(ctx: ActionContext, password: string, code: string): Promise<void> {
    const accountId = await this.reauthenticate(ctx, password, code)
    await inTransaction(this.db, async (trx) => {
      await trx
        .updateTable('core.account')
        .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
        .where('id', '=', accountId)
        .execute()
      await trx.deleteFrom('core.recovery_code').where('account_id', '=', accountId).execute()
      await this.audit.record(trx, ctx, {
        action: 'account.two-factor-removed',
        targetType: 'account',
        targetId: accountId,
      })
    })
  }

  async regenerateRecoveryCodes(ctx: ActionContext, password: string, code: string): Promise<string[]> {
    const accountId = await this.reauthenticate(ctx, password, code)
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode)
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('core.recovery_code').where('account_id', '=', accountId).execute()
      await trx
        .insertInto('core.recovery_code')
        .values(codes.map((c) => ({ account_id: accountId, code_hash: sha256(normaliseRecovery(c)) })))
        .execute()
      await this.audit.record(trx, ctx, {
        action: 'account.recovery-codes-replaced',
        targetType: 'account',
        targetId: accountId,
      })
    })
    return codes
  }

  /** An organisation administrator's nudge to a member who has not set up two-factor sign-in. */
  async remind(
    ctx: ActionContext,
    organisationId: string,
    member: { accountId: string; email: string; displayName: string },
  ): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      await this.mail.enqueue(trx, {
        to: member.email,
        template: 'two-factor-reminder',
        locale: ctx.locale,
        organisationId,
        params: { name: member.displayName, link: `${this.baseUrl}/account/two-factor` },
      })
      await this.audit.record(trx, ctx, {
        action: 'staff.two-factor-reminded',
        organisationId,
        targetType: 'account',
        targetId: member.accountId,
        details: { email: member.email },
      })
    })
  }
}

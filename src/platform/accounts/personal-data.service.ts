// A person's rights over their data (UK GDPR articles 15 and 17): a download of everything held
// about them, and deletion of a public account, keeping only what the law requires.
import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import type { AuditService } from '../audit/audit.service.js'
import type { SessionService } from '../auth/session.service.js'
import type { MailService } from '../mail/mail.service.js'
import type { ActionContext } from '../auth/principal.js'
import { requirePrincipal } from '../auth/authorisation.js'
import { DomainError, assertNoFieldErrors, type FieldErrors } from '../errors/domain-error.js'
import { sha256 } from '../../shared/crypto.js'
import { verifyPassword } from './password.js'
import type { ApiTokenService } from './api-token.service.js'

export type PersonalDataErrorCode = 'ACCOUNT_DELETION_REFUSED' | 'ACCOUNT_INVALID'

export class PersonalDataService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    private readonly apiTokens: ApiTokenService,
    private readonly mail: MailService,
  ) {}

  /** Everything Còmhla's kernel holds about the signed-in person, as one JSON document. */
  async export(ctx: ActionContext): Promise<Record<string, unknown>> {
    const principal = requirePrincipal(ctx)
    const account = await this.db
      .selectFrom('core.account')
      .select([
        'id',
        'email',
        'display_name',
        'locale',
        'email_verified_at',
        'is_platform_admin',
        'totp_enabled_at',
        'last_sign_in_at',
        'created_at',
        'updated_at',
      ])
      .where('id', '=', principal.accountId)
      .executeTakeFirstOrThrow()
    const emails = []
    for (let page = 1; ; page++) {
      const batch = await this.mail.list({ to: account.email, page })
      emails.push(
        ...batch.items
          .filter((m) => m.to.toLowerCase() === account.email.toLowerCase())
          .map((m) => ({
            subject: m.subject,
            status: m.status,
            createdAt: m.createdAt,
            sentAt: m.sentAt,
            body: m.body,
          })),
      )
      if (page >= batch.pageCount) break
    }
    const data = {
      exportedAt: new Date().toISOString(),
      account: {
        id: account.id,
        email: account.email,
        name: account.display_name,
        language: account.locale,
        emailConfirmedAt: account.email_verified_at,
        platformAdministrator: account.is_platform_admin,
        twoFactorSince: account.totp_enabled_at,
        lastSignInAt: account.last_sign_in_at,
        createdAt: account.created_at,
        updatedAt: account.updated_at,
      },
      memberships: principal.memberships.map((m) => ({
        organisation: m.organisationName,
        organisationSlug: m.organisationSlug,
        roles: m.roles,
      })),
      sessions: (await this.sessions.list(principal.accountId)).map((s) => ({
        signedInAt: s.createdAt,
        lastUsedAt: s.lastSeenAt,
        address: s.ip,
        browser: s.userAgent,
        method: s.method,
      })),
      apiTokens: (await this.apiTokens.list(ctx)).map((t) => ({
        name: t.name,
        scopes: t.scopes,
        createdAt: t.createdAt,
        expiresAt: t.expiresAt,
        lastUsedAt: t.lastUsedAt,
        revokedAt: t.revokedAt,
      })),
      actionsYouTook: (await this.audit.byActor(principal.accountId)).map((e) => ({
        at: e.occurredAt,
        action: e.action,
        details: e.details,
      })),
      emailsToYou: emails,
    }
    await inTransaction(this.db, (trx) =>
      this.audit.record(trx, ctx, {
        action: 'account.data-downloaded',
        targetType: 'account',
        targetId: principal.accountId,
      }),
    )
    return data
  }

  /** Whether the person may delete their own account here, and if not, why (a message key). */
  async deletionBlocker(ctx: ActionContext): Promise<string | null> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) return 'deleteAccount.blockedAdmin'
    if (principal.memberships.length > 0) return 'deleteAccount.blockedStaff'
    return null
  }

  /**
   * Deletes a member of the public's account, sessions, tokens and emails. The audit trail is kept,
   * as the law on public records requires; it is not rewritten, and the deletion itself is recorded.
   */
  async deleteAccount(ctx: ActionContext, password: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    const blocker = await this.deletionBlocker(ctx)
    if (blocker) throw new DomainError<PersonalDataErrorCode>('ACCOUNT_DELETION_REFUSED', 'conflict', blocker)
    const account = await this.db
      .selectFrom('core.account')
      .select(['id', 'email', 'password_hash'])
      .where('id', '=', principal.accountId)
      .executeTakeFirstOrThrow()
    const fields: FieldErrors = {}
    if (password === '') fields.password = 'validation.password.currentRequired'
    else if (!account.password_hash || !(await verifyPassword(account.password_hash, password)))
      fields.password = 'validation.password.currentWrong'
    assertNoFieldErrors('ACCOUNT_INVALID', fields)
    await inTransaction(this.db, async (trx) => {
      await trx.deleteFrom('core.email_outbox').where('to_address', '=', account.email).execute()
      await trx.deleteFrom('core.account').where('id', '=', account.id).execute()
      await this.audit.record(
        trx,
        { ...ctx, principal: null },
        {
          action: 'account.deleted',
          targetType: 'account',
          targetId: account.id,
          details: { emailSha256: sha256(account.email.toLowerCase()) },
        },
      )
    })
  }
}

// Personal API tokens: named, scoped, expiring; stored as SHA-256 hashes and shown once.
import type { Db } from '../db/database.js'
import type { AuditService } from '../audit/audit.service.js'
import type { ActionContext } from '../auth/principal.js'
import { requirePrincipal } from '../auth/authorisation.js'
import { DomainError, assertNoFieldErrors, type FieldErrors } from '../errors/domain-error.js'
import { randomToken, sha256 } from '../../shared/crypto.js'
import { isScope } from './scopes.js'
import { inTransaction } from '../db/transaction.js'

export type ApiTokenErrorCode = 'API_TOKEN_INVALID' | 'API_TOKEN_NOT_FOUND'

export type ApiToken = {
  id: string
  name: string
  prefix: string
  scopes: string[]
  expiresAt: Date
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export const TOKEN_PREFIX = 'chl_'
export const TOKEN_EXPIRY_DAYS = [7, 30, 90, 365] as const

export type NewApiTokenInput = { name: string; scopes: string[]; expiresInDays: number }

export class ApiTokenService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  validate(input: NewApiTokenInput): FieldErrors {
    const fields: FieldErrors = {}
    const name = input.name.trim()
    if (name === '') fields.name = 'validation.token.nameRequired'
    else if (name.length > 100) fields.name = 'validation.token.nameTooLong'
    if (input.scopes.length === 0) fields.scopes = 'validation.token.scopesRequired'
    else if (!input.scopes.every(isScope)) fields.scopes = 'validation.token.scopesUnknown'
    if (!(TOKEN_EXPIRY_DAYS as readonly number[]).includes(input.expiresInDays))
      fields.expiresInDays = 'validation.token.expiryRequired'
    return fields
  }

  /** Creates a token; the secret is returned this once and never stored. */
  async create(ctx: ActionContext, input: NewApiTokenInput): Promise<{ token: string; record: ApiToken }> {
    const principal = requirePrincipal(ctx)
    if (principal.via === 'token') {
      throw new DomainError(
        'AUTH_FORBIDDEN',
        'forbidden',
        'API tokens can only be created when signed in, not with another token',
      )
    }
    assertNoFieldErrors('API_TOKEN_INVALID', this.validate(input))
    const secret = `${TOKEN_PREFIX}${randomToken(32)}`
    const record = await inTransaction(this.db, async (trx) => {
      const row = await trx
        .insertInto('core.api_token')
        .values({
          account_id: principal.accountId,
          name: input.name.trim(),
          token_hash: sha256(secret),
          prefix: secret.slice(0, 10),
          scopes: [...new Set(input.scopes)],
          expires_at: new Date(Date.now() + input.expiresInDays * 86_400_000),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.audit.record(trx, ctx, {
        action: 'api-token.created',
        targetType: 'api-token',
        targetId: row.id,
        details: { name: row.name, scopes: row.scopes, expiresAt: row.expires_at.toISOString() },
      })
      return toToken(row)
    })
    return { token: secret, record }
  }

  async list(ctx: ActionContext): Promise<ApiToken[]> {
    const principal = requirePrincipal(ctx)
    const rows = await this.db
      .selectFrom('core.api_token')
      .selectAll()
      .where('account_id', '=', principal.accountId)
      .orderBy('created_at', 'desc')
      .execute()
    return rows.map(toToken)
  }

  async revoke(ctx: ActionContext, id: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    if (!/^[0-9a-f-]{36}$/i.test(id))
      throw new DomainError<ApiTokenErrorCode>('API_TOKEN_NOT_FOUND', 'not-found', 'There is no such token')
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .updateTable('core.api_token')
        .set({ revoked_at: new Date() })
        .where('id', '=', id)
        .where('account_id', '=', principal.accountId)
        .where('revoked_at', 'is', null)
        .returning(['id', 'name'])
        .executeTakeFirst()
      if (!row) throw new DomainError<ApiTokenErrorCode>('API_TOKEN_NOT_FOUND', 'not-found', 'There is no such token')
      await this.audit.record(trx, ctx, {
        action: 'api-token.revoked',
        targetType: 'api-token',
        targetId: row.id,
        details: { name: row.name },
      })
    })
  }

  /** The account and scopes of a live token, or null. */
  async resolve(secret: string): Promise<{ accountId: string; scopes: string[] } | null> {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) return null
    const row = await this.db
      .selectFrom('core.api_token')
      .select(['id', 'account_id', 'scopes', 'last_used_at'])
      .where('token_hash', '=', sha256(secret))
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
    if (!row) return null
    if (!row.last_used_at || Date.now() - row.last_used_at.getTime() > 60_000) {
      await this.db.updateTable('core.api_token').set({ last_used_at: new Date() }).where('id', '=', row.id).execute()
    }
    return { accountId: row.account_id, scopes: row.scopes }
  }
}

function toToken(r: {
  id: string
  name: string
  prefix: string
  scopes: string[]
  expires_at: Date
  created_at: Date
  last_used_at: Date | null
  revoked_at: Date | null
}): ApiToken {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }
}

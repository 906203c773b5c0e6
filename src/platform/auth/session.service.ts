// Server-side sessions in PostgreSQL. The cookie holds a random token; the table holds its hash.
// A session ends after an idle period or an absolute lifetime, whichever comes first.
import type { Transaction } from 'kysely'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import { randomToken, sha256 } from '../../shared/crypto.js'

export type SessionInfo = {
  idHash: string
  accountId: string
  method: string
  /** signed in with a password but not yet with the second factor: only the code page is open */
  pendingSecondFactor: boolean
  secondFactorAt: Date | null
  failedCodes: number
  createdAt: Date
  lastSeenAt: Date
  expiresAt: Date
  ip: string | null
  userAgent: string | null
}

type Executor = Db | Transaction<CoreDatabase>

function toInfo(row: {
  id_hash: string
  account_id: string
  method: string
  pending_second_factor: boolean
  second_factor_at: Date | null
  failed_codes: number
  created_at: Date
  last_seen_at: Date
  expires_at: Date
  ip: string | null
  user_agent: string | null
}): SessionInfo {
  return {
    idHash: row.id_hash,
    accountId: row.account_id,
    method: row.method,
    pendingSecondFactor: row.pending_second_factor,
    secondFactorAt: row.second_factor_at,
    failedCodes: row.failed_codes,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    ip: row.ip,
    userAgent: row.user_agent,
  }
}

// Touch last_seen_at at most once a minute, so reads do not each become writes.
const TOUCH_AFTER_MS = 60_000

export class SessionService {
  constructor(
    private readonly db: Db,
    private readonly options: { idleMinutes: number; absoluteHours: number },
  ) {}

  async create(
    executor: Executor,
    accountId: string,
    client: { ip: string | null; userAgent: string | null },
    options: { method?: string; pendingSecondFactor?: boolean; secondFactorDone?: boolean } = {},
  ): Promise<string> {
    const token = randomToken()
    // A session waiting for its second factor lives for 10 minutes at most.
    const lifetime = options.pendingSecondFactor ? 10 * 60_000 : this.options.absoluteHours * 3_600_000
    await executor
      .insertInto('core.session')
      .values({
        id_hash: sha256(token),
        account_id: accountId,
        expires_at: new Date(Date.now() + lifetime),
        ip: client.ip,
        user_agent: client.userAgent?.slice(0, 300) ?? null,
        method: options.method ?? 'password',
        pending_second_factor: options.pendingSecondFactor ?? false,
        second_factor_at: options.secondFactorDone ? new Date() : null,
      })
      .execute()
    return token
  }

  /** Live sessions of an account, newest use first. */
  async list(accountId: string): Promise<SessionInfo[]> {
    const idleCutoff = new Date(Date.now() - this.options.idleMinutes * 60_000)
    const rows = await this.db
      .selectFrom('core.session')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .where('pending_second_factor', '=', false)
      .where('expires_at', '>', new Date())
      .where('last_seen_at', '>', idleCutoff)
      .orderBy('last_seen_at', 'desc')
      .execute()
    return rows.map(toInfo)
  }

  async revokeByHash(executor: Executor, accountId: string, idHash: string): Promise<boolean> {
    const result = await executor
      .updateTable('core.session')
      .set({ revoked_at: new Date() })
      .where('id_hash', '=', idHash)
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async countFailedCode(idHash: string): Promise<number> {
    const row = await this.db
      .updateTable('core.session')
      .set((eb) => ({ failed_codes: eb('failed_codes', '+', 1) }))
      .where('id_hash', '=', idHash)
      .returning('failed_codes')
      .executeTakeFirst()
    return row?.failed_codes ?? 0
  }

  async setPendingTotpSecret(idHash: string, sealed: string | null): Promise<void> {
    await this.db
      .updateTable('core.session')
      .set({ pending_totp_secret: sealed })
      .where('id_hash', '=', idHash)
      .execute()
  }

  async pendingTotpSecret(idHash: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('core.session')
      .select('pending_totp_secret')
      .where('id_hash', '=', idHash)
      .executeTakeFirst()
    return row?.pending_totp_secret ?? null
  }

  /** The live session for a cookie token, or null when unknown, ended, idle too long or past its lifetime. */
  async resolve(token: string): Promise<SessionInfo | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
    const idHash = sha256(token)
    const row = await this.db
      .selectFrom('core.session')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (!row) return null
    const now = Date.now()
    if (row.expires_at.getTime() <= now || row.last_seen_at.getTime() + this.options.idleMinutes * 60_000 <= now)
      return null
    if (now - row.last_seen_at.getTime() > TOUCH_AFTER_MS) {
      await this.db
        .updateTable('core.session')
        .set({ last_seen_at: new Date(now) })
        .where('id_hash', '=', idHash)
        .execute()
    }
    return toInfo(row)
  }

  async revoke(executor: Executor, token: string): Promise<{ accountId: string } | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
    const row = await executor
      .updateTable('core.session')
      .set({ revoked_at: new Date() })
      .where('id_hash', '=', sha256(token))
      .where('revoked_at', 'is', null)
      .returning('account_id')
      .executeTakeFirst()
    return row ? { accountId: row.account_id } : null
  }

  /** Ends every session of the account except the one given; returns how many ended. */
  async revokeAll(executor: Executor, accountId: string, exceptToken: string | null = null): Promise<number> {
    let q = executor
      .updateTable('core.session')
      .set({ revoked_at: new Date() })
      .where('account_id', '=', accountId)
      .where('revoked_at', 'is', null)
    if (exceptToken) q = q.where('id_hash', '!=', sha256(exceptToken))
    const result = await q.executeTakeFirst()
    return Number(result.numUpdatedRows)
  }

  /** Deletes sessions that can no longer be used (run on a schedule). */
  async purgeExpired(): Promise<number> {
    const idleCutoff = new Date(Date.now() - this.options.idleMinutes * 60_000)
    const result = await this.db
      .deleteFrom('core.session')
      .where((eb) =>
        eb.or([
          eb('expires_at', '<', new Date()),
          eb('last_seen_at', '<', idleCutoff),
          eb('revoked_at', 'is not', null),
        ]),
      )
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}

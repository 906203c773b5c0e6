// The audit trail: every state change, appended in the same transaction as the change,
// hash-chained so that an edited, inserted or deleted entry is detected by verify().
import { randomUUID } from 'node:crypto'
import { sql, type Transaction } from 'kysely'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import type { ActionContext } from '../auth/principal.js'
import { canonicalJson, sha256 } from '../../shared/crypto.js'
import { clampPage, toPage, type Page } from '../../shared/pagination.js'

const AUDIT_LOCK = 7_283_001
const GENESIS = '0'.repeat(64)
const SYSTEM_ACCOUNT = '00000000-0000-0000-0000-000000000000'

export type AuditEntryInput = {
  action: string
  organisationId?: string | null
  targetType?: string | null
  targetId?: string | null
  details?: Record<string, unknown>
}

export type AuditEntry = {
  seq: number
  id: string
  occurredAt: Date
  actorAccountId: string | null
  actorLabel: string | null
  organisationId: string | null
  action: string
  targetType: string | null
  targetId: string | null
  details: Record<string, unknown>
  requestId: string | null
  ip: string | null
  prevHash: string
  hash: string
}

export type AuditVerification =
  { ok: true; entries: number; headSeq: number; headHash: string } | { ok: false; entries: number; problems: string[] }

type Executor = Db | Transaction<CoreDatabase>

function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actorAccountId: e.actorAccountId,
    actorLabel: e.actorLabel,
    organisationId: e.organisationId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    details: e.details,
    requestId: e.requestId,
    ip: e.ip,
  })
  return sha256(`${e.prevHash}\n${body}`)
}

function rowToEntry(r: {
  seq: number
  id: string
  occurred_at: Date
  actor_account_id: string | null
  actor_label: string | null
  organisation_id: string | null
  action: string
  target_type: string | null
  target_id: string | null
  details: Record<string, unknown>
  request_id: string | null
  ip: string | null
  prev_hash: string
  hash: string
}): AuditEntry {
  return {
    seq: Number(r.seq),
    id: r.id,
    occurredAt: new Date(r.occurred_at),
    actorAccountId: r.actor_account_id,
    actorLabel: r.actor_label,
    organisationId: r.organisation_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    details: r.details,
    requestId: r.request_id,
    ip: r.ip,
    prevHash: r.prev_hash,
    hash: r.hash,
  }
}

export type AuditSearch = {
  organisationId?: string | null
  action?: string
  actor?: string
  from?: Date
  to?: Date
  page?: number
  pageSize?: number
}

export class AuditService {
  constructor(private readonly db: Db) {}

  /** Appends one entry; call inside the transaction that makes the change. */
  async record(trx: Executor, ctx: ActionContext, input: AuditEntryInput): Promise<AuditEntry> {
    await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx)
    const last = await trx
      .selectFrom('core.audit_event')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst()
    const actorId = ctx.principal?.accountId ?? null
    const partial: Omit<AuditEntry, 'hash'> = {
      seq: (last ? Number(last.seq) : 0) + 1,
      id: randomUUID(),
      occurredAt: new Date(),
      actorAccountId: actorId === SYSTEM_ACCOUNT ? null : actorId,
      actorLabel: ctx.principal ? ctx.principal.email : null,
      organisationId: input.organisationId ?? null,
      action: input.action,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      details: JSON.parse(canonicalJson(input.details ?? {})) as Record<string, unknown>,
      requestId: ctx.requestId,
      ip: ctx.ip,
      prevHash: last?.hash ?? GENESIS,
    }
    const entry: AuditEntry = { ...partial, hash: entryHash(partial) }
    await trx
      .insertInto('core.audit_event')
      .values({
        seq: entry.seq,
        id: entry.id,
        occurred_at: entry.occurredAt,
        actor_account_id: entry.actorAccountId,
        actor_label: entry.actorLabel,
        organisation_id: entry.organisationId,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        details: JSON.stringify(entry.details),
        request_id: entry.requestId,
        ip: entry.ip,
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .execute()
    return entry
  }

  /** Reads the whole chain in order and reports every break. */
  async verify(): Promise<AuditVerification> {
    const problems: string[] = []
    let expectedSeq = 1
    let prevHash = GENESIS
    let count = 0
    let afterSeq = 0
    for (;;) {
      const rows = await this.db
        .selectFrom('core.audit_event')
        .selectAll()
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(5000)
        .execute()
      if (rows.length === 0) break
      for (const row of rows) {
        const e = rowToEntry(row)
        count++
        if (e.seq !== expectedSeq) problems.push(`entry ${expectedSeq} is missing (next entry is ${e.seq})`)
        if (e.prevHash !== prevHash) problems.push(`entry ${e.seq} does not follow the entry before it`)
        if (entryHash(e) !== e.hash) problems.push(`entry ${e.seq} has been changed since it was written`)
        expectedSeq = e.seq + 1
        prevHash = e.hash
        afterSeq = e.seq
      }
    }
    if (problems.length > 0) return { ok: false, entries: count, problems }
    return { ok: true, entries: count, headSeq: expectedSeq - 1, headHash: prevHash }
  }

  async search(query: AuditSearch): Promise<Page<AuditEntry>> {
    const { page, pageSize, offset } = clampPage(query.page, query.pageSize, 500)
    let q = this.db.selectFrom('core.audit_event')
    if (query.organisationId !== undefined) {
      q =
        query.organisationId === null
          ? q.where('organisation_id', 'is', null)
          : q.where('organisation_id', '=', query.organisationId)
    }
    if (query.action) q = q.where('action', 'like', `${query.action.replace(/[%_\\]/g, '\\$&')}%`)
    if (query.actor) q = q.where('actor_label', 'ilike', `%${query.actor.replace(/[%_\\]/g, '\\$&')}%`)
    if (query.from) q = q.where('occurred_at', '>=', query.from)
    if (query.to) q = q.where('occurred_at', '<', query.to)
    const [rows, total] = await Promise.all([
      q.selectAll().orderBy('seq', 'desc').limit(pageSize).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return toPage(
      rows.map((r) => rowToEntry(r)),
      Number(total.n),
      page,
      pageSize,
    )
  }

  /** Every entry made by one account, oldest first (for a person's download of their own data). */
  async byActor(accountId: string, limit = 10_000): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom('core.audit_event')
      .selectAll()
      .where('actor_account_id', '=', accountId)
      .orderBy('seq')
      .limit(limit)
      .execute()
    return rows.map((r) => rowToEntry(r))
  }

  /** Every entry matching the search, oldest first, for downloads. */
  async *stream(query: Omit<AuditSearch, 'page' | 'pageSize'>): AsyncGenerator<AuditEntry> {
    let afterSeq = 0
    for (;;) {
      let q = this.db.selectFrom('core.audit_event').selectAll().where('seq', '>', afterSeq)
      if (query.organisationId !== undefined) {
        q =
          query.organisationId === null
            ? q.where('organisation_id', 'is', null)
            : q.where('organisation_id', '=', query.organisationId)
      }
      if (query.action) q = q.where('action', 'like', `${query.action.replace(/[%_\\]/g, '\\$&')}%`)
      if (query.actor) q = q.where('actor_label', 'ilike', `%${query.actor.replace(/[%_\\]/g, '\\$&')}%`)
      if (query.from) q = q.where('occurred_at', '>=', query.from)
      if (query.to) q = q.where('occurred_at', '<', query.to)
      const rows = await q.orderBy('seq').limit(2000).execute()
      if (rows.length === 0) return
      for (const r of rows) yield rowToEntry(r)
      afterSeq = Number(rows[rows.length - 1]!.seq)
    }
  }
}

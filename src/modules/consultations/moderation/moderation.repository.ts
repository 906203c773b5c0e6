// The SQL of moderation: which answers need a decision, the current decision on each answer, and
// the history of every decision. Takes the database or a transaction from the caller.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import type { Answers } from '../consultation.types.js'
import type { ModerationTables, Redaction } from './moderation.tables.js'
import type { ModerationSlot } from './moderation.rules.js'

export type Executor = Kysely<CoreDatabase> | Transaction<CoreDatabase>
export const tables = (executor: Executor): Kysely<CoreDatabase & ModerationTables> =>
  executor.withTables<ModerationTables>()

export type ModerationStatus = 'pending' | 'approved' | 'redacted'

export type AnswerModeration = {
  responseId: string
  answerKey: string
  status: ModerationStatus
  redactions: Redaction[]
  revision: number
  decidedAt: Date
}

export type ModerationDecision = {
  id: string
  action: 'approve' | 'redact' | 'remove-redaction' | 'reopen'
  statusAfter: ModerationStatus
  redactionsAfter: Redaction[]
  reason: string | null
  note: string
  decidedByName: string
  decidedAt: Date
}

/** One free-text answer with its response and question, as the queue lists it. */
export type QueueItem = {
  responseId: string
  reference: string
  answerKey: string
  questionTitle: string
  other: boolean
  value: string
  status: ModerationStatus
  redactions: Redaction[]
  revision: number
}

type QueueRow = {
  response_id: string
  reference: string
  answer_key: string
  question_title: string
  other: boolean
  value: unknown
  status: string | null
  redactions: Redaction[] | null
  revision: number | null
}

const toQueueItem = (r: QueueRow): QueueItem => ({
  responseId: r.response_id,
  reference: r.reference,
  answerKey: r.answer_key,
  questionTitle: r.question_title,
  other: r.other,
  value:
    typeof r.value === 'string' ? r.value : Array.isArray(r.value) ? r.value.join('; ') : JSON.stringify(r.value ?? ''),
  status: (r.status ?? 'pending') as ModerationStatus,
  redactions: r.redactions ?? [],
  revision: r.revision ?? 0,
})

export class ModerationRepository {
  /** The answers needing a moderator, as SQL: one row per response and slot with a non-empty answer. */
  private slotsFrom(consultationId: string, slots: ModerationSlot[]) {
    const values = sql.join(
      slots.map((slot, i) => sql`(${slot.key}::text, ${slot.title}::text, ${slot.other}::boolean, ${i}::integer)`),
    )
    return sql`from consultations.response r
      cross join (values ${values}) as s(key, title, other, ord)
      left join consultations.answer_moderation m on m.response_id = r.id and m.answer_key = s.key
      where r.consultation_id = ${consultationId} and r.publication <> 'do-not-publish'
        and coalesce(r.answers ->> s.key, '') not in ('', '[]')`
  }

  /** Answers of responses that may be published and need a moderator, filtered by their current status. */
  async queue(
    executor: Executor,
    consultationId: string,
    slots: ModerationSlot[],
    status: ModerationStatus | 'all',
    limit: number,
    offset: number,
  ): Promise<{ items: QueueItem[]; total: number }> {
    if (slots.length === 0) return { items: [], total: 0 }
    const filter =
      status === 'all'
        ? sql``
        : status === 'pending'
          ? sql`and (m.status is null or m.status = 'pending')`
          : sql`and m.status = ${status}`
    const from = sql`${this.slotsFrom(consultationId, slots)} ${filter}`
    const rows = await sql<QueueRow>`select r.id as response_id, r.reference, s.key as answer_key,
        s.title as question_title, s.other, r.answers -> s.key as value, m.status, m.redactions, m.revision
      ${from}
      order by r.submitted_at, r.id, s.ord
      limit ${limit} offset ${offset}`.execute(executor)
    const count = await sql<{ n: string }>`select count(*) as n ${from}`.execute(executor)
    return { items: rows.rows.map(toQueueItem), total: Number(count.rows[0]?.n ?? 0) }
  }

  /** How many answers needing a moderator are in each state. */
  async counts(
    executor: Executor,
    consultationId: string,
    slots: ModerationSlot[],
  ): Promise<Record<ModerationStatus, number>> {
    const out: Record<ModerationStatus, number> = { pending: 0, approved: 0, redacted: 0 }
    if (slots.length === 0) return out
    const rows = await sql<{ status: string; n: string }>`select coalesce(m.status, 'pending') as status, count(*) as n
      ${this.slotsFrom(consultationId, slots)}
      group by 1`.execute(executor)
    for (const r of rows.rows) out[r.status as ModerationStatus] = Number(r.n)
    return out
  }

  async response(
    executor: Executor,
    consultationId: string,
    responseId: string,
  ): Promise<{ id: string; reference: string; answers: Answers; publication: string } | null> {
    if (!/^[0-9a-f-]{36}$/i.test(responseId)) return null
    const row = await tables(executor)
      .selectFrom('consultations.response')
      .select(['id', 'reference', 'answers', 'publication'])
      .where('id', '=', responseId)
      .where('consultation_id', '=', consultationId)
      .executeTakeFirst()
    return row ?? null
  }

  async current(
    executor: Executor,
    responseId: string,
    answerKey: string,
    options: { lock?: boolean } = {},
  ): Promise<AnswerModeration | null> {
    let query = tables(executor)
      .selectFrom('consultations.answer_moderation')
      .selectAll()
      .where('response_id', '=', responseId)
      .where('answer_key', '=', answerKey)
    if (options.lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    if (!row) return null
    return {
      responseId: row.response_id,
      answerKey: row.answer_key,
      status: row.status as ModerationStatus,
      redactions: row.redactions,
      revision: row.revision,
      decidedAt: new Date(row.decided_at),
    }
  }

  /** Every decision on the answers of these responses, by response and question. */
  async currentFor(executor: Executor, responseIds: string[]): Promise<Map<string, AnswerModeration>> {
    const out = new Map<string, AnswerModeration>()
    if (responseIds.length === 0) return out
    const rows = await tables(executor)
      .selectFrom('consultations.answer_moderation')
      .selectAll()
      .where('response_id', 'in', responseIds)
      .execute()
    for (const row of rows)
      out.set(`${row.response_id}/${row.answer_key}`, {
        responseId: row.response_id,
        answerKey: row.answer_key,
        status: row.status as ModerationStatus,
        redactions: row.redactions,
        revision: row.revision,
        decidedAt: new Date(row.decided_at),
      })
    return out
  }

  /** Records a decision: the answer's new state and a line of its history. */
  async decide(
    executor: Executor,
    d: {
      responseId: string
      answerKey: string
      action: ModerationDecision['action']
      status: ModerationStatus
      redactions: Redaction[]
      reason: string | null
      note: string
      accountId: string | null
      name: string
    },
  ): Promise<number> {
    const now = new Date()
    const row = await tables(executor)
      .insertInto('consultations.answer_moderation')
      .values({
        response_id: d.responseId,
        answer_key: d.answerKey,
        status: d.status,
        redactions: JSON.stringify(d.redactions),
        revision: 1,
        decided_by: d.accountId,
        decided_at: now,
      })
      .onConflict((oc) =>
        oc.columns(['response_id', 'answer_key']).doUpdateSet({
          status: d.status,
          redactions: JSON.stringify(d.redactions),
          revision: sql`consultations.answer_moderation.revision + 1`,
          decided_by: d.accountId,
          decided_at: now,
        }),
      )
      .returning('revision')
      .executeTakeFirstOrThrow()
    await tables(executor)
      .insertInto('consultations.moderation_decision')
      .values({
        response_id: d.responseId,
        answer_key: d.answerKey,
        action: d.action,
        status_after: d.status,
        redactions_after: JSON.stringify(d.redactions),
        reason: d.reason,
        note: d.note,
        decided_by: d.accountId,
        decided_by_name: d.name,
        decided_at: now,
      })
      .execute()
    return row.revision
  }

  async history(executor: Executor, responseId: string, answerKey: string): Promise<ModerationDecision[]> {
    const rows = await tables(executor)
      .selectFrom('consultations.moderation_decision')
      .selectAll()
      .where('response_id', '=', responseId)
      .where('answer_key', '=', answerKey)
      .orderBy('decided_at', 'desc')
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      action: r.action as ModerationDecision['action'],
      statusAfter: r.status_after as ModerationStatus,
      redactionsAfter: r.redactions_after,
      reason: r.reason,
      note: r.note,
      decidedByName: r.decided_by_name,
      decidedAt: new Date(r.decided_at),
    }))
  }
}

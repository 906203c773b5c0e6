// All SQL for finding consultations: the public list with its filters and full-text search in both
// languages, topics and Gaelic texts, subscriptions, and the notices sent to subscribers.
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import type { Locale } from '../../../platform/i18n/i18n.js'
import { sha256 } from '../../../shared/crypto.js'
import type { ConsultationTables } from '../consultation.tables.js'
import { toConsultation, type Executor } from '../consultation.repository.js'
import type { Consultation } from '../consultation.types.js'
import type { DiscoveryTables } from './discovery.tables.js'
import type { GaelicText, ListStatus, Subscription } from './discovery.types.js'

type Db = Kysely<CoreDatabase & ConsultationTables & DiscoveryTables>
const q = (executor: Executor): Db => executor.withTables<ConsultationTables & DiscoveryTables>()

// The same folding of accents as the search indexes (see the migration), so both sides agree.
const FOLD_FROM = 'àèìòùáéíóúÀÈÌÒÙÁÉÍÓÚ'
const FOLD_TO = 'aeiouaeiouAEIOUAEIOU'
const foldMap = new Map([...FOLD_FROM].map((c, i) => [c, FOLD_TO[i]!]))
export const foldAccents = (text: string) => [...text.normalize('NFC')].map((c) => foldMap.get(c) ?? c).join('')

/**
 * A search as a tsquery: every word must match, the last also as the start of a word (so results
 * come while a word is still being typed). Only letters and digits reach the query, so no input
 * can break its syntax.
 */
export function tsQueryText(term: string): string | null {
  const words = (
    foldAccents(term)
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).slice(0, 12)
  if (words.length === 0) return null
  return words.map((w, i) => (i === words.length - 1 ? `(${w} | ${w}:*)` : w)).join(' & ')
}

const document = (alias: string, config: 'english' | 'simple'): RawBuilder<unknown> => {
  const part = (column: string, weight: string) =>
    `setweight(to_tsvector('${config}'::regconfig, translate(${alias}.${column}, '${FOLD_FROM}', '${FOLD_TO}')), '${weight}')`
  return sql.raw(`${part('title', 'A')} || ${part('summary', 'B')} || ${part('body_markdown', 'C')}`)
}

const NOTICE_HASH_PREFIX = 'consultations-notice:'
/** The address as the notices keep it: a hash, computed the same way here and in SQL. */
export const recipientHash = (emailKey: string) => sha256(`${NOTICE_HASH_PREFIX}${emailKey}`)

const heading = (alias: string, config: 'english' | 'simple'): RawBuilder<unknown> =>
  sql.raw(
    `setweight(to_tsvector('${config}'::regconfig, translate(${alias}.title, '${FOLD_FROM}', '${FOLD_TO}')), 'A') || ` +
      `setweight(to_tsvector('${config}'::regconfig, translate(${alias}.summary, '${FOLD_FROM}', '${FOLD_TO}')), 'B')`,
  )

export type ListFilters = {
  organisationId?: string | undefined
  topic?: string | undefined
  status?: ListStatus | undefined
  q?: string | undefined
}

function toSubscription(r: {
  id: string
  email: string
  locale: string
  organisation_id: string | null
  topic: string | null
  confirmed_at: Date | null
  confirmation_sent_at: Date | null
  created_at: Date
}): Subscription {
  return {
    id: r.id,
    email: r.email,
    locale: r.locale === 'gd' ? 'gd' : 'en',
    organisationId: r.organisation_id,
    topic: r.topic,
    confirmedAt: r.confirmed_at ? new Date(r.confirmed_at) : null,
    confirmationSentAt: r.confirmation_sent_at ? new Date(r.confirmation_sent_at) : null,
    createdAt: new Date(r.created_at),
  }
}

export class DiscoveryRepository {
  // --- the public list ---

  /** Published consultations matching the filters, in list order; the status is computed from the dates at `now`. */
  async search(
    executor: Executor,
    filters: ListFilters,
    now: Date,
    limit: number,
    offset: number,
    options: { count?: boolean } = {},
  ): Promise<{ items: Consultation[]; total: number }> {
    const tsq = filters.q ? tsQueryText(filters.q) : null
    let query = q(executor)
      .selectFrom('consultations.consultation as c')
      .leftJoin('consultations.consultation_gaelic as g', 'g.consultation_id', 'c.id')
      .where('c.published_at', 'is not', null)
    if (filters.organisationId) query = query.where('c.organisation_id', '=', filters.organisationId)
    if (filters.topic) {
      const topic = filters.topic
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('consultations.consultation_topic as t')
            .select(sql`1`.as('one'))
            .whereRef('t.consultation_id', '=', 'c.id')
            .where('t.topic', '=', topic),
        ),
      )
    }
    if (filters.status === 'forthcoming') query = query.where('c.opens_at', '>', now)
    if (filters.status === 'open') query = query.where('c.opens_at', '<=', now).where('c.closes_at', '>', now)
    if (filters.status === 'closed') query = query.where('c.closes_at', '<=', now)
    if (filters.q !== undefined && filters.q.trim() !== '') {
      // A search with no letters or digits in it matches nothing, rather than everything.
      if (!tsq) return { items: [], total: 0 }
      // Each language is searched through its own index, and the matches joined, so neither is a full scan.
      query = query.where(
        sql<boolean>`c.id in (select e.id from consultations.consultation e where ${document('e', 'english')} @@ to_tsquery('english', ${tsq}) union select d.consultation_id from consultations.consultation_gaelic d where ${document('d', 'simple')} @@ to_tsquery('simple', ${tsq}))`,
      )
    }
    let ordered = query.selectAll('c')
    if (tsq)
      ordered = ordered.orderBy(
        // ranked by the title and summary only: ranking by the body too would read every match's whole text
        sql`greatest(ts_rank(${heading('c', 'english')}, to_tsquery('english', ${tsq})), coalesce(ts_rank(${heading('g', 'simple')}, to_tsquery('simple', ${tsq})), 0))`,
        'desc',
      )
    const rows = await ordered
      // open first (closing soonest), then forthcoming (opening soonest), then closed (latest first)
      .orderBy(
        sql`case when c.opens_at <= ${now} and c.closes_at > ${now} then 0 when c.opens_at > ${now} then 1 else 2 end`,
      )
      .orderBy(sql`case when c.closes_at > ${now} then c.closes_at end`, 'asc')
      .orderBy('c.closes_at', 'desc')
      .orderBy('c.id')
      .limit(limit)
      .offset(offset)
      .execute()
    if (options.count === false) return { items: rows.map(toConsultation), total: -1 }
    const count = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return { items: rows.map(toConsultation), total: Number(count.n) }
  }

  async publishedOrganisationIds(executor: Executor): Promise<string[]> {
    const rows = await q(executor)
      .selectFrom('consultations.consultation')
      .select('organisation_id')
      .distinct()
      .where('published_at', 'is not', null)
      .execute()
    return rows.map((r) => r.organisation_id)
  }

  // --- topics and Gaelic texts ---

  async topicsOf(executor: Executor, consultationIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(consultationIds.map((id) => [id, []]))
    if (consultationIds.length === 0) return out
    const rows = await q(executor)
      .selectFrom('consultations.consultation_topic')
      .select(['consultation_id', 'topic'])
      .where('consultation_id', 'in', consultationIds)
      .orderBy('topic')
      .execute()
    for (const r of rows) out.get(r.consultation_id)?.push(r.topic)
    return out
  }

  async gaelicOf(executor: Executor, consultationIds: string[]): Promise<Map<string, GaelicText>> {
    const out = new Map<string, GaelicText>()
    if (consultationIds.length === 0) return out
    const rows = await q(executor)
      .selectFrom('consultations.consultation_gaelic')
      .selectAll()
      .where('consultation_id', 'in', consultationIds)
      .execute()
    for (const r of rows)
      out.set(r.consultation_id, { title: r.title, summary: r.summary, bodyMarkdown: r.body_markdown })
    return out
  }

  async setTopics(executor: Executor, consultationId: string, topics: string[]): Promise<void> {
    await q(executor)
      .deleteFrom('consultations.consultation_topic')
      .where('consultation_id', '=', consultationId)
      .execute()
    if (topics.length)
      await q(executor)
        .insertInto('consultations.consultation_topic')
        .values(topics.map((topic) => ({ consultation_id: consultationId, topic })))
        .execute()
  }

  /** Keeps the Gaelic texts, or removes them when all three are empty. */
  async setGaelic(executor: Executor, consultationId: string, gaelic: GaelicText | null): Promise<void> {
    if (!gaelic) {
      await q(executor)
        .deleteFrom('consultations.consultation_gaelic')
        .where('consultation_id', '=', consultationId)
        .execute()
      return
    }
    const values = { title: gaelic.title, summary: gaelic.summary, body_markdown: gaelic.bodyMarkdown }
    await q(executor)
      .insertInto('consultations.consultation_gaelic')
      .values({ consultation_id: consultationId, ...values })
      .onConflict((oc) => oc.column('consultation_id').doUpdateSet({ ...values, updated_at: new Date() }))
      .execute()
  }

  // --- subscriptions ---

  async subscription(executor: Executor, id: string, options: { lock?: boolean } = {}): Promise<Subscription | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = q(executor).selectFrom('consultations.subscription').selectAll().where('id', '=', id)
    if (options.lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    return row ? toSubscription(row) : null
  }

  /**
   * The subscription of this address to this interest, made (unconfirmed) if there was none, and
   * locked for the rest of the transaction.
   */
  async findOrCreateSubscription(
    executor: Executor,
    s: { email: string; locale: Locale; organisationId: string | null; topic: string | null },
  ): Promise<{ subscription: Subscription; created: boolean }> {
    const emailKey = s.email.toLowerCase()
    const inserted = await q(executor)
      .insertInto('consultations.subscription')
      .values({
        email: s.email,
        email_key: emailKey,
        locale: s.locale,
        organisation_id: s.organisationId,
        topic: s.topic,
      })
      .onConflict((oc) => oc.constraint('subscription_interest_key').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (inserted) return { subscription: toSubscription(inserted), created: true }
    let query = q(executor)
      .selectFrom('consultations.subscription')
      .selectAll()
      .where('email_key', '=', emailKey)
      .forUpdate()
    query = s.organisationId
      ? query.where('organisation_id', '=', s.organisationId)
      : query.where('organisation_id', 'is', null)
    query = s.topic ? query.where('topic', '=', s.topic) : query.where('topic', 'is', null)
    const row = await query.executeTakeFirstOrThrow()
    return { subscription: toSubscription(row), created: false }
  }

  /** How many confirmation emails went to this address since the given time (a guard against mail bombing). */
  async confirmationsSentTo(executor: Executor, email: string, since: Date): Promise<number> {
    const row = await q(executor)
      .selectFrom('consultations.subscription')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('email_key', '=', email.toLowerCase())
      .where('confirmation_sent_at', '>=', since)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  async markConfirmationSent(executor: Executor, id: string, at: Date, locale: Locale): Promise<void> {
    await q(executor)
      .updateTable('consultations.subscription')
      .set({ confirmation_sent_at: at, locale, updated_at: at })
      .where('id', '=', id)
      .execute()
  }

  async confirm(executor: Executor, id: string, at: Date): Promise<void> {
    await q(executor)
      .updateTable('consultations.subscription')
      .set({ confirmed_at: at, updated_at: at })
      .where('id', '=', id)
      .where('confirmed_at', 'is', null)
      .execute()
  }

  async deleteSubscription(executor: Executor, id: string): Promise<boolean> {
    const result = await q(executor).deleteFrom('consultations.subscription').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  /** Unconfirmed subscriptions whose confirmation link has expired hold an address for nothing. */
  async purgeUnconfirmed(executor: Executor, createdBefore: Date): Promise<number> {
    const result = await q(executor)
      .deleteFrom('consultations.subscription')
      .where('confirmed_at', 'is', null)
      .where('created_at', '<', createdBefore)
      .where((eb) => eb.or([eb('confirmation_sent_at', 'is', null), eb('confirmation_sent_at', '<', createdBefore)]))
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  // --- announcing a consultation that has opened ---

  /** Published consultations recorded as open that have not been announced yet. */
  async dueForAnnouncement(executor: Executor, now: Date): Promise<string[]> {
    const rows = await q(executor)
      .selectFrom('consultations.consultation as c')
      .select('c.id')
      .where('c.published_at', 'is not', null)
      .where('c.status', '=', 'open')
      .where('c.closes_at', '>', now)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('consultations.announcement as a')
              .select(sql`1`.as('one'))
              .whereRef('a.consultation_id', '=', 'c.id'),
          ),
        ),
      )
      .orderBy('c.opens_at')
      .limit(100)
      .execute()
    return rows.map((r) => r.id)
  }

  /** Starts the announcement; false when another worker already did. */
  async startAnnouncement(executor: Executor, consultationId: string): Promise<boolean> {
    const row = await q(executor)
      .insertInto('consultations.announcement')
      .values({ consultation_id: consultationId })
      .onConflict((oc) => oc.column('consultation_id').doNothing())
      .returning('consultation_id')
      .executeTakeFirst()
    return row !== undefined
  }

  async finishAnnouncement(executor: Executor, consultationId: string, notices: number, at: Date): Promise<void> {
    await q(executor)
      .updateTable('consultations.announcement')
      .set((eb) => ({ finished_at: at, notices: eb('notices', '+', notices) }))
      .where('consultation_id', '=', consultationId)
      .execute()
  }

  async countNotices(executor: Executor, consultationId: string, notices: number): Promise<void> {
    await q(executor)
      .updateTable('consultations.announcement')
      .set((eb) => ({ notices: eb('notices', '+', notices) }))
      .where('consultation_id', '=', consultationId)
      .execute()
  }

  /**
   * The next confirmed subscribers to tell about this consultation — one subscription per address,
   * and none already told — by a body and its topics.
   */
  async nextRecipients(
    executor: Executor,
    consultation: { id: string; organisationId: string; topics: string[] },
    limit: number,
  ): Promise<Subscription[]> {
    const topics = consultation.topics.length ? consultation.topics : ['']
    const rows = await q(executor)
      .selectFrom('consultations.subscription as s')
      .selectAll('s')
      .distinctOn('s.email_key')
      .where('s.confirmed_at', 'is not', null)
      .where((eb) =>
        eb.or([
          eb.and([
            eb('s.organisation_id', '=', consultation.organisationId),
            eb.or([eb('s.topic', 'is', null), eb('s.topic', 'in', topics)]),
          ]),
          eb.and([eb('s.organisation_id', 'is', null), eb('s.topic', 'in', topics)]),
        ]),
      )
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('consultations.subscription_notice as n')
              .select(sql`1`.as('one'))
              .where('n.consultation_id', '=', consultation.id)
              .where(
                'n.recipient_hash',
                '=',
                sql<string>`encode(sha256(convert_to(${NOTICE_HASH_PREFIX} || s.email_key, 'UTF8')), 'hex')`,
              ),
          ),
        ),
      )
      .orderBy('s.email_key')
      .orderBy('s.created_at')
      .limit(limit)
      .execute()
    return rows.map(toSubscription)
  }

  /** Records the notices at once; returns the recipients not already told about this consultation. */
  async recordNotices(
    executor: Executor,
    consultationId: string,
    notices: Array<{ recipientHash: string; subscriptionId: string }>,
  ): Promise<Set<string>> {
    if (notices.length === 0) return new Set()
    const rows = await q(executor)
      .insertInto('consultations.subscription_notice')
      .values(
        notices.map((n) => ({
          consultation_id: consultationId,
          recipient_hash: n.recipientHash,
          subscription_id: n.subscriptionId,
        })),
      )
      .onConflict((oc) => oc.columns(['consultation_id', 'recipient_hash']).doNothing())
      .returning('recipient_hash')
      .execute()
    return new Set(rows.map((r) => r.recipient_hash))
  }
}

// The SQL of webhooks: a body's webhooks, the events due to each (consultations of the body that
// opened or closed, responses submitted, since the webhook last looked), and the delivery log.
import { sql } from 'kysely'
import { tables, type Executor } from '../moderation/moderation.repository.js'

export const webhookEvents = ['consultation.opened', 'consultation.closed', 'response.submitted'] as const
export type WebhookEvent = (typeof webhookEvents)[number] | 'ping'

export type Webhook = {
  id: string
  organisationId: string
  url: string
  secretSealed: string
  events: WebhookEvent[]
  active: boolean
  datesCheckedTo: Date
  responsesCheckedTo: Date
  responsesCheckedId: string | null
  createdAt: Date
}

export type Delivery = {
  id: string
  webhookId: string
  event: string
  payload: Record<string, unknown>
  status: 'pending' | 'delivered' | 'failed'
  attempts: number
  lastStatusCode: number | null
  lastError: string | null
  createdAt: Date
  lastAttemptAt: Date | null
  deliveredAt: Date | null
}

type WebhookRow = {
  id: string
  organisation_id: string
  url: string
  secret_sealed: string
  events: string[]
  active: boolean
  dates_checked_to: Date
  responses_checked_to: Date
  responses_checked_id: string | null
  created_at: Date
}

const toWebhook = (r: WebhookRow): Webhook => ({
  id: r.id,
  organisationId: r.organisation_id,
  url: r.url,
  secretSealed: r.secret_sealed,
  events: r.events as WebhookEvent[],
  active: r.active,
  datesCheckedTo: new Date(r.dates_checked_to),
  responsesCheckedTo: new Date(r.responses_checked_to),
  responsesCheckedId: r.responses_checked_id,
  createdAt: new Date(r.created_at),
})

type DeliveryRow = {
  id: string
  webhook_id: string
  event: string
  payload: Record<string, unknown>
  status: string
  attempts: number
  last_status_code: number | null
  last_error: string | null
  created_at: Date
  last_attempt_at: Date | null
  delivered_at: Date | null
}

const toDelivery = (r: DeliveryRow): Delivery => ({
  id: r.id,
  webhookId: r.webhook_id,
  event: r.event,
  payload: r.payload,
  status: r.status as Delivery['status'],
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  createdAt: new Date(r.created_at),
  lastAttemptAt: r.last_attempt_at ? new Date(r.last_attempt_at) : null,
  deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
})

export class WebhookRepository {
  async create(
    executor: Executor,
    w: { organisationId: string; url: string; secretSealed: string; events: string[]; createdBy: string | null },
  ): Promise<Webhook> {
    const row = await tables(executor)
      .insertInto('consultations.webhook')
      .values({
        organisation_id: w.organisationId,
        url: w.url,
        secret_sealed: w.secretSealed,
        events: JSON.stringify(w.events),
        created_by: w.createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toWebhook(row)
  }

  async get(executor: Executor, id: string, options: { lock?: boolean } = {}): Promise<Webhook | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = tables(executor).selectFrom('consultations.webhook').selectAll().where('id', '=', id)
    if (options.lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    return row ? toWebhook(row) : null
  }

  async forOrganisations(executor: Executor, organisationIds: string[]): Promise<Webhook[]> {
    if (organisationIds.length === 0) return []
    const rows = await tables(executor)
      .selectFrom('consultations.webhook')
      .selectAll()
      .where('organisation_id', 'in', organisationIds)
      .orderBy('created_at')
      .execute()
    return rows.map(toWebhook)
  }

  async active(executor: Executor): Promise<Webhook[]> {
    const rows = await tables(executor)
      .selectFrom('consultations.webhook')
      .selectAll()
      .where('active', '=', true)
      .orderBy('id')
      .execute()
    return rows.map(toWebhook)
  }

  async setActive(executor: Executor, id: string, active: boolean): Promise<void> {
    await tables(executor).updateTable('consultations.webhook').set({ active }).where('id', '=', id).execute()
  }

  /** Published consultations of the body that opened, and that closed, in (from, to]. */
  async datesBetween(
    executor: Executor,
    organisationId: string,
    from: Date,
    to: Date,
  ): Promise<{ id: string; title: string; event: 'consultation.opened' | 'consultation.closed'; at: Date }[]> {
    const rows = await sql<{ id: string; title: string; event: string; at: Date }>`
      select id, title, 'consultation.opened' as event, greatest(opens_at, published_at) as at
        from consultations.consultation
       where organisation_id = ${organisationId} and published_at is not null
         and greatest(opens_at, published_at) > ${from}::timestamptz and greatest(opens_at, published_at) <= ${to}::timestamptz
         and closes_at > greatest(opens_at, published_at)
      union all
      select id, title, 'consultation.closed' as event, closes_at as at
        from consultations.consultation
       where organisation_id = ${organisationId} and published_at is not null and published_at < closes_at
         and closes_at > ${from}::timestamptz and closes_at <= ${to}::timestamptz
      order by at, id`.execute(executor)
    return rows.rows.map((r) => ({
      id: r.id,
      title: r.title,
      event: r.event as 'consultation.opened' | 'consultation.closed',
      at: new Date(r.at),
    }))
  }

  /** Responses to the body's consultations after the cursor, up to `to`, in order. */
  async responsesAfter(
    executor: Executor,
    organisationId: string,
    after: { at: Date; id: string | null },
    to: Date,
    limit: number,
  ): Promise<{ id: string; consultationId: string; reference: string; channel: string; submittedAt: Date }[]> {
    const rows = await sql<{
      id: string
      consultation_id: string
      reference: string
      channel: string
      submitted_at: Date
    }>`
      select r.id, r.consultation_id, r.reference, r.channel, r.submitted_at
        from consultations.response r
        join consultations.consultation c on c.id = r.consultation_id
       where c.organisation_id = ${organisationId}
         and (r.submitted_at, r.id) > (${after.at}::timestamptz, ${after.id ?? '00000000-0000-0000-0000-000000000000'}::uuid)
         and r.submitted_at <= ${to}::timestamptz
       order by r.submitted_at, r.id
       limit ${limit}`.execute(executor)
    return rows.rows.map((r) => ({
      id: r.id,
      consultationId: r.consultation_id,
      reference: r.reference,
      channel: r.channel,
      submittedAt: new Date(r.submitted_at),
    }))
  }

  async setCursors(
    executor: Executor,
    id: string,
    cursors: { datesCheckedTo?: Date; responsesCheckedTo?: Date; responsesCheckedId?: string | null },
  ): Promise<void> {
    await tables(executor)
      .updateTable('consultations.webhook')
      .set({
        ...(cursors.datesCheckedTo ? { dates_checked_to: cursors.datesCheckedTo } : {}),
        ...(cursors.responsesCheckedTo ? { responses_checked_to: cursors.responsesCheckedTo } : {}),
        ...(cursors.responsesCheckedId !== undefined ? { responses_checked_id: cursors.responsesCheckedId } : {}),
      })
      .where('id', '=', id)
      .execute()
  }

  /** Adds a delivery unless this event was already queued for this webhook; returns its id if new. */
  async addDelivery(
    executor: Executor,
    webhookId: string,
    event: string,
    eventKey: string,
    payload: Record<string, unknown>,
  ): Promise<string | null> {
    const row = await tables(executor)
      .insertInto('consultations.webhook_delivery')
      .values({
        webhook_id: webhookId,
        event,
        event_key: eventKey,
        payload: JSON.stringify(payload),
        status: 'pending',
      })
      .onConflict((oc) => oc.columns(['webhook_id', 'event_key']).doNothing())
      .returning('id')
      .executeTakeFirst()
    return row?.id ?? null
  }

  async delivery(executor: Executor, id: string): Promise<Delivery | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const row = await tables(executor)
      .selectFrom('consultations.webhook_delivery')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toDelivery(row) : null
  }

  async recordAttempt(
    executor: Executor,
    id: string,
    outcome: { status: Delivery['status']; statusCode: number | null; error: string | null },
  ): Promise<void> {
    const now = new Date()
    await tables(executor)
      .updateTable('consultations.webhook_delivery')
      .set({
        status: outcome.status,
        attempts: sql`attempts + 1`,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        last_attempt_at: now,
        ...(outcome.status === 'delivered' ? { delivered_at: now } : {}),
      })
      .where('id', '=', id)
      .execute()
  }

  async deliveries(
    executor: Executor,
    webhookId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: Delivery[]; total: number }> {
    const base = tables(executor).selectFrom('consultations.webhook_delivery').where('webhook_id', '=', webhookId)
    const rows = await base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute()
    const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return { items: rows.map(toDelivery), total: Number(count.n) }
  }
}

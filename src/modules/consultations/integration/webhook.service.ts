// Webhooks of a body: its administrators register an address and get a secret once; the events
// (a consultation opened or closed, a response submitted) are found by a watcher job, logged, and
// delivered by the job queue, signed with HMAC-SHA256 and retried with back-off until they are
// accepted or the attempts run out. The watcher also publishes "consultations.closed" to other
// modules through kernel.events.
import { actingAccountId } from '../../../platform/auth/principal.js'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requireOrganisationAdmin, requirePrincipal } from '../../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../../platform/accounts/roles.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import { randomToken } from '../../../shared/crypto.js'
import { SecretBox } from '../../../shared/secret-box.js'
import { PublicationError, assertFields } from '../moderation/moderation.errors.js'
import { tables } from '../moderation/moderation.repository.js'
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign } from './signature.js'
import {
  WebhookRepository,
  webhookEvents,
  type Delivery,
  type Webhook,
  type WebhookEvent,
} from './webhook.repository.js'

export const DELIVER_JOB = 'consultations.webhook-deliver'
export const WATCH_JOB = 'consultations.integration-watch'
export const CLOSED_EVENT = 'consultations.closed'
/** attempts before a delivery is given up as failed */
export const MAX_ATTEMPTS = 6
/** responses are looked for this long after they were submitted, so none committing late is missed */
const SETTLE_MS = 5000

export type ConsultationClosedEvent = {
  consultationId: string
  organisationId: string
  title: string
  closedAt: string
}

const notFound = () => new PublicationError('CONSULTATION_WEBHOOK_NOT_FOUND', 'There is no such webhook')

export class WebhookService {
  readonly repo = new WebhookRepository()
  private readonly box: SecretBox

  constructor(private readonly kernel: Kernel) {
    this.box = new SecretBox(kernel.config.sessionSecret, 'consultation-webhooks')
  }

  private get db() {
    return this.kernel.db
  }

  /** The bodies this person administers (every body, for platform administrators). */
  async administeredOrganisations(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) {
      const all: Organisation[] = []
      for await (const o of this.kernel.organisations.all()) all.push(o)
      return all.sort((a, b) => a.nameEn.localeCompare(b.nameEn))
    }
    const ids = principal.memberships.filter((m) => m.roles.includes(ORG_ADMIN)).map((m) => m.organisationId)
    const out: Organisation[] = []
    for (const id of ids) {
      const o = await this.kernel.organisations.getById(id)
      if (o) out.push(o)
    }
    return out.sort((a, b) => a.nameEn.localeCompare(b.nameEn))
  }

  async list(ctx: ActionContext): Promise<{ organisations: Organisation[]; webhooks: Webhook[] }> {
    const organisations = await this.administeredOrganisations(ctx)
    return {
      organisations,
      webhooks: await this.repo.forOrganisations(
        this.db,
        organisations.map((o) => o.id),
      ),
    }
  }

  /** Registers a webhook; the secret is returned this once and kept only sealed. */
  async create(
    ctx: ActionContext,
    input: { organisationId: string; url: string; events: string[] },
  ): Promise<{ webhook: Webhook; secret: string }> {
    const principal = requirePrincipal(ctx)
    const url = input.url.trim()
    const events = [...new Set(input.events)]
    const errors: Record<string, string> = {}
    if (!/^[0-9a-f-]{36}$/i.test(input.organisationId))
      errors.organisationId = 'consultations.webhooks.error.organisation'
    let parsed: URL | null = null
    try {
      parsed = new URL(url)
    } catch {
      parsed = null
    }
    const allowed = this.kernel.config.env === 'production' ? ['https:'] : ['https:', 'http:']
    if (!parsed || !allowed.includes(parsed.protocol) || url.length > 2000 || parsed.username || parsed.password)
      errors.url = 'consultations.webhooks.error.url'
    if (events.length === 0 || events.some((e) => !(webhookEvents as readonly string[]).includes(e)))
      errors.events = 'consultations.webhooks.error.events'
    assertFields('CONSULTATION_WEBHOOK_INVALID', errors, 'Check the webhook')
    requireOrganisationAdmin(ctx, input.organisationId)
    const secret = `whsec_${randomToken(24)}`
    return inTransaction(this.db, async (trx) => {
      const webhook = await this.repo.create(trx, {
        organisationId: input.organisationId,
        url,
        secretSealed: this.box.seal(secret),
        events,
        createdBy: actingAccountId(principal),
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.webhook-created',
        organisationId: input.organisationId,
        targetType: 'consultation-webhook',
        targetId: webhook.id,
        details: { url, events },
      })
      return { webhook, secret }
    })
  }

  /** A webhook and a page of its delivery log, for its body's administrators. */
  async get(
    ctx: ActionContext,
    id: string,
    query: { page?: string | number | undefined } = {},
  ): Promise<{ webhook: Webhook; organisation: Organisation; deliveries: Page<Delivery> }> {
    const webhook = await this.repo.get(this.db, id)
    if (!webhook) throw notFound()
    requireOrganisationAdmin(ctx, webhook.organisationId)
    const organisation = await this.kernel.organisations.getById(webhook.organisationId)
    if (!organisation) throw notFound()
    const { page, pageSize, offset } = clampPage(query.page, 50, 50)
    const result = await this.repo.deliveries(this.db, id, pageSize, offset)
    return { webhook, organisation, deliveries: toPage(result.items, result.total, page, pageSize) }
  }

  async setActive(ctx: ActionContext, id: string, active: boolean): Promise<void> {
    const { webhook } = await this.get(ctx, id)
    if (webhook.active === active) return
    await inTransaction(this.db, async (trx) => {
      await this.repo.setActive(trx, id, active)
      // Switched back on, it starts from now rather than sending everything it missed.
      if (active)
        await this.repo.setCursors(trx, id, {
          datesCheckedTo: new Date(),
          responsesCheckedTo: new Date(),
          responsesCheckedId: null,
        })
      await this.kernel.audit.record(trx, ctx, {
        action: active ? 'consultation.webhook-enabled' : 'consultation.webhook-disabled',
        organisationId: webhook.organisationId,
        targetType: 'consultation-webhook',
        targetId: id,
        details: { url: webhook.url },
      })
    })
  }

  /** Queues a "ping" delivery, to check that the receiver is there and verifies signatures. */
  async sendTest(ctx: ActionContext, id: string): Promise<void> {
    const { webhook, organisation } = await this.get(ctx, id)
    await inTransaction(this.db, async (trx) => {
      const deliveryId = await this.repo.addDelivery(trx, id, 'ping', `ping:${randomToken(12)}`, {
        organisation: { id: organisation.id, slug: organisation.slug },
        message: 'A test event from Còmhla',
      })
      if (deliveryId) await this.kernel.jobs.send(DELIVER_JOB, { deliveryId }, { trx })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.webhook-tested',
        organisationId: webhook.organisationId,
        targetType: 'consultation-webhook',
        targetId: id,
        details: {},
      })
    })
  }

  // --- the jobs ---

  /** Finds the events due to every active webhook and queues their deliveries; run every minute. */
  async watch(now: Date = new Date()): Promise<number> {
    let queued = 0
    for (const w of await this.repo.active(this.db)) {
      queued += await inTransaction(this.db, async (trx) => {
        const webhook = await this.repo.get(trx, w.id, { lock: true })
        if (!webhook?.active) return 0
        const organisation = await this.kernel.organisations.getById(webhook.organisationId)
        if (!organisation) return 0
        const org = { id: organisation.id, slug: organisation.slug }
        let n = 0
        const queue = async (event: WebhookEvent, key: string, data: Record<string, unknown>) => {
          if (!webhook.events.includes(event)) return
          const deliveryId = await this.repo.addDelivery(trx, webhook.id, event, key, { organisation: org, ...data })
          if (!deliveryId) return
          await this.kernel.jobs.send(DELIVER_JOB, { deliveryId }, { trx })
          n++
        }
        for (const c of await this.repo.datesBetween(trx, webhook.organisationId, webhook.datesCheckedTo, now)) {
          const url = `${this.kernel.config.baseUrl}/consultations/${c.id}`
          await queue(c.event, `${c.event}:${c.id}`, {
            consultation: { id: c.id, title: c.title, url },
            at: c.at.toISOString(),
          })
        }
        const settled = new Date(now.getTime() - SETTLE_MS)
        const responses = await this.repo.responsesAfter(
          trx,
          webhook.organisationId,
          { at: webhook.responsesCheckedTo, id: webhook.responsesCheckedId },
          settled,
          500,
        )
        for (const r of responses)
          await queue('response.submitted', `response.submitted:${r.id}`, {
            consultation: { id: r.consultationId },
            response: { reference: r.reference, channel: r.channel, submittedAt: r.submittedAt.toISOString() },
          })
        const last = responses[responses.length - 1]
        await this.repo.setCursors(trx, webhook.id, {
          datesCheckedTo: now,
          ...(last ? { responsesCheckedTo: last.submittedAt, responsesCheckedId: last.id } : {}),
        })
        return n
      })
    }
    await this.publishClosed(now)
    return queued
  }

  /** Publishes "consultations.closed" once for each consultation that closed since the last look. */
  async publishClosed(now: Date = new Date()): Promise<number> {
    return inTransaction(this.db, async (trx) => {
      const db = tables(trx)
      const cursor = await db
        .selectFrom('consultations.integration_cursor')
        .select('checked_to')
        .where('name', '=', CLOSED_EVENT)
        .forUpdate()
        .executeTakeFirst()
      if (!cursor) {
        // The first look starts now: consultations closed before there was anyone to tell are not replayed.
        await db
          .insertInto('consultations.integration_cursor')
          .values({ name: CLOSED_EVENT, checked_to: now })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute()
        return 0
      }
      const closed = await db
        .selectFrom('consultations.consultation')
        .select(['id', 'organisation_id', 'title', 'closes_at'])
        .where('published_at', 'is not', null)
        .where('closes_at', '>', new Date(cursor.checked_to))
        .where('closes_at', '<=', now)
        .orderBy('closes_at')
        .execute()
      for (const c of closed) {
        const event: ConsultationClosedEvent = {
          consultationId: c.id,
          organisationId: c.organisation_id,
          title: c.title,
          closedAt: new Date(c.closes_at).toISOString(),
        }
        await this.kernel.events.publish(trx, CLOSED_EVENT, event)
      }
      await db
        .updateTable('consultations.integration_cursor')
        .set({ checked_to: now })
        .where('name', '=', CLOSED_EVENT)
        .execute()
      return closed.length
    })
  }

  /**
   * Sends one delivery. Throws while attempts remain, so the job queue retries it with back-off;
   * after the last attempt it is marked failed and stays in the log.
   */
  async deliver(deliveryId: string): Promise<Delivery['status']> {
    const delivery = await this.repo.delivery(this.db, deliveryId)
    if (!delivery || delivery.status !== 'pending') return delivery?.status ?? 'failed'
    const webhook = await this.repo.get(this.db, delivery.webhookId)
    if (!webhook?.active) {
      await this.repo.recordAttempt(this.db, deliveryId, {
        status: 'failed',
        statusCode: null,
        error: 'The webhook is switched off',
      })
      return 'failed'
    }
    const secret = this.box.open(webhook.secretSealed)
    if (!secret) {
      await this.repo.recordAttempt(this.db, deliveryId, {
        status: 'failed',
        statusCode: null,
        error: 'The secret cannot be read',
      })
      return 'failed'
    }
    const body = JSON.stringify({
      id: delivery.id,
      event: delivery.event,
      createdAt: delivery.createdAt.toISOString(),
      data: delivery.payload,
    })
    let statusCode: number | null = null
    let error: string | null = null
    try {
      const res = await fetch(webhook.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Comhla-Webhooks/1',
          [EVENT_HEADER]: delivery.event,
          [DELIVERY_HEADER]: delivery.id,
          [SIGNATURE_HEADER]: sign(secret, body),
        },
        body,
      })
      statusCode = res.status
      await res.body?.cancel().catch(() => undefined)
      if (res.status >= 200 && res.status < 300) {
        await this.repo.recordAttempt(this.db, deliveryId, { status: 'delivered', statusCode, error: null })
        return 'delivered'
      }
      error = `The receiver answered ${res.status}`
    } catch (e) {
      error = e instanceof Error ? e.message.slice(0, 500) : 'The receiver could not be reached'
    }
    const final = delivery.attempts + 1 >= MAX_ATTEMPTS
    await this.repo.recordAttempt(this.db, deliveryId, { status: final ? 'failed' : 'pending', statusCode, error })
    if (final) return 'failed'
    throw new Error(`Webhook delivery ${deliveryId} failed: ${error}`)
  }
}

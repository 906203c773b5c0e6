// Finding consultations: the public list with its filters and search, the topics and Gaelic texts
// a manager gives a consultation, and email subscriptions to new consultations from a body or on a
// topic — confirmed by an emailed link, announced once per consultation and address, in batches.
import { createHmac } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { systemContext } from '../../../platform/auth/principal.js'
import { requireOrganisationRole } from '../../../platform/auth/authorisation.js'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { Locale } from '../../../platform/i18n/i18n.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import { formatDateTime } from '../../../shared/dates.js'
import { safeEqual } from '../../../shared/crypto.js'
import { statusAt } from '../consultation.dates.js'
import { MANAGER_ROLES, type ConsultationService, type WithOrganisation } from '../consultation.service.js'
import type { Consultation } from '../consultation.types.js'
import { DiscoveryRepository, recipientHash } from './discovery.repository.js'
import { DiscoveryError, subscriptionNotFound } from './discovery.errors.js'
import { MAX_TOPICS, knownTopics, topicBySlug, topicName } from './topics.js'
import type {
  DetailsInput,
  DiscoveryDetails,
  DiscoverySearch,
  Found,
  GaelicText,
  Subscription,
} from './discovery.types.js'

export const NOTIFY_JOB = 'consultations.notify-subscribers'
export const PURGE_SUBSCRIPTIONS_JOB = 'consultations.purge-unconfirmed-subscriptions'
/** notices sent in one transaction; the job sends itself again until none are left */
export const NOTICE_BATCH = 200
/** how long a confirmation link works */
export const CONFIRM_DAYS = 7
/** confirmation emails to one address in a day, at most (nobody can use the form to flood an inbox) */
export const CONFIRMATIONS_PER_DAY = 5
/** a second request for the same subscription within this time sends no second email */
const RESEND_AFTER_MS = 5 * 60_000

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/

export type SubscribeInput = { email: string; organisation: string; topic: string; locale: Locale }

/** What a subscription is about, in words, for pages and emails. */
export type Interest = { organisation: Organisation | null; topic: string | null }

type Purpose = 'confirm' | 'unsubscribe'

export class DiscoveryService {
  private readonly repo = new DiscoveryRepository()

  constructor(
    private readonly kernel: Kernel,
    private readonly consultations: ConsultationService,
  ) {}

  private get db() {
    return this.kernel.db
  }

  // --- the public list ---

  async search(search: DiscoverySearch, options: { maxPageSize?: number; count?: boolean } = {}): Promise<Page<Found>> {
    const { page, pageSize, offset } = clampPage(search.page, search.pageSize ?? 20, options.maxPageSize ?? 200)
    let organisationId: string | undefined
    if (search.organisation) {
      const organisation = await this.kernel.organisations.getBySlug(search.organisation).catch(() => null)
      if (!organisation) return toPage([], 0, page, pageSize)
      organisationId = organisation.id
    }
    if (search.topic && !topicBySlug(search.topic)) return toPage([], 0, page, pageSize)
    const now = new Date()
    const found = await this.repo.search(
      this.db,
      { organisationId, topic: search.topic || undefined, status: search.status, q: search.q?.slice(0, 200) },
      now,
      pageSize,
      offset,
      { count: options.count ?? true },
    )
    return toPage(await this.withDetails(await this.withOrganisations(found.items, now)), found.total, page, pageSize)
  }

  /** Every published consultation matching the search, in batches, for downloads. */
  async *all(search: DiscoverySearch): AsyncGenerator<Found> {
    const batch = 1000
    for (let page = 1; ; page++) {
      const result = await this.search({ ...search, page, pageSize: batch }, { maxPageSize: batch, count: false })
      yield* result.items
      if (result.items.length < batch) return
    }
  }

  /** The bodies that have published a consultation, for the list's filter: two queries, however many bodies. */
  async publishingOrganisations(): Promise<Organisation[]> {
    const ids = new Set(await this.repo.publishedOrganisationIds(this.db))
    const out: Organisation[] = []
    for await (const o of this.kernel.organisations.all()) if (ids.has(o.id)) out.push(o)
    return out.sort((a, b) => a.nameEn.localeCompare(b.nameEn))
  }

  private async withOrganisations(consultations: Consultation[], now: Date): Promise<WithOrganisation[]> {
    const cache = new Map<string, Organisation | null>()
    const out: WithOrganisation[] = []
    for (const c of consultations) {
      if (!cache.has(c.organisationId))
        cache.set(c.organisationId, await this.kernel.organisations.getById(c.organisationId))
      const organisation = cache.get(c.organisationId)
      if (organisation) out.push({ consultation: c, organisation, status: statusAt(c, now) })
    }
    return out
  }

  /** Topics and Gaelic texts added to consultations already found. */
  async withDetails<T extends WithOrganisation>(items: T[]): Promise<Array<T & DiscoveryDetails>> {
    const ids = items.map((w) => w.consultation.id)
    const [topics, gaelic] = [await this.repo.topicsOf(this.db, ids), await this.repo.gaelicOf(this.db, ids)]
    return items.map((w) => ({
      ...w,
      topics: topics.get(w.consultation.id) ?? [],
      gaelic: gaelic.get(w.consultation.id) ?? null,
    }))
  }

  async details(consultationId: string): Promise<DiscoveryDetails> {
    const [topics, gaelic] = [
      await this.repo.topicsOf(this.db, [consultationId]),
      await this.repo.gaelicOf(this.db, [consultationId]),
    ]
    return { topics: topics.get(consultationId) ?? [], gaelic: gaelic.get(consultationId) ?? null }
  }

  // --- what the manager's form adds: topics and the Gaelic texts ---

  /** The details' field problems (catalogue keys by field), without saving anything. */
  problems(input: DetailsInput): Record<string, string> {
    const errors: Record<string, string> = {}
    if (knownTopics(input.topics).length !== new Set(input.topics).size)
      errors.topics = 'consultations.discovery.error.topicUnknown'
    else if (input.topics.length > MAX_TOPICS) errors.topics = 'consultations.discovery.error.tooManyTopics'
    const g = this.cleanGaelic(input)
    if (g.title.length > 200) errors.titleGd = 'consultations.discovery.error.titleGdTooLong'
    if (g.summary.length > 1000) errors.summaryGd = 'consultations.discovery.error.summaryGdTooLong'
    if (g.bodyMarkdown.length > 50_000) errors.bodyGd = 'consultations.discovery.error.bodyGdTooLong'
    return errors
  }

  private cleanGaelic(input: DetailsInput): GaelicText {
    return {
      title: input.titleGd.trim().replace(/\s+/g, ' '),
      summary: input.summaryGd.trim(),
      bodyMarkdown: input.bodyGd.replace(/\r\n/g, '\n').trim(),
    }
  }

  /**
   * Saves the topics and Gaelic texts in the transaction that saves the consultation (so both
   * commit or neither does), with an audit entry saying what changed. Refuses with field errors.
   */
  async saveDetails(
    trx: Transaction<CoreDatabase>,
    ctx: ActionContext,
    consultation: Consultation,
    input: DetailsInput,
  ): Promise<void> {
    requireOrganisationRole(ctx, consultation.organisationId, MANAGER_ROLES)
    const fields = this.problems(input)
    if (Object.keys(fields).length > 0)
      throw new DiscoveryError('CONSULTATION_DETAILS_INVALID', 'Check the topics and the Gaelic version', { fields })
    const topics = knownTopics(input.topics).sort()
    const cleaned = this.cleanGaelic(input)
    const gaelic = cleaned.title || cleaned.summary || cleaned.bodyMarkdown ? cleaned : null
    const before = {
      topics: (await this.repo.topicsOf(trx, [consultation.id])).get(consultation.id) ?? [],
      gaelic: (await this.repo.gaelicOf(trx, [consultation.id])).get(consultation.id) ?? null,
    }
    const gaelicChanged = (['title', 'summary', 'bodyMarkdown'] as const).filter(
      (k) => (before.gaelic?.[k] ?? '') !== (gaelic?.[k] ?? ''),
    )
    const topicsChanged = before.topics.join(',') !== topics.join(',')
    if (!topicsChanged && gaelicChanged.length === 0) return
    if (topicsChanged) await this.repo.setTopics(trx, consultation.id, topics)
    if (gaelicChanged.length) await this.repo.setGaelic(trx, consultation.id, gaelic)
    await this.kernel.audit.record(trx, ctx, {
      action: 'consultation.details-updated',
      organisationId: consultation.organisationId,
      targetType: 'consultation',
      targetId: consultation.id,
      details: {
        ...(topicsChanged ? { topics, topicsBefore: before.topics } : {}),
        ...(gaelicChanged.length ? { gaelicChanged } : {}),
      },
    })
  }

  /**
   * Runs the consultation's own save and then saves the details in the same unit of work (the
   * consultation service's transaction joins this one), so a refusal of either keeps neither.
   */
  async saveWith(ctx: ActionContext, input: DetailsInput, save: () => Promise<Consultation>): Promise<Consultation> {
    return inTransaction(this.db, async (trx) => {
      const saved = await save()
      await this.saveDetails(trx, ctx, saved, input)
      return saved
    })
  }

  /** Field problems of both parts of the form, the consultation's own first. */
  mergeProblems(own: Record<string, string>, input: DetailsInput): Record<string, string> {
    return { ...own, ...this.problems(input) }
  }

  // --- subscriptions ---

  /** A link's token: an HMAC of the subscription and purpose, so nothing secret is stored. */
  token(subscriptionId: string, purpose: Purpose): string {
    return createHmac('sha256', this.kernel.config.sessionSecret)
      .update(`consultations.subscription.${purpose}:${subscriptionId}`)
      .digest('base64url')
      .slice(0, 32)
  }

  links(subscriptionId: string): { confirm: string; unsubscribe: string } {
    const base = `${this.kernel.config.baseUrl}/consultations/subscriptions/${subscriptionId}`
    return {
      confirm: `${base}/confirm?token=${this.token(subscriptionId, 'confirm')}`,
      unsubscribe: `${base}/unsubscribe?token=${this.token(subscriptionId, 'unsubscribe')}`,
    }
  }

  private async byToken(id: string, token: string | undefined, purpose: Purpose): Promise<Subscription> {
    if (!token || token.length > 100 || !safeEqual(token, this.token(id, purpose))) throw subscriptionNotFound()
    const subscription = await this.repo.subscription(this.db, id)
    if (!subscription) throw subscriptionNotFound()
    return subscription
  }

  async interestOf(s: { organisationId: string | null; topic: string | null }): Promise<Interest> {
    return {
      organisation: s.organisationId ? await this.kernel.organisations.getById(s.organisationId) : null,
      topic: s.topic,
    }
  }

  /** The interest in words: "from Fife Council on Transport". */
  describe(interest: Interest, locale: Locale): string {
    const t = this.kernel.i18n.translator(locale)
    const organisation = interest.organisation
      ? locale === 'gd' && interest.organisation.nameGd
        ? interest.organisation.nameGd
        : interest.organisation.nameEn
      : null
    const topic = interest.topic ? topicBySlug(interest.topic) : undefined
    const topicText = topic ? topicName(topic, locale) : null
    if (organisation && topicText) return t('consultations.discovery.interest.both', { organisation, topic: topicText })
    if (organisation) return t('consultations.discovery.interest.organisation', { organisation })
    return t('consultations.discovery.interest.topic', { topic: topicText ?? '' })
  }

  /**
   * Records the request and emails a confirmation link. The outcome is the same whether the
   * address was already subscribed or not, so the form tells nobody who subscribes to what.
   */
  async subscribe(ctx: ActionContext, input: SubscribeInput): Promise<void> {
    const errors: Record<string, string> = {}
    const email = input.email.trim()
    if (email === '') errors.email = 'consultations.discovery.subscribe.error.emailMissing'
    else if (email.length > 254 || !EMAIL.test(email)) errors.email = 'consultations.discovery.subscribe.error.email'
    let organisation: Organisation | null = null
    if (input.organisation) {
      organisation = await this.kernel.organisations.getBySlug(input.organisation).catch(() => null)
      if (!organisation) errors.organisation = 'consultations.discovery.subscribe.error.organisation'
    }
    if (input.topic && !topicBySlug(input.topic)) errors.topic = 'consultations.discovery.subscribe.error.topic'
    if (!input.organisation && !input.topic) errors.organisation = 'consultations.discovery.subscribe.error.interest'
    if (Object.keys(errors).length > 0)
      throw new DiscoveryError('CONSULTATION_SUBSCRIPTION_INVALID', 'Check the subscription', { fields: errors })
    const now = new Date()
    await inTransaction(this.db, async (trx) => {
      const { subscription, created } = await this.repo.findOrCreateSubscription(trx, {
        email,
        locale: input.locale,
        organisationId: organisation?.id ?? null,
        topic: input.topic || null,
      })
      const recentlySent =
        subscription.confirmationSentAt !== null &&
        now.getTime() - subscription.confirmationSentAt.getTime() < RESEND_AFTER_MS
      const sentToday = await this.repo.confirmationsSentTo(trx, email, new Date(now.getTime() - 86_400_000))
      const send = subscription.confirmedAt === null && !recentlySent && sentToday < CONFIRMATIONS_PER_DAY
      if (send) {
        const links = this.links(subscription.id)
        await this.kernel.mail.enqueue(trx, {
          to: email,
          template: 'consultations.subscription-confirm',
          locale: input.locale,
          params: {
            interest: this.describe({ organisation, topic: input.topic || null }, input.locale),
            link: links.confirm,
            unsubscribeLink: links.unsubscribe,
          },
          organisationId: organisation?.id ?? null,
        })
        await this.repo.markConfirmationSent(trx, subscription.id, now, input.locale)
      }
      // The address is personal data and the audit trail is kept for ever: it records the subscription's id only.
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.subscription-requested',
        organisationId: organisation?.id ?? null,
        targetType: 'consultation-subscription',
        targetId: subscription.id,
        details: {
          topic: input.topic || null,
          created,
          confirmationSent: send,
          ...(subscription.confirmedAt ? { alreadyConfirmed: true } : {}),
        },
      })
    })
  }

  /** The subscription behind a confirmation link, for the page that asks to confirm it. */
  async forConfirmation(
    id: string,
    token: string | undefined,
  ): Promise<{ subscription: Subscription; interest: Interest }> {
    const subscription = await this.byToken(id, token, 'confirm')
    this.assertLinkWorks(subscription)
    return { subscription, interest: await this.interestOf(subscription) }
  }

  private assertLinkWorks(subscription: Subscription, now = new Date()): void {
    if (subscription.confirmedAt) return
    const sent = subscription.confirmationSentAt ?? subscription.createdAt
    if (now.getTime() - sent.getTime() > CONFIRM_DAYS * 86_400_000)
      throw new DiscoveryError('CONSULTATION_SUBSCRIPTION_LINK_EXPIRED', 'consultations.discovery.subscription.expired')
  }

  async confirm(ctx: ActionContext, id: string, token: string | undefined): Promise<Interest> {
    const found = await this.byToken(id, token, 'confirm')
    this.assertLinkWorks(found)
    await inTransaction(this.db, async (trx) => {
      const subscription = await this.repo.subscription(trx, id, { lock: true })
      if (!subscription) throw subscriptionNotFound()
      if (subscription.confirmedAt) return
      await this.repo.confirm(trx, id, new Date())
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.subscription-confirmed',
        organisationId: subscription.organisationId,
        targetType: 'consultation-subscription',
        targetId: id,
        details: { topic: subscription.topic },
      })
    })
    return this.interestOf(found)
  }

  /**
   * Ends the subscription at once (the link in every email) and forgets the address. A link used
   * a second time finds nothing and says so kindly; it is not an error for the person.
   */
  async unsubscribe(ctx: ActionContext, id: string, token: string | undefined): Promise<Interest | null> {
    if (!token || token.length > 100 || !safeEqual(token, this.token(id, 'unsubscribe'))) throw subscriptionNotFound()
    return inTransaction(this.db, async (trx) => {
      const subscription = await this.repo.subscription(trx, id, { lock: true })
      if (!subscription) return null
      await this.repo.deleteSubscription(trx, id)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.subscription-ended',
        organisationId: subscription.organisationId,
        targetType: 'consultation-subscription',
        targetId: id,
        details: { topic: subscription.topic, wasConfirmed: subscription.confirmedAt !== null },
      })
      return this.interestOf(subscription)
    })
  }

  async purgeUnconfirmed(now = new Date()): Promise<number> {
    return this.repo.purgeUnconfirmed(this.db, new Date(now.getTime() - CONFIRM_DAYS * 86_400_000))
  }

  // --- telling subscribers about a consultation that has opened ---

  /**
   * Starts announcing every consultation recorded as open and not yet announced; run after the
   * open-close job records status changes. Returns the consultations started.
   */
  async announceOpened(now = new Date()): Promise<string[]> {
    const started: string[] = []
    for (const id of await this.repo.dueForAnnouncement(this.db, now)) {
      await inTransaction(this.db, async (trx) => {
        if (!(await this.repo.startAnnouncement(trx, id))) return
        await this.kernel.jobs.send(NOTIFY_JOB, { consultationId: id }, { trx })
        started.push(id)
      })
    }
    return started
  }

  /**
   * Emails the next batch of subscribers about an open consultation, each address once (a unique
   * notice per consultation and address), and sends itself again while any are left. Returns how
   * many were emailed.
   */
  async notifyBatch(consultationId: string, batchSize = NOTICE_BATCH): Promise<number> {
    const found = await this.consultations.getPublished(consultationId).catch(() => null)
    if (!found || found.status !== 'open') return 0
    const { topics, gaelic } = await this.details(consultationId)
    const c = found.consultation
    return inTransaction(this.db, async (trx) => {
      const recipients = await this.repo.nextRecipients(
        trx,
        { id: c.id, organisationId: c.organisationId, topics },
        batchSize,
      )
      let sent = 0
      const recorded = await this.repo.recordNotices(
        trx,
        c.id,
        recipients.map((s) => ({ recipientHash: recipientHash(s.email.toLowerCase()), subscriptionId: s.id })),
      )
      for (const s of recipients) {
        if (!recorded.has(recipientHash(s.email.toLowerCase()))) continue
        const gd = s.locale === 'gd'
        const organisation = gd && found.organisation.nameGd ? found.organisation.nameGd : found.organisation.nameEn
        await this.kernel.mail.enqueue(trx, {
          to: s.email,
          template: 'consultations.new-consultation',
          locale: s.locale,
          params: {
            title: (gd && gaelic?.title) || c.title,
            summary: (gd && gaelic?.summary) || c.summary,
            organisation,
            closes: formatDateTime(c.closesAt, s.locale),
            link: `${this.kernel.config.baseUrl}/consultations/${c.id}`,
            // a subscription that matched names this consultation's body, or no body at all
            interest: this.describe(
              { organisation: s.organisationId ? found.organisation : null, topic: s.topic },
              s.locale,
            ),
            unsubscribeLink: this.links(s.id).unsubscribe,
          },
          organisationId: c.organisationId,
        })
        sent++
      }
      const more = recipients.length >= batchSize
      if (more) await this.kernel.jobs.send(NOTIFY_JOB, { consultationId }, { trx })
      if (sent > 0 || !more) {
        if (more) await this.repo.countNotices(trx, c.id, sent)
        else await this.repo.finishAnnouncement(trx, c.id, sent, new Date())
        await this.kernel.audit.record(trx, systemContext(NOTIFY_JOB), {
          action: 'consultation.subscribers-notified',
          organisationId: c.organisationId,
          targetType: 'consultation',
          targetId: c.id,
          details: { emails: sent, finished: !more },
        })
      }
      return sent
    })
  }
}

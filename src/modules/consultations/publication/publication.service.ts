// Publication of responses and of the outcome. A body publishes a consultation's responses when
// it decides (during or after the consultation); the public then sees every response whose
// respondent allowed it, each answer as moderated: a name only where the respondent chose so, an
// organisation's name for organisations, redacted spans replaced by their reason, and free text not
// yet moderated held back. "Do not publish" responses are never read here.
import { actingAccountId } from '../../../platform/auth/principal.js'
import type { Kernel } from '../../../platform/kernel.js'
import { DOCUMENT_EXTENSIONS, type StoredFile } from '../../../platform/files/file.service.js'
import type { Upload } from '../../../platform/files/uploads.plugin.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import type { ConsultationService, WithOrganisation } from '../consultation.service.js'
import type { Question } from '../consultation.types.js'
import { PublicationError, assertFields } from '../moderation/moderation.errors.js'
import { ModerationRepository, type ModerationStatus } from '../moderation/moderation.repository.js'
import {
  answerIsEmpty,
  isNeverPublished,
  isPublishedAutomatically,
  moderationSlots,
  otherKey,
} from '../moderation/moderation.rules.js'
import type { Redaction, RedactionReason } from '../moderation/moderation.tables.js'
import { redactedText } from '../moderation/redaction.js'
import {
  PublicationRepository,
  type Outcome,
  type OutcomeDocument,
  type PublishableResponse,
} from './publication.repository.js'

export type PublishedAnswer = {
  questionId: string
  question: string
  /** the text given for "Other, please specify" */
  other: boolean
  /** 'awaiting-moderation': free text a moderator has not yet approved; its value is withheld */
  state: 'published' | 'awaiting-moderation'
  value: string | string[] | null
  redacted: boolean
}

export type PublishedResponse = {
  reference: string
  submittedAt: Date
  respondentType: 'individual' | 'organisation'
  /** only when the respondent chose "publish with my name" */
  name: string | null
  /** organisations' responses carry the organisation's name */
  organisationName: string | null
  answers: PublishedAnswer[]
}

export type RedactionLabel = (reason: RedactionReason) => string

export type PublicationSettings = {
  found: WithOrganisation & { questions: Question[]; responseCount: number }
  published: boolean
  changedAt: Date | null
  publishableCount: number
  moderation: Record<ModerationStatus, number>
  outcome: Outcome | null
  documents: OutcomeDocument[]
}

export const PUBLISHED_RESPONSES_PROVIDER = 'consultations.published-responses'
export const RESPONSES_PUBLISHED_EVENT = 'consultations.responses-published'
export const RESPONSES_WITHDRAWN_EVENT = 'consultations.responses-withdrawn'
export type ResponsesPublishedEvent = {
  consultationId: string
  organisationId: string
  title: string
  published: boolean
}

const responsesNotPublished = () =>
  new PublicationError('CONSULTATION_RESPONSES_NOT_PUBLISHED', 'The responses to this consultation are not published')

/** A publishable response as the public may see it. Exported for tests of what may never leak. */
export function toPublished(
  r: PublishableResponse,
  questions: Question[],
  decisions: Map<string, { status: ModerationStatus; redactions: Redaction[] }>,
  label: RedactionLabel,
): PublishedResponse {
  const answers: PublishedAnswer[] = []
  const moderated = (key: string, questionId: string, title: string, other: boolean) => {
    const raw = r.answers[key]
    if (answerIsEmpty(raw)) return
    const base = { questionId, question: title, other }
    const decision = decisions.get(`${r.id}/${key}`)
    if (!decision || decision.status === 'pending') {
      answers.push({ ...base, state: 'awaiting-moderation', value: null, redacted: false })
      return
    }
    const text = Array.isArray(raw) ? raw.join('; ') : raw!
    const redacted = decision.redactions.length > 0
    answers.push({
      ...base,
      state: 'published',
      value: redacted ? redactedText(text, decision.redactions, label) : text,
      redacted,
    })
  }
  for (const q of questions) {
    if (isNeverPublished(q)) continue
    if (!isPublishedAutomatically(q)) {
      moderated(q.id, q.id, q.title, false)
      continue
    }
    const raw = r.answers[q.id]
    if (!answerIsEmpty(raw))
      answers.push({
        questionId: q.id,
        question: q.title,
        other: false,
        state: 'published',
        value: raw!,
        redacted: false,
      })
    moderated(otherKey(q.id), q.id, q.title, true)
  }
  return {
    reference: r.reference,
    submittedAt: r.submittedAt,
    respondentType: r.respondentType,
    name: r.publication === 'publish-with-name' ? r.name : null,
    organisationName: r.respondentType === 'organisation' && r.organisationName ? r.organisationName : null,
    answers,
  }
}

const outcomeFileOwner = (consultationId: string) => `consultations.outcome:${consultationId}`

const HTTPS_URL = /^https?:\/\/[^\s/$.?#][^\s]*$/i

export class PublicationService {
  private readonly repo = new PublicationRepository()
  private readonly moderation = new ModerationRepository()
  constructor(
    private readonly kernel: Kernel,
    private readonly consultations: ConsultationService,
  ) {}

  private get db() {
    return this.kernel.db
  }

  // --- staff ---

  async settings(ctx: ActionContext, consultationId: string): Promise<PublicationSettings> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const setting = await this.repo.setting(this.db, consultationId)
    return {
      found,
      published: setting?.published ?? false,
      changedAt: setting?.changedAt ?? null,
      publishableCount: await this.repo.countPublishable(this.db, consultationId),
      moderation: await this.moderation.counts(this.db, consultationId, moderationSlots(found.questions)),
      outcome: await this.repo.outcome(this.db, consultationId),
      documents: await this.repo.documents(this.db, consultationId),
    }
  }

  /** Starts or stops publishing a consultation's responses; possible once it has opened. */
  async setResponsesPublished(ctx: ActionContext, consultationId: string, publish: boolean): Promise<void> {
    const principal = requirePrincipal(ctx)
    const found = await this.consultations.getForManager(ctx, consultationId)
    if (publish && !(found.consultation.publishedAt && (found.status === 'open' || found.status === 'closed')))
      throw new PublicationError('CONSULTATION_PUBLICATION_NOT_ALLOWED', 'consultations.publication.error.notOpened')
    await inTransaction(this.db, async (trx) => {
      const before = await this.repo.setting(trx, consultationId)
      if ((before?.published ?? false) === publish) return
      await this.repo.setPublished(trx, consultationId, publish, actingAccountId(principal))
      await this.kernel.audit.record(trx, ctx, {
        action: publish ? 'consultation.responses-published' : 'consultation.responses-withdrawn',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { status: found.status },
      })
      const event: ResponsesPublishedEvent = {
        consultationId,
        organisationId: found.organisation.id,
        title: found.consultation.title,
        published: publish,
      }
      await this.kernel.events.publish(trx, publish ? RESPONSES_PUBLISHED_EVENT : RESPONSES_WITHDRAWN_EVENT, event)
      // Open data publishes (or withdraws) the dataset of published responses.
      await this.kernel.datasets.changed(trx, PUBLISHED_RESPONSES_PROVIDER, consultationId)
      await this.repo.markAnnounced(trx, consultationId)
    })
  }

  // --- the public ---

  /** The consultation, if it is published and its body publishes its responses; not found otherwise. */
  async publicConsultation(consultationId: string): Promise<WithOrganisation & { questions: Question[] }> {
    const found = await this.consultations.getPublished(consultationId)
    const setting = await this.repo.setting(this.db, consultationId)
    if (!setting?.published || found.status === 'draft' || found.status === 'forthcoming') throw responsesNotPublished()
    return found
  }

  /** Whether the public can see this consultation's responses (for links on other pages). */
  async responsesArePublished(consultationId: string): Promise<boolean> {
    return (await this.repo.setting(this.db, consultationId))?.published ?? false
  }

  private async present(
    batch: PublishableResponse[],
    questions: Question[],
    label: RedactionLabel,
  ): Promise<PublishedResponse[]> {
    const decisions = await this.moderation.currentFor(
      this.db,
      batch.map((r) => r.id),
    )
    return batch.map((r) => toPublished(r, questions, decisions, label))
  }

  async publicPage(
    consultationId: string,
    query: { page?: string | number | undefined; pageSize?: string | number | undefined },
    label: RedactionLabel,
  ): Promise<{ found: WithOrganisation & { questions: Question[] }; page: Page<PublishedResponse> }> {
    const found = await this.publicConsultation(consultationId)
    const { page, pageSize, offset } = clampPage(query.page, query.pageSize ?? 20, 200)
    const batch = await this.repo.publishable(this.db, consultationId, { limit: pageSize, offset })
    const total = await this.repo.countPublishable(this.db, consultationId)
    return { found, page: toPage(await this.present(batch, found.questions, label), total, page, pageSize) }
  }

  /** Every published response, read in batches, for downloads of any size. */
  async *allPublic(consultationId: string, label: RedactionLabel): AsyncGenerator<PublishedResponse> {
    const found = await this.publicConsultation(consultationId)
    let after: { submittedAt: Date; id: string } | undefined
    for (;;) {
      const batch = await this.repo.publishable(this.db, consultationId, { limit: 500, ...(after ? { after } : {}) })
      yield* await this.present(batch, found.questions, label)
      const last = batch[batch.length - 1]
      if (!last || batch.length < 500) return
      after = { submittedAt: last.submittedAt, id: last.id }
    }
  }

  // --- outcome ---

  async saveOutcome(
    ctx: ActionContext,
    consultationId: string,
    input: { body: string; bodyGd: string },
  ): Promise<void> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const body = input.body.replace(/\r\n/g, '\n').trim()
    const bodyGd = input.bodyGd.replace(/\r\n/g, '\n').trim()
    const errors: Record<string, string> = {}
    if (body === '') errors.body = 'consultations.outcome.error.body'
    else if (body.length > 50_000) errors.body = 'consultations.outcome.error.bodyTooLong'
    if (bodyGd.length > 50_000) errors.bodyGd = 'consultations.outcome.error.bodyTooLong'
    assertFields('CONSULTATION_OUTCOME_INVALID', errors, 'Check the outcome')
    await inTransaction(this.db, async (trx) => {
      await this.repo.saveOutcome(trx, consultationId, body, bodyGd)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.outcome-saved',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { length: body.length, gaelic: bodyGd !== '' },
      })
    })
  }

  /** Publishes the outcome of a closed consultation, or withdraws it. */
  async setOutcomePublished(ctx: ActionContext, consultationId: string, publish: boolean): Promise<void> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const outcome = await this.repo.outcome(trx, consultationId)
      if (publish) {
        if (found.status !== 'closed')
          throw new PublicationError('CONSULTATION_OUTCOME_NOT_CLOSED', 'consultations.outcome.error.notClosed')
        if (!outcome || outcome.bodyMarkdown === '')
          throw new PublicationError('CONSULTATION_OUTCOME_INVALID', 'consultations.outcome.error.body', {
            fields: { body: 'consultations.outcome.error.body' },
          })
      }
      if (!outcome || (outcome.publishedAt !== null) === publish) return
      await this.repo.setOutcomePublished(trx, consultationId, publish ? new Date() : null)
      await this.kernel.audit.record(trx, ctx, {
        action: publish ? 'consultation.outcome-published' : 'consultation.outcome-withdrawn',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: {},
      })
    })
  }

  /** Adds a document to the outcome: a link, or a file uploaded and kept with kernel.files. */
  async addDocument(
    ctx: ActionContext,
    consultationId: string,
    input: { title: string; url: string; upload?: Upload | undefined },
  ): Promise<void> {
    const principal = requirePrincipal(ctx)
    const found = await this.consultations.getForManager(ctx, consultationId)
    const title = input.title.trim().replace(/\s+/g, ' ')
    const url = input.url.trim()
    const errors: Record<string, string> = {}
    if (title === '') errors.title = 'consultations.outcome.error.documentTitle'
    else if (title.length > 300) errors.title = 'consultations.outcome.error.documentTitleTooLong'
    if (!input.upload) {
      if (url === '') errors.url = 'consultations.outcome.error.documentMissing'
      else if (!HTTPS_URL.test(url) || url.length > 2000) errors.url = 'consultations.outcome.error.documentUrl'
    }
    assertFields('CONSULTATION_OUTCOME_INVALID', errors, 'Check the document')
    await inTransaction(this.db, async (trx) => {
      if ((await this.repo.documents(trx, consultationId)).length >= 50)
        throw new PublicationError('CONSULTATION_OUTCOME_INVALID', 'consultations.outcome.error.tooManyDocuments', {
          fields: { title: 'consultations.outcome.error.tooManyDocuments' },
        })
      const file = input.upload
        ? await this.kernel.files.store(trx, input.upload, {
            owner: outcomeFileOwner(consultationId),
            organisationId: found.organisation.id,
            accept: DOCUMENT_EXTENSIONS,
            field: 'file',
            createdBy: actingAccountId(principal),
          })
        : null
      const doc = await this.repo.addDocument(trx, consultationId, title, file ? null : url, file?.id ?? null)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.outcome-document-added',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: {
          documentId: doc.id,
          title,
          ...(file ? { fileId: file.id, filename: file.filename, size: file.size } : { url }),
        },
      })
    })
  }

  /** An uploaded document of a published outcome, for anyone; of an unpublished one, for its managers. */
  async outcomeFile(
    ctx: ActionContext,
    consultationId: string,
    documentId: string,
  ): Promise<(StoredFile & { content: Buffer }) | null> {
    const outcome = await this.repo.outcome(this.db, consultationId)
    if (!outcome?.publishedAt) await this.consultations.getForManager(ctx, consultationId)
    else await this.consultations.getPublished(consultationId)
    const doc = (await this.repo.documents(this.db, consultationId)).find((d) => d.id === documentId)
    if (!doc?.fileId) return null
    const file = await this.kernel.files.get(doc.fileId)
    return file && file.owner === outcomeFileOwner(consultationId) ? file : null
  }

  async removeDocument(ctx: ActionContext, consultationId: string, documentId: string): Promise<void> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const removed = await this.repo.removeDocument(trx, consultationId, documentId)
      if (!removed) return
      if (removed.fileId) await this.kernel.files.remove(trx, removed.fileId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.outcome-document-removed',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { documentId, title: removed.title },
      })
    })
  }

  /** The published outcome of a published consultation; not found until it is published. */
  async publicOutcome(consultationId: string): Promise<{
    found: WithOrganisation & { questions: Question[] }
    outcome: Outcome
    documents: OutcomeDocument[]
    responsesPublished: boolean
  }> {
    const found = await this.consultations.getPublished(consultationId)
    const outcome = await this.repo.outcome(this.db, consultationId)
    if (!outcome?.publishedAt)
      throw new PublicationError('CONSULTATION_OUTCOME_NOT_PUBLISHED', 'There is no published outcome yet')
    return {
      found,
      outcome,
      documents: await this.repo.documents(this.db, consultationId),
      responsesPublished: await this.responsesArePublished(consultationId),
    }
  }

  /**
   * Announces to open data the published responses changed by moderation since they were last
   * announced; run by a job, so a day of moderating is one update rather than thousands.
   */
  async announceModerationChanges(): Promise<number> {
    let announced = 0
    for (const consultationId of await this.repo.changedSinceAnnounced(this.db)) {
      await inTransaction(this.db, async (trx) => {
        await this.kernel.datasets.changed(trx, PUBLISHED_RESPONSES_PROVIDER, consultationId)
        await this.repo.markAnnounced(trx, consultationId)
      })
      announced++
    }
    return announced
  }

  /** Which of these consultations have a published outcome: for lists and pages to show the state. */
  async outcomesPublished(consultationIds: string[]): Promise<Set<string>> {
    return this.repo.outcomesPublished(this.db, consultationIds)
  }
}

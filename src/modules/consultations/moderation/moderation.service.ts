// Moderation of free-text answers before publication: the queue of a consultation, approving an
// answer, redacting spans of it with a reason, removing a redaction, returning it to the queue.
// Every decision is kept in the answer's history and written to the audit trail.
import { actingAccountId } from '../../../platform/auth/principal.js'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import type { ConsultationService, WithOrganisation } from '../consultation.service.js'
import type { Question } from '../consultation.types.js'
import { PublicationError, assertFields } from './moderation.errors.js'
import {
  ModerationRepository,
  type ModerationDecision,
  type ModerationStatus,
  type QueueItem,
} from './moderation.repository.js'
import { redactionReasons, type Redaction, type RedactionReason } from './moderation.tables.js'
import { addRedactions, findSpans } from './redaction.js'
import { answerIsEmpty, moderationSlots } from './moderation.rules.js'

export const moderationStatuses = ['pending', 'approved', 'redacted'] as const

export type AnswerForModeration = {
  found: WithOrganisation & { questions: Question[] }
  response: { id: string; reference: string }
  question: Question
  /** the text of "Other, please specify" rather than the answer itself */
  other: boolean
  answerKey: string
  value: string
  status: ModerationStatus
  redactions: Redaction[]
  revision: number
  history: ModerationDecision[]
}

export type DecisionInput =
  | { action: 'approve'; revision: string; note?: string }
  | { action: 'redact'; revision: string; text: string; reason: string; note: string }
  | { action: 'remove-redaction'; revision: string; index: string; note?: string }
  | { action: 'reopen'; revision: string; note?: string }

const answerNotFound = () =>
  new PublicationError('CONSULTATION_ANSWER_NOT_FOUND', 'There is no such answer to moderate')

export class ModerationService {
  readonly repo = new ModerationRepository()
  constructor(
    private readonly kernel: Kernel,
    private readonly consultations: ConsultationService,
  ) {}

  /**
   * A word per response for the analysts' export: "redacted" if any answer was redacted, else
   * "waiting" while an answer awaits a decision, else "approved"; "not moderated" where no free-text
   * answer has been through moderation (choice answers need none; "do not publish" ones never do).
   */
  async summaryFor(responseIds: string[]): Promise<Map<string, string>> {
    const rank = { approved: 0, pending: 1, redacted: 2 } as const
    const worst = new Map<string, keyof typeof rank>()
    for (const m of (await this.repo.currentFor(this.kernel.db, responseIds)).values()) {
      const before = worst.get(m.responseId)
      if (before === undefined || rank[m.status] > rank[before]) worst.set(m.responseId, m.status)
    }
    const word = { approved: 'approved', pending: 'waiting', redacted: 'redacted' } as const
    return new Map(
      responseIds.map((id) => {
        const status = worst.get(id)
        return [id, status ? word[status] : 'not moderated']
      }),
    )
  }

  /** The queue of a consultation, for its managers: answers in one state, oldest response first. */
  async queue(
    ctx: ActionContext,
    consultationId: string,
    query: { status?: string | undefined; page?: string | number | undefined },
  ): Promise<{
    found: WithOrganisation & { questions: Question[] }
    status: ModerationStatus | 'all'
    counts: Record<ModerationStatus, number>
    page: Page<QueueItem>
  }> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const status = (moderationStatuses as readonly string[]).includes(query.status ?? '')
      ? (query.status as ModerationStatus)
      : query.status === 'all'
        ? 'all'
        : 'pending'
    const { page, pageSize, offset } = clampPage(query.page, 20, 20)
    const slots = moderationSlots(found.questions)
    const result = await this.repo.queue(this.kernel.db, consultationId, slots, status, pageSize, offset)
    const counts = await this.repo.counts(this.kernel.db, consultationId, slots)
    return { found, status, counts, page: toPage(result.items, result.total, page, pageSize) }
  }

  /** One answer with its current decision and history, for a manager of the consultation's body. */
  async answer(
    ctx: ActionContext,
    consultationId: string,
    responseId: string,
    answerKey: string,
  ): Promise<AnswerForModeration> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const db = this.kernel.db
    const response = await this.repo.response(db, consultationId, responseId)
    const slot = moderationSlots(found.questions).find((s) => s.key === answerKey)
    const question = found.questions.find((q) => q.id === slot?.questionId)
    if (!response || !slot || !question || response.publication === 'do-not-publish') throw answerNotFound()
    const raw = response.answers[slot.key]
    if (answerIsEmpty(raw)) throw answerNotFound()
    const current = await this.repo.current(db, response.id, slot.key)
    return {
      found,
      response: { id: response.id, reference: response.reference },
      question,
      other: slot.other,
      answerKey: slot.key,
      value: Array.isArray(raw) ? raw.join('; ') : (raw ?? ''),
      status: current?.status ?? 'pending',
      redactions: current?.redactions ?? [],
      revision: current?.revision ?? 0,
      history: await this.repo.history(db, response.id, slot.key),
    }
  }

  /** Records a decision; refuses it when someone else decided in the meantime (the revision moved on). */
  async decide(
    ctx: ActionContext,
    consultationId: string,
    responseId: string,
    answerKey: string,
    input: DecisionInput,
  ): Promise<{ status: ModerationStatus; redactions: Redaction[]; revision: number }> {
    const principal = requirePrincipal(ctx)
    const answer = await this.answer(ctx, consultationId, responseId, answerKey)
    const note = (input.note ?? '').trim().slice(0, 2000)
    let reason: RedactionReason | null = null
    let spans: { start: number; end: number }[] = []
    if (input.action === 'redact') {
      const errors: Record<string, string> = {}
      if (input.text.trim() === '') errors.text = 'consultations.moderation.error.textMissing'
      else {
        spans = findSpans(answer.value, input.text)
        if (spans.length === 0) errors.text = 'consultations.moderation.error.textNotFound'
      }
      // In the order of the form, so the error summary reads as the page does.
      if (!(redactionReasons as readonly string[]).includes(input.reason))
        errors.reason = 'consultations.moderation.error.reason'
      else reason = input.reason as RedactionReason
      if (reason === 'other' && note === '') errors.note = 'consultations.moderation.error.noteForOther'
      assertFields('CONSULTATION_MODERATION_INVALID', errors, 'Check the redaction')
    }
    return inTransaction(this.kernel.db, async (trx) => {
      const current = await this.repo.current(trx, responseId, answerKey, { lock: true })
      const revision = current?.revision ?? 0
      if (String(revision) !== input.revision.trim())
        throw new PublicationError('CONSULTATION_MODERATION_CHANGED', 'consultations.moderation.error.changed')
      let redactions = current?.redactions ?? []
      let status: ModerationStatus
      let removed: Redaction | undefined
      switch (input.action) {
        case 'approve':
          status = redactions.length > 0 ? 'redacted' : 'approved'
          break
        case 'redact':
          redactions = addRedactions(redactions, spans, reason!)
          status = 'redacted'
          break
        case 'remove-redaction': {
          const index = Number.parseInt(input.index, 10)
          removed = redactions[index]
          if (!removed) throw answerNotFound()
          redactions = redactions.filter((_, i) => i !== index)
          status = current?.status === 'pending' ? 'pending' : redactions.length > 0 ? 'redacted' : 'approved'
          break
        }
        case 'reopen':
          status = 'pending'
          break
      }
      const newRevision = await this.repo.decide(trx, {
        responseId,
        answerKey,
        action: input.action,
        status,
        redactions,
        reason,
        note,
        accountId: actingAccountId(principal),
        name: principal.displayName,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: `consultation.answer-${
          input.action === 'approve'
            ? 'approved'
            : input.action === 'redact'
              ? 'redacted'
              : input.action === 'reopen'
                ? 'reopened'
                : 'redaction-removed'
        }`,
        organisationId: answer.found.organisation.id,
        targetType: 'consultation-response',
        targetId: responseId,
        // Offsets, never the redacted words: the audit trail must not keep what was taken out.
        details: {
          consultationId,
          reference: answer.response.reference,
          answerKey,
          status,
          revision: newRevision,
          ...(reason ? { reason, spans: spans.map((s) => [s.start, s.end]) } : {}),
          ...(removed ? { removed: [removed.start, removed.end], removedReason: removed.reason } : {}),
          ...(note ? { note } : {}),
        },
      })
      return { status, redactions, revision: newRevision }
    })
  }

  /** The next answer waiting for a decision, after a decision is made. */
  async nextPending(ctx: ActionContext, consultationId: string): Promise<QueueItem | null> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const { items } = await this.repo.queue(
      this.kernel.db,
      consultationId,
      moderationSlots(found.questions),
      'pending',
      1,
      0,
    )
    return items[0] ?? null
  }
}

// The rules of consultations: who may create and change them, the questionnaire, publication,
// the lifecycle, and responding. Every change and its audit entry commit together.
import { randomInt } from 'node:crypto'
import type { Kernel } from '../../platform/kernel.js'
import type { ActionContext, Principal } from '../../platform/auth/principal.js'
import { systemContext } from '../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal, rolesIn } from '../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../platform/accounts/roles.js'
import { inTransaction } from '../../platform/db/transaction.js'
import type { Organisation } from '../../platform/organisations/organisation.service.js'
import { clampPage, toPage, type Page } from '../../shared/pagination.js'
import { randomToken, sha256 } from '../../shared/crypto.js'
import {
  ConsultationRepository,
  type ConsultationFields,
  type Executor,
  type QuestionFields,
} from './consultation.repository.js'
import { ConsultationError, assertValid, notFound } from './consultation.errors.js'
import { londonToInstant, statusAt } from './consultation.dates.js'
import {
  LONG_TEXT_CEILING,
  LONG_TEXT_DEFAULT_MAX,
  answersComplete,
  checkAnswers,
  checkRespondent,
  type RespondentInput,
} from './consultation.answers.js'
import {
  questionTypes,
  type Answers,
  type Consultation,
  type ConsultationResponse,
  type ConsultationSearch,
  type ConsultationStatus,
  type Question,
  type QuestionType,
  type RespondentInfo,
  type ResponseDraft,
} from './consultation.types.js'

export const MANAGER_ROLES = ['consultation-manager']
export const READER_ROLES = ['consultation-manager', 'analyst']
export const READ_SCOPE = 'consultations:read'
/** how long an unsubmitted response is kept */
export const DRAFT_DAYS = 30

export type ConsultationInput = {
  organisationId: string
  title: string
  summary: string
  body: string
  opensDate: string
  opensTime: string
  closesDate: string
  closesTime: string
}

export type QuestionInput = {
  type: string
  title: string
  hint: string
  required: string
  maxLength: string
  options: string
}

export type WithOrganisation = { consultation: Consultation; organisation: Organisation; status: ConsultationStatus }

const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A response reference a person can read out: "CR-7K3M-9QXP". */
export function newReference(): string {
  const chars = Array.from({ length: 8 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)])
  return `CR-${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`
}

/** The id kept in a respondent's cookie, and its hash as stored. */
export function newDraftId(): string {
  return randomToken(24)
}
export const draftHash = (draftId: string) => sha256(`consultation-draft:${draftId}`)

export class ConsultationService {
  private readonly repo = new ConsultationRepository()
  constructor(private readonly kernel: Kernel) {}

  private get db() {
    return this.kernel.db
  }

  // --- reading ---

  private async withOrganisation(consultation: Consultation, now = new Date()): Promise<WithOrganisation> {
    const organisation = await this.kernel.organisations.getById(consultation.organisationId)
    if (!organisation) throw notFound()
    return { consultation, organisation, status: statusAt(consultation, now) }
  }

  /** A published consultation, as the public sees it; drafts are not found. */
  async getPublished(id: string): Promise<WithOrganisation & { questions: Question[] }> {
    const consultation = await this.repo.get(this.db, id)
    if (!consultation || !consultation.publishedAt) throw notFound()
    return { ...(await this.withOrganisation(consultation)), questions: await this.repo.questions(this.db, id) }
  }

  async searchPublished(
    search: ConsultationSearch & { organisationSlug?: string | undefined },
  ): Promise<Page<WithOrganisation>> {
    const { page, pageSize, offset } = clampPage(search.page, search.pageSize ?? 20, 200)
    let organisationId: string | undefined
    if (search.organisationSlug) {
      const organisation = await this.kernel.organisations.getBySlug(search.organisationSlug).catch(() => null)
      if (!organisation) return toPage([], 0, page, pageSize)
      organisationId = organisation.id
    }
    const now = new Date()
    const found = await this.repo.searchPublished(
      this.db,
      { ...search, q: search.q?.slice(0, 200), organisationId },
      now,
      pageSize,
      offset,
    )
    const items = await this.withOrganisations(found.items, now)
    return toPage(items, found.total, page, pageSize)
  }

  /** Every published consultation matching the search, for downloads. */
  async *allPublished(
    search: ConsultationSearch & { organisationSlug?: string | undefined },
  ): AsyncGenerator<WithOrganisation> {
    for (let page = 1; ; page++) {
      const result = await this.searchPublished({ ...search, page, pageSize: 200 })
      yield* result.items
      if (page >= result.pageCount) return
    }
  }

  /** The bodies that have published a consultation, for the list's filter. */
  async publishingOrganisations(): Promise<Organisation[]> {
    const out: Organisation[] = []
    for (const id of await this.repo.publishedOrganisationIds(this.db)) {
      const o = await this.kernel.organisations.getById(id)
      if (o) out.push(o)
    }
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

  // --- staff: access ---

  /** The bodies in which this person may manage consultations. */
  async manageableOrganisations(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) {
      const all: Organisation[] = []
      for await (const o of this.kernel.organisations.all()) all.push(o)
      return all
    }
    const ids = principal.memberships
      .filter((m) => m.roles.includes(ORG_ADMIN) || m.roles.some((r) => MANAGER_ROLES.includes(r)))
      .map((m) => m.organisationId)
    const out: Organisation[] = []
    for (const id of ids) {
      const o = await this.kernel.organisations.getById(id)
      if (o) out.push(o)
    }
    return out.sort((a, b) => a.nameEn.localeCompare(b.nameEn))
  }

  /** Consultations of the bodies where this person manages or reads consultations. */
  async listForStaff(ctx: ActionContext): Promise<WithOrganisation[]> {
    const principal = requirePrincipal(ctx)
    const ids = principal.isPlatformAdmin
      ? 'all'
      : principal.memberships
          .filter((m) => m.roles.includes(ORG_ADMIN) || m.roles.some((r) => READER_ROLES.includes(r)))
          .map((m) => m.organisationId)
    return this.withOrganisations(await this.repo.listForOrganisations(this.db, ids), new Date())
  }

  /** The consultation, if this person manages consultations in its body; throws 403/404 otherwise. */
  async getForManager(
    ctx: ActionContext,
    id: string,
  ): Promise<WithOrganisation & { questions: Question[]; responseCount: number }> {
    const consultation = await this.repo.get(this.db, id)
    if (!consultation) throw notFound()
    requireOrganisationRole(ctx, consultation.organisationId, MANAGER_ROLES)
    return {
      ...(await this.withOrganisation(consultation)),
      questions: await this.repo.questions(this.db, id),
      responseCount: await this.repo.countResponses(this.db, id),
    }
  }

  /** The consultation, if this person may read its responses (managers and analysts of its body). */
  async getForReader(
    ctx: ActionContext,
    id: string,
    scope?: string,
  ): Promise<WithOrganisation & { questions: Question[] }> {
    const consultation = await this.repo.get(this.db, id)
    if (!consultation) throw notFound()
    requireOrganisationRole(ctx, consultation.organisationId, READER_ROLES, scope)
    return { ...(await this.withOrganisation(consultation)), questions: await this.repo.questions(this.db, id) }
  }

  canManage(principal: Principal, organisationId: string): boolean {
    const held = rolesIn(principal, organisationId)
    return principal.isPlatformAdmin || held.includes(ORG_ADMIN) || held.some((r) => MANAGER_ROLES.includes(r))
  }

  // --- staff: consultations ---

  private validateConsultation(input: ConsultationInput): ConsultationFields {
    const errors: Record<string, string> = {}
    const title = input.title.trim().replace(/\s+/g, ' ')
    const summary = input.summary.trim()
    const body = input.body.replace(/\r\n/g, '\n').trim()
    if (!/^[0-9a-f-]{36}$/i.test(input.organisationId)) errors.organisationId = 'consultations.form.error.organisation'
    if (title === '') errors.title = 'consultations.form.error.title'
    else if (title.length > 200) errors.title = 'consultations.form.error.titleTooLong'
    if (summary === '') errors.summary = 'consultations.form.error.summary'
    else if (summary.length > 1000) errors.summary = 'consultations.form.error.summaryTooLong'
    if (body.length > 50_000) errors.body = 'consultations.form.error.bodyTooLong'
    const opensAt = londonToInstant(input.opensDate, input.opensTime)
    const closesAt = londonToInstant(input.closesDate, input.closesTime)
    if (!opensAt) errors.opensDate = 'consultations.form.error.opens'
    if (!closesAt) errors.closesDate = 'consultations.form.error.closes'
    else if (opensAt && closesAt.getTime() <= opensAt.getTime())
      errors.closesDate = 'consultations.form.error.closesBeforeOpens'
    assertValid('CONSULTATION_INVALID', errors, 'Check the details of the consultation')
    return {
      organisationId: input.organisationId,
      title,
      summary,
      bodyMarkdown: body,
      opensAt: opensAt!,
      closesAt: closesAt!,
    }
  }

  async create(ctx: ActionContext, input: ConsultationInput): Promise<Consultation> {
    const principal = requirePrincipal(ctx)
    const fields = this.validateConsultation(input)
    const organisation = await this.kernel.organisations.getById(fields.organisationId)
    if (!organisation)
      throw new ConsultationError('CONSULTATION_INVALID', 'Choose an organisation', {
        fields: { organisationId: 'consultations.form.error.organisation' },
      })
    requireOrganisationRole(ctx, organisation.id, MANAGER_ROLES)
    return inTransaction(this.db, async (trx) => {
      const created = await this.repo.insert(trx, fields, principal.via === 'system' ? null : principal.accountId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.created',
        organisationId: organisation.id,
        targetType: 'consultation',
        targetId: created.id,
        details: {
          title: created.title,
          opensAt: created.opensAt.toISOString(),
          closesAt: created.closesAt.toISOString(),
        },
      })
      return created
    })
  }

  async update(ctx: ActionContext, id: string, input: ConsultationInput): Promise<Consultation> {
    const existing = await this.repo.get(this.db, id)
    if (!existing) throw notFound()
    requireOrganisationRole(ctx, existing.organisationId, MANAGER_ROLES)
    const fields = this.validateConsultation(input)
    if (fields.organisationId !== existing.organisationId) {
      if (existing.publishedAt) {
        throw new ConsultationError('CONSULTATION_INVALID', 'A published consultation stays with its organisation', {
          fields: { organisationId: 'consultations.form.error.organisationLocked' },
        })
      }
      const organisation = await this.kernel.organisations.getById(fields.organisationId)
      if (!organisation)
        throw new ConsultationError('CONSULTATION_INVALID', 'Choose an organisation', {
          fields: { organisationId: 'consultations.form.error.organisation' },
        })
      requireOrganisationRole(ctx, organisation.id, MANAGER_ROLES)
    }
    return inTransaction(this.db, async (trx) => {
      const before = await this.repo.get(trx, id, { lock: true })
      if (!before) throw notFound()
      const updated = await this.repo.update(trx, id, fields)
      const changed = (['organisationId', 'title', 'summary', 'bodyMarkdown', 'opensAt', 'closesAt'] as const).filter(
        (k) =>
          String(before[k] instanceof Date ? (before[k] as Date).toISOString() : before[k]) !==
          String(updated[k] instanceof Date ? (updated[k] as Date).toISOString() : updated[k]),
      )
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.updated',
        organisationId: updated.organisationId,
        targetType: 'consultation',
        targetId: id,
        details: { changed, opensAt: updated.opensAt.toISOString(), closesAt: updated.closesAt.toISOString() },
      })
      return updated
    })
  }

  async publish(ctx: ActionContext, id: string): Promise<Consultation> {
    const existing = await this.repo.get(this.db, id)
    if (!existing) throw notFound()
    requireOrganisationRole(ctx, existing.organisationId, MANAGER_ROLES)
    return inTransaction(this.db, async (trx) => {
      const c = await this.repo.get(trx, id, { lock: true })
      if (!c) throw notFound()
      if (c.publishedAt) return c
      const now = new Date()
      if (c.closesAt.getTime() <= now.getTime())
        throw new ConsultationError('CONSULTATION_NOT_PUBLISHABLE', 'consultations.publish.error.closesInPast')
      if ((await this.repo.questions(trx, id)).length === 0)
        throw new ConsultationError('CONSULTATION_NOT_PUBLISHABLE', 'consultations.publish.error.noQuestions')
      const status = statusAt({ ...c, publishedAt: now }, now)
      const published = await this.repo.publish(trx, id, status)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.published',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: id,
        details: { status },
      })
      return published
    })
  }

  // --- staff: the questionnaire ---

  private validateQuestion(input: QuestionInput): QuestionFields {
    const errors: Record<string, string> = {}
    const type = input.type as QuestionType
    const title = input.title.trim().replace(/\s+/g, ' ')
    const hint = input.hint.trim().replace(/\s+/g, ' ')
    if (!(questionTypes as readonly string[]).includes(input.type)) errors.type = 'consultations.question.error.type'
    if (title === '') errors.title = 'consultations.question.error.title'
    else if (title.length > 500) errors.title = 'consultations.question.error.titleTooLong'
    if (hint.length > 500) errors.hint = 'consultations.question.error.hintTooLong'
    let maxLength: number | null = null
    if (type === 'long-text') {
      const raw = input.maxLength.trim().replace(/,/g, '')
      if (raw === '') maxLength = LONG_TEXT_DEFAULT_MAX
      else if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1 || Number(raw) > LONG_TEXT_CEILING)
        errors.maxLength = 'consultations.question.error.maxLength'
      else maxLength = Number(raw)
    }
    let options: string[] = []
    if (type === 'single-choice' || type === 'multiple-choice') {
      options = input.options
        .split(/\r?\n/)
        .map((o) => o.trim().replace(/\s+/g, ' '))
        .filter((o) => o !== '')
      if (options.length < 2) errors.options = 'consultations.question.error.optionsTooFew'
      else if (options.length > 50) errors.options = 'consultations.question.error.optionsTooMany'
      else if (options.some((o) => o.length > 200)) errors.options = 'consultations.question.error.optionTooLong'
      else if (new Set(options.map((o) => o.toLowerCase())).size !== options.length)
        errors.options = 'consultations.question.error.optionsRepeated'
    }
    assertValid('CONSULTATION_QUESTION_INVALID', errors, 'Check the question')
    return { type, title, hint, required: input.required === 'yes', maxLength, options }
  }

  /** Locks the consultation for a questionnaire change, refusing once it has opened. */
  private async editableQuestionnaire(ctx: ActionContext, id: string, trx: Executor): Promise<Consultation> {
    const c = await this.repo.get(trx, id, { lock: true })
    if (!c) throw notFound()
    requireOrganisationRole(ctx, c.organisationId, MANAGER_ROLES)
    const status = statusAt(c)
    if (status === 'open' || status === 'closed')
      throw new ConsultationError('CONSULTATION_QUESTIONNAIRE_LOCKED', 'consultations.question.error.locked')
    return c
  }

  private async questionOf(
    trx: Executor,
    consultationId: string,
    questionId: string,
  ): Promise<{ question: Question; all: Question[] }> {
    const all = await this.repo.questions(trx, consultationId)
    const question = all.find((x) => x.id === questionId)
    if (!question) throw new ConsultationError('CONSULTATION_QUESTION_NOT_FOUND', 'There is no such question')
    return { question, all }
  }

  async addQuestion(ctx: ActionContext, consultationId: string, input: QuestionInput): Promise<Question> {
    await this.getForManager(ctx, consultationId)
    const fields = this.validateQuestion(input)
    return inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      if ((await this.repo.questions(trx, consultationId)).length >= 200)
        throw new ConsultationError('CONSULTATION_QUESTION_INVALID', 'A questionnaire has at most 200 questions', {
          fields: { title: 'consultations.question.error.tooMany' },
        })
      const question = await this.repo.insertQuestion(trx, consultationId, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-added',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId: question.id, type: question.type, title: question.title, required: question.required },
      })
      return question
    })
  }

  async updateQuestion(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    input: QuestionInput,
  ): Promise<Question> {
    await this.getForManager(ctx, consultationId)
    const fields = this.validateQuestion(input)
    return inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      await this.questionOf(trx, consultationId, questionId)
      const question = await this.repo.updateQuestion(trx, questionId, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-updated',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId, type: question.type, title: question.title, required: question.required },
      })
      return question
    })
  }

  async moveQuestion(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    direction: 'up' | 'down',
  ): Promise<void> {
    await this.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      const { all } = await this.questionOf(trx, consultationId, questionId)
      const ids = all.map((x) => x.id)
      const from = ids.indexOf(questionId)
      const to = direction === 'up' ? from - 1 : from + 1
      if (to < 0 || to >= ids.length) return
      ids.splice(from, 1)
      ids.splice(to, 0, questionId)
      await this.repo.setPositions(trx, ids)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-moved',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId, from: from + 1, to: to + 1 },
      })
    })
  }

  async removeQuestion(ctx: ActionContext, consultationId: string, questionId: string): Promise<void> {
    await this.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      const { question, all } = await this.questionOf(trx, consultationId, questionId)
      await this.repo.deleteQuestion(trx, questionId)
      await this.repo.setPositions(
        trx,
        all.filter((x) => x.id !== questionId).map((x) => x.id),
      )
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-removed',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId, title: question.title },
      })
    })
  }

  // --- the lifecycle ---

  /** Records the status the dates give for every published consultation whose status is behind; run by the job. */
  async recordStatusChanges(now: Date = new Date()): Promise<number> {
    let changed = 0
    for (const c of await this.repo.dueForStatusChange(this.db, now)) {
      const to = statusAt(c, now)
      await inTransaction(this.db, async (trx) => {
        // Only the worker that makes the change records it, so two workers never audit it twice.
        if (!(await this.repo.setStatus(trx, c.id, c.recordedStatus, to))) return
        changed++
        await this.kernel.audit.record(trx, systemContext('consultations.open-close'), {
          action:
            to === 'open'
              ? 'consultation.opened'
              : to === 'closed'
                ? 'consultation.closed'
                : 'consultation.status-changed',
          organisationId: c.organisationId,
          targetType: 'consultation',
          targetId: c.id,
          details: { from: c.recordedStatus, to },
        })
      })
    }
    return changed
  }

  // --- responding ---

  /** Refuses unless the consultation is open now. */
  private assertOpen(c: Consultation): void {
    const status = statusAt(c)
    if (status === 'draft') throw notFound()
    if (status === 'forthcoming')
      throw new ConsultationError('CONSULTATION_NOT_OPEN', 'This consultation is not open for responses yet')
    if (status === 'closed') throw new ConsultationError('CONSULTATION_CLOSED', 'This consultation has closed')
  }

  /** An open consultation and its questions, for the response pages. */
  async getOpen(id: string): Promise<WithOrganisation & { questions: Question[] }> {
    const found = await this.getPublished(id)
    this.assertOpen(found.consultation)
    return found
  }

  /** The draft behind a cookie's id, if it is for this consultation. */
  async draftFor(consultationId: string, draftId: string | undefined): Promise<ResponseDraft | null> {
    if (!draftId || draftId.length > 100) return null
    const draft = await this.repo.draft(this.db, draftHash(draftId))
    return draft && draft.consultationId === consultationId ? draft : null
  }

  /**
   * Keeps the answers (checked or not) with the draft, and reports problems. Returns the draft id
   * to keep in the cookie: a new one when there was no draft yet.
   */
  async saveAnswers(
    consultationId: string,
    draftId: string | undefined,
    raw: Record<string, string | string[] | undefined>,
  ): Promise<{ draftId: string; answers: Answers; errors: Record<string, string> }> {
    const { consultation, questions } = await this.getOpen(consultationId)
    const { answers, errors } = checkAnswers(questions, raw)
    const existing = await this.draftFor(consultationId, draftId)
    const id = existing && draftId ? draftId : newDraftId()
    await this.repo.saveDraft(this.db, draftHash(id), consultation.id, { answers })
    return { draftId: id, answers, errors }
  }

  async saveRespondent(
    consultationId: string,
    draftId: string | undefined,
    input: RespondentInput,
  ): Promise<{ errors: Record<string, string>; respondent: RespondentInfo | null }> {
    await this.getOpen(consultationId)
    const draft = await this.draftFor(consultationId, draftId)
    if (!draft || !draftId)
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'Answer the questions first')
    const { respondent, errors } = checkRespondent(input)
    if (respondent) await this.repo.saveDraft(this.db, draft.idHash, consultationId, { respondent })
    return { respondent, errors }
  }

  /** The draft ready for "Check your answers", or an error saying which step is missing. */
  async readyDraft(
    consultationId: string,
    draftId: string | undefined,
  ): Promise<{
    draft: ResponseDraft & { respondent: RespondentInfo }
    found: WithOrganisation & { questions: Question[] }
  }> {
    const found = await this.getOpen(consultationId)
    const draft = await this.draftFor(consultationId, draftId)
    if (!draft || !answersComplete(found.questions, draft.answers))
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.answers')
    if (!draft.respondent)
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.respondent')
    return { draft: { ...draft, respondent: draft.respondent }, found }
  }

  /**
   * Records the response once: submitting the same draft again (a double click, a retry) gives
   * back the response already recorded.
   */
  async submit(ctx: ActionContext, consultationId: string, draftId: string | undefined): Promise<ConsultationResponse> {
    if (!draftId || draftId.length > 100)
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.answers')
    const hash = draftHash(draftId)
    const already = await this.repo.responseByDraft(this.db, hash)
    if (already && already.consultationId === consultationId) return already
    const { draft, found } = await this.readyDraft(consultationId, draftId)
    // Only answers to the current questions are kept, in their cleaned form.
    const { answers } = checkAnswers(found.questions, draft.answers)
    return inTransaction(this.db, async (trx) => {
      const { response, created } = await this.repo.insertResponse(trx, {
        consultationId,
        reference: newReference(),
        draftHash: hash,
        answers,
        respondent: draft.respondent,
      })
      if (created) {
        await this.repo.deleteDraft(trx, hash)
        await this.kernel.audit.record(trx, ctx, {
          action: 'consultation.response-submitted',
          organisationId: found.organisation.id,
          targetType: 'consultation',
          targetId: consultationId,
          details: { reference: response.reference, channel: response.channel },
        })
      }
      return response
    })
  }

  /** Abandoned drafts hold personal data: they are deleted a month after their last change. */
  async purgeAbandonedDrafts(now: Date = new Date()): Promise<number> {
    return this.repo.purgeDrafts(this.db, new Date(now.getTime() - DRAFT_DAYS * 86_400_000))
  }

  /** The response this browser submitted, for the confirmation page. */
  async submittedResponse(consultationId: string, draftId: string | undefined): Promise<ConsultationResponse | null> {
    if (!draftId || draftId.length > 100) return null
    const response = await this.repo.responseByDraft(this.db, draftHash(draftId))
    return response && response.consultationId === consultationId ? response : null
  }

  // --- staff: responses ---

  async responsesPage(
    ctx: ActionContext,
    id: string,
    pageQuery: { page?: number | string | undefined; pageSize?: number | string | undefined },
    scope?: string,
  ): Promise<{ found: WithOrganisation & { questions: Question[] }; page: Page<ConsultationResponse> }> {
    const found = await this.getForReader(ctx, id, scope)
    const { page, pageSize, offset } = clampPage(pageQuery.page, pageQuery.pageSize ?? 50, 500)
    const [items, total] = [
      await this.repo.responses(this.db, id, { limit: pageSize, offset }),
      await this.repo.countResponses(this.db, id),
    ]
    return { found, page: toPage(items, total, page, pageSize) }
  }

  /** Every response in submission order, read in batches (keyset), for downloads of any size. */
  async *allResponses(ctx: ActionContext, id: string, scope?: string): AsyncGenerator<ConsultationResponse> {
    await this.getForReader(ctx, id, scope)
    let after: { submittedAt: Date; id: string } | undefined
    for (;;) {
      const batch = await this.repo.responses(this.db, id, { limit: 500, ...(after ? { after } : {}) })
      yield* batch
      const last = batch[batch.length - 1]
      if (!last || batch.length < 500) return
      after = { submittedAt: last.submittedAt, id: last.id }
    }
  }
}

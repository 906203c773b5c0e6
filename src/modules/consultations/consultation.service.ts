// The rules of consultations: who may create and change them, the questionnaire, publication,
// the lifecycle, and responding. Every change and its audit entry commit together.
import { randomInt } from 'node:crypto'
import type { Kernel } from '../../platform/kernel.js'
import type { ActionContext, Principal } from '../../platform/auth/principal.js'
import { actingAccountId, systemContext } from '../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal, rolesIn } from '../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../platform/accounts/roles.js'
import { inTransaction } from '../../platform/db/transaction.js'
import type { Organisation } from '../../platform/organisations/organisation.service.js'
import { clampPage, toPage, type Page } from '../../shared/pagination.js'
import { randomToken, sha256 } from '../../shared/crypto.js'
import { formatDateTime } from '../../shared/dates.js'
import { DOCUMENT_EXTENSIONS, type StoredFile } from '../../platform/files/file.service.js'
import type { Upload } from '../../platform/files/uploads.plugin.js'
import { answersAsText } from './consultation.presenter.js'
import {
  ConsultationRepository,
  type ConsultationFields,
  type Executor,
  type QuestionFields,
  type SectionFields,
} from './consultation.repository.js'
import { ConsultationError, assertValid, notFound } from './consultation.errors.js'
import { DomainError } from '../../platform/errors/domain-error.js'
import { londonToInstant, statusAt } from './consultation.dates.js'
import {
  LONG_TEXT_CEILING,
  LONG_TEXT_DEFAULT_MAX,
  checkAnswers,
  ANSWER_FILE_EXTENSIONS,
  ANSWER_FILE_MAX_BYTES,
  checkRespondent,
  fileNameKey,
  isEmail,
  otherKey,
  type RawAnswer,
  type RespondentInput,
} from './consultation.answers.js'
import {
  conditionSources,
  groupQuestions,
  orderQuestions,
  pagesOf,
  pruneAnswers,
  visibleQuestions,
  type QuestionPage,
} from './consultation.questionnaire.js'
import {
  pagingModes,
  questionTypes,
  type PagingMode,
  type QuestionCondition,
  type Section,
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
  /** a section's id, or '' for none */
  section?: string
  /** choice grid: its rows, one a line */
  rows?: string
  /** multiple choice: 'yes' offers "Other, please specify" */
  allowOther?: string
  /** number: the smallest and largest acceptable answers, or '' */
  minValue?: string
  maxValue?: string
  /** '<question id>|<option number>' of an earlier choice question, or '' to always show it */
  condition?: string
}

export type SectionInput = { title: string; intro: string }

export type WithOrganisation = { consultation: Consultation; organisation: Organisation; status: ConsultationStatus }
/** A consultation with its questionnaire: sections in order, and every question in the order a respondent meets it. */
export type WithQuestionnaire = WithOrganisation & { questions: Question[]; sections: Section[] }

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
export const resumeHash = (token: string) => sha256(`consultation-resume:${token}`)
/** how long an emailed link to come back to a response works */
export const RESUME_DAYS = DRAFT_DAYS

const documentOwner = (consultationId: string) => `consultations.document:${consultationId}`
/** Files given as answers belong to the consultation until the response is analysed. */
export const answerFileOwner = (consultationId: string) => `consultations.answer:${consultationId}`

const accountOf = (ctx: ActionContext): string | null =>
  ctx.principal && ctx.principal.via === 'session' ? ctx.principal.accountId : null

/** A decimal number a manager typed, or undefined when it is not one. */
function decimal(raw: string): number | null | undefined {
  const v = raw.trim().replace(/,/g, '')
  if (v === '') return null
  return /^-?\d{1,12}(\.\d{1,6})?$/.test(v) ? Number(v) : undefined
}

function lines(raw: string): string[] {
  return raw
    .split(/\r?\n/)
    .map((o) => o.trim().replace(/\s+/g, ' '))
    .filter((o) => o !== '')
}

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

  private async questionnaire(executor: Executor, id: string): Promise<{ questions: Question[]; sections: Section[] }> {
    const sections = await this.repo.sections(executor, id)
    return { questions: orderQuestions(await this.repo.questions(executor, id), sections), sections }
  }

  /** A published consultation, as the public sees it; drafts are not found. */
  async getPublished(id: string): Promise<WithQuestionnaire> {
    const consultation = await this.repo.get(this.db, id)
    if (!consultation || !consultation.publishedAt) throw notFound()
    return { ...(await this.withOrganisation(consultation)), ...(await this.questionnaire(this.db, id)) }
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
  async getForManager(ctx: ActionContext, id: string): Promise<WithQuestionnaire & { responseCount: number }> {
    const consultation = await this.repo.get(this.db, id)
    if (!consultation) throw notFound()
    requireOrganisationRole(ctx, consultation.organisationId, MANAGER_ROLES)
    return {
      ...(await this.withOrganisation(consultation)),
      ...(await this.questionnaire(this.db, id)),
      responseCount: await this.repo.countResponses(this.db, id),
    }
  }

  /** The consultation, if this person may read its responses (managers and analysts of its body). */
  async getForReader(ctx: ActionContext, id: string, scope?: string): Promise<WithQuestionnaire> {
    const consultation = await this.repo.get(this.db, id)
    if (!consultation) throw notFound()
    requireOrganisationRole(ctx, consultation.organisationId, READER_ROLES, scope)
    return { ...(await this.withOrganisation(consultation)), ...(await this.questionnaire(this.db, id)) }
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
      const created = await this.repo.insert(trx, fields, actingAccountId(principal))
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

  private validateQuestion(
    input: QuestionInput,
    context: { questions: Question[]; sections: Section[]; questionId: string | null },
  ): QuestionFields {
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
    if (type === 'single-choice' || type === 'multiple-choice' || type === 'choice-grid') {
      options = lines(input.options)
      const most = type === 'choice-grid' ? 10 : 50
      if (options.length < 2) errors.options = 'consultations.question.error.optionsTooFew'
      else if (options.length > most)
        errors.options =
          type === 'choice-grid'
            ? 'consultations.question.error.columnsTooMany'
            : 'consultations.question.error.optionsTooMany'
      else if (options.some((o) => o.length > 200)) errors.options = 'consultations.question.error.optionTooLong'
      else if (new Set(options.map((o) => o.toLowerCase())).size !== options.length)
        errors.options = 'consultations.question.error.optionsRepeated'
    }
    let rows: string[] = []
    if (type === 'choice-grid') {
      rows = lines(input.rows ?? '')
      if (rows.length < 1) errors.rows = 'consultations.question.error.rowsTooFew'
      else if (rows.length > 30) errors.rows = 'consultations.question.error.rowsTooMany'
      else if (rows.some((o) => o.length > 200)) errors.rows = 'consultations.question.error.rowTooLong'
      else if (new Set(rows.map((o) => o.toLowerCase())).size !== rows.length)
        errors.rows = 'consultations.question.error.rowsRepeated'
    }
    let minValue: number | null = null
    let maxValue: number | null = null
    if (type === 'number') {
      const min = decimal(input.minValue ?? '')
      const max = decimal(input.maxValue ?? '')
      if (min === undefined) errors.minValue = 'consultations.question.error.minValue'
      else minValue = min
      if (max === undefined) errors.maxValue = 'consultations.question.error.maxValue'
      else maxValue = max
      if (minValue !== null && maxValue !== null && minValue > maxValue)
        errors.maxValue = 'consultations.question.error.maxBelowMin'
    }
    const sectionRaw = (input.section ?? '').trim()
    const sectionId = sectionRaw === '' ? null : sectionRaw
    if (sectionId !== null && !context.sections.some((x) => x.id === sectionId))
      errors.section = 'consultations.question.error.section'
    let condition: QuestionCondition | null = null
    const conditionRaw = (input.condition ?? '').trim()
    if (conditionRaw !== '') {
      // The condition must be on a choice question that comes before this one where it will stand.
      const existing = context.questionId ? context.questions.find((x) => x.id === context.questionId) : undefined
      const placed: Question = {
        ...(existing ?? ({} as Question)),
        id: context.questionId ?? 'new',
        sectionId,
        position:
          existing && existing.sectionId === sectionId
            ? existing.position
            : Math.max(0, ...context.questions.map((x) => x.position)) + 1,
      }
      const order = orderQuestions([...context.questions.filter((x) => x.id !== placed.id), placed], context.sections)
      const [sourceId, index] = conditionRaw.split('|')
      const source = conditionSources(order, placed.id).find((x) => x.id === sourceId)
      const value = source?.options[Number(index) - 1]
      if (!source || value === undefined || !/^\d{1,3}$/.test(index ?? ''))
        errors.condition = 'consultations.question.error.condition'
      else condition = { questionId: source.id, value }
    }
    assertValid('CONSULTATION_QUESTION_INVALID', errors, 'Check the question')
    return {
      type,
      title,
      hint,
      required: input.required === 'yes',
      maxLength,
      options,
      sectionId,
      rows,
      allowOther: type === 'multiple-choice' && input.allowOther === 'yes',
      minValue,
      maxValue,
      condition,
    }
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
  ): Promise<{ question: Question; all: Question[]; sections: Section[] }> {
    const { questions: all, sections } = await this.questionnaire(trx, consultationId)
    const question = all.find((x) => x.id === questionId)
    if (!question) throw new ConsultationError('CONSULTATION_QUESTION_NOT_FOUND', 'There is no such question')
    return { question, all, sections }
  }

  /** Conditions that no longer hold (their question gone, moved after, or its answer removed) are dropped. */
  private async dropBrokenConditions(trx: Executor, consultationId: string): Promise<void> {
    const { questions } = await this.questionnaire(trx, consultationId)
    for (const q of questions) {
      if (!q.condition) continue
      const source = conditionSources(questions, q.id).find((x) => x.id === q.condition!.questionId)
      if (!source || !source.options.includes(q.condition.value)) await this.repo.setCondition(trx, q.id, null)
    }
  }

  async addQuestion(ctx: ActionContext, consultationId: string, input: QuestionInput): Promise<Question> {
    await this.getForManager(ctx, consultationId)
    return inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      const current = await this.questionnaire(trx, consultationId)
      const fields = this.validateQuestion(input, { ...current, questionId: null })
      if (current.questions.length >= 200)
        throw new ConsultationError('CONSULTATION_QUESTION_INVALID', 'A questionnaire has at most 200 questions', {
          fields: { title: 'consultations.question.error.tooMany' },
        })
      const question = await this.repo.insertQuestion(trx, consultationId, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-added',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: {
          questionId: question.id,
          type: question.type,
          title: question.title,
          required: question.required,
          sectionId: question.sectionId,
          condition: question.condition,
        },
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
    return inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      const { question: before, all, sections } = await this.questionOf(trx, consultationId, questionId)
      const fields = this.validateQuestion(input, { questions: all, sections, questionId })
      let question = await this.repo.updateQuestion(trx, questionId, fields)
      if (before.sectionId !== question.sectionId) {
        // A question moved to another section goes to its end.
        await this.repo.setPositions(trx, [...all.filter((x) => x.id !== questionId).map((x) => x.id), questionId])
        question = (await this.questionOf(trx, consultationId, questionId)).question
      }
      await this.dropBrokenConditions(trx, consultationId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-updated',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: {
          questionId,
          type: question.type,
          title: question.title,
          required: question.required,
          sectionId: question.sectionId,
          condition: question.condition,
        },
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
      const { question, all } = await this.questionOf(trx, consultationId, questionId)
      // Questions move within their section; the edit page moves one to another section.
      const ids = all.map((x) => x.id)
      const from = ids.indexOf(questionId)
      const to = direction === 'up' ? from - 1 : from + 1
      const neighbour = all[to]
      if (!neighbour || neighbour.sectionId !== question.sectionId) return
      ids.splice(from, 1)
      ids.splice(to, 0, questionId)
      await this.repo.setPositions(trx, ids)
      await this.dropBrokenConditions(trx, consultationId)
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
      await this.dropBrokenConditions(trx, consultationId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.question-removed',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId, title: question.title },
      })
    })
  }

  // --- staff: sections and paging ---

  private validateSection(input: SectionInput): SectionFields {
    const errors: Record<string, string> = {}
    const title = input.title.trim().replace(/\s+/g, ' ')
    const intro = input.intro.replace(/\r\n/g, '\n').trim()
    if (title === '') errors.title = 'consultations.section.error.title'
    else if (title.length > 200) errors.title = 'consultations.section.error.titleTooLong'
    if (intro.length > 2000) errors.intro = 'consultations.section.error.introTooLong'
    assertValid('CONSULTATION_QUESTION_INVALID', errors, 'Check the section')
    return { title, intro }
  }

  private async sectionOf(trx: Executor, consultationId: string, sectionId: string) {
    const sections = await this.repo.sections(trx, consultationId)
    const section = sections.find((x) => x.id === sectionId)
    if (!section) throw new ConsultationError('CONSULTATION_QUESTION_NOT_FOUND', 'There is no such section')
    return { section, sections }
  }

  async addSection(ctx: ActionContext, consultationId: string, input: SectionInput): Promise<Section> {
    await this.getForManager(ctx, consultationId)
    const fields = this.validateSection(input)
    return inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      if ((await this.repo.sections(trx, consultationId)).length >= 50)
        throw new ConsultationError('CONSULTATION_QUESTION_INVALID', 'A questionnaire has at most 50 sections', {
          fields: { title: 'consultations.section.error.tooMany' },
        })
      const section = await this.repo.insertSection(trx, consultationId, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.section-added',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { sectionId: section.id, title: section.title },
      })
      return section
    })
  }

  async updateSection(
    ctx: ActionContext,
    consultationId: string,
    sectionId: string,
    input: SectionInput,
  ): Promise<Section> {
    await this.getForManager(ctx, consultationId)
    const fields = this.validateSection(input)
    return inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      await this.sectionOf(trx, consultationId, sectionId)
      const section = await this.repo.updateSection(trx, sectionId, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.section-updated',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { sectionId, title: section.title },
      })
      return section
    })
  }

  async moveSection(
    ctx: ActionContext,
    consultationId: string,
    sectionId: string,
    direction: 'up' | 'down',
  ): Promise<void> {
    await this.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      const { sections } = await this.sectionOf(trx, consultationId, sectionId)
      const ids = sections.map((x) => x.id)
      const from = ids.indexOf(sectionId)
      const to = direction === 'up' ? from - 1 : from + 1
      if (to < 0 || to >= ids.length) return
      ids.splice(from, 1)
      ids.splice(to, 0, sectionId)
      await this.repo.setSectionPositions(trx, ids)
      await this.dropBrokenConditions(trx, consultationId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.section-moved',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { sectionId, from: from + 1, to: to + 1 },
      })
    })
  }

  /** Removes a section; its questions stay, before the first section. */
  async removeSection(ctx: ActionContext, consultationId: string, sectionId: string): Promise<void> {
    await this.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      const { section, sections } = await this.sectionOf(trx, consultationId, sectionId)
      await this.repo.deleteSection(trx, sectionId)
      await this.repo.setSectionPositions(
        trx,
        sections.filter((x) => x.id !== sectionId).map((x) => x.id),
      )
      await this.dropBrokenConditions(trx, consultationId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.section-removed',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { sectionId, title: section.title },
      })
    })
  }

  /** How respondents go through the questionnaire: everything on one page, a section a page, or a question a page. */
  async setPaging(ctx: ActionContext, consultationId: string, paging: string): Promise<void> {
    await this.getForManager(ctx, consultationId)
    if (!(pagingModes as readonly string[]).includes(paging))
      throw new ConsultationError('CONSULTATION_INVALID', 'Choose how the questions are shown', {
        fields: { paging: 'consultations.paging.error' },
      })
    await inTransaction(this.db, async (trx) => {
      const c = await this.editableQuestionnaire(ctx, consultationId, trx)
      if (c.paging === paging) return
      await this.repo.setPaging(trx, consultationId, paging as PagingMode)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.paging-changed',
        organisationId: c.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { from: c.paging, to: paging },
      })
    })
  }

  /**
   * Stores a file given as the answer to a file-upload question of an open consultation: one of the
   * accepted types, at most 10 MB. A refusal names the question's field.
   */
  async storeAnswerFile(
    consultationId: string,
    questionId: string,
    upload: Upload,
  ): Promise<{ id: string; filename: string }> {
    const found = await this.getOpen(consultationId)
    const question = found.questions.find((q) => q.id === questionId && q.type === 'file')
    if (!question) throw new ConsultationError('CONSULTATION_QUESTION_NOT_FOUND', 'There is no such question')
    const field = `q-${questionId}`
    const refuse = (key: string) =>
      new ConsultationError('CONSULTATION_ANSWERS_INVALID', 'The file cannot be taken', { fields: { [field]: key } })
    if (upload.size > ANSWER_FILE_MAX_BYTES) throw refuse('consultations.answer.fileTooBig')
    try {
      const file = await inTransaction(this.db, (trx) =>
        this.kernel.files.store(trx, upload, {
          owner: answerFileOwner(consultationId),
          organisationId: found.organisation.id,
          accept: ANSWER_FILE_EXTENSIONS,
          field,
        }),
      )
      return { id: file.id, filename: file.filename }
    } catch (error) {
      const key = error instanceof DomainError ? error.fields?.[field] : undefined
      if (!key) throw error
      throw refuse(
        key === 'validation.file.empty'
          ? 'consultations.answer.fileEmpty'
          : key === 'validation.file.tooLarge'
            ? 'consultations.answer.fileTooBig'
            : 'consultations.answer.fileType',
      )
    }
  }

  /** A file given as an answer, for the consultation's managers and analysts. */
  async answerFile(
    ctx: ActionContext,
    consultationId: string,
    fileId: string,
  ): Promise<(StoredFile & { content: Buffer }) | null> {
    await this.getForReader(ctx, consultationId)
    const file = await this.kernel.files.get(fileId)
    return file && file.owner === answerFileOwner(consultationId) ? file : null
  }

  // --- supporting documents ---

  /** The consultation's supporting documents, oldest first. */
  async documents(consultationId: string): Promise<StoredFile[]> {
    return this.kernel.files.list(documentOwner(consultationId))
  }

  /** A document of a published consultation, for anyone to download. */
  async publicDocument(consultationId: string, fileId: string): Promise<(StoredFile & { content: Buffer }) | null> {
    await this.getPublished(consultationId)
    const file = await this.kernel.files.get(fileId)
    return file && file.owner === documentOwner(consultationId) ? file : null
  }

  /** A document of a consultation this person manages (drafts included). */
  async managedDocument(
    ctx: ActionContext,
    consultationId: string,
    fileId: string,
  ): Promise<(StoredFile & { content: Buffer }) | null> {
    await this.getForManager(ctx, consultationId)
    const file = await this.kernel.files.get(fileId)
    return file && file.owner === documentOwner(consultationId) ? file : null
  }

  async addDocument(ctx: ActionContext, consultationId: string, upload: Upload | undefined): Promise<StoredFile> {
    const found = await this.getForManager(ctx, consultationId)
    if (!upload)
      throw new ConsultationError('CONSULTATION_INVALID', 'Choose a file', {
        fields: { document: 'consultations.document.error.missing' },
      })
    if ((await this.documents(consultationId)).length >= 50)
      throw new ConsultationError('CONSULTATION_INVALID', 'A consultation has at most 50 documents', {
        fields: { document: 'consultations.document.error.tooMany' },
      })
    return inTransaction(this.db, async (trx) => {
      const file = await this.kernel.files.store(trx, upload, {
        owner: documentOwner(consultationId),
        organisationId: found.organisation.id,
        accept: DOCUMENT_EXTENSIONS,
        field: 'document',
        createdBy: accountOf(ctx),
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.document-added',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { fileId: file.id, filename: file.filename, size: file.size, contentType: file.contentType },
      })
      return file
    })
  }

  async removeDocument(ctx: ActionContext, consultationId: string, fileId: string): Promise<void> {
    const found = await this.getForManager(ctx, consultationId)
    const file = await this.kernel.files.get(fileId)
    if (!file || file.owner !== documentOwner(consultationId))
      throw new ConsultationError('CONSULTATION_NOT_FOUND', 'There is no such document')
    await inTransaction(this.db, async (trx) => {
      await this.kernel.files.remove(trx, fileId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.document-removed',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { fileId, filename: file.filename },
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

  /** An open consultation and its questionnaire, for the response pages. */
  async getOpen(id: string): Promise<WithQuestionnaire> {
    const found = await this.getPublished(id)
    this.assertOpen(found.consultation)
    return found
  }

  /** The pages a respondent goes through with these answers, in the consultation's paging mode. */
  pages(found: WithQuestionnaire, answers: Answers): QuestionPage[] {
    return pagesOf(groupQuestions(found.questions, found.sections), found.consultation.paging, answers)
  }

  /**
   * The pages that may yet be asked, for showing progress: as pages(), but a page that depends on
   * an answer not given yet still counts.
   */
  possiblePages(found: WithQuestionnaire, answers: Answers): QuestionPage[] {
    return pagesOf(groupQuestions(found.questions, found.sections), found.consultation.paging, answers, {
      maybe: true,
    })
  }

  /** The first page with a question still to answer (or answered wrongly), or null when every page is done. */
  firstIncompletePage(found: WithQuestionnaire, answers: Answers): QuestionPage | null {
    const visible = new Set(visibleQuestions(found.questions, answers).map((q) => q.id))
    const { errors } = checkAnswers(
      found.questions.filter((q) => visible.has(q.id)),
      answers,
    )
    return (
      this.pages(found, answers).find((p) => p.questions.some((q) => visible.has(q.id) && errors[`q-${q.id}`])) ?? null
    )
  }

  /** The draft behind a cookie's id, if it is for this consultation. */
  async draftFor(consultationId: string, draftId: string | undefined): Promise<ResponseDraft | null> {
    if (!draftId || draftId.length > 100) return null
    const draft = await this.repo.draft(this.db, draftHash(draftId))
    return draft && draft.consultationId === consultationId ? draft : null
  }

  /**
   * Keeps the answers to one page (checked or not) with the draft, and reports problems with the
   * questions the respondent sees. Answers to questions that a changed answer now skips are
   * dropped. Returns the draft id to keep in the cookie: a new one when there was no draft yet.
   * Without a page key, the first page (everything, when all questions are on one page).
   */
  async saveAnswers(
    consultationId: string,
    draftId: string | undefined,
    raw: Record<string, RawAnswer>,
    options: { pageKey?: string | undefined; ctx?: ActionContext } = {},
  ): Promise<{
    draftId: string
    answers: Answers
    errors: Record<string, string>
    page: QuestionPage
    pages: QuestionPage[]
  }> {
    const found = await this.getOpen(consultationId)
    const existing = await this.draftFor(consultationId, draftId)
    const previous = existing?.answers ?? {}
    const before = this.pages(found, previous)
    const page = options.pageKey === undefined ? before[0] : before.find((p) => p.key === options.pageKey)
    if (!page) throw new ConsultationError('CONSULTATION_QUESTION_NOT_FOUND', 'There is no such page')
    const merged: Answers = { ...previous }
    for (const q of page.questions) {
      delete merged[q.id]
      delete merged[otherKey(q.id)]
      const value = raw[q.id]
      if (value !== undefined) merged[q.id] = value
      const other = raw[otherKey(q.id)]
      if (other !== undefined && other !== '') merged[otherKey(q.id)] = other
    }
    const seen = new Set(visibleQuestions(found.questions, merged).map((q) => q.id))
    const { answers: checked, errors } = checkAnswers(
      page.questions.filter((q) => seen.has(q.id)),
      raw,
    )
    const answers = pruneAnswers(found.questions, { ...merged, ...checked })
    const id = existing && draftId ? draftId : newDraftId()
    const accountId = options.ctx ? accountOf(options.ctx) : null
    await this.repo.saveDraft(this.db, draftHash(id), found.consultation.id, { answers, accountId })
    return { draftId: id, answers, errors, page, pages: this.pages(found, answers) }
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
    found: WithQuestionnaire
    /** the questions the respondent saw, in order */
    visible: Question[]
  }> {
    const found = await this.getOpen(consultationId)
    const draft = await this.draftFor(consultationId, draftId)
    if (!draft || this.firstIncompletePage(found, draft.answers))
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.answers')
    if (!draft.respondent)
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.respondent')
    return {
      draft: { ...draft, respondent: draft.respondent },
      found,
      visible: visibleQuestions(found.questions, draft.answers),
    }
  }

  /**
   * Records the response once: submitting the same draft again (a double click, a retry) gives
   * back the response already recorded. When the respondent gave an email address, a receipt with
   * the reference and a copy of the answers is sent.
   */
  async submit(ctx: ActionContext, consultationId: string, draftId: string | undefined): Promise<ConsultationResponse> {
    if (!draftId || draftId.length > 100)
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.answers')
    const hash = draftHash(draftId)
    const already = await this.repo.responseByDraft(this.db, hash)
    if (already && already.consultationId === consultationId) return already
    const { draft, found, visible } = await this.readyDraft(consultationId, draftId)
    // Only answers to the questions the respondent saw are kept, in their cleaned form.
    const { answers } = checkAnswers(visible, draft.answers)
    return inTransaction(this.db, async (trx) => {
      const { response, created } = await this.repo.insertResponse(trx, {
        consultationId,
        reference: newReference(),
        draftHash: hash,
        answers,
        respondent: draft.respondent,
        accountId: draft.accountId ?? accountOf(ctx),
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
        if (response.respondent.email) {
          const locale = ctx.locale
          const t = this.kernel.i18n.translator(locale)
          await this.kernel.mail.enqueue(trx, {
            to: response.respondent.email,
            template: 'consultations.receipt',
            locale,
            organisationId: found.organisation.id,
            params: {
              title: found.consultation.title,
              organisation:
                locale === 'gd' && found.organisation.nameGd ? found.organisation.nameGd : found.organisation.nameEn,
              reference: response.reference,
              answers: answersAsText(visible, answers, t, locale),
              link: `${this.kernel.config.baseUrl}/consultations/${consultationId}`,
            },
          })
        }
      }
      return response
    })
  }

  /**
   * Saves the draft to come back to later: emails a link to the address given, which works on any
   * device until it expires. Only the link's hash is kept.
   */
  async saveForLater(
    ctx: ActionContext,
    consultationId: string,
    draftId: string | undefined,
    emailInput: string,
  ): Promise<{ email: string; expiresAt: Date }> {
    const found = await this.getOpen(consultationId)
    const draft = await this.draftFor(consultationId, draftId)
    if (!draft)
      throw new ConsultationError('CONSULTATION_RESPONSE_INCOMPLETE', 'consultations.respond.incomplete.answers')
    const email = emailInput.trim()
    if (!isEmail(email))
      throw new ConsultationError('CONSULTATION_RESPONDENT_INVALID', 'Enter an email address', {
        fields: { email: email === '' ? 'consultations.save.error.email' : 'consultations.rif.error.email' },
      })
    const token = randomToken(32)
    const expiresAt = new Date(Date.now() + RESUME_DAYS * 86_400_000)
    const locale = ctx.locale
    await inTransaction(this.db, async (trx) => {
      await this.repo.setResume(trx, draft.idHash, resumeHash(token), expiresAt)
      await this.kernel.mail.enqueue(trx, {
        to: email,
        template: 'consultations.resume',
        locale,
        organisationId: found.organisation.id,
        params: {
          title: found.consultation.title,
          link: `${this.kernel.config.baseUrl}/consultations/${consultationId}/respond/resume/${token}`,
          expires: formatDateTime(expiresAt, locale),
          closes: formatDateTime(found.consultation.closesAt, locale),
        },
      })
    })
    return { email, expiresAt }
  }

  /** Whether an emailed link still restores a draft of this consultation. */
  async canResume(consultationId: string, token: string): Promise<boolean> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return false
    const draft = await this.repo.draftByResumeHash(this.db, resumeHash(token), new Date())
    return draft !== null && draft.consultationId === consultationId
  }

  /**
   * Restores the draft an emailed link points to in this browser: the draft takes a new id, which
   * the caller keeps in the cookie. Null when the link is unknown or has expired.
   */
  async resume(consultationId: string, token: string): Promise<{ draftId: string } | null> {
    await this.getOpen(consultationId)
    if (!(await this.canResume(consultationId, token))) return null
    const draft = await this.repo.draftByResumeHash(this.db, resumeHash(token), new Date())
    if (!draft) return null
    const draftId = newDraftId()
    await this.repo.rekeyDraft(this.db, draft.idHash, draftHash(draftId))
    return { draftId }
  }

  /** Abandoned drafts hold personal data: they are deleted a month after their last change. */
  async purgeAbandonedDrafts(now: Date = new Date()): Promise<number> {
    const cutOff = new Date(now.getTime() - DRAFT_DAYS * 86_400_000)
    // Files given as answers in those drafts go with them.
    for (const draft of await this.repo.staleDraftAnswers(this.db, cutOff))
      for (const [key, value] of Object.entries(draft.answers))
        if (typeof value === 'string' && draft.answers[fileNameKey(key)] !== undefined)
          await this.removeAnswerFile(draft.consultationId, value)
    return this.repo.purgeDrafts(this.db, cutOff)
  }

  /** Deletes a file given as an answer that no response keeps (one replaced, or in an abandoned draft). */
  async removeAnswerFile(consultationId: string, fileId: string): Promise<void> {
    const file = await this.kernel.files.get(fileId)
    if (!file || file.owner !== answerFileOwner(consultationId)) return
    await this.kernel.files.remove(this.db, fileId)
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
  ): Promise<{ found: WithQuestionnaire; page: Page<ConsultationResponse> }> {
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

// All SQL of the consultations module. Takes the database or a transaction from the caller and
// returns domain types, never raw rows.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { CoreDatabase } from '../../platform/db/core.tables.js'
import type { ConsultationTables } from './consultation.tables.js'
import type {
  Answers,
  Consultation,
  ConsultationResponse,
  ConsultationSearch,
  ConsultationStatus,
  Question,
  PagingMode,
  QuestionCondition,
  QuestionType,
  RespondentInfo,
  ResponseDraft,
  Section,
} from './consultation.types.js'

export type Executor = Kysely<CoreDatabase> | Transaction<CoreDatabase>
type Db = Kysely<CoreDatabase & ConsultationTables>

const q = (executor: Executor): Db => executor.withTables<ConsultationTables>()

type ConsultationRow = {
  id: string
  organisation_id: string
  title: string
  summary: string
  body_markdown: string
  opens_at: Date
  closes_at: Date
  published_at: Date | null
  status: string
  paging: string
  created_at: Date
  updated_at: Date
}

/** Exported for discovery/, whose search reads whole rows of this table. */
export function toConsultation(r: ConsultationRow): Consultation {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    title: r.title,
    summary: r.summary,
    bodyMarkdown: r.body_markdown,
    opensAt: new Date(r.opens_at),
    closesAt: new Date(r.closes_at),
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    recordedStatus: r.status as ConsultationStatus,
    paging: (r.paging ?? 'all') as PagingMode,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }
}

function toQuestion(r: {
  id: string
  consultation_id: string
  position: number
  type: string
  title: string
  hint: string
  required: boolean
  max_length: number | null
  options: string[]
  section_id: string | null
  grid_rows: string[]
  allow_other: boolean
  min_value: string | null
  max_value: string | null
  condition: QuestionCondition | null
}): Question {
  return {
    id: r.id,
    consultationId: r.consultation_id,
    position: r.position,
    type: r.type as QuestionType,
    title: r.title,
    hint: r.hint,
    required: r.required,
    maxLength: r.max_length,
    options: Array.isArray(r.options) ? r.options : [],
    sectionId: r.section_id,
    rows: Array.isArray(r.grid_rows) ? r.grid_rows : [],
    allowOther: r.allow_other,
    minValue: r.min_value === null ? null : Number(r.min_value),
    maxValue: r.max_value === null ? null : Number(r.max_value),
    condition: r.condition && typeof r.condition.questionId === 'string' ? r.condition : null,
  }
}

function toSection(r: {
  id: string
  consultation_id: string
  position: number
  title: string
  intro: string
}): Section {
  return { id: r.id, consultationId: r.consultation_id, position: r.position, title: r.title, intro: r.intro }
}

type ResponseRow = {
  id: string
  consultation_id: string
  reference: string
  channel: string
  answers: Record<string, string | string[]>
  respondent_type: string
  respondent_name: string
  respondent_organisation: string | null
  email: string | null
  publication: string
  may_contact: boolean
  submitted_at: Date
}

function toResponse(r: ResponseRow): ConsultationResponse {
  return {
    id: r.id,
    consultationId: r.consultation_id,
    reference: r.reference,
    channel: r.channel as ConsultationResponse['channel'],
    answers: r.answers,
    respondent: {
      respondentType: r.respondent_type as RespondentInfo['respondentType'],
      name: r.respondent_name,
      organisationName: r.respondent_organisation ?? '',
      email: r.email ?? '',
      publication: r.publication as RespondentInfo['publication'],
      mayContact: r.may_contact,
    },
    submittedAt: new Date(r.submitted_at),
  }
}

export type ConsultationFields = {
  organisationId: string
  title: string
  summary: string
  bodyMarkdown: string
  opensAt: Date
  closesAt: Date
}
export type QuestionFields = {
  type: QuestionType
  title: string
  hint: string
  required: boolean
  maxLength: number | null
  options: string[]
  sectionId: string | null
  rows: string[]
  allowOther: boolean
  minValue: number | null
  maxValue: number | null
  condition: QuestionCondition | null
}
export type SectionFields = { title: string; intro: string }

const questionColumns = (fields: QuestionFields) => ({
  type: fields.type,
  title: fields.title,
  hint: fields.hint,
  required: fields.required,
  max_length: fields.maxLength,
  options: JSON.stringify(fields.options),
  section_id: fields.sectionId,
  grid_rows: JSON.stringify(fields.rows),
  allow_other: fields.allowOther,
  min_value: fields.minValue,
  max_value: fields.maxValue,
  condition: fields.condition ? JSON.stringify(fields.condition) : null,
})

/** Escapes LIKE's wildcards so a search for "50%" finds "50%". */
const likeTerm = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export class ConsultationRepository {
  // --- consultations ---

  async insert(executor: Executor, fields: ConsultationFields, createdBy: string | null): Promise<Consultation> {
    const row = await q(executor)
      .insertInto('consultations.consultation')
      .values({
        organisation_id: fields.organisationId,
        title: fields.title,
        summary: fields.summary,
        body_markdown: fields.bodyMarkdown,
        opens_at: fields.opensAt,
        closes_at: fields.closesAt,
        created_by: createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toConsultation(row)
  }

  async update(executor: Executor, id: string, fields: ConsultationFields): Promise<Consultation> {
    const row = await q(executor)
      .updateTable('consultations.consultation')
      .set({
        organisation_id: fields.organisationId,
        title: fields.title,
        summary: fields.summary,
        body_markdown: fields.bodyMarkdown,
        opens_at: fields.opensAt,
        closes_at: fields.closesAt,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toConsultation(row)
  }

  async publish(executor: Executor, id: string, status: ConsultationStatus): Promise<Consultation> {
    const row = await q(executor)
      .updateTable('consultations.consultation')
      .set({ published_at: new Date(), status, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toConsultation(row)
  }

  async setStatus(executor: Executor, id: string, from: ConsultationStatus, to: ConsultationStatus): Promise<boolean> {
    const result = await q(executor)
      .updateTable('consultations.consultation')
      .set({ status: to })
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  /** The row locked for the rest of the transaction, so concurrent changes to one consultation queue up. */
  async get(executor: Executor, id: string, options: { lock?: boolean } = {}): Promise<Consultation | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = q(executor).selectFrom('consultations.consultation').selectAll().where('id', '=', id)
    if (options.lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    return row ? toConsultation(row) : null
  }

  /** Published consultations whose recorded status differs from what the dates say now. */
  async dueForStatusChange(executor: Executor, now: Date): Promise<Consultation[]> {
    const rows = await q(executor)
      .selectFrom('consultations.consultation')
      .selectAll()
      .where('published_at', 'is not', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '!=', 'forthcoming'), eb('opens_at', '>', now)]),
          eb.and([eb('status', '!=', 'open'), eb('opens_at', '<=', now), eb('closes_at', '>', now)]),
          eb.and([eb('status', '!=', 'closed'), eb('closes_at', '<=', now)]),
        ]),
      )
      .orderBy('closes_at')
      .limit(500)
      .execute()
    return rows.map(toConsultation)
  }

  /** Published consultations for the public list; the status filter is computed from the dates at `now`. */
  async searchPublished(
    executor: Executor,
    search: ConsultationSearch,
    now: Date,
    limit: number,
    offset: number,
  ): Promise<{ items: Consultation[]; total: number }> {
    let query = q(executor).selectFrom('consultations.consultation').where('published_at', 'is not', null)
    if (search.organisationId) query = query.where('organisation_id', '=', search.organisationId)
    if (search.status === 'forthcoming') query = query.where('opens_at', '>', now)
    if (search.status === 'open') query = query.where('opens_at', '<=', now).where('closes_at', '>', now)
    if (search.status === 'closed') query = query.where('closes_at', '<=', now)
    const term = search.q?.trim()
    if (term)
      query = query.where((eb) => eb.or([eb('title', 'ilike', likeTerm(term)), eb('summary', 'ilike', likeTerm(term))]))
    const rows = await query
      .selectAll()
      // open first (closing soonest), then forthcoming (opening soonest), then closed (latest first)
      .orderBy(sql`case when opens_at <= ${now} and closes_at > ${now} then 0 when opens_at > ${now} then 1 else 2 end`)
      .orderBy(sql`case when closes_at > ${now} then closes_at end`, 'asc')
      .orderBy('closes_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute()
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

  /** Every consultation of these bodies, drafts included, newest first. */
  async listForOrganisations(executor: Executor, organisationIds: string[] | 'all'): Promise<Consultation[]> {
    if (organisationIds !== 'all' && organisationIds.length === 0) return []
    let query = q(executor).selectFrom('consultations.consultation').selectAll()
    if (organisationIds !== 'all') query = query.where('organisation_id', 'in', organisationIds)
    const rows = await query.orderBy('created_at', 'desc').limit(500).execute()
    return rows.map(toConsultation)
  }

  // --- questions ---

  async questions(executor: Executor, consultationId: string): Promise<Question[]> {
    const rows = await q(executor)
      .selectFrom('consultations.question')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('position')
      .orderBy('created_at')
      .execute()
    return rows.map(toQuestion)
  }

  async insertQuestion(executor: Executor, consultationId: string, fields: QuestionFields): Promise<Question> {
    const next = await q(executor)
      .selectFrom('consultations.question')
      .select((eb) => eb.fn.coalesce(eb.fn.max('position'), sql<number>`0`).as('max'))
      .where('consultation_id', '=', consultationId)
      .executeTakeFirstOrThrow()
    const row = await q(executor)
      .insertInto('consultations.question')
      .values({
        consultation_id: consultationId,
        position: Number(next.max) + 1,
        ...questionColumns(fields),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toQuestion(row)
  }

  async updateQuestion(executor: Executor, id: string, fields: QuestionFields): Promise<Question> {
    const row = await q(executor)
      .updateTable('consultations.question')
      .set({ ...questionColumns(fields), updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toQuestion(row)
  }

  async setCondition(executor: Executor, id: string, condition: QuestionCondition | null): Promise<void> {
    await q(executor)
      .updateTable('consultations.question')
      .set({ condition: condition ? JSON.stringify(condition) : null, updated_at: new Date() })
      .where('id', '=', id)
      .execute()
  }

  async deleteQuestion(executor: Executor, id: string): Promise<void> {
    await q(executor).deleteFrom('consultations.question').where('id', '=', id).execute()
  }

  /** Renumbers the questionnaire 1..n in the given order. */
  async setPositions(executor: Executor, orderedIds: string[]): Promise<void> {
    for (const [index, id] of orderedIds.entries()) {
      await q(executor)
        .updateTable('consultations.question')
        .set({ position: index + 1 })
        .where('id', '=', id)
        .execute()
    }
  }

  async setPaging(executor: Executor, id: string, paging: PagingMode): Promise<void> {
    await q(executor)
      .updateTable('consultations.consultation')
      .set({ paging, updated_at: new Date() })
      .where('id', '=', id)
      .execute()
  }

  // --- sections ---

  async sections(executor: Executor, consultationId: string): Promise<Section[]> {
    const rows = await q(executor)
      .selectFrom('consultations.section')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('position')
      .orderBy('created_at')
      .execute()
    return rows.map(toSection)
  }

  async insertSection(executor: Executor, consultationId: string, fields: SectionFields): Promise<Section> {
    const next = await q(executor)
      .selectFrom('consultations.section')
      .select((eb) => eb.fn.coalesce(eb.fn.max('position'), sql<number>`0`).as('max'))
      .where('consultation_id', '=', consultationId)
      .executeTakeFirstOrThrow()
    const row = await q(executor)
      .insertInto('consultations.section')
      .values({ consultation_id: consultationId, position: Number(next.max) + 1, ...fields })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toSection(row)
  }

  async updateSection(executor: Executor, id: string, fields: SectionFields): Promise<Section> {
    const row = await q(executor)
      .updateTable('consultations.section')
      .set({ ...fields, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toSection(row)
  }

  async deleteSection(executor: Executor, id: string): Promise<void> {
    await q(executor).deleteFrom('consultations.section').where('id', '=', id).execute()
  }

  async setSectionPositions(executor: Executor, orderedIds: string[]): Promise<void> {
    for (const [index, id] of orderedIds.entries()) {
      await q(executor)
        .updateTable('consultations.section')
        .set({ position: index + 1 })
        .where('id', '=', id)
        .execute()
    }
  }

  /** Moves questions to a section (or out of every section), keeping their positions. */
  async setQuestionSection(executor: Executor, questionId: string, sectionId: string | null): Promise<void> {
    await q(executor)
      .updateTable('consultations.question')
      .set({ section_id: sectionId, updated_at: new Date() })
      .where('id', '=', questionId)
      .execute()
  }

  // --- drafts of responses ---

  async draft(executor: Executor, idHash: string): Promise<ResponseDraft | null> {
    const row = await q(executor)
      .selectFrom('consultations.response_draft')
      .selectAll()
      .where('id_hash', '=', idHash)
      .executeTakeFirst()
    if (!row) return null
    return {
      idHash: row.id_hash,
      consultationId: row.consultation_id,
      answers: row.answers,
      respondent: row.respondent as RespondentInfo | null,
      accountId: row.account_id,
    }
  }

  /** The draft an emailed link resumes, while the link has not expired. */
  async draftByResumeHash(executor: Executor, resumeHash: string, now: Date): Promise<ResponseDraft | null> {
    const row = await q(executor)
      .selectFrom('consultations.response_draft')
      .select('id_hash')
      .where('resume_hash', '=', resumeHash)
      .where('resume_expires_at', '>', now)
      .executeTakeFirst()
    return row ? this.draft(executor, row.id_hash) : null
  }

  async setResume(executor: Executor, idHash: string, resumeHash: string, expiresAt: Date): Promise<void> {
    await q(executor)
      .updateTable('consultations.response_draft')
      .set({ resume_hash: resumeHash, resume_expires_at: expiresAt, updated_at: new Date() })
      .where('id_hash', '=', idHash)
      .execute()
  }

  /** Gives the draft a new key (the browser that resumed it holds the new id). */
  async rekeyDraft(executor: Executor, fromHash: string, toHash: string): Promise<void> {
    await q(executor)
      .updateTable('consultations.response_draft')
      .set({ id_hash: toHash, updated_at: new Date() })
      .where('id_hash', '=', fromHash)
      .execute()
  }

  async saveDraft(
    executor: Executor,
    idHash: string,
    consultationId: string,
    change: { answers?: Answers; respondent?: RespondentInfo; accountId?: string | null },
  ): Promise<void> {
    const answers = change.answers ? JSON.stringify(change.answers) : undefined
    const respondent = change.respondent ? JSON.stringify(change.respondent) : undefined
    await q(executor)
      .insertInto('consultations.response_draft')
      .values({
        id_hash: idHash,
        consultation_id: consultationId,
        answers: answers ?? '{}',
        respondent: respondent ?? null,
        account_id: change.accountId ?? null,
      })
      .onConflict((oc) =>
        oc.column('id_hash').doUpdateSet({
          ...(answers !== undefined ? { answers } : {}),
          ...(respondent !== undefined ? { respondent } : {}),
          ...(change.accountId ? { account_id: change.accountId } : {}),
          updated_at: new Date(),
        }),
      )
      .execute()
  }

  /** Deletes drafts nobody has touched since the cut-off; returns how many. */
  async purgeDrafts(executor: Executor, untouchedSince: Date): Promise<number> {
    const result = await q(executor)
      .deleteFrom('consultations.response_draft')
      .where('updated_at', '<', untouchedSince)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  /** The answers of drafts nobody has touched since the cut-off, with their consultation. */
  async staleDraftAnswers(
    executor: Executor,
    untouchedSince: Date,
  ): Promise<{ consultationId: string; answers: Answers }[]> {
    const rows = await q(executor)
      .selectFrom('consultations.response_draft')
      .select(['consultation_id', 'answers'])
      .where('updated_at', '<', untouchedSince)
      .execute()
    return rows.map((r) => ({ consultationId: r.consultation_id, answers: r.answers }))
  }

  async deleteDraft(executor: Executor, idHash: string): Promise<void> {
    await q(executor).deleteFrom('consultations.response_draft').where('id_hash', '=', idHash).execute()
  }

  // --- responses ---

  /** Inserts the response unless this draft was already submitted; either way returns the draft's response. */
  async insertResponse(
    executor: Executor,
    r: {
      consultationId: string
      reference: string
      draftHash: string
      answers: Answers
      respondent: RespondentInfo
      accountId?: string | null
    },
  ): Promise<{ response: ConsultationResponse; created: boolean }> {
    const inserted = await q(executor)
      .insertInto('consultations.response')
      .values({
        consultation_id: r.consultationId,
        reference: r.reference,
        draft_hash: r.draftHash,
        answers: JSON.stringify(r.answers),
        respondent_type: r.respondent.respondentType,
        respondent_name: r.respondent.name,
        respondent_organisation: r.respondent.organisationName || null,
        email: r.respondent.email || null,
        publication: r.respondent.publication,
        may_contact: r.respondent.mayContact,
        account_id: r.accountId ?? null,
        // millisecond precision, so keyset paging by (submitted_at, id) round-trips through JavaScript dates
        submitted_at: new Date(),
      })
      .onConflict((oc) => oc.column('draft_hash').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (inserted) return { response: toResponse(inserted), created: true }
    const existing = await this.responseByDraft(executor, r.draftHash)
    if (!existing) throw new Error('a response for this draft was neither inserted nor found')
    return { response: existing, created: false }
  }

  async responseByDraft(executor: Executor, draftHash: string): Promise<ConsultationResponse | null> {
    const row = await q(executor)
      .selectFrom('consultations.response')
      .selectAll()
      .where('draft_hash', '=', draftHash)
      .executeTakeFirst()
    return row ? toResponse(row) : null
  }

  async countResponses(executor: Executor, consultationId: string): Promise<number> {
    const row = await q(executor)
      .selectFrom('consultations.response')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consultation_id', '=', consultationId)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** A page of responses in submission order, after the given (submittedAt, id) when keyset paging. */
  async responses(
    executor: Executor,
    consultationId: string,
    options: { limit: number; offset?: number; after?: { submittedAt: Date; id: string } },
  ): Promise<ConsultationResponse[]> {
    let query = q(executor)
      .selectFrom('consultations.response')
      .selectAll()
      .where('consultation_id', '=', consultationId)
    const after = options.after
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('submitted_at', '>', after.submittedAt),
          eb.and([eb('submitted_at', '=', after.submittedAt), eb('id', '>', after.id)]),
        ]),
      )
    }
    const rows = await query
      .orderBy('submitted_at')
      .orderBy('id')
      .limit(options.limit)
      .offset(options.offset ?? 0)
      .execute()
    return rows.map(toResponse)
  }
}

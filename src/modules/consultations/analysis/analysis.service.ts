// The rules of consultation analysis: only analysts of the consultation's body (its
// administrators, and platform administrators) see it, and other bodies' staff are told there is
// no such consultation. Every change (themes, tags, notes, data-quality decisions, exports) is
// audited in the same transaction. Nothing here deletes a response: decisions set it aside.
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { actingAccountId, systemContext } from '../../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal, isMemberOf } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { ConsultationRepository } from '../consultation.repository.js'
import type { Consultation, Question } from '../consultation.types.js'
import { AnalysisRepository, type AnswerSearch } from './analysis.repository.js'
import { AnalysisError, analysisNotFound, assertValid, consultationNotFound } from './analysis.errors.js'
import { detectCampaigns } from './campaigns.js'
import { answerCell, exportColumns, exportRow, exportWriter } from './export.js'
import {
  allowsOther,
  gridRows,
  qualityKinds,
  type AnalysisExport,
  type AnalysisFilters,
  type AnswerItem,
  type AnswerNote,
  type Crosstab,
  type DecisionOutcome,
  type ExportFormat,
  type QualityGroup,
  type QualityKind,
  type QualityMemberView,
  type QualityRun,
  type QuestionSummary,
  type Theme,
} from './analysis.types.js'

export const ANALYST_ROLES = ['analyst']
export const ANALYSIS_SCOPE = 'consultations:analyse'
export const DETECT_JOB = 'consultations.analysis.detect'
export const EXPORT_JOB = 'consultations.analysis.export'

const TEXT_TYPES = ['short-text', 'long-text']
const CHOICE_TYPES = ['single-choice', 'multiple-choice', 'choice-grid']

export const isTextQuestion = (q: Question) => TEXT_TYPES.includes(q.type)
export const isChoiceQuestion = (q: Question) => CHOICE_TYPES.includes(q.type)
/** Questions whose answers can be read, searched and coded: free text, and choices with "Other, please specify". */
export const isCodable = (q: Question) => isTextQuestion(q) || allowsOther(q)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export type Analysed = { consultation: Consultation; questions: Question[] }

export type Overview = Analysed & {
  total: number
  summaries: QuestionSummary[]
  themes: Theme[]
}

export type AnswerPage = {
  items: AnswerItem[]
  total: number
  /** the cursor of the next page, if there is one */
  next: number | null
}

const percent = (n: number, of: number) => (of === 0 ? 0 : (n / of) * 100)

/** The options a choice question's answers are counted against, in the questionnaire's order. */
export function choiceValues(q: Question): string[] {
  const rows = gridRows(q)
  if (rows.length) return rows.flatMap((row) => q.options.map((o) => `${row}: ${o}`))
  return q.options
}

export class AnalysisService {
  private readonly repo = new AnalysisRepository()
  private readonly consultations = new ConsultationRepository()
  constructor(private readonly kernel: Kernel) {}

  private get db() {
    return this.kernel.db
  }

  private actorId(ctx: ActionContext): string | null {
    const p = requirePrincipal(ctx)
    return actingAccountId(p)
  }

  /**
   * The consultation and its questions, if this person is an analyst of its body. Staff of other
   * bodies (and the public) get "not found"; a member of the body without the role, "forbidden".
   */
  async access(ctx: ActionContext, consultationId: string, scope?: string): Promise<Analysed> {
    const principal = requirePrincipal(ctx)
    const consultation = UUID.test(consultationId) ? await this.consultations.get(this.db, consultationId) : null
    if (!consultation) throw consultationNotFound()
    if (!principal.isPlatformAdmin && !isMemberOf(principal, consultation.organisationId)) throw consultationNotFound()
    requireOrganisationRole(ctx, consultation.organisationId, ANALYST_ROLES, scope)
    return { consultation, questions: await this.consultations.questions(this.db, consultationId) }
  }

  private question(found: Analysed, questionId: string): Question {
    const q = found.questions.find((x) => x.id === questionId)
    if (!q) throw analysisNotFound('question')
    return q
  }

  /** Filters from untrusted input: anything unknown is ignored. */
  cleanFilters(raw: Record<string, unknown>, themes: Theme[] = []): AnalysisFilters {
    const s = (k: string) => (typeof raw[k] === 'string' ? raw[k] : '')
    const f: AnalysisFilters = {}
    const type = s('respondentType')
    if (type === 'individual' || type === 'organisation') f.respondentType = type
    const channel = s('channel')
    if (['online', 'post', 'email'].includes(channel)) f.channel = channel
    const theme = s('theme')
    if (theme === 'none' || themes.some((t) => t.id === theme)) f.themeId = theme
    const flag = s('flag')
    if (flag === 'excluded' || (qualityKinds as readonly string[]).includes(flag))
      f.flag = flag as AnalysisFilters['flag']
    return f
  }

  // --- counts ---

  async overview(
    ctx: ActionContext,
    consultationId: string,
    filters: AnalysisFilters = {},
    scope?: string,
  ): Promise<Overview> {
    const found = await this.access(ctx, consultationId, scope)
    const runId = await this.repo.latestDoneRunId(this.db, consultationId)
    const total = await this.repo.countResponses(this.db, consultationId, filters, runId)
    const counts = await this.repo.questionCounts(this.db, consultationId, filters, runId)
    const themes = await this.repo.themesOfConsultation(this.db, consultationId)
    const byTheme = themes.length ? await this.repo.themeCounts(this.db, consultationId, filters, runId) : new Map()
    const summaries: QuestionSummary[] = []
    for (const q of found.questions) {
      const answered = counts.answered.get(q.id) ?? 0
      const chosen = counts.choices.get(q.id) ?? new Map<string, number>()
      const values = choiceValues(q)
      // answers no longer among the options (an edited questionnaire) are still counted
      for (const v of chosen.keys()) if (!values.includes(v)) values.push(v)
      const options = isChoiceQuestion(q)
        ? values.map((value) => {
            const count = chosen.get(value) ?? 0
            return { value, count, percent: percent(count, answered) }
          })
        : []
      let themeCounts: QuestionSummary['themes'] = []
      if (isCodable(q)) {
        themeCounts = themes
          .filter((t) => t.questionId === q.id)
          .map((t) => {
            const count = byTheme.get(t.id) ?? 0
            return { value: t.name, count, percent: percent(count, answered) }
          })
          .sort((a, b) => b.count - a.count)
      }
      summaries.push({ questionId: q.id, answered, options, coded: counts.coded.get(q.id) ?? 0, themes: themeCounts })
    }
    return { ...found, total, summaries, themes }
  }

  /**
   * A question's answers by respondent type or by another choice question: its choices (or, for
   * free text, its themes) down the side, the other dimension across.
   */
  async crosstab(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    by: string,
    filters: AnalysisFilters = {},
    scope?: string,
  ): Promise<Analysed & { question: Question; byQuestion: Question | null; table: Crosstab }> {
    const found = await this.access(ctx, consultationId, scope)
    const question = this.question(found, questionId)
    const byQuestion = by === 'respondent-type' ? null : found.questions.find((x) => x.id === by && isChoiceQuestion(x))
    if (byQuestion === undefined)
      throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', 'Choose respondent type or a choice question')
    const rowsAre = isChoiceQuestion(question) ? 'choices' : 'themes'
    const runId = await this.repo.latestDoneRunId(this.db, consultationId)
    const cells = await this.repo.crosstab(
      this.db,
      consultationId,
      questionId,
      rowsAre,
      byQuestion ? { kind: 'question', questionId: byQuestion.id } : { kind: 'respondent-type' },
      filters,
      runId,
    )
    const rows =
      rowsAre === 'choices' ? choiceValues(question) : (await this.repo.themes(this.db, questionId)).map((t) => t.name)
    const columns = byQuestion ? choiceValues(byQuestion) : ['individual', 'organisation']
    for (const c of cells) {
      if (c.row !== null && !rows.includes(c.row)) rows.push(c.row)
      if (!columns.includes(c.col)) columns.push(c.col)
    }
    const counts = rows.map((r) => columns.map((c) => cells.find((x) => x.row === r && x.col === c)?.n ?? 0))
    // each column's total: its respondents who answered the question (or, for themes, had one)
    const columnTotals = columns.map((c) => cells.find((x) => x.row === null && x.col === c)?.n ?? 0)
    return { ...found, question, byQuestion, table: { rows, columns, counts, columnTotals } }
  }

  // --- answers ---

  async answers(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    search: { q?: string | undefined; filters: AnalysisFilters; after?: number | undefined; limit?: number },
    scope?: string,
  ): Promise<Analysed & { question: Question; themes: Theme[]; page: AnswerPage }> {
    const found = await this.access(ctx, consultationId, scope)
    const question = this.question(found, questionId)
    const themes = await this.repo.themes(this.db, questionId)
    const limit = Math.min(Math.max(search.limit ?? 50, 1), 500)
    const runId = await this.repo.latestDoneRunId(this.db, consultationId)
    const q = search.q?.trim().slice(0, 200) || undefined
    const { items, total } = await this.repo.searchAnswers(
      this.db,
      consultationId,
      { ...search.filters, questionId, q },
      runId,
      { after: search.after, limit: limit + 1 },
    )
    const more = items.length > limit
    const shown = more ? items.slice(0, limit) : items
    return {
      ...found,
      question,
      themes,
      page: { items: shown, total, next: more ? (shown[shown.length - 1]?.id ?? null) : null },
    }
  }

  /** Every answer matching a search, for downloads. */
  async *allAnswers(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    search: { q?: string | undefined; filters: AnalysisFilters },
    scope?: string,
  ): AsyncGenerator<AnswerItem> {
    let after: number | undefined
    for (;;) {
      const { page } = await this.answers(ctx, consultationId, questionId, { ...search, after, limit: 500 }, scope)
      yield* page.items
      if (page.next === null) return
      after = page.next
    }
  }

  async answer(
    ctx: ActionContext,
    consultationId: string,
    answerId: string,
  ): Promise<Analysed & { answer: AnswerItem; question: Question; themes: Theme[]; notes: AnswerNote[] }> {
    const found = await this.access(ctx, consultationId)
    const id = /^\d{1,15}$/.test(answerId) ? Number(answerId) : null
    const answer = id === null ? null : await this.repo.answer(this.db, consultationId, id)
    if (!answer) throw analysisNotFound('answer')
    const question = this.question(found, answer.questionId)
    return {
      ...found,
      answer,
      question,
      themes: await this.repo.themes(this.db, question.id),
      notes: await this.repo.notes(this.db, answer.id),
    }
  }

  // --- coding ---

  async themes(ctx: ActionContext, consultationId: string, questionId: string): Promise<Theme[]> {
    const found = await this.access(ctx, consultationId)
    this.question(found, questionId)
    return this.repo.themes(this.db, questionId)
  }

  async addTheme(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    input: { name: string; description: string },
  ): Promise<Theme> {
    const found = await this.access(ctx, consultationId)
    const question = this.question(found, questionId)
    if (!isCodable(question))
      throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', 'Only free-text answers are coded with themes')
    const name = input.name.trim().replace(/\s+/g, ' ')
    const description = input.description.trim()
    const errors: Record<string, string> = {}
    if (name === '') errors.name = 'consultations.analysis.theme.error.name'
    else if (name.length > 100) errors.name = 'consultations.analysis.theme.error.nameTooLong'
    if (description.length > 1000) errors.description = 'consultations.analysis.theme.error.descriptionTooLong'
    assertValid(errors, 'Check the theme')
    return inTransaction(this.db, async (trx) => {
      const theme = await this.repo.insertTheme(trx, {
        consultationId,
        questionId,
        name,
        description,
        createdBy: this.actorId(ctx),
      })
      if (!theme)
        throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', 'There is already a theme with that name', {
          fields: { name: 'consultations.analysis.theme.error.nameTaken' },
        })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.theme-added',
        organisationId: found.consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId, themeId: theme.id, name },
      })
      return theme
    })
  }

  /** Sets the themes of one answer (the checkboxes on its page). */
  async codeAnswer(ctx: ActionContext, consultationId: string, answerId: string, themeIds: string[]): Promise<void> {
    const { answer, themes, consultation } = await this.answer(ctx, consultationId, answerId)
    const wanted = [...new Set(themeIds)]
    if (wanted.some((id) => !themes.some((t) => t.id === id)))
      throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', 'Choose themes of this question', {
        fields: { themes: 'consultations.analysis.code.error.themes' },
      })
    await inTransaction(this.db, async (trx) => {
      const { added, removed } = await this.repo.setAnswerThemes(trx, answer.id, wanted, this.actorId(ctx))
      if (added.length === 0 && removed.length === 0) return
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.answer-coded',
        organisationId: consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: {
          answerId: answer.id,
          reference: answer.reference,
          added: added.map((id) => themes.find((t) => t.id === id)?.name ?? id),
          removed: removed.map((id) => themes.find((t) => t.id === id)?.name ?? id),
        },
      })
    })
  }

  /** Tags every answer a search finds (not only the page shown) with one theme. */
  async tagSearch(
    ctx: ActionContext,
    consultationId: string,
    questionId: string,
    search: { q?: string | undefined; filters: AnalysisFilters },
    themeId: string,
  ): Promise<number> {
    const found = await this.access(ctx, consultationId)
    this.question(found, questionId)
    const themes = await this.repo.themes(this.db, questionId)
    const theme = themes.find((t) => t.id === themeId)
    if (!theme)
      throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', 'Choose a theme', {
        fields: { themeId: 'consultations.analysis.bulk.error.theme' },
      })
    const q = search.q?.trim().slice(0, 200) || undefined
    return inTransaction(this.db, async (trx) => {
      const runId = await this.repo.latestDoneRunId(trx, consultationId)
      const s: AnswerSearch = { ...search.filters, questionId, q }
      const tagged = await this.repo.tagSearch(trx, consultationId, s, runId, themeId, this.actorId(ctx))
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.answers-coded-in-bulk',
        organisationId: found.consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { questionId, theme: theme.name, search: q ?? '', filters: { ...search.filters }, tagged },
      })
      return tagged
    })
  }

  async addNote(ctx: ActionContext, consultationId: string, answerId: string, body: string): Promise<void> {
    const { answer, consultation } = await this.answer(ctx, consultationId, answerId)
    const text = body.replace(/\r\n/g, '\n').trim()
    const errors: Record<string, string> = {}
    if (text === '') errors.note = 'consultations.analysis.note.error.empty'
    else if (text.length > 5000) errors.note = 'consultations.analysis.note.error.tooLong'
    assertValid(errors, 'Check the note')
    const principal = requirePrincipal(ctx)
    await inTransaction(this.db, async (trx) => {
      const id = await this.repo.addNote(trx, {
        answerId: answer.id,
        consultationId,
        body: text,
        authorId: this.actorId(ctx),
        authorName: principal.displayName,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.answer-note-added',
        organisationId: consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { answerId: answer.id, noteId: id, reference: answer.reference },
      })
    })
  }

  // --- data quality ---

  /** Starts a data-quality run in the background; returns its id. */
  async requestDetection(ctx: ActionContext, consultationId: string): Promise<string> {
    const found = await this.access(ctx, consultationId)
    return inTransaction(this.db, async (trx) => {
      const runId = await this.repo.insertRun(trx, consultationId, this.actorId(ctx))
      await this.kernel.jobs.send(DETECT_JOB, { runId }, { trx })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.quality-check-requested',
        organisationId: found.consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { runId },
      })
      return runId
    })
  }

  /** Checks a consultation's data quality at once, outside the job queue (the benchmark, the command line). */
  async detectNow(consultationId: string): Promise<Record<string, number>> {
    const runId = await this.repo.insertRun(this.db, consultationId, null)
    return this.runDetection(runId)
  }

  /** Writes an export at once, outside the job queue (the benchmark, the command line). */
  async exportNow(consultationId: string, format: ExportFormat): Promise<AnalysisExport> {
    const created = await this.repo.insertExport(this.db, consultationId, format, null)
    await this.runExport(created.id)
    return (await this.repo.export(this.db, created.id)) ?? created
  }

  /** Runs a data-quality check (the job). */
  async runDetection(runId: string): Promise<Record<string, number>> {
    const run = await this.repo.run(this.db, runId)
    if (!run || run.status === 'done') return run?.summary ?? {}
    await this.repo.setRunStatus(this.db, runId, 'running')
    const consultation = await this.consultations.get(this.db, run.consultationId)
    if (!consultation) throw consultationNotFound()
    const cId = run.consultationId
    try {
      const identity = await this.repo.identityDuplicates(this.db, cId)
      const sameAnswers = await this.repo.answerDuplicates(this.db, cId)
      const blank = await this.repo.blankResponses(this.db, cId)
      const campaigns = detectCampaigns(await this.repo.responseTexts(this.db, cId))
      const summary: Record<string, number> = {
        'duplicate-identity': identity.length,
        'duplicate-answers': sameAnswers.length,
        campaign: campaigns.length,
        blank: blank.length,
        campaignResponses: campaigns.reduce((n, c) => n + c.members.length, 0),
      }
      await inTransaction(this.db, async (trx) => {
        const one = (ids: string[]) => ids.map((responseId) => ({ responseId, similarity: 1 }))
        for (const g of identity)
          await this.repo.insertGroup(trx, {
            runId,
            consultationId: cId,
            kind: 'duplicate-identity',
            label: g.label,
            members: one(g.ids),
          })
        for (const g of sameAnswers)
          await this.repo.insertGroup(trx, {
            runId,
            consultationId: cId,
            kind: 'duplicate-answers',
            label: g.label,
            members: one(g.ids),
          })
        for (const c of campaigns)
          await this.repo.insertGroup(trx, {
            runId,
            consultationId: cId,
            kind: 'campaign',
            label: c.label,
            members: c.members,
          })
        if (blank.length)
          await this.repo.insertGroup(trx, {
            runId,
            consultationId: cId,
            kind: 'blank',
            label: 'Blank responses',
            members: one(blank),
          })
        await this.repo.setRunStatus(trx, runId, 'done', summary)
        await this.kernel.audit.record(trx, systemContext(DETECT_JOB), {
          action: 'consultation.quality-checked',
          organisationId: consultation.organisationId,
          targetType: 'consultation',
          targetId: cId,
          details: { runId, ...summary },
        })
      })
      return summary
    } catch (error) {
      await this.repo.setRunStatus(this.db, runId, 'failed')
      throw error
    }
  }

  async quality(
    ctx: ActionContext,
    consultationId: string,
    scope?: string,
  ): Promise<Analysed & { run: QualityRun | null; groups: QualityGroup[] }> {
    const found = await this.access(ctx, consultationId, scope)
    const run = await this.repo.latestRun(this.db, consultationId)
    const doneId = await this.repo.latestDoneRunId(this.db, consultationId)
    return { ...found, run, groups: doneId ? await this.repo.groups(this.db, doneId) : [] }
  }

  async group(
    ctx: ActionContext,
    consultationId: string,
    groupId: string,
  ): Promise<Analysed & { group: QualityGroup; members: QualityMemberView[] }> {
    const found = await this.access(ctx, consultationId)
    const group = UUID.test(groupId) ? await this.repo.group(this.db, consultationId, groupId) : null
    if (!group) throw analysisNotFound('group')
    return { ...found, group, members: await this.repo.members(this.db, group.id, 500) }
  }

  /**
   * Records the analyst's decision on a group: keep every response, exclude them all from the
   * analysis, or merge them (the earliest stays counted, the others are merged into it).
   */
  async decide(
    ctx: ActionContext,
    consultationId: string,
    groupId: string,
    input: { outcome: string; reason: string },
  ): Promise<{ outcome: DecisionOutcome; count: number }> {
    const { group, consultation } = await this.group(ctx, consultationId, groupId)
    const reason = input.reason.trim()
    const errors: Record<string, string> = {}
    if (!['keep', 'exclude', 'merge'].includes(input.outcome))
      errors.outcome = 'consultations.analysis.decide.error.outcome'
    if (reason === '') errors.reason = 'consultations.analysis.decide.error.reason'
    else if (reason.length > 1000) errors.reason = 'consultations.analysis.decide.error.reasonTooLong'
    assertValid(errors, 'Check the decision')
    const outcome = input.outcome as DecisionOutcome
    return inTransaction(this.db, async (trx) => {
      const ids = await this.repo.memberIds(trx, group.id)
      const first = ids[0] ?? null
      const decisions = ids.map((responseId) => ({
        responseId,
        outcome: outcome === 'merge' && responseId === first ? ('keep' as const) : outcome,
        mergedInto: outcome === 'merge' && responseId !== first ? first : null,
      }))
      await this.repo.recordDecisions(trx, {
        consultationId,
        groupId: group.id,
        reason,
        decidedBy: this.actorId(ctx),
        decisions,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: `consultation.responses-${outcome === 'keep' ? 'kept' : outcome === 'exclude' ? 'excluded' : 'merged'}`,
        organisationId: consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: {
          groupId: group.id,
          kind: group.kind,
          responses: ids.length,
          reason,
          mergedInto: outcome === 'merge' ? first : null,
        },
      })
      return { outcome, count: ids.length }
    })
  }

  // --- exports ---

  async requestExport(ctx: ActionContext, consultationId: string, format: string): Promise<AnalysisExport> {
    const found = await this.access(ctx, consultationId)
    if (format !== 'csv' && format !== 'xlsx')
      throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', 'Choose CSV or Excel', {
        fields: { format: 'consultations.analysis.export.error.format' },
      })
    return inTransaction(this.db, async (trx) => {
      const created = await this.repo.insertExport(trx, consultationId, format, this.actorId(ctx))
      await this.kernel.jobs.send(EXPORT_JOB, { exportId: created.id }, { trx })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.responses-exported',
        organisationId: found.consultation.organisationId,
        targetType: 'consultation',
        targetId: consultationId,
        details: { exportId: created.id, format },
      })
      return created
    })
  }

  async exports(ctx: ActionContext, consultationId: string): Promise<Analysed & { exports: AnalysisExport[] }> {
    const found = await this.access(ctx, consultationId)
    return { ...found, exports: await this.repo.exports(this.db, consultationId) }
  }

  async exportStatus(
    ctx: ActionContext,
    consultationId: string,
    exportId: string,
  ): Promise<Analysed & { export: AnalysisExport }> {
    const found = await this.access(ctx, consultationId)
    const e = await this.repo.export(this.db, exportId)
    if (!e || e.consultationId !== consultationId) throw analysisNotFound('export')
    return { ...found, export: e }
  }

  /** The finished file, chunk by chunk. */
  async download(
    ctx: ActionContext,
    consultationId: string,
    exportId: string,
  ): Promise<{ export: AnalysisExport; fileName: string; chunks: AsyncGenerator<Buffer> }> {
    const { export: e } = await this.exportStatus(ctx, consultationId, exportId)
    if (e.status !== 'done') throw new AnalysisError('CONSULTATION_EXPORT_NOT_READY', 'The export is not ready yet')
    const count = await this.repo.chunkCount(this.db, e.id)
    const repo = this.repo
    const db = this.db
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let seq = 0; seq < count; seq++) {
        const data = await repo.chunk(db, e.id, seq)
        if (data) yield data
      }
    }
    const stamp = e.createdAt.toISOString().slice(0, 10)
    return { export: e, fileName: `responses-${consultationId.slice(0, 8)}-${stamp}.${e.format}`, chunks: chunks() }
  }

  /** Writes the export (the job; the benchmark calls it directly). */
  async runExport(exportId: string, moderation?: ModerationLookup): Promise<void> {
    const e = await this.repo.export(this.db, exportId)
    if (!e || e.status === 'done') return
    const consultation = await this.consultations.get(this.db, e.consultationId)
    if (!consultation) throw consultationNotFound()
    const questions = await this.consultations.questions(this.db, e.consultationId)
    try {
      // a retried job starts again from the beginning
      await this.repo.clearChunks(this.db, exportId)
      const total = await this.repo.countAllResponses(this.db, e.consultationId)
      await this.repo.updateExport(this.db, exportId, { status: 'running', total, done: 0 })
      const runId = await this.repo.latestDoneRunId(this.db, e.consultationId)
      const columns = exportColumns(questions, moderation !== undefined)
      const writer = exportWriter(e.format, columns, consultation.title)
      let seq = 0
      let bytes = 0
      const store = async (chunks: Buffer[]) => {
        for (const c of chunks) {
          await this.repo.insertChunk(this.db, exportId, seq++, c)
          bytes += c.length
        }
      }
      let after: { at: string; id: string } | null = null
      let done = 0
      for (;;) {
        const batch = await this.repo.responseBatch(this.db, e.consultationId, after, 1000)
        if (batch.length === 0) break
        const ids = batch.map((r) => r.id)
        const notes = await this.repo.batchAnnotations(this.db, ids, runId)
        const moderated = moderation ? await moderation(ids) : null
        const rows = batch.map((r) => {
          const status = notes.status.get(r.id)
          const respondent = [
            r.reference,
            new Date(r.submitted_at).toISOString(),
            r.channel,
            r.respondent_type,
            r.respondent_name,
            r.respondent_organisation ?? '',
            r.email ?? '',
            r.publication,
            r.may_contact ? 'yes' : 'no',
            notes.flags.get(r.id) ?? '',
            status?.outcome ?? '',
            status?.reason ?? '',
          ]
          if (moderated) respondent.push(moderated.get(r.id) ?? '')
          return exportRow(questions, {
            respondent,
            perQuestion: questions.map((q) => ({
              answer: answerCell(q, r.answers),
              themes: notes.themes.get(`${r.id}|${q.id}`) ?? '',
              notes: notes.notes.get(`${r.id}|${q.id}`) ?? '',
            })),
          })
        })
        await store(await writer.write(rows))
        done += batch.length
        await this.repo.updateExport(this.db, exportId, { done })
        const last = batch[batch.length - 1]!
        after = { at: last.at_text, id: last.id }
        if (batch.length < 1000) break
      }
      await store(await writer.end())
      await this.repo.updateExport(this.db, exportId, { status: 'done', done, byteSize: bytes })
    } catch (error) {
      await this.repo.updateExport(this.db, exportId, { status: 'failed' })
      throw error
    }
  }
}

/** The moderation state of each response, by id, where moderation is available. */
export type ModerationLookup = (responseIds: string[]) => Promise<Map<string, string>>

export type { QualityKind, ExportFormat }

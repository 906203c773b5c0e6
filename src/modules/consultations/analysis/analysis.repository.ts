// All SQL of consultation analysis. Takes the database or a transaction from the caller and
// returns domain types. Counts leave out responses excluded or merged away by an analyst.
import { sql, type RawBuilder } from 'kysely'
import type { Executor } from '../consultation.repository.js'
import type { AnalysisTables } from './analysis.tables.js'
import type {
  AnalysisExport,
  AnalysisFilters,
  AnswerItem,
  AnswerNote,
  DecisionOutcome,
  ExportFormat,
  JobStatus,
  QualityGroup,
  QualityKind,
  QualityMemberView,
  QualityRun,
  Theme,
} from './analysis.types.js'

const q = (executor: Executor) => executor.withTables<AnalysisTables>()

/** The conditions on a response `r` for the filters; `run` is the latest data-quality run. */
function responseFilter(consultationId: string, f: AnalysisFilters, runId: string | null): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`r.consultation_id = ${consultationId}`]
  if (f.flag === 'excluded')
    parts.push(
      sql`exists (select 1 from consultations.response_status s where s.response_id = r.id and s.outcome in ('exclude', 'merge'))`,
    )
  else
    parts.push(
      sql`not exists (select 1 from consultations.response_status s where s.response_id = r.id and s.outcome in ('exclude', 'merge'))`,
    )
  if (f.respondentType) parts.push(sql`r.respondent_type = ${f.respondentType}`)
  if (f.channel) parts.push(sql`r.channel = ${f.channel}`)
  if (f.flag && f.flag !== 'excluded')
    parts.push(
      sql`exists (select 1 from consultations.quality_member m join consultations.quality_group g on g.id = m.group_id
                  where m.response_id = r.id and g.run_id = ${runId} and g.kind = ${f.flag})`,
    )
  return sql.join(parts, sql` and `)
}

/** A response-level theme filter (for counts); answers lists filter by the answer's own themes. */
function responseThemeFilter(f: AnalysisFilters): RawBuilder<unknown> {
  if (!f.themeId || f.themeId === 'none') return sql`true`
  return sql`exists (select 1 from consultations.answer a2 join consultations.answer_theme at2 on at2.answer_id = a2.id
                     where a2.response_id = r.id and at2.theme_id = ${f.themeId})`
}

export type AnswerSearch = AnalysisFilters & { questionId: string; q?: string | undefined }

function answerWhere(consultationId: string, s: AnswerSearch, runId: string | null): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [
    sql`a.question_id = ${s.questionId}`,
    sql`a.kind = 'text'`,
    responseFilter(consultationId, s, runId),
  ]
  if (s.q) parts.push(sql`a.search @@ websearch_to_tsquery('english', ${s.q})`)
  if (s.themeId === 'none')
    parts.push(sql`not exists (select 1 from consultations.answer_theme at where at.answer_id = a.id)`)
  else if (s.themeId)
    parts.push(
      sql`exists (select 1 from consultations.answer_theme at where at.answer_id = a.id and at.theme_id = ${s.themeId})`,
    )
  return sql.join(parts, sql` and `)
}

const toRun = (r: {
  id: string
  status: string
  summary: Record<string, number>
  created_at: Date
  finished_at: Date | null
}): QualityRun => ({
  id: r.id,
  status: r.status as JobStatus,
  summary: r.summary ?? {},
  createdAt: new Date(r.created_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
})

const toExport = (r: {
  id: string
  consultation_id: string
  format: string
  status: string
  total: number
  done: number
  byte_size: number
  created_at: Date
  finished_at: Date | null
}): AnalysisExport => ({
  id: r.id,
  consultationId: r.consultation_id,
  format: r.format as ExportFormat,
  status: r.status as JobStatus,
  total: Number(r.total),
  done: Number(r.done),
  byteSize: Number(r.byte_size),
  createdAt: new Date(r.created_at),
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
})

export type ExportResponseRow = {
  id: string
  /** submitted_at as PostgreSQL prints it (microseconds), for the next batch's cursor */
  at_text: string
  reference: string
  channel: string
  answers: Record<string, unknown>
  respondent_type: string
  respondent_name: string
  respondent_organisation: string | null
  email: string | null
  publication: string
  may_contact: boolean
  submitted_at: Date
}

export class AnalysisRepository {
  // --- counts ---

  async latestDoneRunId(executor: Executor, consultationId: string): Promise<string | null> {
    const row = await q(executor)
      .selectFrom('consultations.quality_run')
      .select('id')
      .where('consultation_id', '=', consultationId)
      .where('status', '=', 'done')
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row?.id ?? null
  }

  async countResponses(
    executor: Executor,
    consultationId: string,
    f: AnalysisFilters,
    runId: string | null,
  ): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from consultations.response r
      where ${responseFilter(consultationId, f, runId)} and ${responseThemeFilter(f)}`.execute(executor)
    return Number(rows[0]?.n ?? 0)
  }

  /**
   * Per question: responses answering it, and per choice value the responses choosing it, in one
   * pass over the answers. With no filter and nothing set aside, the responses need not be read.
   */
  async questionCounts(
    executor: Executor,
    consultationId: string,
    f: AnalysisFilters,
    runId: string | null,
  ): Promise<{
    answered: Map<string, number>
    choices: Map<string, Map<string, number>>
    coded: Map<string, number>
  }> {
    const unfiltered = !f.respondentType && !f.channel && !f.flag && !f.themeId
    const setAside = await sql<{ n: number }>`
      select count(*)::int as n from consultations.response_status
      where consultation_id = ${consultationId} and outcome in ('exclude', 'merge')`.execute(executor)
    const restrict =
      unfiltered && Number(setAside.rows[0]?.n ?? 0) === 0
        ? sql``
        : sql`and a.response_id in (select r.id from consultations.response r
                where ${responseFilter(consultationId, f, runId)} and ${responseThemeFilter(f)})`
    // two passes over covering indexes: choices and short values, then free text
    const { rows } = await sql<{ question_id: string; kind: string; value: string | null; n: number; leads: number }>`
      select a.question_id, a.kind, a.value, count(*)::int as n, (count(*) filter (where a.lead))::int as leads
      from consultations.answer a
      where a.consultation_id = ${consultationId} and a.kind <> 'text' ${restrict}
      group by 1, 2, 3
      union all
      select a.question_id, 'text', null, count(*)::int, (count(*) filter (where a.lead))::int
      from consultations.answer a
      where a.consultation_id = ${consultationId} and a.kind = 'text' ${restrict}
      group by 1`.execute(executor)
    const { rows: coded } = await sql<{ question_id: string; n: number }>`
      select a.question_id, count(distinct a.response_id)::int as n
      from consultations.answer_theme at
      join consultations.answer a on a.id = at.answer_id
      where a.consultation_id = ${consultationId} ${restrict}
      group by a.question_id`.execute(executor)
    const answered = new Map<string, number>()
    const choiceMap = new Map<string, Map<string, number>>()
    for (const r of rows) {
      answered.set(r.question_id, (answered.get(r.question_id) ?? 0) + Number(r.leads))
      if (r.kind === 'choice' && r.value !== null) {
        const m = choiceMap.get(r.question_id) ?? new Map<string, number>()
        m.set(r.value, Number(r.n))
        choiceMap.set(r.question_id, m)
      }
    }
    return { answered, choices: choiceMap, coded: new Map(coded.map((r) => [r.question_id, Number(r.n)])) }
  }

  /** Per theme (of every question): the responses whose answer has it. */
  async themeCounts(
    executor: Executor,
    consultationId: string,
    f: AnalysisFilters,
    runId: string | null,
  ): Promise<Map<string, number>> {
    const { rows } = await sql<{ theme_id: string; n: number }>`
      select at.theme_id, count(distinct a.response_id)::int as n
      from consultations.theme t
      join consultations.answer_theme at on at.theme_id = t.id
      join consultations.answer a on a.id = at.answer_id
      join consultations.response r on r.id = a.response_id
      where t.consultation_id = ${consultationId} and ${responseFilter(consultationId, f, runId)} and ${responseThemeFilter(f)}
      group by at.theme_id`.execute(executor)
    return new Map(rows.map((r) => [r.theme_id, Number(r.n)]))
  }

  /**
   * Counts of responses by (row, column): rows are the question's choices (or, for a text
   * question, its themes), columns the respondent type or another choice question's choices.
   */
  async crosstab(
    executor: Executor,
    consultationId: string,
    questionId: string,
    rowsAre: 'choices' | 'themes',
    by: { kind: 'respondent-type' } | { kind: 'question'; questionId: string },
    f: AnalysisFilters,
    runId: string | null,
  ): Promise<{ row: string | null; col: string; n: number }[]> {
    const rowSource =
      rowsAre === 'choices'
        ? sql`select a.response_id, a.value as row_value from consultations.answer a
              where a.question_id = ${questionId} and a.kind = 'choice'`
        : sql`select a.response_id, t.name as row_value from consultations.answer a
              join consultations.answer_theme at on at.answer_id = a.id
              join consultations.theme t on t.id = at.theme_id
              where a.question_id = ${questionId}`
    const colSource =
      by.kind === 'respondent-type'
        ? sql`select r2.id as response_id, r2.respondent_type as col_value from consultations.response r2
              where r2.consultation_id = ${consultationId}`
        : sql`select b.response_id, b.value as col_value from consultations.answer b
              where b.question_id = ${by.questionId} and b.kind = 'choice'`
    // the rows with a null row value are each column's total of respondents
    const { rows } = await sql<{ row: string | null; col: string; n: number }>`
      select x.row_value as row, y.col_value as col, count(distinct r.id)::int as n
      from consultations.response r
      join (${rowSource}) x on x.response_id = r.id
      join (${colSource}) y on y.response_id = r.id
      where ${responseFilter(consultationId, f, runId)} and ${responseThemeFilter(f)}
      group by grouping sets ((x.row_value, y.col_value), (y.col_value))`.execute(executor)
    return rows.map((r) => ({ row: r.row, col: r.col, n: Number(r.n) }))
  }

  // --- answers ---

  async searchAnswers(
    executor: Executor,
    consultationId: string,
    s: AnswerSearch,
    runId: string | null,
    page: { after?: number | undefined; limit: number },
  ): Promise<{ items: AnswerItem[]; total: number }> {
    const where = answerWhere(consultationId, s, runId)
    const { rows } = await sql<{
      id: number
      response_id: string
      question_id: string
      reference: string
      respondent_type: string
      channel: string
      value: string
    }>`
      select a.id, a.response_id, a.question_id, r.reference, r.respondent_type, r.channel, a.value
      from consultations.answer a join consultations.response r on r.id = a.response_id
      where ${where} ${page.after ? sql`and a.id > ${page.after}` : sql``}
      order by a.id limit ${page.limit}`.execute(executor)
    const { rows: totals } = await sql<{ n: number }>`
      select count(*)::int as n
      from consultations.answer a join consultations.response r on r.id = a.response_id
      where ${where}`.execute(executor)
    const items = await this.withThemes(
      executor,
      rows.map((r) => ({
        id: Number(r.id),
        responseId: r.response_id,
        questionId: r.question_id,
        reference: r.reference,
        respondentType: r.respondent_type,
        channel: r.channel,
        value: r.value,
        themes: [],
        notes: 0,
      })),
    )
    return { items, total: Number(totals[0]?.n ?? 0) }
  }

  private async withThemes(executor: Executor, items: AnswerItem[]): Promise<AnswerItem[]> {
    if (items.length === 0) return items
    const ids = items.map((i) => i.id)
    const themes = await q(executor)
      .selectFrom('consultations.answer_theme as at')
      .innerJoin('consultations.theme as t', 't.id', 'at.theme_id')
      .select(['at.answer_id', 't.id', 't.name'])
      .where('at.answer_id', 'in', ids)
      .orderBy('t.name')
      .execute()
    const notes = await q(executor)
      .selectFrom('consultations.answer_note')
      .select(['answer_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('answer_id', 'in', ids)
      .groupBy('answer_id')
      .execute()
    for (const item of items) {
      item.themes = themes.filter((t) => Number(t.answer_id) === item.id).map((t) => ({ id: t.id, name: t.name }))
      item.notes = Number(notes.find((n) => Number(n.answer_id) === item.id)?.n ?? 0)
    }
    return items
  }

  async answer(executor: Executor, consultationId: string, answerId: number): Promise<AnswerItem | null> {
    const { rows } = await sql<{
      id: number
      response_id: string
      question_id: string
      reference: string
      respondent_type: string
      channel: string
      value: string
    }>`
      select a.id, a.response_id, a.question_id, r.reference, r.respondent_type, r.channel, a.value
      from consultations.answer a join consultations.response r on r.id = a.response_id
      where a.id = ${answerId} and a.consultation_id = ${consultationId} and a.kind = 'text'`.execute(executor)
    const r = rows[0]
    if (!r) return null
    const [item] = await this.withThemes(executor, [
      {
        id: Number(r.id),
        responseId: r.response_id,
        questionId: r.question_id,
        reference: r.reference,
        respondentType: r.respondent_type,
        channel: r.channel,
        value: r.value,
        themes: [],
        notes: 0,
      },
    ])
    return item ?? null
  }

  // --- coding ---

  async themes(executor: Executor, questionId: string): Promise<Theme[]> {
    const rows = await q(executor)
      .selectFrom('consultations.theme')
      .selectAll()
      .where('question_id', '=', questionId)
      .orderBy('name')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      questionId: r.question_id,
      name: r.name,
      description: r.description,
      count: 0,
    }))
  }

  async themesOfConsultation(executor: Executor, consultationId: string): Promise<Theme[]> {
    const rows = await q(executor)
      .selectFrom('consultations.theme')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('name')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      questionId: r.question_id,
      name: r.name,
      description: r.description,
      count: 0,
    }))
  }

  async insertTheme(
    executor: Executor,
    t: { consultationId: string; questionId: string; name: string; description: string; createdBy: string | null },
  ): Promise<Theme | null> {
    const { rows } = await sql<{ id: string }>`
      insert into consultations.theme (consultation_id, question_id, name, description, created_by)
      values (${t.consultationId}, ${t.questionId}, ${t.name}, ${t.description}, ${t.createdBy})
      on conflict (question_id, lower(name)) do nothing
      returning id`.execute(executor)
    const id = rows[0]?.id
    return id ? { id, questionId: t.questionId, name: t.name, description: t.description, count: 0 } : null
  }

  /** Sets the themes of one answer; returns the themes added and removed. */
  async setAnswerThemes(
    executor: Executor,
    answerId: number,
    themeIds: string[],
    by: string | null,
  ): Promise<{ added: string[]; removed: string[] }> {
    const current = (
      await q(executor)
        .selectFrom('consultations.answer_theme')
        .select('theme_id')
        .where('answer_id', '=', answerId)
        .execute()
    ).map((r) => r.theme_id)
    const added = themeIds.filter((id) => !current.includes(id))
    const removed = current.filter((id) => !themeIds.includes(id))
    if (removed.length)
      await q(executor)
        .deleteFrom('consultations.answer_theme')
        .where('answer_id', '=', answerId)
        .where('theme_id', 'in', removed)
        .execute()
    if (added.length)
      await q(executor)
        .insertInto('consultations.answer_theme')
        .values(added.map((theme_id) => ({ answer_id: answerId, theme_id, tagged_by: by })))
        .onConflict((oc) => oc.doNothing())
        .execute()
    return { added, removed }
  }

  /** Tags every answer matching the search with the theme; returns how many were newly tagged. */
  async tagSearch(
    executor: Executor,
    consultationId: string,
    s: AnswerSearch,
    runId: string | null,
    themeId: string,
    by: string | null,
  ): Promise<number> {
    const result = await sql`
      insert into consultations.answer_theme (answer_id, theme_id, tagged_by)
      select a.id, ${themeId}, ${by}
      from consultations.answer a join consultations.response r on r.id = a.response_id
      where ${answerWhere(consultationId, s, runId)}
      on conflict do nothing`.execute(executor)
    return Number(result.numAffectedRows ?? 0)
  }

  async addNote(
    executor: Executor,
    n: { answerId: number; consultationId: string; body: string; authorId: string | null; authorName: string },
  ): Promise<string> {
    const row = await q(executor)
      .insertInto('consultations.answer_note')
      .values({
        answer_id: n.answerId,
        consultation_id: n.consultationId,
        body: n.body,
        author_id: n.authorId,
        author_name: n.authorName,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async notes(executor: Executor, answerId: number): Promise<AnswerNote[]> {
    const rows = await q(executor)
      .selectFrom('consultations.answer_note')
      .selectAll()
      .where('answer_id', '=', answerId)
      .orderBy('created_at')
      .execute()
    return rows.map((r) => ({ id: r.id, body: r.body, authorName: r.author_name, createdAt: new Date(r.created_at) }))
  }

  // --- data quality ---

  async insertRun(executor: Executor, consultationId: string, requestedBy: string | null): Promise<string> {
    const row = await q(executor)
      .insertInto('consultations.quality_run')
      .values({ consultation_id: consultationId, requested_by: requestedBy })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async run(executor: Executor, runId: string): Promise<(QualityRun & { consultationId: string }) | null> {
    const row = await q(executor)
      .selectFrom('consultations.quality_run')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirst()
    return row ? { ...toRun(row), consultationId: row.consultation_id } : null
  }

  async latestRun(executor: Executor, consultationId: string): Promise<QualityRun | null> {
    const row = await q(executor)
      .selectFrom('consultations.quality_run')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst()
    return row ? toRun(row) : null
  }

  async setRunStatus(
    executor: Executor,
    runId: string,
    status: JobStatus,
    summary?: Record<string, number>,
  ): Promise<void> {
    await q(executor)
      .updateTable('consultations.quality_run')
      .set({
        status,
        ...(summary ? { summary: JSON.stringify(summary) } : {}),
        ...(status === 'done' || status === 'failed' ? { finished_at: new Date() } : {}),
      })
      .where('id', '=', runId)
      .execute()
  }

  /** Groups of responses with the same name and email. */
  async identityDuplicates(executor: Executor, consultationId: string): Promise<{ label: string; ids: string[] }[]> {
    const { rows } = await sql<{ label: string; ids: string[] }>`
      select min(r.respondent_name) || ' <' || min(r.email) || '>' as label,
             array_agg(r.id order by r.submitted_at, r.id) as ids
      from consultations.response r
      where r.consultation_id = ${consultationId} and r.email is not null and btrim(r.email) <> ''
      group by lower(btrim(r.respondent_name)), lower(btrim(r.email))
      having count(*) > 1`.execute(executor)
    return rows
  }

  /**
   * Groups of responses whose answers are exactly the same, free text included (people who only
   * tick the same boxes are not duplicates of each other).
   */
  async answerDuplicates(executor: Executor, consultationId: string): Promise<{ label: string; ids: string[] }[]> {
    const { rows } = await sql<{ label: string; ids: string[] }>`
      select left(min(r.answers::text), 300) as label, array_agg(r.id order by r.submitted_at, r.id) as ids
      from consultations.response r
      where r.consultation_id = ${consultationId}
        and r.id in (select a.response_id from consultations.answer a
                     where a.consultation_id = ${consultationId} and a.kind = 'text')
      group by r.answers
      having count(*) > 1`.execute(executor)
    return rows
  }

  /** Responses that answered no question (or only with spaces). */
  async blankResponses(executor: Executor, consultationId: string): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      select r.id from consultations.response r
      where r.consultation_id = ${consultationId}
        and not exists (select 1 from consultations.answer a where a.response_id = r.id and a.kind in ('text', 'choice'))
      order by r.submitted_at, r.id`.execute(executor)
    return rows.map((r) => r.id)
  }

  /** Each response's free text, all its text answers joined, for campaign detection. */
  async responseTexts(executor: Executor, consultationId: string): Promise<{ responseId: string; text: string }[]> {
    const { rows } = await sql<{ response_id: string; text: string }>`
      select a.response_id, string_agg(a.value, ' ' order by a.question_id, a.ordinal) as text
      from consultations.answer a
      where a.consultation_id = ${consultationId} and a.kind = 'text'
      group by a.response_id`.execute(executor)
    return rows.map((r) => ({ responseId: r.response_id, text: r.text }))
  }

  async insertGroup(
    executor: Executor,
    g: {
      runId: string
      consultationId: string
      kind: QualityKind
      label: string
      members: { responseId: string; similarity: number }[]
    },
  ): Promise<string> {
    const row = await q(executor)
      .insertInto('consultations.quality_group')
      .values({
        run_id: g.runId,
        consultation_id: g.consultationId,
        kind: g.kind,
        label: g.label,
        size: g.members.length,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (let i = 0; i < g.members.length; i += 1000) {
      await q(executor)
        .insertInto('consultations.quality_member')
        .values(
          g.members
            .slice(i, i + 1000)
            .map((m) => ({ group_id: row.id, response_id: m.responseId, similarity: m.similarity })),
        )
        .execute()
    }
    return row.id
  }

  async groups(executor: Executor, runId: string): Promise<QualityGroup[]> {
    const { rows } = await sql<{ id: string; kind: string; label: string; size: number; decided: number }>`
      select g.id, g.kind, g.label, g.size,
             (select count(*) from consultations.quality_member m
               join consultations.response_status s on s.response_id = m.response_id
              where m.group_id = g.id)::int as decided
      from consultations.quality_group g
      where g.run_id = ${runId}
      order by g.kind, g.size desc, g.label`.execute(executor)
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as QualityKind,
      label: r.label,
      size: Number(r.size),
      decided: Number(r.decided),
    }))
  }

  async group(
    executor: Executor,
    consultationId: string,
    groupId: string,
  ): Promise<(QualityGroup & { runId: string }) | null> {
    const row = await q(executor)
      .selectFrom('consultations.quality_group')
      .selectAll()
      .where('id', '=', groupId)
      .where('consultation_id', '=', consultationId)
      .executeTakeFirst()
    return row
      ? { id: row.id, kind: row.kind as QualityKind, label: row.label, size: row.size, decided: 0, runId: row.run_id }
      : null
  }

  async members(executor: Executor, groupId: string, limit: number): Promise<QualityMemberView[]> {
    const { rows } = await sql<{
      response_id: string
      reference: string
      respondent_name: string
      email: string | null
      channel: string
      submitted_at: Date
      similarity: number
      text: string | null
      outcome: string | null
      reason: string | null
    }>`
      select m.response_id, r.reference, r.respondent_name, r.email, r.channel, r.submitted_at, m.similarity,
             (select string_agg(a.value, ' ' order by a.question_id, a.ordinal) from consultations.answer a
               where a.response_id = r.id and a.kind = 'text') as text,
             s.outcome, s.reason
      from consultations.quality_member m
      join consultations.response r on r.id = m.response_id
      left join consultations.response_status s on s.response_id = r.id
      where m.group_id = ${groupId}
      order by r.submitted_at, r.id
      limit ${limit}`.execute(executor)
    return rows.map((r) => ({
      responseId: r.response_id,
      reference: r.reference,
      name: r.respondent_name,
      email: r.email ?? '',
      channel: r.channel,
      submittedAt: new Date(r.submitted_at),
      similarity: Number(r.similarity),
      text: (r.text ?? '').slice(0, 500),
      outcome: (r.outcome as DecisionOutcome | null) ?? null,
      reason: r.reason,
    }))
  }

  async memberIds(executor: Executor, groupId: string): Promise<string[]> {
    const { rows } = await sql<{ response_id: string }>`
      select m.response_id from consultations.quality_member m join consultations.response r on r.id = m.response_id
      where m.group_id = ${groupId} order by r.submitted_at, r.id`.execute(executor)
    return rows.map((r) => r.response_id)
  }

  async recordDecisions(
    executor: Executor,
    d: {
      consultationId: string
      groupId: string | null
      reason: string
      decidedBy: string | null
      decisions: { responseId: string; outcome: DecisionOutcome; mergedInto: string | null }[]
    },
  ): Promise<void> {
    for (let i = 0; i < d.decisions.length; i += 500) {
      const batch = d.decisions.slice(i, i + 500)
      const inserted = await q(executor)
        .insertInto('consultations.response_decision')
        .values(
          batch.map((x) => ({
            response_id: x.responseId,
            consultation_id: d.consultationId,
            outcome: x.outcome,
            merged_into: x.mergedInto,
            group_id: d.groupId,
            reason: d.reason,
            decided_by: d.decidedBy,
          })),
        )
        .returning(['id', 'response_id', 'outcome', 'merged_into'])
        .execute()
      await q(executor)
        .insertInto('consultations.response_status')
        .values(
          inserted.map((x) => ({
            response_id: x.response_id,
            consultation_id: d.consultationId,
            outcome: x.outcome,
            merged_into: x.merged_into,
            reason: d.reason,
            decision_id: x.id,
          })),
        )
        .onConflict((oc) =>
          oc.column('response_id').doUpdateSet((eb) => ({
            outcome: eb.ref('excluded.outcome'),
            merged_into: eb.ref('excluded.merged_into'),
            reason: eb.ref('excluded.reason'),
            decision_id: eb.ref('excluded.decision_id'),
          })),
        )
        .execute()
    }
  }

  // --- exports ---

  async insertExport(
    executor: Executor,
    consultationId: string,
    format: ExportFormat,
    requestedBy: string | null,
  ): Promise<AnalysisExport> {
    const row = await q(executor)
      .insertInto('consultations.analysis_export')
      .values({ consultation_id: consultationId, format, requested_by: requestedBy })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toExport(row)
  }

  async export(executor: Executor, exportId: string): Promise<AnalysisExport | null> {
    if (!/^[0-9a-f-]{36}$/i.test(exportId)) return null
    const row = await q(executor)
      .selectFrom('consultations.analysis_export')
      .selectAll()
      .where('id', '=', exportId)
      .executeTakeFirst()
    return row ? toExport(row) : null
  }

  async exports(executor: Executor, consultationId: string): Promise<AnalysisExport[]> {
    const rows = await q(executor)
      .selectFrom('consultations.analysis_export')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute()
    return rows.map(toExport)
  }

  async updateExport(
    executor: Executor,
    exportId: string,
    fields: { status?: JobStatus; total?: number; done?: number; byteSize?: number },
  ): Promise<void> {
    await q(executor)
      .updateTable('consultations.analysis_export')
      .set({
        ...(fields.status ? { status: fields.status } : {}),
        ...(fields.total !== undefined ? { total: fields.total } : {}),
        ...(fields.done !== undefined ? { done: fields.done } : {}),
        ...(fields.byteSize !== undefined ? { byte_size: fields.byteSize } : {}),
        ...(fields.status === 'done' || fields.status === 'failed' ? { finished_at: new Date() } : {}),
      })
      .where('id', '=', exportId)
      .execute()
  }

  async clearChunks(executor: Executor, exportId: string): Promise<void> {
    await q(executor).deleteFrom('consultations.analysis_export_chunk').where('export_id', '=', exportId).execute()
  }

  async insertChunk(executor: Executor, exportId: string, seq: number, data: Buffer): Promise<void> {
    await q(executor)
      .insertInto('consultations.analysis_export_chunk')
      .values({ export_id: exportId, seq, data })
      .execute()
  }

  async chunkCount(executor: Executor, exportId: string): Promise<number> {
    const row = await q(executor)
      .selectFrom('consultations.analysis_export_chunk')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('export_id', '=', exportId)
      .executeTakeFirst()
    return Number(row?.n ?? 0)
  }

  async chunk(executor: Executor, exportId: string, seq: number): Promise<Buffer | null> {
    const row = await q(executor)
      .selectFrom('consultations.analysis_export_chunk')
      .select('data')
      .where('export_id', '=', exportId)
      .where('seq', '=', seq)
      .executeTakeFirst()
    return row ? Buffer.from(row.data) : null
  }

  async countAllResponses(executor: Executor, consultationId: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from consultations.response where consultation_id = ${consultationId}`.execute(executor)
    return Number(rows[0]?.n ?? 0)
  }

  /** A batch of responses in submission order after the given one (keyset). */
  async responseBatch(
    executor: Executor,
    consultationId: string,
    after: { at: string; id: string } | null,
    limit: number,
  ): Promise<ExportResponseRow[]> {
    const { rows } = await sql<ExportResponseRow>`
      select r.id, r.submitted_at::text as at_text, r.reference, r.channel, r.answers, r.respondent_type, r.respondent_name,
             r.respondent_organisation, r.email, r.publication, r.may_contact, r.submitted_at
      from consultations.response r
      where r.consultation_id = ${consultationId}
        ${after ? sql`and (r.submitted_at, r.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
      order by r.submitted_at, r.id
      limit ${limit}`.execute(executor)
    return rows
  }

  /** For a batch of responses: themes and notes per (response, question), flags and decisions per response. */
  async batchAnnotations(
    executor: Executor,
    responseIds: string[],
    runId: string | null,
  ): Promise<{
    themes: Map<string, string>
    notes: Map<string, string>
    flags: Map<string, string>
    status: Map<string, { outcome: string; reason: string }>
  }> {
    const key = (r: string, qid: string) => `${r}|${qid}`
    const themes = new Map<string, string>()
    const notes = new Map<string, string>()
    const flags = new Map<string, string>()
    const status = new Map<string, { outcome: string; reason: string }>()
    if (responseIds.length === 0) return { themes, notes, flags, status }
    const { rows: t } = await sql<{ response_id: string; question_id: string; names: string }>`
      select a.response_id, a.question_id, string_agg(distinct th.name, '; ') as names
      from consultations.answer a
      join consultations.answer_theme at on at.answer_id = a.id
      join consultations.theme th on th.id = at.theme_id
      where a.response_id = any(${responseIds}::uuid[])
      group by a.response_id, a.question_id`.execute(executor)
    for (const r of t) themes.set(key(r.response_id, r.question_id), r.names)
    const { rows: n } = await sql<{ response_id: string; question_id: string; bodies: string }>`
      select a.response_id, a.question_id, string_agg(nt.body, ' | ' order by nt.created_at) as bodies
      from consultations.answer a
      join consultations.answer_note nt on nt.answer_id = a.id
      where a.response_id = any(${responseIds}::uuid[])
      group by a.response_id, a.question_id`.execute(executor)
    for (const r of n) notes.set(key(r.response_id, r.question_id), r.bodies)
    if (runId) {
      const { rows: f } = await sql<{ response_id: string; kinds: string }>`
        select m.response_id, string_agg(distinct g.kind, '; ') as kinds
        from consultations.quality_member m join consultations.quality_group g on g.id = m.group_id
        where g.run_id = ${runId} and m.response_id = any(${responseIds}::uuid[])
        group by m.response_id`.execute(executor)
      for (const r of f) flags.set(r.response_id, r.kinds)
    }
    const s = await q(executor)
      .selectFrom('consultations.response_status')
      .select(['response_id', 'outcome', 'reason'])
      .where('response_id', 'in', responseIds)
      .execute()
    for (const r of s) status.set(r.response_id, { outcome: r.outcome, reason: r.reason })
    return { themes, notes, flags, status }
  }
}

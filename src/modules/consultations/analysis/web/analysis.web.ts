// Analysts' pages under /manage/consultations/:id/analysis: counts with charts, cross-tabulation,
// reading, searching and coding answers, data quality, and exports with a progress page.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf, fieldList, keepQuery } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { Readable } from 'node:stream'
import {
  AnalysisAnswerParams,
  AnalysisExportParams,
  AnalysisGroupParams,
  AnalysisParams,
  AnalysisQuestionParams,
  AnswersQuery,
  CrosstabQuery,
  FilterQuery,
  bulkTagForm,
  codeForm,
  decideForm,
  emptyForm,
  exportForm,
  noteForm,
  themeForm,
} from '../analysis.schemas.js'
import { isChoiceQuestion, isCodable, type AnalysisService, type Analysed } from '../analysis.service.js'
import { barChartSvg, formatPercent } from '../chart.js'
import type { Theme } from '../analysis.types.js'
import { qualityKinds } from '../analysis.types.js'
import type { Question } from '../../consultation.types.js'

const VIEWS = 'consultations/analysis'

export const analysisWeb: FastifyPluginAsyncTypebox<{ service: AnalysisService }> = async (app, { service }) => {
  const root = (id: string) => `/manage/consultations/${id}/analysis`

  const base = (request: FastifyRequest, found: Analysed) => ({
    section: 'manage',
    consultation: { id: found.consultation.id, title: found.consultation.title },
    analysisRoot: root(found.consultation.id),
    filterItems: filterItems(request),
  })

  const questionLabel = (questions: Question[], q: Question) => `${questions.indexOf(q) + 1}. ${q.title}`

  /** The options of the filter selects, in the person's language. */
  function filterItems(request: FastifyRequest) {
    const t = request.t
    return {
      respondentType: [
        { value: '', text: t('consultations.analysis.filter.any') },
        { value: 'individual', text: t('consultations.analysis.respondentType.individual') },
        { value: 'organisation', text: t('consultations.analysis.respondentType.organisation') },
      ],
      channel: [
        { value: '', text: t('consultations.analysis.filter.any') },
        ...['online', 'post', 'email'].map((c) => ({ value: c, text: t(`consultations.analysis.channel.${c}`) })),
      ],
      flag: [
        { value: '', text: t('consultations.analysis.filter.counted') },
        ...qualityKinds.map((k) => ({ value: k, text: t(`consultations.analysis.quality.kind.${k}`) })),
        { value: 'excluded', text: t('consultations.analysis.filter.excluded') },
      ],
    }
  }

  const themeItems = (request: FastifyRequest, themes: Theme[]) => [
    { value: '', text: request.t('consultations.analysis.filter.any') },
    { value: 'none', text: request.t('consultations.analysis.filter.uncoded') },
    ...themes.map((th) => ({ value: th.id, text: th.name })),
  ]

  const filterValues = (query: Record<string, unknown>) => ({
    respondentType: typeof query.respondentType === 'string' ? query.respondentType : '',
    channel: typeof query.channel === 'string' ? query.channel : '',
    theme: typeof query.theme === 'string' ? query.theme : '',
    flag: typeof query.flag === 'string' ? query.flag : '',
  })

  const bars = (items: { value: string; count: number; percent: number }[]) =>
    items.map((o) => ({ label: o.value, count: o.count, percent: o.percent, percentText: formatPercent(o.percent) }))

  // --- the overview ---

  app.get(
    '/manage/consultations/:id/analysis',
    { schema: { params: AnalysisParams, querystring: FilterQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const filters = service.cleanFilters(request.query)
      const o = await service.overview(request.ctx(), request.params.id, filters)
      const questions = o.questions.map((q, i) => {
        const s = o.summaries.find((x) => x.questionId === q.id)!
        const label = questionLabel(o.questions, q)
        const chartOf = (items: typeof s.options, kind: string) =>
          items.length
            ? barChartSvg(
                `chart-${kind}-${i + 1}`,
                label,
                t('consultations.analysis.chart.summary', { answered: s.answered }),
                items.map((x) => ({ label: x.value, count: x.count, percent: x.percent })),
              )
            : ''
        return {
          id: q.id,
          number: i + 1,
          title: q.title,
          typeText: t(`consultations.questionType.${q.type}`),
          answered: s.answered,
          choice: isChoiceQuestion(q),
          codable: isCodable(q),
          options: bars(s.options),
          optionsChart: chartOf(s.options, 'options'),
          themes: bars(s.themes),
          themesChart: chartOf(s.themes, 'themes'),
          coded: s.coded,
          codedPercent: formatPercent(s.answered ? (s.coded / s.answered) * 100 : 0),
        }
      })
      const csvQuery = keepQuery(request.query)
      return reply.render(`${VIEWS}/overview.njk`, {
        ...base(request, o),
        title: t('consultations.analysis.title'),
        total: o.total,
        questions,
        values: filterValues(request.query),
        filtered: Object.keys(filters).length > 0,
        csvHref: `/api/v1/consultations/${o.consultation.id}/analysis.csv${csvQuery ? `?${csvQuery}` : ''}`,
      })
    },
  )

  // --- cross-tabulation ---

  app.get(
    '/manage/consultations/:id/analysis/questions/:questionId/crosstab',
    { schema: { params: AnalysisQuestionParams, querystring: CrosstabQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const filters = service.cleanFilters(request.query)
      const by = request.query.by || 'respondent-type'
      const found = await service.access(request.ctx(), request.params.id)
      const byOk = by === 'respondent-type' || found.questions.some((x) => x.id === by && isChoiceQuestion(x))
      const x = await service.crosstab(
        request.ctx(),
        request.params.id,
        request.params.questionId,
        byOk ? by : 'respondent-type',
        filters,
      )
      const colText = (c: string) =>
        x.byQuestion
          ? c
          : t(`consultations.analysis.respondentType.${c === 'organisation' ? 'organisation' : 'individual'}`)
      return reply.render(`${VIEWS}/crosstab.njk`, {
        ...base(request, x),
        title: t('consultations.analysis.crosstab.title'),
        question: { id: x.question.id, label: questionLabel(x.questions, x.question) },
        rowsAreThemes: !isChoiceQuestion(x.question),
        byItems: [
          { value: 'respondent-type', text: t('consultations.analysis.crosstab.byRespondentType') },
          ...x.questions
            .filter((q) => isChoiceQuestion(q) && q.id !== x.question.id)
            .map((q) => ({ value: q.id, text: questionLabel(x.questions, q) })),
        ],
        by: x.byQuestion ? x.byQuestion.id : 'respondent-type',
        byLabel: x.byQuestion
          ? questionLabel(x.questions, x.byQuestion)
          : t('consultations.analysis.crosstab.byRespondentType'),
        columns: x.table.columns.map((c, j) => ({ text: colText(c), total: x.table.columnTotals[j] ?? 0 })),
        rows: x.table.rows.map((r, i) => ({
          text: r,
          cells: (x.table.counts[i] ?? []).map((n, j) => ({
            count: n,
            percent: formatPercent((x.table.columnTotals[j] ?? 0) ? (n / x.table.columnTotals[j]!) * 100 : 0),
          })),
        })),
        values: { ...filterValues(request.query), by },
      })
    },
  )

  // --- answers: reading, searching, coding in bulk ---

  app.get(
    '/manage/consultations/:id/analysis/questions/:questionId/answers',
    { schema: { params: AnalysisQuestionParams, querystring: AnswersQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const themes = await service.themes(request.ctx(), request.params.id, request.params.questionId)
      const filters = service.cleanFilters(request.query, themes)
      const after = /^\d{1,15}$/.test(request.query.after ?? '') ? Number(request.query.after) : undefined
      const q = (request.query.q ?? '').trim()
      const found = await service.answers(request.ctx(), request.params.id, request.params.questionId, {
        q,
        filters,
        after,
      })
      const keep = keepQuery(request.query, ['after', 'tagged'])
      const here = `${root(found.consultation.id)}/questions/${found.question.id}/answers`
      const tagged = /^\d{1,9}$/.test(request.query.tagged ?? '') ? Number(request.query.tagged) : null
      return reply.render(`${VIEWS}/answers.njk`, {
        ...base(request, found),
        title: t('consultations.analysis.answers.title'),
        question: { id: found.question.id, label: questionLabel(found.questions, found.question) },
        values: { ...filterValues(request.query), q },
        themeItems: themeItems(request, themes),
        bulkThemeItems: [
          { value: '', text: t('consultations.analysis.bulk.choose') },
          ...themes.map((th) => ({ value: th.id, text: th.name })),
        ],
        hasThemes: themes.length > 0,
        total: found.page.total,
        items: found.page.items,
        nextHref: found.page.next ? `${here}?${keep ? `${keep}&` : ''}after=${found.page.next}` : null,
        firstHref: after ? `${here}${keep ? `?${keep}` : ''}` : null,
        csvHref: `/api/v1/consultations/${found.consultation.id}/analysis/questions/${found.question.id}/answers.csv${keep ? `?${keep}` : ''}`,
        tagged: tagged === null ? null : t('consultations.analysis.bulk.done', { count: tagged }),
        hidden: { q, ...filterValues(request.query) },
        themesHref: `${root(found.consultation.id)}/questions/${found.question.id}/themes`,
      })
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/questions/:questionId/answers/tag',
    { schema: { params: AnalysisQuestionParams, body: bulkTagForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const body = request.body as Record<string, unknown>
      const themes = await service.themes(request.ctx(), request.params.id, request.params.questionId)
      const raw = {
        respondentType: field(body, 'respondentType', 20),
        channel: field(body, 'channel', 20),
        theme: field(body, 'theme', 100),
        flag: field(body, 'flag', 30),
      }
      const q = field(body, 'q', 200)
      const back = keepQuery({ q, ...raw })
      const here = `${root(request.params.id)}/questions/${request.params.questionId}/answers`
      try {
        const n = await service.tagSearch(
          request.ctx(),
          request.params.id,
          request.params.questionId,
          { q, filters: service.cleanFilters(raw, themes) },
          field(body, 'themeId', 100),
        )
        return reply.redirect(`${here}?${back ? `${back}&` : ''}tagged=${n}`, 303)
      } catch (error) {
        if (!fieldErrorsOf(error)) throw error
        const found = await service.answers(request.ctx(), request.params.id, request.params.questionId, {
          q,
          filters: service.cleanFilters(raw, themes),
        })
        const t = request.t
        return reply.render(
          `${VIEWS}/answers.njk`,
          {
            ...base(request, found),
            title: t('consultations.analysis.answers.title'),
            question: { id: found.question.id, label: questionLabel(found.questions, found.question) },
            values: { ...raw, q },
            themeItems: themeItems(request, themes),
            bulkThemeItems: [
              { value: '', text: t('consultations.analysis.bulk.choose') },
              ...themes.map((th) => ({ value: th.id, text: th.name })),
            ],
            hasThemes: themes.length > 0,
            total: found.page.total,
            items: found.page.items,
            nextHref: found.page.next ? `${here}?${back ? `${back}&` : ''}after=${found.page.next}` : null,
            firstHref: null,
            csvHref: `/api/v1/consultations/${found.consultation.id}/analysis/questions/${found.question.id}/answers.csv${back ? `?${back}` : ''}`,
            tagged: null,
            hidden: { q, ...raw },
            themesHref: `${root(found.consultation.id)}/questions/${found.question.id}/themes`,
            fieldErrors: fieldErrorsOf(error),
          },
          422,
        )
      }
    },
  )

  // --- the codebook ---

  async function renderThemes(
    request: FastifyRequest,
    reply: FastifyReply,
    consultationId: string,
    questionId: string,
    values: { name: string; description: string },
    fieldErrors?: Record<string, string>,
  ) {
    const o = await service.overview(request.ctx(), consultationId)
    const question = o.questions.find((q) => q.id === questionId)
    if (!question || !isCodable(question)) return reply.callNotFound()
    const summary = o.summaries.find((s) => s.questionId === questionId)!
    const themes = o.themes
      .filter((th) => th.questionId === questionId)
      .map((th) => ({
        ...th,
        count: summary.themes.find((x) => x.value === th.name)?.count ?? 0,
        answersHref: `${root(consultationId)}/questions/${questionId}/answers?theme=${th.id}`,
      }))
    return reply.render(
      `${VIEWS}/themes.njk`,
      {
        ...base(request, o),
        title: request.t('consultations.analysis.themes.title'),
        question: { id: question.id, label: questionLabel(o.questions, question) },
        themes,
        answered: summary.answered,
        coded: summary.coded,
        codedPercent: formatPercent(summary.answered ? (summary.coded / summary.answered) * 100 : 0),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/analysis/questions/:questionId/themes',
    { schema: { params: AnalysisQuestionParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderThemes(request, reply, request.params.id, request.params.questionId, { name: '', description: '' })
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/questions/:questionId/themes',
    { schema: { params: AnalysisQuestionParams, body: themeForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = { name: field(request.body, 'name', 200), description: field(request.body, 'description', 2000) }
      try {
        await service.addTheme(request.ctx(), request.params.id, request.params.questionId, values)
        return reply.redirect(`${root(request.params.id)}/questions/${request.params.questionId}/themes`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderThemes(request, reply, request.params.id, request.params.questionId, values, fieldErrors)
      }
    },
  )

  // --- one answer: its themes and notes ---

  async function renderAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    consultationId: string,
    answerId: string,
    options: { note?: string; chosen?: string[]; fieldErrors?: Record<string, string>; saved?: boolean } = {},
  ) {
    const found = await service.answer(request.ctx(), consultationId, answerId)
    const chosen = options.chosen ?? found.answer.themes.map((th) => th.id)
    return reply.render(
      `${VIEWS}/answer.njk`,
      {
        ...base(request, found),
        title: request.t('consultations.analysis.answer.title', { reference: found.answer.reference }),
        question: { id: found.question.id, label: questionLabel(found.questions, found.question) },
        answer: found.answer,
        respondentTypeText: request.t(
          `consultations.analysis.respondentType.${found.answer.respondentType === 'organisation' ? 'organisation' : 'individual'}`,
        ),
        channelText: request.t(
          `consultations.analysis.channel.${['post', 'email'].includes(found.answer.channel) ? found.answer.channel : 'online'}`,
        ),
        themeItems: found.themes.map((th) => ({ value: th.id, text: th.name, checked: chosen.includes(th.id) })),
        notes: found.notes,
        values: { note: options.note ?? '' },
        answersHref: `${root(consultationId)}/questions/${found.question.id}/answers`,
        themesHref: `${root(consultationId)}/questions/${found.question.id}/themes`,
        saved: options.saved === true,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/analysis/answers/:answerId',
    { schema: { params: AnalysisAnswerParams, querystring: FilterQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderAnswer(request, reply, request.params.id, request.params.answerId, {
        saved: (request.query as Record<string, unknown>).saved === '1',
      })
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/answers/:answerId/themes',
    { schema: { params: AnalysisAnswerParams, body: codeForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const chosen = fieldList(request.body, 'themes')
      try {
        await service.codeAnswer(request.ctx(), request.params.id, request.params.answerId, chosen)
        return reply.redirect(`${root(request.params.id)}/answers/${request.params.answerId}?saved=1`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderAnswer(request, reply, request.params.id, request.params.answerId, { chosen, fieldErrors })
      }
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/answers/:answerId/notes',
    { schema: { params: AnalysisAnswerParams, body: noteForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const note = field(request.body, 'note', 6000)
      try {
        await service.addNote(request.ctx(), request.params.id, request.params.answerId, note)
        return reply.redirect(`${root(request.params.id)}/answers/${request.params.answerId}#notes`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderAnswer(request, reply, request.params.id, request.params.answerId, { note, fieldErrors })
      }
    },
  )

  // --- data quality ---

  app.get(
    '/manage/consultations/:id/analysis/quality',
    { schema: { params: AnalysisParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const found = await service.quality(request.ctx(), request.params.id)
      const running = found.run !== null && (found.run.status === 'queued' || found.run.status === 'running')
      // the page refreshes itself while a check runs, without JavaScript
      if (running) reply.header('refresh', '3')
      const kinds = qualityKinds.map((kind) => ({
        kind,
        heading: t(`consultations.analysis.quality.kind.${kind}`),
        groups: found.groups
          .filter((g) => g.kind === kind)
          .map((g) => ({ ...g, href: `${root(found.consultation.id)}/quality/groups/${g.id}` })),
      }))
      return reply.render(`${VIEWS}/quality.njk`, {
        ...base(request, found),
        title: t('consultations.analysis.quality.title'),
        run: found.run
          ? {
              ...found.run,
              statusText: t(`consultations.analysis.job.${found.run.status}`),
            }
          : null,
        running,
        kinds,
      })
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/quality/run',
    { schema: { params: AnalysisParams, body: emptyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.requestDetection(request.ctx(), request.params.id)
      return reply.redirect(`${root(request.params.id)}/quality`, 303)
    },
  )

  async function renderGroup(
    request: FastifyRequest,
    reply: FastifyReply,
    consultationId: string,
    groupId: string,
    values: { outcome: string; reason: string },
    fieldErrors?: Record<string, string>,
  ) {
    const t = request.t
    const found = await service.group(request.ctx(), consultationId, groupId)
    return reply.render(
      `${VIEWS}/group.njk`,
      {
        ...base(request, found),
        title: t(`consultations.analysis.quality.kind.${found.group.kind}`),
        group: found.group,
        members: found.members.map((m) => ({
          ...m,
          similarityText: formatPercent(m.similarity * 100),
          outcomeText: m.outcome
            ? t(`consultations.analysis.decide.outcome.${m.outcome}`)
            : t('consultations.analysis.decide.none'),
        })),
        outcomeItems: ['keep', 'exclude', 'merge'].map((o) => ({
          value: o,
          text: t(`consultations.analysis.decide.option.${o}`),
        })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/analysis/quality/groups/:groupId',
    { schema: { params: AnalysisGroupParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderGroup(request, reply, request.params.id, request.params.groupId, { outcome: '', reason: '' })
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/quality/groups/:groupId',
    { schema: { params: AnalysisGroupParams, body: decideForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = { outcome: field(request.body, 'outcome', 20), reason: field(request.body, 'reason', 2000) }
      try {
        await service.decide(request.ctx(), request.params.id, request.params.groupId, values)
        return reply.redirect(`${root(request.params.id)}/quality/groups/${request.params.groupId}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderGroup(request, reply, request.params.id, request.params.groupId, values, fieldErrors)
      }
    },
  )

  // --- exports ---

  async function renderExports(
    request: FastifyRequest,
    reply: FastifyReply,
    consultationId: string,
    values: { format: string },
    fieldErrors?: Record<string, string>,
  ) {
    const t = request.t
    const found = await service.exports(request.ctx(), consultationId)
    return reply.render(
      `${VIEWS}/exports.njk`,
      {
        ...base(request, found),
        title: t('consultations.analysis.export.title'),
        formatItems: [
          { value: 'xlsx', text: t('consultations.analysis.export.format.xlsx') },
          { value: 'csv', text: t('consultations.analysis.export.format.csv') },
        ],
        exports: found.exports.map((e) => ({
          ...e,
          formatText: t(`consultations.analysis.export.format.${e.format}`),
          statusText: t(`consultations.analysis.job.${e.status}`),
          href: `${root(consultationId)}/exports/${e.id}`,
        })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/analysis/exports',
    { schema: { params: AnalysisParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderExports(request, reply, request.params.id, { format: '' })
    },
  )

  app.post(
    '/manage/consultations/:id/analysis/exports',
    { schema: { params: AnalysisParams, body: exportForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = { format: field(request.body, 'format', 20) }
      try {
        const created = await service.requestExport(request.ctx(), request.params.id, values.format)
        return reply.redirect(`${root(request.params.id)}/exports/${created.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderExports(request, reply, request.params.id, values, fieldErrors)
      }
    },
  )

  app.get(
    '/manage/consultations/:id/analysis/exports/:exportId',
    { schema: { params: AnalysisExportParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const found = await service.exportStatus(request.ctx(), request.params.id, request.params.exportId)
      const e = found.export
      const running = e.status === 'queued' || e.status === 'running'
      if (running) reply.header('refresh', '3')
      const percent = e.total ? Math.floor((e.done / e.total) * 100) : e.status === 'done' ? 100 : 0
      return reply.render(`${VIEWS}/export.njk`, {
        ...base(request, found),
        title: t('consultations.analysis.export.progressTitle'),
        export: {
          ...e,
          formatText: t(`consultations.analysis.export.format.${e.format}`),
          statusText: t(`consultations.analysis.job.${e.status}`),
          percent,
          sizeText:
            e.byteSize >= 1024 * 1024
              ? `${(e.byteSize / 1024 / 1024).toFixed(1)} MB`
              : `${Math.ceil(e.byteSize / 1024)} KB`,
        },
        running,
        downloadHref: `${root(request.params.id)}/exports/${e.id}/download`,
      })
    },
  )

  app.get(
    '/manage/consultations/:id/analysis/exports/:exportId/download',
    { schema: { params: AnalysisExportParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const {
        export: e,
        fileName,
        chunks,
      } = await service.download(request.ctx(), request.params.id, request.params.exportId)
      reply.header(
        'content-type',
        e.format === 'csv'
          ? 'text/csv; charset=utf-8'
          : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      )
      reply.header('content-disposition', `attachment; filename="${fileName}"`)
      reply.header('content-length', String(e.byteSize))
      reply.header('cache-control', 'no-store')
      return reply.send(Readable.from(chunks))
    },
  )
}

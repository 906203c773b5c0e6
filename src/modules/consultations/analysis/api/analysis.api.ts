// The analysis API under /api/v1 (analysts of the consultation's body; token scope
// consultations:analyse): counts per question, cross-tabulation, answers with full-text search,
// and data-quality groups, with CSV downloads of the counts and of the answers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../../platform/api/api.schemas.js'
import { csvStream } from '../../../../platform/audit/audit.presenter.js'
import {
  AnalysisParams,
  AnalysisQuestionParams,
  AnalysisSchema,
  AnswersPageSchema,
  ApiAnswersQuery,
  ApiFilterQuery,
  CrosstabSchema,
  QualitySchema,
} from '../analysis.schemas.js'
import { ANALYSIS_SCOPE, type AnalysisService } from '../analysis.service.js'
import type { AnswerItem } from '../analysis.types.js'

export const analysisApi: FastifyPluginAsyncTypebox<{ service: AnalysisService }> = async (app, { service }) => {
  const secured = [{ bearer: [] }]
  const tags = ['consultations']
  const answerToApi = (a: AnswerItem) => ({
    id: a.id,
    reference: a.reference,
    respondentType: a.respondentType,
    channel: a.channel,
    text: a.value,
    themes: a.themes,
    notes: a.notes,
  })

  app.get(
    '/consultations/:id/analysis',
    {
      schema: {
        tags,
        summary: "Counts of a consultation's answers per question, with the themes of coded free text",
        security: secured,
        params: AnalysisParams,
        querystring: ApiFilterQuery,
        response: { 200: AnalysisSchema, ...errorResponses },
      },
    },
    async (request) => {
      const o = await service.overview(
        request.ctx(),
        request.params.id,
        service.cleanFilters(request.query),
        ANALYSIS_SCOPE,
      )
      return {
        consultationId: o.consultation.id,
        responses: o.total,
        questions: o.questions.map((q, i) => {
          const s = o.summaries[i]!
          return {
            id: q.id,
            position: i + 1,
            type: q.type,
            title: q.title,
            answered: s.answered,
            coded: s.coded,
            options: s.options,
            themes: s.themes,
          }
        }),
      }
    },
  )

  app.get(
    '/consultations/:id/analysis.csv',
    {
      schema: {
        tags,
        summary: 'The counts per question as CSV',
        security: secured,
        params: AnalysisParams,
        querystring: ApiFilterQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const o = await service.overview(
        request.ctx(),
        request.params.id,
        service.cleanFilters(request.query),
        ANALYSIS_SCOPE,
      )
      const rows: unknown[][] = []
      o.questions.forEach((q, i) => {
        const s = o.summaries[i]!
        rows.push([i + 1, q.title, 'answered', '', s.answered, ''])
        for (const x of s.options) rows.push([i + 1, q.title, 'choice', x.value, x.count, x.percent.toFixed(1)])
        for (const x of s.themes) rows.push([i + 1, q.title, 'theme', x.value, x.count, x.percent.toFixed(1)])
      })
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="analysis-${o.consultation.id.slice(0, 8)}.csv"`)
        .header('cache-control', 'no-store')
      return reply.send(csvStream(['question', 'title', 'kind', 'value', 'count', 'percent'], rows))
    },
  )

  app.get(
    '/consultations/:id/analysis/questions/:questionId/crosstab',
    {
      schema: {
        tags,
        summary: "A question's answers by respondent type or by another choice question",
        security: secured,
        params: AnalysisQuestionParams,
        querystring: Type.Composite([
          ApiFilterQuery,
          Type.Object({
            by: Type.Optional(
              Type.String({ maxLength: 100, description: "respondent-type (the default) or a choice question's id" }),
            ),
          }),
        ]),
        response: { 200: CrosstabSchema, ...errorResponses },
      },
    },
    async (request) => {
      const x = await service.crosstab(
        request.ctx(),
        request.params.id,
        request.params.questionId,
        request.query.by || 'respondent-type',
        service.cleanFilters(request.query),
        ANALYSIS_SCOPE,
      )
      return {
        questionId: x.question.id,
        by: x.byQuestion ? x.byQuestion.id : 'respondent-type',
        ...x.table,
      }
    },
  )

  app.get(
    '/consultations/:id/analysis/questions/:questionId/answers',
    {
      schema: {
        tags,
        summary:
          'The free-text answers to a question, searched and filtered, a page at a time (keyset: pass next as after)',
        security: secured,
        params: AnalysisQuestionParams,
        querystring: ApiAnswersQuery,
        response: { 200: AnswersPageSchema, ...errorResponses },
      },
    },
    async (request) => {
      const themes = await service.themes(request.ctx(), request.params.id, request.params.questionId)
      const { page } = await service.answers(
        request.ctx(),
        request.params.id,
        request.params.questionId,
        {
          q: request.query.q,
          filters: service.cleanFilters(request.query, themes),
          after: request.query.after,
          limit: request.query.limit ?? 50,
        },
        ANALYSIS_SCOPE,
      )
      return { items: page.items.map(answerToApi), total: page.total, next: page.next }
    },
  )

  app.get(
    '/consultations/:id/analysis/questions/:questionId/answers.csv',
    {
      schema: {
        tags,
        summary: 'Every answer a search finds, as CSV',
        security: secured,
        params: AnalysisQuestionParams,
        querystring: Type.Omit(ApiAnswersQuery, ['after', 'limit']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const themes = await service.themes(request.ctx(), request.params.id, request.params.questionId)
      // checked before the first byte is sent, so a refusal is a proper error
      await service.access(request.ctx(), request.params.id, ANALYSIS_SCOPE)
      const ctx = request.ctx()
      const search = { q: request.query.q, filters: service.cleanFilters(request.query, themes) }
      const { id, questionId } = request.params
      const rows = (async function* () {
        for await (const a of service.allAnswers(ctx, id, questionId, search, ANALYSIS_SCOPE))
          yield [a.reference, a.respondentType, a.channel, a.value, a.themes.map((t) => t.name).join('; '), a.notes]
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="answers-${questionId.slice(0, 8)}.csv"`)
        .header('cache-control', 'no-store')
      return reply.send(csvStream(['reference', 'respondent_type', 'channel', 'answer', 'themes', 'notes'], rows))
    },
  )

  app.get(
    '/consultations/:id/analysis/quality',
    {
      schema: {
        tags,
        summary: 'The latest data-quality check: duplicates, campaigns and blank responses, in groups',
        security: secured,
        params: AnalysisParams,
        response: { 200: QualitySchema, ...errorResponses },
      },
    },
    async (request) => {
      const found = await service.quality(request.ctx(), request.params.id, ANALYSIS_SCOPE)
      return {
        run: found.run
          ? {
              id: found.run.id,
              status: found.run.status,
              summary: found.run.summary,
              createdAt: found.run.createdAt.toISOString(),
              finishedAt: found.run.finishedAt ? found.run.finishedAt.toISOString() : null,
            }
          : null,
        groups: found.groups,
      }
    },
  )
}

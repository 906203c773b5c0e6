// The consultations JSON API under /api/v1: public lists and pages of published consultations,
// and the staff API of a consultation's responses (token scope consultations:read).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses, PageOf } from '../../../platform/api/api.schemas.js'
import { csvStream } from '../../../platform/audit/audit.presenter.js'
import {
  ConsultationDetailSchema,
  ConsultationSchema,
  IdParams,
  PublicListQuery,
  ResponseSchema,
  ResponsesQuery,
} from '../consultation.schemas.js'
import {
  CONSULTATION_CSV_COLUMNS,
  consultationCsvRow,
  consultationDetailToApi,
  consultationToApi,
  responseToApi,
} from '../consultation.presenter.js'
import { READ_SCOPE, type ConsultationService } from '../consultation.service.js'
import type { ConsultationSearch } from '../consultation.types.js'

export const consultationApi: FastifyPluginAsyncTypebox<{ service: ConsultationService }> = async (
  app,
  { service },
) => {
  const { baseUrl } = app.kernel.config
  app.addSchema(ConsultationSchema)
  const secured = [{ bearer: [] }]
  const searchOf = (query: {
    q?: string | undefined
    organisation?: string | undefined
    status?: string | undefined
  }): ConsultationSearch & { organisationSlug?: string | undefined } => ({
    q: query.q,
    organisationSlug: query.organisation || undefined,
    status:
      query.status === 'open' || query.status === 'forthcoming' || query.status === 'closed' ? query.status : undefined,
  })

  app.get(
    '/consultations',
    {
      schema: {
        tags: ['consultations'],
        summary: 'Published consultations: open, forthcoming and closed',
        querystring: PublicListQuery,
        response: { 200: PageOf(ConsultationSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await service.searchPublished({
        ...searchOf(request.query),
        page: request.query.page,
        pageSize: request.query.pageSize,
      })
      return { ...page, items: page.items.map((w) => consultationToApi(w, baseUrl)) }
    },
  )

  app.get(
    '/consultations.csv',
    {
      schema: {
        tags: ['consultations'],
        summary: 'Published consultations as CSV',
        querystring: Type.Omit(PublicListQuery, ['page', 'pageSize']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const search = searchOf(request.query)
      const rows = (async function* () {
        for await (const w of service.allPublished(search)) yield consultationCsvRow(w, baseUrl)
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="consultations.csv"')
      return reply.send(csvStream(CONSULTATION_CSV_COLUMNS, rows))
    },
  )

  app.get(
    '/consultations/:id',
    {
      schema: {
        tags: ['consultations'],
        summary: 'A published consultation with its questionnaire',
        params: IdParams,
        response: { 200: ConsultationDetailSchema, ...errorResponses },
      },
    },
    async (request) => consultationDetailToApi(await service.getPublished(request.params.id), baseUrl),
  )

  app.get(
    '/consultations/:id/responses',
    {
      schema: {
        tags: ['consultations'],
        summary: "A consultation's responses (its body's consultation managers and analysts; scope consultations:read)",
        security: secured,
        params: IdParams,
        querystring: ResponsesQuery,
        response: { 200: PageOf(ResponseSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { found, page } = await service.responsesPage(request.ctx(), request.params.id, request.query, READ_SCOPE)
      return { ...page, items: page.items.map((r) => responseToApi(r, found.questions)) }
    },
  )
}

// The consultations JSON API under /api/v1: public lists and pages of published consultations,
// and the staff API of a consultation's responses (token scope consultations:read).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses, PageOf } from '../../../platform/api/api.schemas.js'
import {
  ConsultationDetailSchema,
  ConsultationSchema,
  IdParams,
  ResponseSchema,
  ResponsesQuery,
} from '../consultation.schemas.js'
import { consultationDetailToApi, responseToApi } from '../consultation.presenter.js'
import { READ_SCOPE, type ConsultationService } from '../consultation.service.js'
import type { DiscoveryService } from '../discovery/discovery.service.js'
import { DetailsSchema } from '../discovery/discovery.schemas.js'
import { detailsToApi } from '../discovery/discovery.presenter.js'

export const consultationApi: FastifyPluginAsyncTypebox<{
  service: ConsultationService
  discovery: DiscoveryService
}> = async (app, { service, discovery }) => {
  const { baseUrl } = app.kernel.config
  app.addSchema(ConsultationSchema)
  const secured = [{ bearer: [] }]
  // The list of consultations and its CSV are in discovery/discovery.api.ts.

  app.get(
    '/consultations/:id',
    {
      schema: {
        tags: ['consultations'],
        summary: 'A published consultation with its questionnaire, topics and Gaelic texts',
        params: IdParams,
        response: { 200: Type.Composite([ConsultationDetailSchema, DetailsSchema]), ...errorResponses },
      },
    },
    async (request) => {
      const found = await service.getPublished(request.params.id)
      return {
        ...consultationDetailToApi(found, baseUrl, await service.documents(found.consultation.id)),
        ...detailsToApi(await discovery.details(found.consultation.id)),
      }
    },
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

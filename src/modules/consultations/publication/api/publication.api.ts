// The public API of published responses and outcomes: a page of responses as JSON, every response
// as CSV or as one JSON document, and the outcome. What is shown honours every respondent's
// publication choice and every moderation decision (PublicationService decides it).
import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses, PageOf } from '../../../../platform/api/api.schemas.js'
import { csvStream } from '../../../../platform/audit/audit.presenter.js'
import { IdParams } from '../../consultation.schemas.js'
import type { PublicationService } from '../publication.service.js'
import { redactionLabel } from '../web/publication.web.js'
import {
  OutcomeSchema,
  PublishedPageQuery,
  PublishedResponseSchema,
  outcomeToApi,
  publishedCsvColumns,
  publishedCsvRow,
  publishedToApi,
} from '../publication.presenter.js'

export const publicationApi: FastifyPluginAsyncTypebox<{ publication: PublicationService }> = async (
  app,
  { publication },
) => {
  const { baseUrl } = app.kernel.config
  // Downloads and the API speak English whatever the browser's language, so files are comparable.
  const en = app.kernel.i18n.translator('en')
  const label = redactionLabel(en)
  app.addSchema(PublishedResponseSchema)

  app.get(
    '/consultations/:id/published-responses',
    {
      schema: {
        tags: ['consultations'],
        summary:
          'Published responses to a consultation: only those whose respondents allowed it, each answer as moderated',
        params: IdParams,
        querystring: PublishedPageQuery,
        response: { 200: PageOf(Type.Ref(PublishedResponseSchema)), ...errorResponses },
      },
    },
    async (request) => {
      const { page } = await publication.publicPage(request.params.id, request.query, label)
      return { ...page, items: page.items.map(publishedToApi) }
    },
  )

  app.get(
    '/consultations/:id/published-responses.csv',
    {
      schema: {
        tags: ['consultations'],
        summary: 'Every published response to a consultation, as CSV',
        params: IdParams,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      // Checked before the first byte, so a refusal is a proper error.
      const found = await publication.publicConsultation(request.params.id)
      const awaiting = en('consultations.published.awaitingModeration')
      const rows = (async function* () {
        for await (const r of publication.allPublic(found.consultation.id, label))
          yield publishedCsvRow(r, found.questions, awaiting)
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="published-responses-${found.consultation.id}.csv"`)
      return reply.send(csvStream(publishedCsvColumns(found.questions), rows))
    },
  )

  app.get(
    '/consultations/:id/published-responses.json',
    {
      schema: {
        tags: ['consultations'],
        summary: 'Every published response to a consultation, as one JSON document',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const found = await publication.publicConsultation(request.params.id)
      const id = found.consultation.id
      const body = (async function* () {
        yield `{"consultationId":${JSON.stringify(id)},"title":${JSON.stringify(found.consultation.title)},"items":[`
        let first = true
        for await (const r of publication.allPublic(id, label)) {
          yield `${first ? '' : ','}${JSON.stringify(publishedToApi(r))}`
          first = false
        }
        yield ']}'
      })()
      reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="published-responses-${id}.json"`)
      return reply.send(Readable.from(body))
    },
  )

  app.get(
    '/consultations/:id/outcome',
    {
      schema: {
        tags: ['consultations'],
        summary: 'The published outcome of a consultation ("We asked, you said, we did")',
        params: IdParams,
        response: { 200: OutcomeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { found, outcome, documents, responsesPublished } = await publication.publicOutcome(request.params.id)
      return outcomeToApi(found.consultation, outcome, documents, baseUrl, responsesPublished)
    },
  )
}

// The public API for finding consultations, under /api/v1: the list with the same filters as the
// page (status, body, topic, words), its CSV download, and the national list of topics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses, PageOf } from '../../../platform/api/api.schemas.js'
import { csvStream } from '../../../platform/audit/audit.presenter.js'
import type { DiscoveryService } from './discovery.service.js'
import { LIST_CSV_COLUMNS, foundCsvRow, foundToApi, topicToApi } from './discovery.presenter.js'
import { ConsultationListItemSchema, CsvQuery, ListQuery, TopicSchema } from './discovery.schemas.js'
import type { DiscoverySearch } from './discovery.types.js'
import { topics } from './topics.js'

export const discoveryApi: FastifyPluginAsyncTypebox<{ discovery: DiscoveryService }> = async (app, { discovery }) => {
  const { baseUrl } = app.kernel.config
  app.addSchema(ConsultationListItemSchema)
  app.addSchema(TopicSchema)

  const searchOf = (query: {
    q?: string | undefined
    organisation?: string | undefined
    topic?: string | undefined
    status?: string | undefined
  }): DiscoverySearch => ({
    q: query.q,
    organisation: query.organisation || undefined,
    topic: query.topic || undefined,
    status:
      query.status === 'open' || query.status === 'forthcoming' || query.status === 'closed' ? query.status : undefined,
  })

  app.get(
    '/consultations',
    {
      schema: {
        tags: ['consultations'],
        summary: 'Published consultations: open, forthcoming and closed, by body and topic, searched by words',
        description:
          'Words are searched in the English and the Gaelic texts (title, summary and body). ' +
          'The Gaelic version of a text is under `gaelic`, null where there is none.',
        querystring: ListQuery,
        response: { 200: PageOf(ConsultationListItemSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await discovery.search({
        ...searchOf(request.query),
        page: request.query.page,
        pageSize: request.query.pageSize,
      })
      return { ...page, items: page.items.map((f) => foundToApi(f, baseUrl)) }
    },
  )

  app.get(
    '/consultations.csv',
    {
      schema: {
        tags: ['consultations'],
        summary: 'Published consultations as CSV, with the same filters as the list',
        querystring: CsvQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const search = searchOf(request.query)
      const rows = (async function* () {
        for await (const f of discovery.all(search)) yield foundCsvRow(f, baseUrl)
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="consultations.csv"')
      return reply.send(csvStream(LIST_CSV_COLUMNS, rows))
    },
  )

  app.get(
    '/consultation-topics',
    {
      schema: {
        tags: ['consultations'],
        summary: 'The national list of topics consultations are filed under, in English and Gaelic',
        response: { 200: Type.Object({ items: Type.Array(TopicSchema) }) },
      },
    },
    async () => ({ items: topics.map(topicToApi) }),
  )
}

// The catalogue's JSON API under /api/v1: the public search with facets (and as CSV), a dataset,
// its DCAT metadata, the whole catalogue as DCAT and data.json, the change feeds; and the
// publisher's API (token scope open-data:publish) for everything the staff pages do.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../../platform/api/api.schemas.js'
import { csvStream } from '../../../../platform/audit/audit.presenter.js'
import type { ActionContext } from '../../../../platform/auth/principal.js'
import type { TableSummary, Viewer } from '../../datastore/datastore.public.js'
import {
  DatasetBody,
  DatasetSchema,
  IdParams,
  NameParams,
  ResourceBody,
  ResourceParams,
  ResourceSchema,
  SearchQuery,
  SearchResponse,
  WithdrawBody,
} from '../dataset.schemas.js'
import { DATASET_CSV_COLUMNS, datasetCsvRow, datasetToApi, facetsToApi } from '../dataset.presenter.js'
import { PUBLISH_SCOPE, type CatalogueService, type DatasetInput, type DatasetView } from '../dataset.service.js'
import { catalogueGraph, datasetGraph, podCatalogue, podDataset, toJsonLd, toTurtle } from '../dcat.js'
import { atomFeed, jsonFeed } from '../feeds.js'
import { CatalogueError } from '../dataset.errors.js'

const PUBLIC: Viewer = { kind: 'public' }
const many = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

export const catalogueApi: FastifyPluginAsyncTypebox<{ service: CatalogueService }> = async (app, { service }) => {
  const { baseUrl } = app.kernel.config
  app.addSchema(DatasetSchema)
  const secured = [{ bearer: [] }]
  const tags = ['open data: catalogue']

  const tablesOf = async (views: DatasetView[], viewer: Viewer = PUBLIC): Promise<Map<string, TableSummary>> =>
    service.datastore.summaries(
      views.flatMap((v) => v.resources.filter((r) => r.kind === 'datastore').map((r) => r.id)),
      viewer,
    )

  const toApi = async (views: DatasetView[], viewer: Viewer = PUBLIC) => {
    const tables = await tablesOf(views, viewer)
    const councils = await service.councils()
    return views.map((v) => datasetToApi(v, baseUrl, tables, councils))
  }

  const searchParams = (query: {
    q?: string | undefined
    organisation?: string | string[] | undefined
    theme?: string | string[] | undefined
    format?: string | string[] | undefined
    licence?: string | string[] | undefined
    keyword?: string | string[] | undefined
    sort?: string | undefined
  }) => ({
    q: query.q,
    organisation: many(query.organisation),
    theme: many(query.theme),
    format: many(query.format),
    licence: many(query.licence),
    keyword: many(query.keyword),
    sort: query.sort,
  })

  app.get(
    '/datasets',
    {
      schema: {
        tags,
        summary: 'Search published datasets, with facets (body, theme, format, licence, keyword)',
        querystring: SearchQuery,
        response: { 200: SearchResponse, ...errorResponses },
      },
    },
    async (request) => {
      const result = await service.search({
        ...searchParams(request.query),
        page: request.query.page,
        pageSize: request.query.pageSize,
      })
      return {
        ...result.page,
        items: await toApi(result.page.items),
        sort: result.sort,
        facets: facetsToApi(result.facets, result.organisations),
      }
    },
  )

  app.get(
    '/datasets.csv',
    {
      schema: {
        tags,
        summary: 'Published datasets matching a search, as CSV',
        querystring: Type.Omit(SearchQuery, ['page', 'pageSize']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const params = searchParams(request.query)
      const rows = (async function* () {
        for await (const v of service.allMatching(params)) yield datasetCsvRow(v, baseUrl)
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="datasets.csv"')
      return reply.send(csvStream(DATASET_CSV_COLUMNS, rows))
    },
  )

  app.get(
    '/datasets/feed.atom',
    { schema: { tags, summary: 'New and updated datasets, as an Atom feed', produces: ['application/atom+xml'] } },
    async (_request, reply) =>
      reply.type('application/atom+xml; charset=utf-8').send(atomFeed(await service.recent(50), baseUrl)),
  )

  app.get(
    '/datasets/feed.json',
    { schema: { tags, summary: 'New and updated datasets, as a JSON Feed 1.1', produces: ['application/feed+json'] } },
    async (_request, reply) =>
      reply
        .type('application/feed+json; charset=utf-8')
        .send(JSON.stringify(jsonFeed(await service.recent(50), baseUrl))),
  )

  /** A dataset for the public, or (drafts too) for its publisher. */
  async function readable(request: { ctx: () => ActionContext }, idOrName: string) {
    const ctx = request.ctx()
    if (ctx.principal && /^[0-9a-f-]{36}$/i.test(idOrName)) {
      try {
        return { view: await service.getForPublisher(ctx, idOrName), viewer: { kind: 'context', ctx } as Viewer }
      } catch {
        // not theirs: the public view below decides
      }
    }
    const view = await service.getPublicByIdOrName(idOrName)
    if (view.dataset.status === 'withdrawn')
      throw new CatalogueError(
        'DATASET_WITHDRAWN',
        `This dataset was withdrawn: ${view.dataset.withdrawalReason ?? ''}`.trim(),
      )
    return { view, viewer: PUBLIC }
  }

  app.get(
    '/datasets/:name',
    {
      schema: {
        tags,
        summary: 'A published dataset by its name or id (its publisher also sees drafts, by id)',
        params: NameParams,
        response: { 200: DatasetSchema, ...errorResponses, 410: errorResponses[409] },
      },
    },
    async (request) => {
      const { view, viewer } = await readable(request, request.params.name)
      return (await toApi([view], viewer))[0]!
    },
  )

  app.get(
    '/datasets/:name/dcat.jsonld',
    {
      schema: {
        tags,
        summary: 'A dataset as DCAT-AP 3 (JSON-LD)',
        params: NameParams,
        produces: ['application/ld+json'],
      },
    },
    async (request, reply) => {
      const { view, viewer } = await readable(request, request.params.name)
      const quads = datasetGraph({ view, tables: await tablesOf([view], viewer) }, baseUrl)
      return reply.type('application/ld+json; charset=utf-8').send(JSON.stringify(toJsonLd(quads), null, 2))
    },
  )

  app.get(
    '/datasets/:name/dcat.ttl',
    {
      schema: { tags, summary: 'A dataset as DCAT-AP 3 (Turtle)', params: NameParams, produces: ['text/turtle'] },
    },
    async (request, reply) => {
      const { view, viewer } = await readable(request, request.params.name)
      const quads = datasetGraph({ view, tables: await tablesOf([view], viewer) }, baseUrl)
      return reply.type('text/turtle; charset=utf-8').send(await toTurtle(quads))
    },
  )

  async function wholeCatalogue() {
    const views: DatasetView[] = []
    for await (const v of service.allPublished()) views.push(v)
    const tables = await tablesOf(views)
    return { views, tables }
  }

  app.get(
    '/catalog.jsonld',
    { schema: { tags, summary: 'The whole catalogue as DCAT-AP 3 (JSON-LD)', produces: ['application/ld+json'] } },
    async (_request, reply) => {
      const { views, tables } = await wholeCatalogue()
      const quads = catalogueGraph(
        views.map((view) => ({ view, tables })),
        baseUrl,
      )
      return reply.type('application/ld+json; charset=utf-8').send(JSON.stringify(toJsonLd(quads)))
    },
  )

  app.get(
    '/catalog.ttl',
    { schema: { tags, summary: 'The whole catalogue as DCAT-AP 3 (Turtle)', produces: ['text/turtle'] } },
    async (_request, reply) => {
      const { views, tables } = await wholeCatalogue()
      const quads = catalogueGraph(
        views.map((view) => ({ view, tables })),
        baseUrl,
      )
      return reply.type('text/turtle; charset=utf-8').send(await toTurtle(quads))
    },
  )

  app.get(
    '/data.json',
    { schema: { tags, summary: 'The whole catalogue as data.json (Project Open Data 1.1)' } },
    async (_request, reply) => {
      const { views, tables } = await wholeCatalogue()
      const councils = await service.councils()
      return reply.type('application/json; charset=utf-8').send(
        JSON.stringify(
          podCatalogue(
            views.map((v) => podDataset(v, tables, baseUrl, councils)),
            baseUrl,
          ),
        ),
      )
    },
  )

  // --- the publisher's API ---

  const inputOf = async (body: typeof DatasetBody.static): Promise<DatasetInput> => {
    const organisation = await app.kernel.organisations.getBySlug(body.organisation).catch(() => null)
    return {
      organisationId: organisation?.id ?? '',
      title: body.title,
      description: body.description ?? '',
      keywords: (body.keywords ?? []).join(','),
      theme: body.theme,
      licence: body.licence ?? '',
      frequency: body.frequency ?? '',
      temporalStart: body.temporalStart ?? '',
      temporalEnd: body.temporalEnd ?? '',
      spatial: body.spatial ?? [],
      contactName: body.contactName ?? '',
      contactEmail: body.contactEmail ?? '',
    }
  }

  const own = async (request: { ctx: () => ActionContext }, id: string) => {
    const view = await service.getForPublisher(request.ctx(), id, PUBLISH_SCOPE)
    return (await toApi([view], { kind: 'context', ctx: request.ctx() }))[0]!
  }

  app.post(
    '/datasets',
    {
      schema: {
        tags,
        summary: 'Create a draft dataset (data publishers of the body; scope open-data:publish)',
        security: secured,
        body: DatasetBody,
        response: { 201: DatasetSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const created = await service.create(request.ctx(), await inputOf(request.body), PUBLISH_SCOPE)
      return reply.code(201).send(await own(request, created.id))
    },
  )

  app.put(
    '/datasets/:id',
    {
      schema: {
        tags,
        summary: "Replace a dataset's metadata (scope open-data:publish)",
        security: secured,
        params: IdParams,
        body: DatasetBody,
        response: { 200: DatasetSchema, ...errorResponses },
      },
    },
    async (request) => {
      await service.update(request.ctx(), request.params.id, await inputOf(request.body), PUBLISH_SCOPE)
      return own(request, request.params.id)
    },
  )

  app.post(
    '/datasets/:id/publish',
    {
      schema: {
        tags,
        summary: 'Publish a dataset (scope open-data:publish)',
        security: secured,
        params: IdParams,
        response: { 200: DatasetSchema, ...errorResponses },
      },
    },
    async (request) => {
      await service.publish(request.ctx(), request.params.id, PUBLISH_SCOPE)
      return own(request, request.params.id)
    },
  )

  app.post(
    '/datasets/:id/withdraw',
    {
      schema: {
        tags,
        summary: 'Withdraw a published dataset, with a reason (scope open-data:publish)',
        security: secured,
        params: IdParams,
        body: WithdrawBody,
        response: { 200: DatasetSchema, ...errorResponses },
      },
    },
    async (request) => {
      await service.withdraw(request.ctx(), request.params.id, request.body.reason, PUBLISH_SCOPE)
      return own(request, request.params.id)
    },
  )

  app.delete(
    '/datasets/:id',
    {
      schema: {
        tags,
        summary: 'Delete a draft that was never published (scope open-data:publish)',
        security: secured,
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await service.deleteDraft(request.ctx(), request.params.id, PUBLISH_SCOPE)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/datasets/:id/resources',
    {
      schema: {
        tags,
        summary: 'Add a resource: a link, or a data table to load through the data store (scope open-data:publish)',
        security: secured,
        params: IdParams,
        body: ResourceBody,
        response: { 201: ResourceSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body
      const resource = await service.addResource(
        request.ctx(),
        request.params.id,
        { kind: b.kind, name: b.name, description: b.description ?? '', format: b.format ?? '', url: b.url ?? '' },
        PUBLISH_SCOPE,
      )
      const dataset = await own(request, request.params.id)
      return reply.code(201).send(dataset.resources.find((r) => r.id === resource.id)!)
    },
  )

  app.delete(
    '/datasets/:id/resources/:resourceId',
    {
      schema: {
        tags,
        summary: 'Remove a resource (scope open-data:publish)',
        security: secured,
        params: ResourceParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await service.removeResource(request.ctx(), request.params.id, request.params.resourceId, PUBLISH_SCOPE)
      return reply.code(204).send(null)
    },
  )
}

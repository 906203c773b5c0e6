// Public pages of the catalogue: the search with facets, a dataset's page (metadata, resources
// with their downloads, the data store's preview, schema.org JSON-LD), and a resource's page
// with the preview and the chart builder.
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { TableSummary, Viewer } from '../../datastore/datastore.public.js'
import { NameParams, NameResourceParams, PageSearchQuery } from '../dataset.schemas.js'
import { datasetDetailView, datasetSummaryView, facetGroups, orgName } from '../dataset.presenter.js'
import type { CatalogueService, DatasetView, SearchParams } from '../dataset.service.js'
import type { Resource } from '../dataset.types.js'
import { jsonLdScript, schemaOrgDataset } from '../dcat.js'
import { sorts } from '../dataset.types.js'

const PUBLIC: Viewer = { kind: 'public' }

const many = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

/** The page's query string parameters as plain strings (the data store's partials keep them in links). */
function stringParams(query: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string' && k.length <= 100 && v.length <= 500) out[k] = v
  }
  return out
}

export const catalogueWeb: FastifyPluginAsyncTypebox<{ service: CatalogueService }> = async (app, { service }) => {
  const { baseUrl } = app.kernel.config

  const resourceLinks = (r: Resource, table: TableSummary | undefined, view: DatasetView, t: FastifyRequest['t']) => ({
    ...r,
    pageHref: r.kind === 'datastore' ? `/datasets/${view.dataset.name}/resources/${r.id}` : null,
    downloads:
      r.kind === 'file' && r.fileId
        ? [{ href: `/open-data/files/${r.id}`, text: t('open-data.download.file', { format: r.format || '' }).trim() }]
        : table
          ? [
              { href: table.links.csv, text: t('open-data.download.csv') },
              { href: table.links.json, text: t('open-data.download.json') },
              { href: table.links.parquet, text: t('open-data.download.parquet') },
            ]
          : null,
    rowsText: table && table.rowCount > 0 ? t('open-data.resource.rows', { count: table.rowCount }) : '',
  })

  app.get('/datasets', { schema: { querystring: PageSearchQuery } }, async (request, reply) => {
    const t = request.t
    const query = request.query
    const params: SearchParams = {
      q: query.q,
      organisation: many(query.organisation),
      theme: many(query.theme),
      format: many(query.format),
      licence: many(query.licence),
      keyword: many(query.keyword),
      sort: query.sort,
      page: Math.min(Number.parseInt(query.page ?? '1', 10) || 1, 500),
      pageSize: 20,
    }
    const result = await service.search(params)
    const current = new URLSearchParams()
    if (query.q) current.set('q', query.q.slice(0, 200))
    for (const key of ['organisation', 'theme', 'format', 'licence', 'keyword'] as const)
      for (const v of many(query[key])) current.append(key, v)
    if (query.sort && (sorts as readonly string[]).includes(query.sort)) current.set('sort', query.sort)
    const qs = current.toString()
    const groups = facetGroups(result.facets, current, result.organisations, t, request.locale)
    const selected = groups.flatMap((g) => g.items.filter((i) => i.selected).map((i) => ({ ...i, group: g.title })))
    return reply.render('open-data/catalogue/list.njk', {
      section: 'open-data',
      title: t('open-data.list.title'),
      query: { q: query.q ?? '', sort: result.sort },
      hidden: [...current.entries()]
        .filter(([k]) => k !== 'q' && k !== 'sort')
        .map(([name, value]) => ({ name, value })),
      sortOptions: sorts.map((s) => ({ value: s, text: t(`open-data.sort.${s}`) })),
      result: result.page,
      items: result.page.items.map((v) => datasetSummaryView(v, t, request.locale)),
      groups,
      selected,
      clearHref: '/datasets',
      pageBase: `/datasets?${qs ? `${qs}&` : ''}`,
      csvHref: `/api/v1/datasets.csv${qs ? `?${qs}` : ''}`,
      jsonHref: `/api/v1/datasets${qs ? `?${qs}` : ''}`,
    })
  })

  app.get('/datasets/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const t = request.t
    const view = await service.getPublic(request.params.name)
    const d = view.dataset
    const councils = await service.councils()
    const detail = datasetDetailView(view, t, request.locale, councils)
    if (d.status === 'withdrawn') {
      return reply.render(
        'open-data/catalogue/withdrawn.njk',
        { section: 'open-data', title: d.title, dataset: detail, headerLabel: detail.organisationName },
        410,
      )
    }
    const tableIds = view.resources.filter((r) => r.kind === 'datastore').map((r) => r.id)
    const tables = await service.datastore.summaries(tableIds, PUBLIC)
    const firstTable = tableIds.find((id) => tables.get(id)?.latestVersion)
    const basePath = `/datasets/${d.name}`
    const previewModel = firstTable
      ? await service.datastore.preview(
          firstTable,
          { basePath, params: stringParams(request.query), locale: request.locale },
          PUBLIC,
        )
      : null
    return reply.render('open-data/catalogue/show.njk', {
      section: 'open-data',
      title: d.title,
      headerOrganisation: orgName(view.organisation, request.locale),
      dataset: detail,
      resources: view.resources.map((r) => resourceLinks(r, tables.get(r.id), view, t)),
      previewModel,
      previewName: firstTable ? view.resources.find((r) => r.id === firstTable)?.name : '',
      datastorePartials: service.datastore.partials,
      jsonLd: jsonLdScript(schemaOrgDataset(view, baseUrl, tables, councils)),
      metadataLinks: [
        { href: `${basePath}/dcat.jsonld`, text: t('open-data.metadata.jsonld') },
        { href: `${basePath}/dcat.ttl`, text: t('open-data.metadata.turtle') },
        { href: `/api/v1/datasets/${d.name}`, text: t('open-data.metadata.api') },
        { href: `/api/3/action/package_show?id=${d.name}`, text: t('open-data.metadata.ckan') },
      ],
      subscribeAction: `${basePath}/subscribe`,
    })
  })

  app.get(
    '/open-data/files/:resourceId',
    { schema: { params: Type.Object({ resourceId: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) =>
      service.kernel.files.send(reply, await service.resourceFile(request.ctx(), request.params.resourceId)),
  )

  app.get(
    '/datasets/:name/resources/:resourceId',
    { schema: { params: NameResourceParams } },
    async (request, reply) => {
      const t = request.t
      const view = await service.getPublic(request.params.name)
      if (view.dataset.status !== 'published') return reply.redirect(`/datasets/${view.dataset.name}`, 303)
      const resource = view.resources.find((r) => r.id === request.params.resourceId)
      if (!resource) throw Object.assign(new Error('There is no such resource'), { statusCode: 404, code: 'NOT_FOUND' })
      const basePath = `/datasets/${view.dataset.name}/resources/${resource.id}`
      const params = stringParams(request.query)
      const table = resource.kind === 'datastore' ? await service.datastore.summary(resource.id, PUBLIC) : null
      const previewModel =
        table?.latestVersion != null
          ? await service.datastore.preview(resource.id, { basePath, params, locale: request.locale }, PUBLIC)
          : null
      const chartModel =
        table?.latestVersion != null
          ? await service.datastore.chart(resource.id, { basePath, params, locale: request.locale }, PUBLIC)
          : null
      return reply.render('open-data/catalogue/resource.njk', {
        section: 'open-data',
        title: resource.name,
        headerLabel: view.dataset.title,
        headerOrganisation: orgName(view.organisation, request.locale),
        datasetHref: `/datasets/${view.dataset.name}`,
        datasetTitle: view.dataset.title,
        resource: resourceLinks(resource, table ?? undefined, view, t),
        columns: table?.columns ?? [],
        previewModel,
        chartModel,
        datastorePartials: service.datastore.partials,
      })
    },
  )
}

// Part of the open-data module: the data store. See ../index.ts and ./datastore.public.ts (the
// contract with the catalogue).
import type { FastifyPluginAsync } from 'fastify'
import { councilMapSvg } from './council-map.js'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import { registerScope } from '../../../platform/accounts/scopes.js'
import type { ChartModel, DatastoreService, PreviewModel, QueryResult } from './datastore.public.js'
import { DatastoreServiceImpl, INGEST_JOB, PUBLISH_SCOPE } from './datastore.service.js'
import { datastoreApi } from './api/datastore.api.js'
import { datastoreWeb } from './web/datastore.web.js'
import { buildPreview, chartInputs, chartSvg, errorMessage, previewParams } from './datastore.presenter.js'

export { DatastoreServiceImpl } from './datastore.service.js'

export function createDatastore(kernel: Kernel): {
  service: DatastoreService
  impl: DatastoreServiceImpl
  plugin: FastifyPluginAsync
  nav: NavModule[]
} {
  const impl = new DatastoreServiceImpl(kernel)
  registerScope({ id: PUBLISH_SCOPE, labelKey: 'open-data.datastore.scope.publish' })
  kernel.jobs.define<{ uploadId: string }>({
    name: INGEST_JOB,
    retryLimit: 0,
    handler: async (data) => {
      await impl.runIngestion(data.uploadId)
    },
  })

  const empty: QueryResult = { columns: [], rows: [], total: { count: 0, exact: true }, nextCursor: null }

  const service: DatastoreService = {
    attachTable: (input, ctx) => impl.attachTable(input, ctx),
    setPublic: (resourceId, isPublic, ctx) => impl.setPublic(resourceId, isPublic, ctx),
    detachTable: (resourceId, ctx) => impl.detachTable(resourceId, ctx),
    summary: (resourceId, viewer) => impl.summary(resourceId, viewer),
    summaries: (ids, viewer) => impl.summaries(ids, viewer),
    query: (resourceId, query, viewer) => impl.query(resourceId, query, viewer),
    parseQuery: (params) => impl.parseQuery(params),
    preview: async (resourceId, input, viewer): Promise<PreviewModel | null> => {
      const summary = await impl.summary(resourceId, viewer)
      if (!summary || !summary.latestVersion) return null
      const t = kernel.i18n.translator(input.locale)
      let result = { ...empty, columns: summary.columns }
      let error: string | null = null
      try {
        result = await impl.query(resourceId, impl.parseQuery(previewParams(input.params)), viewer)
      } catch (e) {
        error = errorMessage(e, t)
        if (error === null) throw e
      }
      return buildPreview(summary, result, input, error)
    },
    chart: async (resourceId, input, viewer): Promise<ChartModel | null> => {
      const summary = await impl.summary(resourceId, viewer)
      if (!summary || !summary.latestVersion) return null
      const t = kernel.i18n.translator(input.locale)
      const c = chartInputs(input.params)
      const model: ChartModel = {
        summary,
        kind: c.kind,
        x: c.x,
        y: c.y,
        aggregate: c.aggregate,
        points: [],
        svg: '',
        basePath: input.basePath,
        params: input.params,
        error: null,
      }
      if (!c.x) return model
      try {
        const x = summary.columns.find((col) => col.name === c.x)
        if (!x) throw new Error('x')
        const y = c.aggregate === 'count' ? null : summary.columns.find((col) => col.name === c.y)
        if (c.aggregate !== 'count' && !y) {
          model.error = t('open-data.datastore.chart.choose-y')
          return model
        }
        const result = await impl.query(
          resourceId,
          {
            ...impl.parseQuery(previewParams(input.params)),
            sort: undefined,
            cursor: undefined,
            limit: 60,
            groupBy: {
              columns: [x.name],
              ...(c.aggregate === 'sum' && y ? { sum: [y.name] } : {}),
              ...(c.aggregate === 'avg' && y ? { avg: [y.name] } : {}),
            },
          },
          viewer,
        )
        const valueKey = c.aggregate === 'count' ? 'count' : `${c.aggregate}_${y!.name}`
        const points = result.rows
          .map((r) => ({ label: r[x.name] === null ? '—' : String(r[x.name]), value: Number(r[valueKey] ?? 0) }))
          .sort((a, b) =>
            c.kind === 'line' || x.type !== 'string' ? a.label.localeCompare(b.label) : b.value - a.value,
          )
        model.points = points
        if (c.kind === 'map') {
          const councils = await kernel.organisations.list({ type: 'council', pageSize: 100 })
          const names = new Map(
            councils.items.flatMap((o) =>
              o.gssCode ? [[o.gssCode, input.locale === 'gd' && o.nameGd ? o.nameGd : o.nameEn] as const] : [],
            ),
          )
          const svg = councilMapSvg(
            points,
            {
              title: t('open-data.datastore.chart.mapTitle', { x: x.title }),
              description: t('open-data.datastore.chart.description', { count: points.length }),
              noData: t('open-data.datastore.chart.noData'),
              names,
            },
            (n) => n.toLocaleString(input.locale === 'gd' ? 'gd-GB' : 'en-GB', { maximumFractionDigits: 2 }),
          )
          if (!svg) model.error = t('open-data.datastore.chart.mapNeedsCouncils')
          else {
            model.svg = svg
            model.points = points.map((p) => ({
              ...p,
              label: names.get(p.label) ? `${names.get(p.label)} (${p.label})` : p.label,
            }))
          }
          return model
        }
        const yLabel =
          c.aggregate === 'count'
            ? t('open-data.datastore.chart.agg.count')
            : t(`open-data.datastore.chart.agg.${c.aggregate}`, { column: y!.title })
        model.svg = chartSvg(c.kind, points, {
          title: t('open-data.datastore.chart.title', { y: yLabel, x: x.title }),
          description: t('open-data.datastore.chart.description', { count: points.length }),
          x: x.title,
          y: yLabel,
        })
      } catch (e) {
        model.error = errorMessage(e, t) ?? t('open-data.datastore.chart.bad')
      }
      return model
    },
    partials: { preview: 'open-data/datastore/_preview.njk', chart: 'open-data/datastore/_chart.njk' },
  }

  const plugin: FastifyPluginAsync = async (app) => {
    app.addHook('onClose', async () => {
      await impl.store.close()
    })
    await app.register(datastoreApi, { service: impl, prefix: '/api/v1' })
    await app.register(datastoreWeb, { service: impl, datastore: service })
  }
  return { service, impl, plugin, nav: [] }
}

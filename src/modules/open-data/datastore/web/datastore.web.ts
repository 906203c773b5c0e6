// The data store's pages: for publishers, their data tables, uploading (a file or an address),
// the upload's progress (a page that refreshes itself, no JavaScript needed) and its report of
// rejected rows, the data dictionary and versions; for everyone, a table's page with its preview,
// chart and downloads (the catalogue's dataset page includes the same partials).
import { createReadStream } from 'node:fs'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Upload } from '../../../../platform/files/uploads.plugin.js'
import type { DatastoreService, Viewer } from '../datastore.public.js'
import { limits } from '../datastore.ingest.js'
import { formatBytes, type DatastoreServiceImpl, type UploadOptions } from '../datastore.service.js'
import type { TableRow, UploadRow } from '../datastore.repository.js'
import { chartColumns } from '../datastore.presenter.js'

const IdParams = Type.Object({ resourceId: Type.String({ format: 'uuid' }) })
const UploadParams = Type.Object({
  resourceId: Type.String({ format: 'uuid' }),
  uploadId: Type.String({ format: 'uuid' }),
})
const TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'datetime'] as const

type T = (key: string, params?: Record<string, unknown>) => string

function statusColour(status: string): string {
  return status === 'loaded' ? 'green' : status === 'failed' ? 'red' : status === 'needs-decision' ? 'orange' : 'blue'
}

export function reasonText(t: T, reason: string): string {
  const [key, json] = reason.split('|')
  const params = json ? (JSON.parse(json) as Record<string, unknown>) : {}
  return t(`open-data.datastore.reason.${key}`, params)
}

export function failureText(t: T, u: UploadRow): string | null {
  if (!u.errorCode) return null
  const params = u.message ? (JSON.parse(u.message) as Record<string, unknown>) : {}
  if (typeof params.limit === 'number') params.limit = formatBytes(params.limit)
  return t(`open-data.datastore.failure.${u.errorCode}`, { ...params, rejected: u.rowsRejected })
}

const fmtDate = (d: Date, locale: string) =>
  d.toLocaleString(locale === 'gd' ? 'gd-GB' : 'en-GB', {
    timeZone: 'Europe/London',
    dateStyle: 'medium',
    timeStyle: 'short',
  })

export const datastoreWeb: FastifyPluginAsyncTypebox<{
  service: DatastoreServiceImpl
  datastore: DatastoreService
}> = async (app, { service, datastore }) => {
  const base = (request: FastifyRequest) => ({ section: 'manage', locale: request.locale })
  const manageBase = (id: string) => `/manage/open-data/data-tables/${id}`

  const uploadView = (request: FastifyRequest, u: UploadRow) => ({
    ...u,
    statusText: request.t(`open-data.datastore.status.${u.status}`),
    statusColour: statusColour(u.status),
    stageText: request.t(`open-data.datastore.stage.${u.stage}`),
    failure: failureText(request.t, u),
    created: fmtDate(u.createdAt, request.locale),
    href: `${manageBase(u.resourceId)}/uploads/${u.id}`,
  })

  // --- publishers' list and a new table ---

  app.get('/manage/open-data/data-tables', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const items = await service.listForStaff(request.ctx())
    const orgs = await service.publishableOrganisations(request.ctx())
    return reply.render('open-data/datastore/manage-list.njk', {
      ...base(request),
      title: request.t('open-data.datastore.manage.title'),
      canCreate: orgs.length > 0,
      items: items.map(({ table, upload }) => ({
        ...table,
        href: manageBase(table.resourceId),
        name: table.title || table.resourceId,
        upload: upload ? uploadView(request, upload) : null,
      })),
    })
  })

  const renderNew = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: { organisationId: string; title: string },
    fieldErrors?: Record<string, string>,
  ) => {
    const orgs = await service.publishableOrganisations(request.ctx())
    return reply.render(
      'open-data/datastore/manage-new.njk',
      {
        ...base(request),
        title: request.t('open-data.datastore.new.title'),
        values,
        organisationOptions: [
          { value: '', text: request.t('open-data.datastore.new.chooseOrganisation') },
          ...orgs.map((o) => ({ value: o.id, text: request.locale === 'gd' && o.nameGd ? o.nameGd : o.name })),
        ],
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/open-data/data-tables/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const orgs = await service.publishableOrganisations(request.ctx())
    return renderNew(request, reply, { organisationId: orgs.length === 1 ? orgs[0]!.id : '', title: '' })
  })

  app.post('/manage/open-data/data-tables/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const values = {
      organisationId: field(request.body, 'organisationId', 100),
      title: field(request.body, 'title', 200),
    }
    try {
      const id = await service.createTable(request.ctx(), values)
      return reply.redirect(`${manageBase(id)}/upload`, 303)
    } catch (error) {
      const fieldErrors = fieldErrorsOf(error)
      if (!fieldErrors) throw error
      return renderNew(request, reply, values, fieldErrors)
    }
  })

  // --- one table ---

  const tableName = (request: FastifyRequest, table: TableRow) =>
    table.title || request.t('open-data.datastore.untitled')

  app.get('/manage/open-data/data-tables/:resourceId', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const ctx = request.ctx()
    const { table, canManage } = await service.tableForStaff(ctx, request.params.resourceId)
    const versions = await service.versions(table.resourceId, { kind: 'context', ctx })
    const uploads = await service.uploads(ctx, table.resourceId)
    const api = `/api/v1/datastore/${table.resourceId}`
    return reply.render('open-data/datastore/manage-show.njk', {
      ...base(request),
      title: tableName(request, table),
      table,
      canManage,
      columns: table.columns.map((c) => ({ ...c, typeText: request.t(`open-data.datastore.type.${c.type}`) })),
      versions: versions.map((v) => ({
        ...v,
        created: fmtDate(v.createdAt, request.locale),
        sourceText: request.t(`open-data.datastore.source.${v.source}`),
        csv: `${api}/rows.csv?_version=${v.number}`,
        parquet: `${api}/rows.parquet?_version=${v.number}`,
      })),
      diffHref:
        versions.length > 1 ? `${api}/versions/diff?from=${versions[1]!.number}&to=${versions[0]!.number}` : null,
      uploads: uploads.map((u) => uploadView(request, u)),
      publicHref: `/open-data/data-tables/${table.resourceId}`,
      base: manageBase(table.resourceId),
    })
  })

  // --- uploading ---

  type UploadValues = { source: string; url: string; mode: string; keyColumn: string; onInvalid: string }
  const renderUpload = async (
    request: FastifyRequest,
    reply: FastifyReply,
    table: TableRow,
    values: UploadValues,
    fieldErrors?: Record<string, string>,
  ) =>
    reply.render(
      'open-data/datastore/manage-upload.njk',
      {
        ...base(request),
        title: request.t('open-data.datastore.upload.title', { name: tableName(request, table) }),
        table,
        values,
        hasData: table.currentVersion !== null,
        maxSize: formatBytes(limits.maxFileBytes),
        keyOptions: [
          { value: '', text: request.t('open-data.datastore.upload.noKey') },
          ...table.columns.map((c) => ({ value: c.name, text: c.title })),
        ],
        base: manageBase(table.resourceId),
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  app.get(
    '/manage/open-data/data-tables/:resourceId/upload',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { table } = await service.tableForStaff(request.ctx(), request.params.resourceId)
      return renderUpload(request, reply, table, {
        source: 'file',
        url: '',
        mode: 'replace',
        keyColumn: table.keyColumn ?? '',
        onInvalid: 'ask',
      })
    },
  )

  app.post(
    '/manage/open-data/data-tables/:resourceId/upload',
    { schema: { params: IdParams }, config: { multipartOptions: { limits: { fileSize: limits.maxFileBytes } } } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const ctx = request.ctx()
      const { table } = await service.tableForStaff(ctx, request.params.resourceId)
      const body = request.body as Record<string, unknown>
      const values: UploadValues = {
        source: field(body, 'source', 10) === 'url' ? 'url' : 'file',
        url: field(body, 'url', 2000),
        mode: ['append', 'upsert'].includes(field(body, 'mode', 10)) ? field(body, 'mode', 10) : 'replace',
        keyColumn: field(body, 'keyColumn', 500),
        onInvalid: ['refuse', 'skip'].includes(field(body, 'onInvalid', 10)) ? field(body, 'onInvalid', 10) : 'ask',
      }
      const options: UploadOptions = {
        mode: values.mode as UploadOptions['mode'],
        keyColumn: values.keyColumn || null,
        onInvalid: values.onInvalid as UploadOptions['onInvalid'],
        schema: null,
      }
      try {
        let id: string
        if (values.source === 'url') {
          if (!values.url) return renderUpload(request, reply, table, values, { url: 'open-data.datastore.error.url' })
          id = await service.uploadUrl(ctx, table.resourceId, values.url, options)
        } else {
          const file = body?.file as Upload | undefined
          if (!file || typeof file !== 'object' || !file.path)
            return renderUpload(request, reply, table, values, { file: 'open-data.datastore.error.file-required' })
          const lower = file.filename.toLowerCase()
          if (!lower.endsWith('.csv') && !lower.endsWith('.xlsx') && !lower.endsWith('.txt'))
            return renderUpload(request, reply, table, values, { file: 'open-data.datastore.error.file-type' })
          id = await service.uploadFile(
            ctx,
            table.resourceId,
            { stream: createReadStream(file.path), fileName: file.filename },
            options,
          )
        }
        return reply.redirect(`${manageBase(table.resourceId)}/uploads/${id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (fieldErrors) return renderUpload(request, reply, table, values, fieldErrors)
        if (error instanceof Error && 'code' in error && (error as { code: string }).code === 'DATASTORE_BUSY')
          return renderUpload(request, reply, table, values, { file: 'open-data.datastore.error.busy' })
        throw error
      }
    },
  )

  app.get(
    '/manage/open-data/data-tables/:resourceId/uploads/:uploadId',
    { schema: { params: UploadParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.upload(request.ctx(), request.params.uploadId)
      if (found.table.resourceId !== request.params.resourceId) return reply.callNotFound()
      const u = found.upload
      const running = u.status === 'queued' || u.status === 'running'
      // refreshes itself while the job runs: no JavaScript needed
      if (running) reply.header('refresh', '3')
      return reply.render('open-data/datastore/manage-progress.njk', {
        ...base(request),
        title: request.t('open-data.datastore.progress.title', { name: tableName(request, found.table) }),
        table: found.table,
        upload: uploadView(request, u),
        running,
        canManage: service.canManage(request.ctx(), found.table.organisationId),
        rejections: found.rejections.map((r) => ({ ...r, reasonText: reasonText(request.t, r.reason) })),
        moreRejections: u.rowsRejected > found.rejections.length,
        base: manageBase(found.table.resourceId),
      })
    },
  )

  app.post(
    '/manage/open-data/data-tables/:resourceId/uploads/:uploadId/decision',
    { schema: { params: UploadParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const decision = field(request.body, 'decision', 10) === 'load' ? 'load' : 'discard'
      await service.decide(request.ctx(), request.params.uploadId, decision)
      return reply.redirect(`${manageBase(request.params.resourceId)}/uploads/${request.params.uploadId}`, 303)
    },
  )

  // a table not (yet) in a catalogue dataset is published or withdrawn here; a dataset's tables follow the dataset
  app.post(
    '/manage/open-data/data-tables/:resourceId/visibility',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const ctx = request.ctx()
      const { table, canManage } = await service.tableForStaff(ctx, request.params.resourceId)
      if (!canManage) return reply.callNotFound()
      await service.setPublic(table.resourceId, field(request.body, 'public', 10) === 'yes', ctx)
      return reply.redirect(manageBase(table.resourceId), 303)
    },
  )

  // --- the data dictionary ---

  const renderDictionary = (
    request: FastifyRequest,
    reply: FastifyReply,
    table: TableRow,
    values: { name: string; title: string; description: string; unit: string; type: string }[],
    fieldErrors?: Record<string, string>,
  ) =>
    reply.render(
      'open-data/datastore/manage-dictionary.njk',
      {
        ...base(request),
        title: request.t('open-data.datastore.dictionary.title', { name: tableName(request, table) }),
        table,
        rows: values.map((v, i) => ({
          ...v,
          index: i,
          typeOptions: TYPES.map((ty) => ({ value: ty, text: request.t(`open-data.datastore.type.${ty}`) })),
        })),
        base: manageBase(table.resourceId),
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  app.get(
    '/manage/open-data/data-tables/:resourceId/dictionary',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { table } = await service.tableForStaff(request.ctx(), request.params.resourceId)
      return renderDictionary(
        request,
        reply,
        table,
        table.columns.map((c) => ({
          name: c.name,
          title: c.title,
          description: c.description,
          unit: c.unit,
          type: c.type,
        })),
      )
    },
  )

  app.post(
    '/manage/open-data/data-tables/:resourceId/dictionary',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const ctx = request.ctx()
      const { table } = await service.tableForStaff(ctx, request.params.resourceId)
      const values = table.columns.map((c, i) => ({
        name: c.name,
        title: field(request.body, `title-${i}`, 500),
        description: field(request.body, `description-${i}`, 5000),
        unit: field(request.body, `unit-${i}`, 200),
        type: field(request.body, `type-${i}`, 20) || c.type,
      }))
      try {
        const { typeChangeUploadId } = await service.updateDictionary(
          ctx,
          table.resourceId,
          values.map((v) => ({ ...v, type: v.type as (typeof TYPES)[number] })),
        )
        if (typeChangeUploadId)
          return reply.redirect(`${manageBase(table.resourceId)}/uploads/${typeChangeUploadId}`, 303)
        return reply.redirect(`${manageBase(table.resourceId)}?saved=dictionary`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (fieldErrors) return renderDictionary(request, reply, table, values, fieldErrors)
        if (error instanceof Error && 'code' in error && (error as { code: string }).code === 'DATASTORE_BUSY')
          return renderDictionary(request, reply, table, values, { 'type-0': 'open-data.datastore.error.busy' })
        throw error
      }
    },
  )

  // --- the public page of a table: preview, chart, downloads ---

  app.get('/open-data/data-tables/:resourceId', { schema: { params: IdParams } }, async (request, reply) => {
    const viewer: Viewer = { kind: 'context', ctx: request.ctx() }
    const table = await service.table(request.params.resourceId, viewer)
    const params: Record<string, string> = {}
    for (const [k, v] of Object.entries(request.query as Record<string, unknown>))
      if (typeof v === 'string' && v.length <= 2000) params[k] = v
    const basePath = `/open-data/data-tables/${table.resourceId}`
    const input = { basePath, params, locale: request.locale }
    const preview = await datastore.preview(table.resourceId, input, viewer)
    const chart = await datastore.chart(table.resourceId, input, viewer)
    const cols = chartColumns(table.columns.map(({ physical: _p, ...c }) => c))
    return reply.render('open-data/datastore/table.njk', {
      title: tableName(request, table),
      table,
      preview,
      chart,
      chartX: cols.x,
      chartY: cols.y,
      partials: datastore.partials,
      manageHref: service.canManage(request.ctx(), table.organisationId) ? manageBase(table.resourceId) : null,
    })
  })
}

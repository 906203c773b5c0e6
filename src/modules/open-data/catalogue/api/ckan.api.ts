// A CKAN-compatible Action API (the subset harvesters and clients use) at /api/3/action/<name>
// and /api/action/<name>: package_search, package_show, package_list, organization_list,
// organization_show and datastore_search, answering exactly in CKAN's envelope
// { help, success, result } — and { help, success: false, error: { __type, message } } — with
// CKAN's statuses, so existing CKAN clients and harvesters work unchanged. GET takes the
// parameters in the query string, POST as a JSON body, as in CKAN.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../../../platform/errors/domain-error.js'
import type { Organisation } from '../../../../platform/organisations/organisation.service.js'
import {
  MAX_OFFSET,
  type ColumnType,
  type DatastoreQuery,
  type Filter,
  type TableSummary,
  type Viewer,
} from '../../datastore/datastore.public.js'
import { resourceUrl } from '../dataset.presenter.js'
import type { CatalogueService, DatasetView } from '../dataset.service.js'
import type { DatasetSearch, Facets, SearchSort } from '../dataset.types.js'
import { mediaTypeOf } from '../dcat.js'
import { frequencyById, frequencyUri, licenceById, themeById, themeUri } from '../taxonomy.js'

const PUBLIC: Viewer = { kind: 'public' }

type Params = Record<string, unknown>

/** A refusal in CKAN's terms. */
export class CkanError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly fields?: Record<string, string[]>,
  ) {
    super(message)
  }
}

const notFound = (message = 'Not found') => new CkanError(404, 'Not Found Error', message)
const validation = (fields: Record<string, string[]>) =>
  new CkanError(409, 'Validation Error', 'Validation error', fields)

function str(params: Params, name: string): string | undefined {
  const v = params[name]
  if (v === undefined || v === null) return undefined
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw validation({ [name]: ['Must be a string'] })
}

function int(params: Params, name: string, fallback: number, min: number, max: number): number {
  const raw = str(params, name)
  if (raw === undefined || raw === '') return fallback
  if (!/^-?\d{1,9}$/.test(raw)) throw validation({ [name]: ['Invalid integer'] })
  const n = Number(raw)
  if (n < min) throw validation({ [name]: [`Must be a natural number`] })
  return Math.min(n, max)
}

function bool(params: Params, name: string): boolean {
  const raw = params[name]
  return raw === true || raw === 'true' || raw === 'True' || raw === '1'
}

/** A list parameter: a JSON array in a string, a comma list, or an array in a JSON body. */
function list(params: Params, name: string): string[] {
  const raw = params[name]
  if (raw === undefined || raw === null || raw === '') return []
  if (Array.isArray(raw)) return raw.map(String)
  if (typeof raw !== 'string') throw validation({ [name]: ['Must be a list'] })
  if (raw.trim().startsWith('[')) {
    try {
      const parsed = JSON.parse(raw) as unknown
      if (Array.isArray(parsed)) return parsed.map(String)
    } catch {
      // fall through to the error below
    }
    throw validation({ [name]: ['Must be a JSON list'] })
  }
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

// --- package_search's q and fq (the Solr syntax CKAN clients send, as far as it maps) ---

const FIELD_TERM = /([+-]?)([a-z_]+):(?:"((?:[^"\\]|\\.)*)"|\[([^\]]*)\]|(\S+))/gi

export type ParsedQuery = { text: string; search: DatasetSearch; organisationSlugs: string[]; ownerOrgs: string[] }

/** Reads field terms (organization:fife-council, tags:"road safety", res_format:CSV, metadata_modified:[… TO *]). */
export function parseSolr(q: string, fq: string): ParsedQuery {
  const search: DatasetSearch = { themes: [], formats: [], licences: [], keywords: [] }
  const organisationSlugs: string[] = []
  const ownerOrgs: string[] = []
  const take = (input: string): string =>
    input.replace(FIELD_TERM, (whole, sign: string, field: string, quoted?: string, range?: string, bare?: string) => {
      if (sign === '-') throw new CkanError(409, 'Search Query Error', `Excluding terms is not supported: ${whole}`)
      const value = (quoted ?? bare ?? '').replace(/\\(.)/g, '$1')
      switch (field.toLowerCase()) {
        case 'organization':
          organisationSlugs.push(value)
          break
        case 'owner_org':
          ownerOrgs.push(value)
          break
        case 'tags':
          search.keywords!.push(value.toLowerCase())
          break
        case 'res_format':
          search.formats!.push(value)
          break
        case 'license_id':
          search.licences!.push(value)
          break
        case 'groups':
        case 'theme':
          search.themes!.push(value)
          break
        case 'dataset_type':
        case 'type':
        case 'state':
          break
        case 'metadata_modified': {
          const m = /^\s*(\S+)\s+TO\s+(\S+)\s*$/i.exec(range ?? '')
          if (!m) throw new CkanError(409, 'Search Query Error', `Cannot read the range in ${whole}`)
          const from = m[1] === '*' ? undefined : new Date(m[1]!.replace(/NOW/i, new Date().toISOString()))
          const to = m[2] === '*' ? undefined : new Date(m[2]!.replace(/NOW/i, new Date().toISOString()))
          if ((from && Number.isNaN(from.getTime())) || (to && Number.isNaN(to.getTime())))
            throw new CkanError(409, 'Search Query Error', `Cannot read the dates in ${whole}`)
          search.modifiedFrom = from
          search.modifiedTo = to
          break
        }
        case 'text':
        case 'title':
        case 'name':
          return value
        default:
          throw new CkanError(409, 'Search Query Error', `Searching the field ${field} is not supported`)
      }
      return ' '
    })
  const text = take(q === '*:*' ? '' : q)
    .replace(/\b(AND|OR)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  take(fq)
  return { text, search, organisationSlugs, ownerOrgs }
}

export function ckanSort(sort: string | undefined, hasText: boolean): SearchSort {
  const s = (sort ?? '').toLowerCase()
  if (s.startsWith('score')) return hasText ? 'relevance' : 'modified'
  if (s.startsWith('title') || s.startsWith('name')) return 'title'
  if (s.startsWith('metadata_modified') || s.startsWith('metadata_created')) return 'modified'
  return hasText ? 'relevance' : 'modified'
}

const ckanTypes: Record<ColumnType, string> = {
  integer: 'int',
  number: 'numeric',
  boolean: 'bool',
  date: 'date',
  datetime: 'timestamp',
  string: 'text',
}

export const ckanApi: FastifyPluginAsync<{ service: CatalogueService }> = async (app, { service }) => {
  const { baseUrl } = app.kernel.config
  const help = (action: string) => `${baseUrl}/api/3/action/help_show?name=${action}`

  function organizationDict(o: Organisation, packageCount?: number) {
    return {
      id: o.id,
      name: o.slug,
      title: o.nameEn,
      display_name: o.nameEn,
      description: '',
      image_url: '',
      image_display_url: '',
      created: o.createdAt.toISOString().replace('Z', ''),
      is_organization: true,
      approval_status: 'approved',
      state: 'active',
      type: 'organization',
      ...(packageCount === undefined ? {} : { package_count: packageCount }),
    }
  }

  const iso = (d: Date) => d.toISOString().replace('Z', '')

  function packageDict(view: DatasetView, tables: Map<string, TableSummary>) {
    const d = view.dataset
    const licence = licenceById(d.licence)
    const theme = themeById(d.theme)
    const frequency = frequencyById(d.frequency)
    return {
      id: d.id,
      name: d.name,
      title: d.title,
      notes: d.description,
      url: d.remoteUrl ?? '',
      author: null,
      author_email: null,
      maintainer: d.contactName || null,
      maintainer_email: d.contactEmail || null,
      license_id: d.licence,
      license_title: licence?.name.en ?? d.licence,
      license_url: licence?.url ?? '',
      isopen: true,
      private: false,
      state: 'active',
      type: 'dataset',
      version: null,
      creator_user_id: null,
      owner_org: view.organisation.id,
      organization: organizationDict(view.organisation),
      metadata_created: iso(d.publishedAt ?? d.createdAt),
      metadata_modified: iso(d.modifiedAt),
      num_tags: d.keywords.length,
      tags: d.keywords.map((k) => ({ name: k, display_name: k, state: 'active', vocabulary_id: null })),
      groups: theme
        ? [{ id: theme.id, name: theme.id, title: theme.name.en, display_name: theme.name.en, description: '' }]
        : [],
      num_resources: view.resources.length,
      resources: view.resources.map((r, position) => {
        const table = tables.get(r.id)
        return {
          id: r.id,
          package_id: d.id,
          name: r.name,
          description: r.description,
          format: r.format,
          mimetype: mediaTypeOf(r.format),
          url: resourceUrl(r, table, baseUrl) ?? '',
          url_type: r.kind === 'datastore' ? 'datastore' : null,
          datastore_active: Boolean(table?.latestVersion),
          created: iso(r.createdAt),
          last_modified: iso(table?.latestVersion?.createdAt ?? r.updatedAt),
          position,
          state: 'active',
        }
      }),
      extras: [
        ...(frequency ? [{ key: 'frequency', value: frequencyUri(frequency) }] : []),
        ...(theme ? [{ key: 'theme', value: themeUri(theme) }] : []),
        ...(d.temporalStart ? [{ key: 'temporal_start', value: d.temporalStart }] : []),
        ...(d.temporalEnd ? [{ key: 'temporal_end', value: d.temporalEnd }] : []),
        ...(d.spatial.length ? [{ key: 'spatial_gss_codes', value: d.spatial.join(',') }] : []),
      ],
      relationships_as_object: [],
      relationships_as_subject: [],
    }
  }

  const tablesOf = (views: DatasetView[]) =>
    service.datastore.summaries(
      views.flatMap((v) => v.resources.filter((r) => r.kind === 'datastore').map((r) => r.id)),
      PUBLIC,
    )

  const facetKeys: Record<string, keyof Facets> = {
    organization: 'organisation',
    tags: 'keyword',
    res_format: 'format',
    license_id: 'licence',
    groups: 'theme',
  }

  async function packageSearch(params: Params) {
    const rows = int(params, 'rows', 10, 0, 1000)
    const start = int(params, 'start', 0, 0, Number.MAX_SAFE_INTEGER)
    if (start > 10_000) throw validation({ start: ['Must be 10000 or less: narrow the search instead'] })
    const parsed = parseSolr(str(params, 'q') ?? '', str(params, 'fq') ?? '')
    const organisations: string[] = []
    for (const slug of parsed.organisationSlugs) {
      const o = await app.kernel.organisations.getBySlug(slug).catch(() => null)
      organisations.push(o?.id ?? '00000000-0000-0000-0000-000000000000')
    }
    organisations.push(...parsed.ownerOrgs.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))
    if (parsed.ownerOrgs.some((id) => !/^[0-9a-f-]{36}$/i.test(id)))
      organisations.push('00000000-0000-0000-0000-000000000000')
    const sort = ckanSort(str(params, 'sort'), parsed.text !== '')
    const search: DatasetSearch = {
      ...parsed.search,
      q: parsed.text || undefined,
      organisations,
      sort,
    }
    const result = await service.searchRows(search, Math.max(rows, 1), start)
    const items = rows === 0 ? [] : result.page.items
    const tables = await tablesOf(items)
    const wanted = list(params, 'facet.field')
    const limit = int(params, 'facet.limit', 50, -1, 1000)
    const facets: Record<string, Record<string, number>> = {}
    const searchFacets: Record<
      string,
      { title: string; items: { name: string; display_name: string; count: number }[] }
    > = {}
    for (const field of wanted) {
      const key = facetKeys[field]
      if (!key) continue
      const values = result.facets[key].slice(0, limit < 0 ? undefined : limit).map((f) => {
        if (key === 'organisation') {
          const o = result.organisations.get(f.value)
          return { name: o?.slug ?? f.value, display_name: o?.nameEn ?? f.value, count: f.count }
        }
        if (key === 'theme')
          return { name: f.value, display_name: themeById(f.value)?.name.en ?? f.value, count: f.count }
        if (key === 'licence')
          return { name: f.value, display_name: licenceById(f.value)?.name.en ?? f.value, count: f.count }
        return { name: f.value, display_name: f.value, count: f.count }
      })
      facets[field] = Object.fromEntries(values.map((v) => [v.name, v.count]))
      searchFacets[field] = { title: field, items: values }
    }
    return {
      count: result.page.total,
      sort: str(params, 'sort') ?? (parsed.text ? 'score desc, metadata_modified desc' : 'metadata_modified desc'),
      facets,
      search_facets: searchFacets,
      results: items.map((v) => packageDict(v, tables)),
    }
  }

  async function publishedPackage(params: Params): Promise<DatasetView> {
    const id = str(params, 'id') ?? str(params, 'name_or_id')
    if (!id) throw validation({ id: ['Missing value'] })
    const view = await service.getPublicByIdOrName(id.slice(0, 100)).catch(() => null)
    if (!view || view.dataset.status !== 'published') throw notFound()
    return view
  }

  async function datastoreSearch(params: Params) {
    const resourceId = str(params, 'resource_id') ?? str(params, 'id')
    if (!resourceId) throw validation({ resource_id: ['Missing value'] })
    await service.publicResource(resourceId).catch(() => {
      throw notFound(`Resource "${resourceId}" was not found.`)
    })
    const limit = int(params, 'limit', 100, 0, 1000)
    const offset = int(params, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
    if (offset > MAX_OFFSET)
      throw validation({ offset: [`Must be ${MAX_OFFSET} or less: filter, or page with the Còmhla API's cursor`] })
    const filters: Filter[] = []
    let rawFilters = params.filters
    if (typeof rawFilters === 'string' && rawFilters.trim() !== '') {
      try {
        rawFilters = JSON.parse(rawFilters) as unknown
      } catch {
        throw validation({ filters: ['Cannot parse JSON'] })
      }
    }
    if (rawFilters !== undefined && rawFilters !== null && rawFilters !== '') {
      if (typeof rawFilters !== 'object' || Array.isArray(rawFilters)) throw validation({ filters: ['Must be a dict'] })
      for (const [column, value] of Object.entries(rawFilters as Record<string, unknown>)) {
        if (Array.isArray(value)) filters.push({ column, op: 'in', value: value.map(String) })
        else if (value === null) filters.push({ column, op: 'null', value: true })
        else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
          filters.push({ column, op: 'eq', value: String(value) })
        else throw validation({ filters: [`The filter on ${column.slice(0, 100)} must be a value or a list`] })
      }
    }
    const sort = (str(params, 'sort') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
      .map((s) => {
        const [column, direction] = s.split(/\s+/)
        return {
          column: column!.replace(/^"|"$/g, ''),
          direction: direction?.toLowerCase() === 'desc' ? 'desc' : 'asc',
        } as const
      })
    const fields = list(params, 'fields')
    const q = str(params, 'q')
    const query: DatastoreQuery = {
      filters,
      sort,
      ...(fields.length ? { columns: fields } : {}),
      ...(q ? { q } : {}),
      limit: Math.max(limit, 1),
      offset,
    }
    const result = await service.datastore.query(resourceId, query, PUBLIC)
    const path = `/api/3/action/datastore_search?resource_id=${resourceId}`
    return {
      include_total: true,
      resource_id: resourceId,
      fields: result.columns.map((c) => ({
        id: c.name,
        type: ckanTypes[c.type],
        info: { label: c.title, notes: c.description, ...(c.unit ? { unit: c.unit } : {}) },
      })),
      records_format: 'objects',
      records: limit === 0 ? [] : result.rows,
      limit,
      offset,
      total: result.total.count,
      total_was_estimated: !result.total.exact,
      _links: { start: path, next: `${path}&offset=${offset + limit}` },
    }
  }

  const actions: Record<string, (params: Params) => Promise<unknown>> = {
    package_search: packageSearch,
    package_show: async (params) => {
      const view = await publishedPackage(params)
      return packageDict(view, await tablesOf([view]))
    },
    package_list: async (params) => {
      const limit = int(params, 'limit', 10_000, 0, 10_000)
      const offset = int(params, 'offset', 0, 0, 1_000_000)
      const names: string[] = []
      for await (const v of service.allPublished()) names.push(v.dataset.name)
      return names.sort().slice(offset, offset + limit)
    },
    organization_list: async (params) => {
      const counts = new Map((await service.publishingBodies()).map((b) => [b.organisation.id, b.count]))
      const wanted = new Set(list(params, 'organizations'))
      let orgs: Organisation[] = []
      for await (const o of app.kernel.organisations.all()) if (wanted.size === 0 || wanted.has(o.slug)) orgs.push(o)
      const sort = (str(params, 'sort') ?? 'name asc').toLowerCase()
      orgs.sort((a, b) =>
        sort.startsWith('package_count')
          ? (counts.get(b.id) ?? 0) - (counts.get(a.id) ?? 0) || a.slug.localeCompare(b.slug)
          : sort.startsWith('title')
            ? a.nameEn.localeCompare(b.nameEn)
            : a.slug.localeCompare(b.slug),
      )
      if (sort.endsWith('desc') && !sort.startsWith('package_count')) orgs.reverse()
      const offset = int(params, 'offset', 0, 0, 100_000)
      const limit = int(params, 'limit', 1000, 0, 1000)
      orgs = orgs.slice(offset, offset + limit)
      return bool(params, 'all_fields')
        ? orgs.map((o) => organizationDict(o, counts.get(o.id) ?? 0))
        : orgs.map((o) => o.slug)
    },
    organization_show: async (params) => {
      const id = str(params, 'id')
      if (!id) throw validation({ id: ['Missing value'] })
      const o = /^[0-9a-f-]{36}$/i.test(id)
        ? await app.kernel.organisations.getById(id)
        : await app.kernel.organisations.getBySlug(id.slice(0, 100)).catch(() => null)
      if (!o) throw notFound()
      const count = (await service.publishingBodies()).find((b) => b.organisation.id === o.id)?.count ?? 0
      return organizationDict(o, count)
    },
    datastore_search: datastoreSearch,
    status_show: async () => ({
      site_title: 'Còmhla',
      site_url: baseUrl,
      ckan_version: '2.10.0',
      extensions: ['datastore', 'dcat'],
      locale_default: 'en_GB',
    }),
  }

  // Every answer in CKAN's envelope, errors included (this plugin's own error handler).
  app.setErrorHandler(async (error, request: FastifyRequest, reply: FastifyReply) => {
    const action = (request.params as { action?: string } | undefined)?.action ?? ''
    let status = 500
    let body: Record<string, unknown> = {
      __type: 'Internal Error',
      message: 'Sorry, there is a problem with the service.',
    }
    if (error instanceof CkanError) {
      status = error.status
      body = { __type: error.type, message: error.message, ...(error.fields ?? {}) }
    } else if (error instanceof DomainError) {
      const code = error.code
      if (error.kind === 'not-found') {
        status = 404
        body = {
          __type: 'Not Found Error',
          message: code.startsWith('DATASTORE') ? 'Resource was not found.' : 'Not found',
        }
      } else if (error.kind === 'forbidden' || error.kind === 'unauthenticated') {
        status = 403
        body = { __type: 'Authorization Error', message: 'Access denied' }
      } else if (error.kind === 'invalid' || error.kind === 'conflict') {
        status = 409
        body = { __type: 'Validation Error', message: error.publicMessage, ...(error.fields ?? {}) }
      } else {
        status = error.kind === 'rate-limited' ? 429 : 503
        body = { __type: 'Internal Error', message: error.publicMessage }
      }
    } else if (
      (error as { validation?: unknown }).validation ||
      (error as { statusCode?: number }).statusCode === 400
    ) {
      status = 400
      body = { __type: 'Validation Error', message: (error as Error).message }
    } else {
      request.log.error({ err: error }, 'unexpected error in the CKAN API')
    }
    return reply.code(status).send({ help: help(action), success: false, error: body })
  })

  const handler = async (request: FastifyRequest<{ Params: { action: string } }>, reply: FastifyReply) => {
    const name = request.params.action
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined
    if (!action)
      return reply.code(400).send({
        help: help(name),
        success: false,
        error: { __type: 'Bad request', message: `Bad request - Action name not known: ${name.slice(0, 100)}` },
      })
    const params: Params =
      request.method === 'POST' && request.body && typeof request.body === 'object'
        ? (request.body as Params)
        : ((request.query ?? {}) as Params)
    const result = await action(params)
    return reply.header('cache-control', 'no-cache').send({ help: help(name), success: true, result })
  }

  for (const prefix of ['/api/3/action', '/api/action']) {
    app.get(`${prefix}/:action`, { schema: { hide: true } }, handler)
    app.post(`${prefix}/:action`, { schema: { hide: true } }, handler)
  }
  app.get('/api/3', { schema: { hide: true } }, async () => ({ version: 3 }))
}

// All SQL of the catalogue. Takes the database or a transaction from the caller and returns domain
// types, never raw rows.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import type { CatalogueTables } from './dataset.tables.js'
import type {
  Dataset,
  DatasetOrigin,
  DatasetSearch,
  DatasetStatus,
  FacetCount,
  Facets,
  HarvestFrequency,
  HarvestKind,
  HarvestSource,
  Resource,
  ResourceKind,
  Subscription,
} from './dataset.types.js'

export type Executor = Kysely<CoreDatabase> | Transaction<CoreDatabase>
type Db = Kysely<CoreDatabase & CatalogueTables>

const q = (executor: Executor): Db => executor.withTables<CatalogueTables>()

const isoDate = (v: unknown): string | null => {
  if (v === null || v === undefined) return null
  if (v instanceof Date) {
    const y = v.getFullYear()
    const m = String(v.getMonth() + 1).padStart(2, '0')
    const d = String(v.getDate()).padStart(2, '0')
    return `${y}-${m}-${d}`
  }
  return typeof v === 'string' ? v.slice(0, 10) : null
}

const textArray = (v: unknown): string[] => {
  if (Array.isArray(v)) return v.map(String)
  // some drivers give the text form "{a,b}"
  if (typeof v === 'string' && v.startsWith('{'))
    return v
      .slice(1, -1)
      .split(',')
      .filter((x) => x !== '')
      .map((x) => x.replace(/^"|"$/g, ''))
  return []
}

type DatasetRow = Record<string, unknown>

export function toDataset(r: DatasetRow): Dataset {
  return {
    id: r.id as string,
    organisationId: r.organisation_id as string,
    name: r.name as string,
    title: r.title as string,
    description: r.description as string,
    keywords: textArray(r.keywords),
    theme: r.theme as string,
    licence: r.licence as string,
    frequency: r.frequency as string,
    temporalStart: isoDate(r.temporal_start),
    temporalEnd: isoDate(r.temporal_end),
    spatial: textArray(r.spatial),
    contactName: r.contact_name as string,
    contactEmail: r.contact_email as string,
    status: r.status as DatasetStatus,
    origin: r.origin as DatasetOrigin,
    harvestSourceId: (r.harvest_source_id as string | null) ?? null,
    remoteId: (r.remote_id as string | null) ?? null,
    remoteUrl: (r.remote_url as string | null) ?? null,
    provider: (r.provider as string | null) ?? null,
    providerKey: (r.provider_key as string | null) ?? null,
    publishedAt: r.published_at ? new Date(r.published_at as string) : null,
    withdrawnAt: r.withdrawn_at ? new Date(r.withdrawn_at as string) : null,
    withdrawalReason: (r.withdrawal_reason as string | null) ?? null,
    modifiedAt: new Date(r.modified_at as string),
    createdAt: new Date(r.created_at as string),
    updatedAt: new Date(r.updated_at as string),
  }
}

function toResource(r: {
  id: string
  dataset_id: string
  kind: string
  name: string
  description: string
  format: string
  url: string | null
  file_id: string | null
  position: number
  created_at: Date
  updated_at: Date
}): Resource {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    kind: r.kind as ResourceKind,
    name: r.name,
    description: r.description,
    format: r.format,
    url: r.url,
    fileId: r.file_id,
    position: r.position,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  }
}

export type DatasetFields = {
  organisationId: string
  title: string
  description: string
  keywords: string[]
  theme: string
  licence: string
  frequency: string
  temporalStart: string | null
  temporalEnd: string | null
  spatial: string[]
  contactName: string
  contactEmail: string
}

export type DatasetOriginFields = {
  origin: DatasetOrigin
  harvestSourceId?: string | null
  remoteId?: string | null
  remoteUrl?: string | null
  provider?: string | null
  providerKey?: string | null
}

export type ResourceFields = {
  kind: ResourceKind
  name: string
  description: string
  format: string
  url: string | null
}

const datasetColumns = (f: DatasetFields) => ({
  organisation_id: f.organisationId,
  title: f.title,
  description: f.description,
  keywords: f.keywords,
  theme: f.theme,
  licence: f.licence,
  frequency: f.frequency,
  temporal_start: f.temporalStart,
  temporal_end: f.temporalEnd,
  spatial: f.spatial,
  contact_name: f.contactName,
  contact_email: f.contactEmail,
})

/** The WHERE clause of a public search (published datasets only). */
function searchWhere(search: DatasetSearch): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [sql`d.status = 'published'`]
  if (search.q) parts.push(sql`d.search @@ websearch_to_tsquery('english', ${search.q})`)
  if (search.organisations?.length) parts.push(sql`d.organisation_id::text = any(${search.organisations})`)
  if (search.themes?.length) parts.push(sql`d.theme = any(${search.themes})`)
  if (search.licences?.length) parts.push(sql`d.licence = any(${search.licences})`)
  // every chosen keyword (narrowing, as a person adding keywords expects)
  if (search.keywords?.length) parts.push(sql`d.keywords @> ${search.keywords}::text[]`)
  if (search.modifiedFrom) parts.push(sql`d.modified_at >= ${search.modifiedFrom}`)
  if (search.modifiedTo) parts.push(sql`d.modified_at <= ${search.modifiedTo}`)
  if (search.formats?.length)
    parts.push(
      sql`exists (select 1 from open_data.resource r where r.dataset_id = d.id and upper(r.format) = any(${search.formats.map((f) => f.toUpperCase())}))`,
    )
  return sql.join(parts, sql` and `)
}

const facetValues = (v: unknown): FacetCount[] =>
  (Array.isArray(v) ? v : typeof v === 'string' ? (JSON.parse(v) as unknown[]) : []).map((x) => {
    const o = x as { value: string; n: number | string }
    return { value: String(o.value), count: Number(o.n) }
  })

export class CatalogueRepository {
  // --- datasets ---

  async insertDataset(
    executor: Executor,
    name: string,
    fields: DatasetFields,
    origin: DatasetOriginFields,
    createdBy: string | null,
  ): Promise<Dataset> {
    const row = await q(executor)
      .insertInto('open_data.dataset')
      .values({
        ...datasetColumns(fields),
        name,
        origin: origin.origin,
        harvest_source_id: origin.harvestSourceId ?? null,
        remote_id: origin.remoteId ?? null,
        remote_url: origin.remoteUrl ?? null,
        provider: origin.provider ?? null,
        provider_key: origin.providerKey ?? null,
        created_by: createdBy,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toDataset(row)
  }

  async updateDataset(executor: Executor, id: string, fields: DatasetFields, modified: boolean): Promise<Dataset> {
    const row = await q(executor)
      .updateTable('open_data.dataset')
      .set({ ...datasetColumns(fields), updated_at: new Date(), ...(modified ? { modified_at: new Date() } : {}) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toDataset(row)
  }

  async touch(executor: Executor, id: string): Promise<void> {
    await q(executor)
      .updateTable('open_data.dataset')
      .set({ modified_at: new Date(), updated_at: new Date() })
      .where('id', '=', id)
      .execute()
  }

  async getDataset(executor: Executor, id: string, options: { lock?: boolean } = {}): Promise<Dataset | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = q(executor).selectFrom('open_data.dataset').selectAll().where('id', '=', id)
    if (options.lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    return row ? toDataset(row) : null
  }

  async getByName(executor: Executor, name: string): Promise<Dataset | null> {
    if (!/^[a-z0-9-]{1,100}$/.test(name)) return null
    const row = await q(executor)
      .selectFrom('open_data.dataset')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst()
    return row ? toDataset(row) : null
  }

  async getByRemote(executor: Executor, sourceId: string, remoteId: string): Promise<Dataset | null> {
    const row = await q(executor)
      .selectFrom('open_data.dataset')
      .selectAll()
      .where('harvest_source_id', '=', sourceId)
      .where('remote_id', '=', remoteId)
      .executeTakeFirst()
    return row ? toDataset(row) : null
  }

  async getByProvider(executor: Executor, provider: string, key: string): Promise<Dataset | null> {
    const row = await q(executor)
      .selectFrom('open_data.dataset')
      .selectAll()
      .where('provider', '=', provider)
      .where('provider_key', '=', key)
      .executeTakeFirst()
    return row ? toDataset(row) : null
  }

  async harvestedBy(executor: Executor, sourceId: string): Promise<Dataset[]> {
    const rows = await q(executor)
      .selectFrom('open_data.dataset')
      .selectAll()
      .where('harvest_source_id', '=', sourceId)
      .execute()
    return rows.map(toDataset)
  }

  async nameTaken(executor: Executor, name: string): Promise<boolean> {
    const row = await q(executor)
      .selectFrom('open_data.dataset')
      .select('id')
      .where('name', '=', name)
      .executeTakeFirst()
    return row !== undefined
  }

  async setStatus(
    executor: Executor,
    id: string,
    change:
      | { status: 'published'; firstPublication: boolean }
      | { status: 'withdrawn'; reason: string }
      | { status: 'draft' },
  ): Promise<Dataset> {
    const now = new Date()
    const values =
      change.status === 'published'
        ? {
            status: 'published',
            withdrawn_at: null,
            withdrawal_reason: null,
            modified_at: now,
            ...(change.firstPublication ? { published_at: now } : {}),
          }
        : change.status === 'withdrawn'
          ? { status: 'withdrawn', withdrawn_at: now, withdrawal_reason: change.reason, modified_at: now }
          : { status: 'draft' }
    const row = await q(executor)
      .updateTable('open_data.dataset')
      .set({ ...values, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toDataset(row)
  }

  async deleteDataset(executor: Executor, id: string): Promise<void> {
    await q(executor).deleteFrom('open_data.dataset').where('id', '=', id).execute()
  }

  async listForOrganisations(executor: Executor, ids: string[] | 'all'): Promise<Dataset[]> {
    if (ids !== 'all' && ids.length === 0) return []
    let query = q(executor).selectFrom('open_data.dataset').selectAll()
    if (ids !== 'all') query = query.where('organisation_id', 'in', ids)
    const rows = await query.orderBy('updated_at', 'desc').limit(1000).execute()
    return rows.map(toDataset)
  }

  /** Bodies with at least one published dataset, and how many. */
  async publishingOrganisations(executor: Executor): Promise<{ organisationId: string; count: number }[]> {
    const rows = await q(executor)
      .selectFrom('open_data.dataset')
      .select(['organisation_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('status', '=', 'published')
      .groupBy('organisation_id')
      .execute()
    return rows.map((r) => ({ organisationId: r.organisation_id, count: Number(r.n) }))
  }

  // --- search ---

  /** One page of published datasets matching the search, with the total and the facets, in two round trips. */
  async search(
    executor: Executor,
    search: DatasetSearch,
    limit: number,
    offset: number,
  ): Promise<{ items: Dataset[]; total: number; facets: Facets }> {
    const where = searchWhere(search)
    const rank = search.q ? sql`ts_rank(d.search, websearch_to_tsquery('english', ${search.q}))` : sql`0`
    const order =
      search.sort === 'title'
        ? sql`d.title asc, d.id`
        : search.sort === 'relevance' && search.q
          ? sql`${rank} desc, d.modified_at desc, d.id`
          : sql`d.modified_at desc, d.id`
    const rows = await sql<DatasetRow>`
      select d.* from open_data.dataset d where ${where} order by ${order} limit ${limit} offset ${offset}`.execute(
      executor,
    )
    const counts = await sql<Record<string, unknown>>`
      with f as (select d.id, d.organisation_id, d.theme, d.licence, d.keywords from open_data.dataset d where ${where})
      select
        (select count(*) from f) as total,
        (select coalesce(json_agg(x), '[]') from (select organisation_id as value, count(*) as n from f group by 1 order by 2 desc, 1 limit 50) x) as organisation,
        (select coalesce(json_agg(x), '[]') from (select theme as value, count(*) as n from f group by 1 order by 2 desc, 1) x) as theme,
        (select coalesce(json_agg(x), '[]') from (select licence as value, count(*) as n from f group by 1 order by 2 desc, 1) x) as licence,
        (select coalesce(json_agg(x), '[]') from (select k as value, count(*) as n from f, unnest(f.keywords) k group by 1 order by 2 desc, 1 limit 30) x) as keyword,
        (select coalesce(json_agg(x), '[]') from (select upper(r.format) as value, count(distinct f.id) as n from f join open_data.resource r on r.dataset_id = f.id where r.format <> '' group by 1 order by 2 desc, 1 limit 30) x) as format
    `.execute(executor)
    const c = counts.rows[0] ?? {}
    return {
      items: rows.rows.map(toDataset),
      total: Number(c.total ?? 0),
      facets: {
        organisation: facetValues(c.organisation),
        theme: facetValues(c.theme),
        licence: facetValues(c.licence),
        keyword: facetValues(c.keyword),
        format: facetValues(c.format),
      },
    }
  }

  /** Published datasets in order of last change (newest first), after a keyset position. */
  async publishedBatch(
    executor: Executor,
    limit: number,
    after?: { modifiedAt: Date; id: string },
  ): Promise<Dataset[]> {
    let query = q(executor).selectFrom('open_data.dataset').selectAll().where('status', '=', 'published')
    if (after)
      query = query.where((eb) =>
        eb.or([
          eb('modified_at', '<', after.modifiedAt),
          eb.and([eb('modified_at', '=', after.modifiedAt), eb('id', '>', after.id)]),
        ]),
      )
    const rows = await query.orderBy('modified_at', 'desc').orderBy('id').limit(limit).execute()
    return rows.map(toDataset)
  }

  // --- resources ---

  async resources(executor: Executor, datasetId: string): Promise<Resource[]> {
    const rows = await q(executor)
      .selectFrom('open_data.resource')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .orderBy('position')
      .execute()
    return rows.map(toResource)
  }

  async resourcesFor(executor: Executor, datasetIds: string[]): Promise<Map<string, Resource[]>> {
    const out = new Map<string, Resource[]>(datasetIds.map((id) => [id, []]))
    if (datasetIds.length === 0) return out
    const rows = await q(executor)
      .selectFrom('open_data.resource')
      .selectAll()
      .where('dataset_id', 'in', datasetIds)
      .orderBy('dataset_id')
      .orderBy('position')
      .execute()
    for (const r of rows) out.get(r.dataset_id)?.push(toResource(r))
    return out
  }

  async getResource(executor: Executor, id: string): Promise<Resource | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const row = await q(executor).selectFrom('open_data.resource').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toResource(row) : null
  }

  async insertResource(executor: Executor, datasetId: string, fields: ResourceFields): Promise<Resource> {
    const last = await q(executor)
      .selectFrom('open_data.resource')
      .select((eb) => eb.fn.max('position').as('p'))
      .where('dataset_id', '=', datasetId)
      .executeTakeFirst()
    const row = await q(executor)
      .insertInto('open_data.resource')
      .values({
        dataset_id: datasetId,
        kind: fields.kind,
        name: fields.name,
        description: fields.description,
        format: fields.format,
        url: fields.url,
        position: Number(last?.p ?? 0) + 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toResource(row)
  }

  async updateResource(executor: Executor, id: string, fields: Omit<ResourceFields, 'kind'>): Promise<Resource> {
    const row = await q(executor)
      .updateTable('open_data.resource')
      .set({
        name: fields.name,
        description: fields.description,
        format: fields.format,
        url: fields.url,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toResource(row)
  }

  async setResourceFile(executor: Executor, id: string, fileId: string): Promise<void> {
    await q(executor).updateTable('open_data.resource').set({ file_id: fileId }).where('id', '=', id).execute()
  }

  async deleteResource(executor: Executor, id: string): Promise<void> {
    await q(executor).deleteFrom('open_data.resource').where('id', '=', id).execute()
  }

  // --- subscriptions ---

  async subscribe(
    executor: Executor,
    datasetId: string,
    email: string,
    normalised: string,
    locale: 'en' | 'gd',
  ): Promise<Subscription> {
    const row = await q(executor)
      .insertInto('open_data.subscription')
      .values({ dataset_id: datasetId, email, email_normalised: normalised, locale })
      .onConflict((oc) => oc.columns(['dataset_id', 'email_normalised']).doUpdateSet({ locale }))
      .returningAll()
      .executeTakeFirstOrThrow()
    return toSubscription(row)
  }

  async subscription(executor: Executor, id: string): Promise<Subscription | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const row = await q(executor)
      .selectFrom('open_data.subscription')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row ? toSubscription(row) : null
  }

  async confirmSubscription(executor: Executor, id: string): Promise<void> {
    await q(executor)
      .updateTable('open_data.subscription')
      .set({ confirmed_at: new Date() })
      .where('id', '=', id)
      .where('confirmed_at', 'is', null)
      .execute()
  }

  async deleteSubscription(executor: Executor, id: string): Promise<boolean> {
    const result = await q(executor).deleteFrom('open_data.subscription').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  async confirmedSubscriptions(executor: Executor, datasetId: string): Promise<Subscription[]> {
    const rows = await q(executor)
      .selectFrom('open_data.subscription')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .where('confirmed_at', 'is not', null)
      .orderBy('created_at')
      .execute()
    return rows.map(toSubscription)
  }

  // --- harvest sources ---

  async insertHarvestSource(
    executor: Executor,
    f: { organisationId: string; title: string; url: string; kind: HarvestKind; frequency: HarvestFrequency },
  ): Promise<HarvestSource> {
    const row = await q(executor)
      .insertInto('open_data.harvest_source')
      .values({ organisation_id: f.organisationId, title: f.title, url: f.url, kind: f.kind, frequency: f.frequency })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toHarvestSource(row)
  }

  async harvestSource(executor: Executor, id: string, options: { lock?: boolean } = {}): Promise<HarvestSource | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = q(executor).selectFrom('open_data.harvest_source').selectAll().where('id', '=', id)
    if (options.lock) query = query.forUpdate().skipLocked()
    const row = await query.executeTakeFirst()
    return row ? toHarvestSource(row) : null
  }

  async harvestSources(executor: Executor, organisationIds: string[] | 'all'): Promise<HarvestSource[]> {
    if (organisationIds !== 'all' && organisationIds.length === 0) return []
    let query = q(executor).selectFrom('open_data.harvest_source').selectAll()
    if (organisationIds !== 'all') query = query.where('organisation_id', 'in', organisationIds)
    return (await query.orderBy('title').execute()).map(toHarvestSource)
  }

  async dueHarvestSources(executor: Executor, now: Date): Promise<HarvestSource[]> {
    const rows = await q(executor)
      .selectFrom('open_data.harvest_source')
      .selectAll()
      .where('enabled', '=', true)
      .where('next_run_at', '<=', now)
      .orderBy('next_run_at')
      .limit(100)
      .execute()
    return rows.map(toHarvestSource)
  }

  /** Moves a source's next run on; true only for the caller that moved it (so one job per tick). */
  async claimHarvestRun(executor: Executor, id: string, expectedNext: Date, next: Date): Promise<boolean> {
    const result = await q(executor)
      .updateTable('open_data.harvest_source')
      .set({ next_run_at: next })
      .where('id', '=', id)
      .where('next_run_at', '=', expectedNext)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) > 0
  }

  async recordHarvestRun(
    executor: Executor,
    id: string,
    outcome: { status: string; message: string | null; counts: Record<string, number> },
  ): Promise<void> {
    await q(executor)
      .updateTable('open_data.harvest_source')
      .set({
        last_run_at: new Date(),
        last_status: outcome.status,
        last_message: outcome.message,
        last_counts: JSON.stringify(outcome.counts),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute()
  }
}

function toSubscription(r: {
  id: string
  dataset_id: string
  email: string
  locale: string
  confirmed_at: Date | null
  created_at: Date
}): Subscription {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    email: r.email,
    locale: r.locale === 'gd' ? 'gd' : 'en',
    confirmedAt: r.confirmed_at ? new Date(r.confirmed_at) : null,
    createdAt: new Date(r.created_at),
  }
}

function toHarvestSource(r: {
  id: string
  organisation_id: string
  title: string
  url: string
  kind: string
  frequency: string
  enabled: boolean
  next_run_at: Date
  last_run_at: Date | null
  last_status: string | null
  last_message: string | null
  last_counts: Record<string, number> | null
}): HarvestSource {
  const counts = r.last_counts
  return {
    id: r.id,
    organisationId: r.organisation_id,
    title: r.title,
    url: r.url,
    kind: r.kind as HarvestKind,
    frequency: r.frequency as HarvestFrequency,
    enabled: r.enabled,
    nextRunAt: new Date(r.next_run_at),
    lastRunAt: r.last_run_at ? new Date(r.last_run_at) : null,
    lastStatus: r.last_status,
    lastMessage: r.last_message,
    lastCounts: counts
      ? {
          created: Number(counts.created ?? 0),
          updated: Number(counts.updated ?? 0),
          withdrawn: Number(counts.withdrawn ?? 0),
          failed: Number(counts.failed ?? 0),
        }
      : null,
  }
}

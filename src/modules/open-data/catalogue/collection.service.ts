// National collections: platform administrators open a collection (say, "Spend over £500"); each
// body's publishers add their data table to it when its columns match the collection's (the first
// member sets them); the public reads the members and downloads them as one national table, with
// the publishing body on every row, streamed from each member's table in keyset pages.
import { sql } from 'kysely'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requireOrganisationRole, requirePlatformAdmin } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { slugify, type Organisation } from '../../../platform/organisations/organisation.service.js'
import type { ColumnType, DatastoreColumn, Viewer } from '../datastore/datastore.public.js'
import { CatalogueError, assertValid } from './dataset.errors.js'
import { PUBLISHER_ROLES, type CatalogueService } from './dataset.service.js'
import type { Dataset, Resource } from './dataset.types.js'

const PUBLIC: Viewer = { kind: 'public' }

export type CollectionColumn = { name: string; type: ColumnType }

export type Collection = {
  id: string
  name: string
  title: string
  description: string
  columns: CollectionColumn[] | null
  createdAt: Date
}

export type CollectionMember = {
  resource: Resource
  dataset: Dataset
  organisation: Organisation
  rowCount: number
}

type Row = { id: string; name: string; title: string; description: string; columns: unknown; created_at: Date }

const toCollection = (r: Row): Collection => ({
  id: r.id,
  name: r.name,
  title: r.title,
  description: r.description,
  columns: Array.isArray(r.columns)
    ? (r.columns as CollectionColumn[])
    : typeof r.columns === 'string'
      ? (JSON.parse(r.columns) as CollectionColumn[])
      : null,
  createdAt: new Date(r.created_at),
})

const notFound = () => new CatalogueError('DATASET_NOT_FOUND', 'There is no such collection')

export class CollectionService {
  constructor(
    private readonly kernel: Kernel,
    private readonly catalogue: CatalogueService,
  ) {}

  private get db() {
    return this.kernel.db
  }

  async list(): Promise<(Collection & { memberCount: number })[]> {
    const rows = await sql<Row & { n: number }>`
      select c.*, (select count(*) from open_data.collection_member m where m.collection_id = c.id) as n
      from open_data.collection c order by c.title`.execute(this.db)
    return rows.rows.map((r) => ({ ...toCollection(r), memberCount: Number(r.n) }))
  }

  async get(name: string): Promise<Collection> {
    if (!/^[a-z0-9-]{1,100}$/.test(name)) throw notFound()
    const row = (await sql<Row>`select * from open_data.collection where name = ${name}`.execute(this.db)).rows[0]
    if (!row) throw notFound()
    return toCollection(row)
  }

  async create(ctx: ActionContext, input: { title: string; description: string }): Promise<Collection> {
    requirePlatformAdmin(ctx)
    const title = input.title.trim().replace(/\s+/g, ' ')
    const description = input.description.trim()
    const errors: Record<string, string> = {}
    if (title === '') errors.title = 'open-data.collection.error.title'
    else if (title.length > 200) errors.title = 'open-data.collection.error.titleTooLong'
    if (description.length > 5000) errors.description = 'open-data.collection.error.descriptionTooLong'
    assertValid('DATASET_INVALID', errors, 'Check the collection')
    return inTransaction(this.db, async (trx) => {
      const base = slugify(title) || 'collection'
      let name = base
      for (
        let n = 2;
        (await sql`select 1 from open_data.collection where name = ${name}`.execute(trx)).rows.length;
        n++
      )
        name = `${base}-${n}`
      const row = (
        await sql<Row>`insert into open_data.collection (name, title, description) values (${name}, ${title}, ${description}) returning *`.execute(
          trx,
        )
      ).rows[0]!
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.collection-created',
        organisationId: null,
        targetType: 'collection',
        targetId: row.id,
        details: { name, title },
      })
      return toCollection(row)
    })
  }

  /** Published members, with their datasets, bodies and row counts. */
  async members(collection: Collection): Promise<CollectionMember[]> {
    const rows = await sql<{ resource_id: string }>`
      select m.resource_id from open_data.collection_member m
      join open_data.resource r on r.id = m.resource_id
      join open_data.dataset d on d.id = r.dataset_id
      where m.collection_id = ${collection.id} and d.status = 'published'
      order by m.added_at`.execute(this.db)
    const tables = await this.catalogue.datastore.summaries(
      rows.rows.map((r) => r.resource_id),
      PUBLIC,
    )
    const out: CollectionMember[] = []
    for (const { resource_id } of rows.rows) {
      const found = await this.catalogue.publicResource(resource_id).catch(() => null)
      if (!found) continue
      out.push({
        resource: found.resource,
        dataset: found.view.dataset,
        organisation: found.view.organisation,
        rowCount: tables.get(resource_id)?.rowCount ?? 0,
      })
    }
    return out.sort((a, b) => a.organisation.nameEn.localeCompare(b.organisation.nameEn))
  }

  /** Same names in the same order, and the same types (whole numbers may join decimals). */
  private static same(a: CollectionColumn[], b: DatastoreColumn[]): boolean {
    const numeric = (t: ColumnType) => t === 'integer' || t === 'number'
    return (
      a.length === b.length &&
      a.every((c, i) => c.name === b[i]!.name && (c.type === b[i]!.type || (numeric(c.type) && numeric(b[i]!.type))))
    )
  }

  /** The collection's columns once a member joins: a whole-number column becomes decimal if the member's is. */
  private static widened(a: CollectionColumn[], b: DatastoreColumn[]): CollectionColumn[] {
    return a.map((c, i) => ({
      name: c.name,
      type: c.type === 'integer' && b[i]!.type === 'number' ? 'number' : c.type,
    }))
  }

  /** Adds a body's data table to a collection, if its columns match the collection's. */
  async addMember(ctx: ActionContext, collectionName: string, datasetId: string, resourceId: string): Promise<void> {
    const collection = await this.get(collectionName)
    const view = await this.catalogue.getForPublisher(ctx, datasetId)
    requireOrganisationRole(ctx, view.dataset.organisationId, PUBLISHER_ROLES)
    const resource = view.resources.find((r) => r.id === resourceId && r.kind === 'datastore')
    if (!resource) throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such data table')
    const table = await this.catalogue.datastore.summary(resourceId, { kind: 'context', ctx })
    if (!table || !table.latestVersion)
      throw new CatalogueError('DATASET_INVALID', 'Load data into the table first', {
        fields: { collection: 'open-data.collection.error.noData' },
      })
    if (collection.columns && !CollectionService.same(collection.columns, table.columns))
      throw new CatalogueError('DATASET_INVALID', 'The columns do not match the collection', {
        fields: { collection: 'open-data.collection.error.columns' },
      })
    await inTransaction(this.db, async (trx) => {
      const columns = collection.columns
        ? CollectionService.widened(collection.columns, table.columns)
        : table.columns.map((c) => ({ name: c.name, type: c.type }))
      await sql`update open_data.collection set columns = ${JSON.stringify(columns)}::jsonb, updated_at = now()
        where id = ${collection.id}`.execute(trx)
      await sql`insert into open_data.collection_member (collection_id, resource_id, organisation_id)
        values (${collection.id}, ${resourceId}, ${view.dataset.organisationId}) on conflict do nothing`.execute(trx)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.collection-member-added',
        organisationId: view.dataset.organisationId,
        targetType: 'collection',
        targetId: collection.id,
        details: { collection: collection.name, datasetId, resourceId },
      })
    })
  }

  /** Every row of every published member, with its publishing body first (the national table). */
  async *rows(collection: Collection): AsyncGenerator<unknown[]> {
    const columns = collection.columns ?? []
    for (const m of await this.members(collection)) {
      let cursor: string | undefined
      for (;;) {
        const result = await this.catalogue.datastore.query(
          m.resource.id,
          { limit: 1000, ...(cursor ? { cursor } : {}) },
          PUBLIC,
        )
        for (const r of result.rows)
          yield [m.organisation.nameEn, m.organisation.gssCode ?? '', ...columns.map((c) => r[c.name] ?? '')]
        if (!result.nextCursor || result.rows.length === 0) break
        cursor = result.nextCursor
      }
    }
  }
}

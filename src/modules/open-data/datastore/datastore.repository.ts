// All SQL on the data store's own metadata tables (open_data.datastore_*). The rows of the data
// tables themselves are read and written through the Store (datastore.store.ts).
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Db } from '../../../platform/db/database.js'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import type { DatastoreTables } from './datastore.tables.js'
import type { Rejection, StoredColumn } from './datastore.types.js'

type Executor = Db | Transaction<CoreDatabase>
type Q = Kysely<DatastoreTables & CoreDatabase>
const q = (e: Executor): Q => e.withTables<DatastoreTables>()

export type TableRow = {
  resourceId: string
  organisationId: string
  title: string
  isPublic: boolean
  currentVersion: number | null
  columns: StoredColumn[]
  rowCount: number
  keyColumn: string | null
  createdAt: Date
  updatedAt: Date
}

export type VersionRow = {
  resourceId: string
  number: number
  tableName: string
  rowCount: number
  checksum: string
  columns: StoredColumn[]
  source: string
  uploadId: string | null
  createdAt: Date
}

export type UploadRow = {
  id: string
  resourceId: string
  organisationId: string
  status: 'queued' | 'running' | 'needs-decision' | 'loaded' | 'failed'
  stage: string
  percent: number
  source: string
  mode: 'replace' | 'append' | 'upsert'
  keyColumn: string | null
  onInvalid: 'ask' | 'refuse' | 'skip'
  fileName: string
  filePath: string | null
  fileSize: number
  sourceUrl: string | null
  givenSchema: unknown
  checksum: string | null
  encoding: string | null
  stagedTable: string | null
  stagedColumns: StoredColumn[] | null
  rowsRead: number
  rowsLoaded: number
  rowsRejected: number
  errorCode: string | null
  message: string | null
  versionNumber: number | null
  createdBy: string | null
  createdAt: Date
  finishedAt: Date | null
}

const toTable = (r: {
  resource_id: string
  organisation_id: string
  title: string
  is_public: boolean
  current_version: number | null
  columns: StoredColumn[]
  row_count: number
  key_column: string | null
  created_at: Date
  updated_at: Date
}): TableRow => ({
  resourceId: r.resource_id,
  organisationId: r.organisation_id,
  title: r.title,
  isPublic: r.is_public,
  currentVersion: r.current_version,
  columns: r.columns,
  rowCount: Number(r.row_count),
  keyColumn: r.key_column,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
})

const toVersion = (r: {
  resource_id: string
  number: number
  table_name: string
  row_count: number
  checksum: string
  columns: StoredColumn[]
  source: string
  upload_id: string | null
  created_at: Date
}): VersionRow => ({
  resourceId: r.resource_id,
  number: r.number,
  tableName: r.table_name,
  rowCount: Number(r.row_count),
  checksum: r.checksum,
  columns: r.columns,
  source: r.source,
  uploadId: r.upload_id,
  createdAt: r.created_at,
})

const toUpload = (r: any): UploadRow => ({
  id: r.id,
  resourceId: r.resource_id,
  organisationId: r.organisation_id,
  status: r.status,
  stage: r.stage,
  percent: r.percent,
  source: r.source,
  mode: r.mode,
  keyColumn: r.key_column,
  onInvalid: r.on_invalid,
  fileName: r.file_name,
  filePath: r.file_path,
  fileSize: Number(r.file_size),
  sourceUrl: r.source_url,
  givenSchema: r.given_schema,
  checksum: r.checksum,
  encoding: r.encoding,
  stagedTable: r.staged_table,
  stagedColumns: r.staged_columns,
  rowsRead: Number(r.rows_read),
  rowsLoaded: Number(r.rows_loaded),
  rowsRejected: Number(r.rows_rejected),
  errorCode: r.error_code,
  message: r.message,
  versionNumber: r.version_number,
  createdBy: r.created_by,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
})

export const datastoreRepository = {
  async table(e: Executor, resourceId: string, forUpdate = false): Promise<TableRow | null> {
    let query = q(e).selectFrom('open_data.datastore_table').selectAll().where('resource_id', '=', resourceId)
    if (forUpdate) query = query.forUpdate()
    const r = await query.executeTakeFirst()
    return r ? toTable(r) : null
  },

  async tables(e: Executor, resourceIds: string[]): Promise<TableRow[]> {
    if (resourceIds.length === 0) return []
    const rows = await q(e)
      .selectFrom('open_data.datastore_table')
      .selectAll()
      .where('resource_id', 'in', resourceIds)
      .execute()
    return rows.map(toTable)
  },

  async tablesOf(e: Executor, organisationIds: string[] | 'all'): Promise<TableRow[]> {
    let query = q(e).selectFrom('open_data.datastore_table').selectAll().orderBy('updated_at', 'desc').limit(500)
    if (organisationIds !== 'all') {
      if (organisationIds.length === 0) return []
      query = query.where('organisation_id', 'in', organisationIds)
    }
    return (await query.execute()).map(toTable)
  },

  async insertTable(
    e: Executor,
    input: { resourceId: string; organisationId: string; title: string },
  ): Promise<boolean> {
    const r = await q(e)
      .insertInto('open_data.datastore_table')
      .values({
        resource_id: input.resourceId,
        organisation_id: input.organisationId,
        title: input.title,
        columns: JSON.stringify([]),
        current_version: null,
        key_column: null,
      })
      .onConflict((oc) => oc.column('resource_id').doNothing())
      .executeTakeFirst()
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
  },

  async setPublic(e: Executor, resourceId: string, isPublic: boolean): Promise<void> {
    await q(e)
      .updateTable('open_data.datastore_table')
      .set({ is_public: isPublic, updated_at: sql`now()` as unknown as Date })
      .where('resource_id', '=', resourceId)
      .execute()
  },

  async setColumns(e: Executor, resourceId: string, columns: StoredColumn[]): Promise<void> {
    await q(e)
      .updateTable('open_data.datastore_table')
      .set({ columns: JSON.stringify(columns), updated_at: sql`now()` as unknown as Date })
      .where('resource_id', '=', resourceId)
      .execute()
  },

  async setKeyColumn(e: Executor, resourceId: string, keyColumn: string | null): Promise<void> {
    await q(e)
      .updateTable('open_data.datastore_table')
      .set({ key_column: keyColumn })
      .where('resource_id', '=', resourceId)
      .execute()
  },

  async deleteTable(e: Executor, resourceId: string): Promise<void> {
    await q(e).deleteFrom('open_data.datastore_table').where('resource_id', '=', resourceId).execute()
  },

  async versions(e: Executor, resourceId: string): Promise<VersionRow[]> {
    const rows = await q(e)
      .selectFrom('open_data.datastore_version')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('number', 'desc')
      .execute()
    return rows.map(toVersion)
  },

  async version(e: Executor, resourceId: string, number: number): Promise<VersionRow | null> {
    const r = await q(e)
      .selectFrom('open_data.datastore_version')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('number', '=', number)
      .executeTakeFirst()
    return r ? toVersion(r) : null
  },

  /** Adds a version and makes it the table's current one: the atomic swap. */
  async swapIn(
    e: Executor,
    input: {
      resourceId: string
      tableName: string
      rowCount: number
      checksum: string
      columns: StoredColumn[]
      source: string
      uploadId: string | null
      createdBy: string | null
      keyColumn?: string | null
    },
  ): Promise<number> {
    const current = await this.table(e, input.resourceId, true)
    if (!current) throw new Error('table gone')
    const max = await q(e)
      .selectFrom('open_data.datastore_version')
      .select((eb) => eb.fn.max('number').as('n'))
      .where('resource_id', '=', input.resourceId)
      .executeTakeFirst()
    const number = Number(max?.n ?? 0) + 1
    // keep the dictionary's words for columns that are still there
    const previous = new Map(current.columns.map((c) => [c.name, c]))
    const columns = input.columns.map((c) => {
      const p = previous.get(c.name)
      return p
        ? {
            ...c,
            title: c.title !== c.name ? c.title : p.title,
            description: c.description || p.description,
            unit: c.unit || p.unit,
          }
        : c
    })
    await q(e)
      .insertInto('open_data.datastore_version')
      .values({
        resource_id: input.resourceId,
        number,
        table_name: input.tableName,
        row_count: input.rowCount,
        checksum: input.checksum,
        columns: JSON.stringify(columns),
        source: input.source,
        upload_id: input.uploadId,
        created_by: input.createdBy,
      })
      .execute()
    await q(e)
      .updateTable('open_data.datastore_table')
      .set({
        current_version: number,
        columns: JSON.stringify(columns),
        row_count: input.rowCount,
        updated_at: sql`now()` as unknown as Date,
        ...(input.keyColumn !== undefined ? { key_column: input.keyColumn } : {}),
      })
      .where('resource_id', '=', input.resourceId)
      .execute()
    return number
  },

  async insertUpload(
    e: Executor,
    input: {
      resourceId: string
      organisationId: string
      source: string
      mode: string
      keyColumn: string | null
      onInvalid: string
      fileName: string
      filePath: string | null
      fileSize: number
      sourceUrl: string | null
      givenSchema: unknown
      checksum: string | null
      createdBy: string | null
    },
  ): Promise<string> {
    const r = await q(e)
      .insertInto('open_data.datastore_upload')
      .values({
        resource_id: input.resourceId,
        organisation_id: input.organisationId,
        source: input.source,
        mode: input.mode,
        key_column: input.keyColumn,
        on_invalid: input.onInvalid,
        file_name: input.fileName,
        file_path: input.filePath,
        file_size: input.fileSize,
        source_url: input.sourceUrl,
        given_schema: (input.givenSchema === null ? null : JSON.stringify(input.givenSchema)) as unknown as string,
        checksum: input.checksum,
        created_by: input.createdBy,
        staged_table: null,
        staged_columns: null as unknown as string,
        encoding: null,
        error_code: null,
        message: null,
        version_number: null,
        finished_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return r.id
  },

  async upload(e: Executor, id: string, forUpdate = false): Promise<UploadRow | null> {
    let query = q(e).selectFrom('open_data.datastore_upload').selectAll().where('id', '=', id)
    if (forUpdate) query = query.forUpdate()
    const r = await query.executeTakeFirst()
    return r ? toUpload(r) : null
  },

  async uploads(e: Executor, resourceId: string, limit = 20): Promise<UploadRow[]> {
    const rows = await q(e)
      .selectFrom('open_data.datastore_upload')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute()
    return rows.map(toUpload)
  },

  async latestUploads(e: Executor, resourceIds: string[]): Promise<Map<string, UploadRow>> {
    if (resourceIds.length === 0) return new Map()
    const rows = await q(e)
      .selectFrom('open_data.datastore_upload')
      .selectAll()
      .distinctOn('resource_id')
      .where('resource_id', 'in', resourceIds)
      .orderBy('resource_id')
      .orderBy('created_at', 'desc')
      .execute()
    return new Map(rows.map((r) => [r.resource_id, toUpload(r)]))
  },

  async activeUpload(e: Executor, resourceId: string): Promise<UploadRow | null> {
    const r = await q(e)
      .selectFrom('open_data.datastore_upload')
      .selectAll()
      .where('resource_id', '=', resourceId)
      .where('status', 'in', ['queued', 'running', 'needs-decision'])
      .orderBy('created_at', 'desc')
      .executeTakeFirst()
    return r ? toUpload(r) : null
  },

  async updateUpload(
    e: Executor,
    id: string,
    patch: Partial<{
      status: string
      stage: string
      percent: number
      rowsRead: number
      rowsLoaded: number
      rowsRejected: number
      errorCode: string | null
      message: string | null
      stagedTable: string | null
      stagedColumns: StoredColumn[] | null
      checksum: string
      encoding: string
      versionNumber: number
      filePath: string | null
      fileSize: number
      finished: boolean
    }>,
  ): Promise<void> {
    const set: Record<string, unknown> = {}
    if (patch.status !== undefined) set.status = patch.status
    if (patch.stage !== undefined) set.stage = patch.stage
    if (patch.percent !== undefined) set.percent = patch.percent
    if (patch.rowsRead !== undefined) set.rows_read = patch.rowsRead
    if (patch.rowsLoaded !== undefined) set.rows_loaded = patch.rowsLoaded
    if (patch.rowsRejected !== undefined) set.rows_rejected = patch.rowsRejected
    if (patch.errorCode !== undefined) set.error_code = patch.errorCode
    if (patch.message !== undefined) set.message = patch.message
    if (patch.stagedTable !== undefined) set.staged_table = patch.stagedTable
    if (patch.stagedColumns !== undefined)
      set.staged_columns = patch.stagedColumns === null ? null : JSON.stringify(patch.stagedColumns)
    if (patch.checksum !== undefined) set.checksum = patch.checksum
    if (patch.encoding !== undefined) set.encoding = patch.encoding
    if (patch.versionNumber !== undefined) set.version_number = patch.versionNumber
    if (patch.filePath !== undefined) set.file_path = patch.filePath
    if (patch.fileSize !== undefined) set.file_size = patch.fileSize
    if (patch.finished) set.finished_at = sql`now()`
    if (Object.keys(set).length === 0) return
    await q(e).updateTable('open_data.datastore_upload').set(set).where('id', '=', id).execute()
  },

  async insertRejections(e: Executor, uploadId: string, rejections: Rejection[]): Promise<void> {
    for (let i = 0; i < rejections.length; i += 500) {
      await q(e)
        .insertInto('open_data.datastore_rejection')
        .values(
          rejections.slice(i, i + 500).map((r) => ({
            upload_id: uploadId,
            row_number: r.row,
            column_name: r.column,
            value: r.value === null ? null : r.value.slice(0, 200),
            reason: r.reason,
          })),
        )
        .execute()
    }
  },

  async rejections(e: Executor, uploadId: string, limit = 1000): Promise<Rejection[]> {
    const rows = await q(e)
      .selectFrom('open_data.datastore_rejection')
      .selectAll()
      .where('upload_id', '=', uploadId)
      .orderBy('row_number')
      .limit(limit)
      .execute()
    return rows.map((r) => ({ row: Number(r.row_number), column: r.column_name, value: r.value, reason: r.reason }))
  },
}

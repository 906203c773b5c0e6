// The data store's rules: who may read and publish, uploads and their job, the swap, versions,
// the data dictionary, queries, downloads and the read-only SQL endpoint. Every state change is
// audited in the transaction that makes it.
import { randomUUID } from 'node:crypto'

import { rm, writeFile } from 'node:fs/promises'
import { PassThrough, Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import { stringify } from 'csv-stringify/sync'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { actingAccountId, hasScope } from '../../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { DomainError } from '../../../platform/errors/domain-error.js'
import {
  DatastoreError,
  type ColumnType,
  type DatastoreQuery,
  type IngestionSummary,
  type QueryResult,
  type TableSummary,
  type Viewer,
} from './datastore.public.js'
import { datastoreRepository as repo, type TableRow, type UploadRow, type VersionRow } from './datastore.repository.js'
import { createStore, ident, qualified, type Store } from './datastore.store.js'
import { exportCsv, IngestFailure, ingestFile, limits, saveStream, uploadPath } from './datastore.ingest.js'
import { jsonValue, parseQuery, runQuery, selectExpression, whereOf } from './datastore.query.js'
import { ParquetWriter } from './datastore.parquet.js'
import { asText, defuseFormula } from './datastore.infer.js'
import type { OnInvalid, Rejection, StoredColumn, TableSchema, UploadMode } from './datastore.types.js'

export const PUBLISH_SCOPE = 'open-data:publish'
export const PUBLISHER_ROLE = 'data-publisher'
export const INGEST_JOB = 'open-data.datastore-ingest'

export type UploadOptions = {
  mode: UploadMode
  keyColumn: string | null
  onInvalid: OnInvalid
  schema: TableSchema | null
}

export type DictionaryEntry = { name: string; title: string; description: string; unit: string; type: ColumnType }

export type VersionDiff = {
  from: number
  to: number
  key: string | null
  added: number
  removed: number
  changed: number | null
  unchanged: number | null
}

const notFound = () => new DatastoreError('DATASTORE_NOT_FOUND', 'not-found', 'There is no such data table')

function isMemberOrAdmin(ctx: ActionContext, organisationId: string): boolean {
  const p = ctx.principal
  if (!p) return false
  return p.isPlatformAdmin || p.memberships.some((m) => m.organisationId === organisationId)
}

export class DatastoreServiceImpl {
  readonly store: Store
  private sqlRoles = new Set<string>()

  constructor(private readonly kernel: Kernel) {
    this.store = createStore(kernel.database)
    this.cacheMs = kernel.config.env === 'test' ? 0 : 1000
  }

  private get db() {
    return this.kernel.db
  }

  // --- access ---

  canRead(table: TableRow, viewer: Viewer): boolean {
    if (table.isPublic) return true
    return viewer.kind === 'context' && isMemberOrAdmin(viewer.ctx, table.organisationId)
  }

  /** Tables and versions read in the last second, so a busy table costs no metadata query per request. */
  // not in tests, where a second instance of the service (the test's) changes tables under this one
  private readonly cacheMs: number
  private recent = new Map<string, { at: number; table: TableRow | null; version: VersionRow | null }>()

  private forget(resourceId: string): void {
    this.recent.delete(resourceId)
  }

  private async cached(resourceId: string): Promise<{ table: TableRow | null; version: VersionRow | null }> {
    const hit = this.recent.get(resourceId)
    if (hit && Date.now() - hit.at < this.cacheMs) return hit
    const table = await repo.table(this.db, resourceId)
    const version = table?.currentVersion ? await repo.version(this.db, resourceId, table.currentVersion) : null
    const entry = { at: Date.now(), table, version }
    if (this.recent.size > 1000) this.recent.clear()
    this.recent.set(resourceId, entry)
    return entry
  }

  private async readable(resourceId: string, viewer: Viewer): Promise<TableRow> {
    const { table } = await this.cached(resourceId)
    if (!table || !this.canRead(table, viewer)) throw notFound()
    return table
  }

  private async manageable(ctx: ActionContext, resourceId: string): Promise<TableRow> {
    requirePrincipal(ctx)
    const table = await repo.table(this.db, resourceId)
    if (!table || !isMemberOrAdmin(ctx, table.organisationId)) throw notFound()
    requireOrganisationRole(ctx, table.organisationId, [PUBLISHER_ROLE], PUBLISH_SCOPE)
    return table
  }

  canManage(ctx: ActionContext, organisationId: string): boolean {
    const p = ctx.principal
    if (!p) return false
    if (p.via === 'token' && !hasScope(p, PUBLISH_SCOPE)) return false
    if (p.isPlatformAdmin) return true
    const roles = p.memberships.find((m) => m.organisationId === organisationId)?.roles ?? []
    return roles.includes(PUBLISHER_ROLE) || roles.includes('org-admin')
  }

  /** The bodies this person may publish data for. */
  async publishableOrganisations(ctx: ActionContext): Promise<{ id: string; name: string; nameGd: string | null }[]> {
    const p = ctx.principal
    if (!p) return []
    const out: { id: string; name: string; nameGd: string | null }[] = []
    if (p.isPlatformAdmin && (p.via !== 'token' || hasScope(p, PUBLISH_SCOPE))) {
      for await (const o of this.kernel.organisations.all()) out.push({ id: o.id, name: o.nameEn, nameGd: o.nameGd })
      return out.sort((x, y) => x.name.localeCompare(y.name))
    }
    for (const m of p.memberships) {
      if (!this.canManage(ctx, m.organisationId)) continue
      const o = await this.kernel.organisations.getById(m.organisationId)
      if (o) out.push({ id: o.id, name: o.nameEn, nameGd: o.nameGd })
    }
    return out
  }

  // --- tables ---

  async attachTable(
    input: { resourceId: string; organisationId: string; title?: string },
    ctx: ActionContext,
  ): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const inserted = await repo.insertTable(trx, { ...input, title: input.title ?? '' })
      if (inserted)
        await this.kernel.audit.record(trx, ctx, {
          action: 'open-data.datastore.table-attached',
          organisationId: input.organisationId,
          targetType: 'datastore-table',
          targetId: input.resourceId,
          details: {},
        })
    })
  }

  /** A data table of the publisher's own, before (or without) a catalogue dataset. */
  async createTable(ctx: ActionContext, input: { organisationId: string; title: string }): Promise<string> {
    const fields: Record<string, string> = {}
    // in the order of the form
    if (!input.organisationId) fields.organisationId = 'open-data.datastore.error.organisation-required'
    if (!input.title.trim()) fields.title = 'open-data.datastore.error.title-required'
    if (Object.keys(fields).length)
      throw new DatastoreError('DATASTORE_INVALID', 'invalid', 'Check the form', { fields })
    requireOrganisationRole(ctx, input.organisationId, [PUBLISHER_ROLE], PUBLISH_SCOPE)
    const resourceId = randomUUID()
    await this.attachTable({ resourceId, organisationId: input.organisationId, title: input.title.trim() }, ctx)
    return resourceId
  }

  async setPublic(resourceId: string, isPublic: boolean, ctx: ActionContext): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const table = await repo.table(trx, resourceId, true)
      if (!table) throw notFound()
      if (table.isPublic === isPublic) return
      await repo.setPublic(trx, resourceId, isPublic)
      this.forget(resourceId)
      await this.kernel.audit.record(trx, ctx, {
        action: isPublic ? 'open-data.datastore.table-published' : 'open-data.datastore.table-withdrawn',
        organisationId: table.organisationId,
        targetType: 'datastore-table',
        targetId: resourceId,
        details: {},
      })
    })
  }

  async detachTable(resourceId: string, ctx: ActionContext): Promise<void> {
    const versions = await repo.versions(this.db, resourceId)
    const uploads = await repo.uploads(this.db, resourceId, 1000)
    await inTransaction(this.db, async (trx) => {
      const table = await repo.table(trx, resourceId, true)
      if (!table) return
      await repo.deleteTable(trx, resourceId)
      this.forget(resourceId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.datastore.table-removed',
        organisationId: table.organisationId,
        targetType: 'datastore-table',
        targetId: resourceId,
        details: { versions: versions.length },
      })
    })
    for (const v of versions) await this.store.query(`drop table if exists ${qualified(v.tableName)}`)
    for (const u of uploads) {
      if (u.stagedTable) await this.store.query(`drop table if exists ${qualified(u.stagedTable)}`)
      if (u.filePath) await rm(u.filePath, { force: true })
    }
  }

  async listForStaff(ctx: ActionContext): Promise<{ table: TableRow; upload: UploadRow | null }[]> {
    const p = requirePrincipal(ctx)
    const tables = await repo.tablesOf(this.db, p.isPlatformAdmin ? 'all' : p.memberships.map((m) => m.organisationId))
    const uploads = await repo.latestUploads(
      this.db,
      tables.map((t) => t.resourceId),
    )
    return tables.map((table) => ({ table, upload: uploads.get(table.resourceId) ?? null }))
  }

  async tableForStaff(ctx: ActionContext, resourceId: string): Promise<{ table: TableRow; canManage: boolean }> {
    requirePrincipal(ctx)
    const table = await repo.table(this.db, resourceId)
    if (!table || !isMemberOrAdmin(ctx, table.organisationId)) throw notFound()
    return { table, canManage: this.canManage(ctx, table.organisationId) }
  }

  async table(resourceId: string, viewer: Viewer): Promise<TableRow> {
    return this.readable(resourceId, viewer)
  }

  // --- summaries ---

  private ingestionOf(u: UploadRow | null): IngestionSummary | null {
    if (!u) return null
    return {
      id: u.id,
      status: u.status,
      percent: u.percent,
      stage: u.stage,
      rowsRead: u.rowsRead,
      rowsRejected: u.rowsRejected,
      message: u.errorCode,
      createdAt: u.createdAt,
      finishedAt: u.finishedAt,
    }
  }

  private summaryOf(table: TableRow, latest: VersionRow | null, upload: UploadRow | null): TableSummary {
    const base = `/api/v1/datastore/${table.resourceId}`
    return {
      resourceId: table.resourceId,
      organisationId: table.organisationId,
      isPublic: table.isPublic,
      columns: table.columns.map(({ physical: _p, ...c }) => c),
      rowCount: table.rowCount,
      latestVersion: latest
        ? { number: latest.number, rowCount: latest.rowCount, checksum: latest.checksum, createdAt: latest.createdAt }
        : null,
      ingestion: this.ingestionOf(upload),
      links: {
        manage: `/manage/open-data/data-tables/${table.resourceId}`,
        csv: `${base}/rows.csv`,
        json: `${base}/rows.json`,
        parquet: `${base}/rows.parquet`,
        api: `${base}/rows`,
      },
    }
  }

  async summary(resourceId: string, viewer: Viewer): Promise<TableSummary | null> {
    const table = await repo.table(this.db, resourceId)
    if (!table || !this.canRead(table, viewer)) return null
    const latest = table.currentVersion ? await repo.version(this.db, resourceId, table.currentVersion) : null
    const [upload] = await repo.uploads(this.db, resourceId, 1)
    return this.summaryOf(table, latest, upload ?? null)
  }

  async summaries(resourceIds: string[], viewer: Viewer): Promise<Map<string, TableSummary>> {
    const tables = (await repo.tables(this.db, resourceIds)).filter((t) => this.canRead(t, viewer))
    const uploads = await repo.latestUploads(
      this.db,
      tables.map((t) => t.resourceId),
    )
    const out = new Map<string, TableSummary>()
    for (const t of tables) {
      const latest = t.currentVersion ? await repo.version(this.db, t.resourceId, t.currentVersion) : null
      out.set(t.resourceId, this.summaryOf(t, latest, uploads.get(t.resourceId) ?? null))
    }
    return out
  }

  // --- uploads ---

  private async startUpload(
    ctx: ActionContext,
    table: TableRow,
    input: {
      source: 'file' | 'url' | 'api' | 'dictionary'
      fileName: string
      filePath: string | null
      fileSize: number
      checksum: string | null
      sourceUrl: string | null
      options: UploadOptions
    },
  ): Promise<string> {
    const { options } = input
    if (options.mode !== 'replace' && !table.currentVersion)
      throw new DatastoreError(
        'DATASTORE_NO_DATA',
        'conflict',
        'There is no data to add to yet: upload a whole file first',
      )
    if (options.mode === 'upsert' && !options.keyColumn)
      throw new DatastoreError('DATASTORE_INVALID', 'invalid', 'Upserting needs a key column', {
        fields: { keyColumn: 'open-data.datastore.error.key-required' },
      })
    return inTransaction(this.db, async (trx) => {
      await repo.table(trx, table.resourceId, true)
      const active = await repo.activeUpload(trx, table.resourceId)
      if (active)
        throw new DatastoreError(
          'DATASTORE_BUSY',
          'conflict',
          active.status === 'needs-decision'
            ? 'An earlier upload is waiting for you to load or discard it'
            : 'An upload of this table is already running',
        )
      const id = await repo.insertUpload(trx, {
        resourceId: table.resourceId,
        organisationId: table.organisationId,
        source: input.source,
        mode: options.mode,
        keyColumn: options.keyColumn,
        onInvalid: options.onInvalid,
        fileName: input.fileName,
        filePath: input.filePath,
        fileSize: input.fileSize,
        sourceUrl: input.sourceUrl,
        givenSchema: options.schema,
        checksum: input.checksum,
        createdBy: actingAccountId(ctx.principal),
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.datastore.upload-started',
        organisationId: table.organisationId,
        targetType: 'datastore-table',
        targetId: table.resourceId,
        details: {
          uploadId: id,
          source: input.source,
          fileName: input.fileName,
          bytes: input.fileSize,
          mode: options.mode,
          onInvalid: options.onInvalid,
          ...(input.sourceUrl ? { url: input.sourceUrl } : {}),
        },
      })
      await this.kernel.jobs.send(INGEST_JOB, { uploadId: id }, { trx })
      return id
    })
  }

  checkOptions(options: UploadOptions): void {
    if (options.schema) {
      const s = options.schema as unknown as { fields?: unknown }
      if (
        !s ||
        !Array.isArray(s.fields) ||
        s.fields.length === 0 ||
        s.fields.some((f) => !f || typeof (f as { name?: unknown }).name !== 'string')
      )
        throw new DatastoreError(
          'DATASTORE_INVALID',
          'invalid',
          'The table schema needs a list of fields, each with a name',
          {
            fields: { schema: 'open-data.datastore.error.schema-invalid' },
          },
        )
    }
  }

  /** An upload from a stream (a form's file or an API body), saved to a temporary file for the job. */
  async uploadFile(
    ctx: ActionContext,
    resourceId: string,
    file: { stream: NodeJS.ReadableStream; fileName: string },
    options: UploadOptions,
  ): Promise<string> {
    const table = await this.manageable(ctx, resourceId)
    this.checkOptions(options)
    const filePath = await uploadPath(this.kernel.config.dataDir)
    let saved: { size: number; checksum: string }
    try {
      saved = await saveStream(file.stream, filePath)
    } catch (error) {
      if (error instanceof IngestFailure && error.code === 'too-large')
        throw new DatastoreError(
          'DATASTORE_INVALID',
          'invalid',
          `The file is larger than ${formatBytes(limits.maxFileBytes)}`,
          {
            fields: { file: 'open-data.datastore.error.too-large' },
          },
        )
      throw error
    }
    if ((file as { truncated?: boolean }).truncated) {
      await rm(filePath, { force: true })
      throw new DatastoreError(
        'DATASTORE_INVALID',
        'invalid',
        `The file is larger than ${formatBytes(limits.maxFileBytes)}`,
        {
          fields: { file: 'open-data.datastore.error.too-large' },
        },
      )
    }
    if (saved.size === 0) {
      await rm(filePath, { force: true })
      throw new DatastoreError('DATASTORE_INVALID', 'invalid', 'The file is empty', {
        fields: { file: 'open-data.datastore.error.empty' },
      })
    }
    try {
      return await this.startUpload(ctx, table, {
        source: 'file',
        fileName: file.fileName.slice(0, 200),
        filePath,
        fileSize: saved.size,
        checksum: saved.checksum,
        sourceUrl: null,
        options,
      })
    } catch (error) {
      await rm(filePath, { force: true })
      throw error
    }
  }

  /** An upload fetched from an address by the job. */
  async uploadUrl(ctx: ActionContext, resourceId: string, url: string, options: UploadOptions): Promise<string> {
    const table = await this.manageable(ctx, resourceId)
    this.checkOptions(options)
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new DatastoreError(
        'DATASTORE_INVALID',
        'invalid',
        'Enter a web address starting with https:// or http://',
        {
          fields: { url: 'open-data.datastore.error.url' },
        },
      )
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
      throw new DatastoreError(
        'DATASTORE_INVALID',
        'invalid',
        'Enter a web address starting with https:// or http://',
        {
          fields: { url: 'open-data.datastore.error.url' },
        },
      )
    return this.startUpload(ctx, table, {
      source: 'url',
      fileName: decodeURIComponent(parsed.pathname.split('/').pop() || parsed.hostname).slice(0, 200),
      filePath: null,
      fileSize: 0,
      checksum: null,
      sourceUrl: parsed.toString(),
      options,
    })
  }

  /** Rows sent as JSON objects through the API, appended or upserted by key (or replacing the table). */
  async uploadRecords(
    ctx: ActionContext,
    resourceId: string,
    records: Record<string, unknown>[],
    options: UploadOptions,
  ): Promise<string> {
    const table = await this.manageable(ctx, resourceId)
    if (records.length === 0)
      throw new DatastoreError('DATASTORE_INVALID', 'invalid', 'Send at least one record', {
        fields: { records: 'open-data.datastore.error.no-records' },
      })
    const names =
      options.mode === 'replace' || table.columns.length === 0
        ? [...new Set(records.flatMap((r) => Object.keys(r)))]
        : table.columns.map((c) => c.name)
    const cell = (v: unknown) => (v === null || v === undefined ? '' : asText(v))
    const filePath = await uploadPath(this.kernel.config.dataDir)
    const text = stringify([names, ...records.map((r) => names.map((n) => cell(r[n])))])
    await writeFile(filePath, text)
    try {
      return await this.startUpload(ctx, table, {
        source: 'api',
        fileName: 'records.json',
        filePath,
        fileSize: Buffer.byteLength(text),
        checksum: null,
        sourceUrl: null,
        options,
      })
    } catch (error) {
      await rm(filePath, { force: true })
      throw error
    }
  }

  async upload(
    ctx: ActionContext,
    uploadId: string,
  ): Promise<{ upload: UploadRow; table: TableRow; rejections: Rejection[] }> {
    requirePrincipal(ctx)
    const upload = await repo.upload(this.db, uploadId)
    if (!upload || !isMemberOrAdmin(ctx, upload.organisationId)) throw notFound()
    const table = await repo.table(this.db, upload.resourceId)
    if (!table) throw notFound()
    const rejections = upload.rowsRejected > 0 ? await repo.rejections(this.db, uploadId) : []
    return { upload, table, rejections }
  }

  async uploads(ctx: ActionContext, resourceId: string): Promise<UploadRow[]> {
    await this.tableForStaff(ctx, resourceId)
    return repo.uploads(this.db, resourceId)
  }

  /** The publisher's answer to an upload with rejected rows: load the good rows, or discard it. */
  async decide(ctx: ActionContext, uploadId: string, decision: 'load' | 'discard'): Promise<void> {
    const found = await repo.upload(this.db, uploadId)
    if (!found) throw notFound()
    const table = await this.manageable(ctx, found.resourceId)
    let drop: string | null = null
    await inTransaction(this.db, async (trx) => {
      const upload = await repo.upload(trx, uploadId, true)
      if (!upload || upload.status !== 'needs-decision' || !upload.stagedTable || !upload.stagedColumns)
        throw new DatastoreError('DATASTORE_BUSY', 'conflict', 'This upload is not waiting for a decision')
      if (decision === 'load') {
        const [count] = await this.store.query<{ n: number | string }>(
          `select count(*) as n from ${qualified(upload.stagedTable)}`,
        )
        this.forget(upload.resourceId)
        const number = await repo.swapIn(trx, {
          resourceId: upload.resourceId,
          tableName: upload.stagedTable,
          rowCount: Number(count?.n ?? 0),
          checksum: upload.checksum ?? '',
          columns: upload.stagedColumns,
          source: upload.source,
          uploadId,
          createdBy: actingAccountId(ctx.principal),
          ...(upload.keyColumn ? { keyColumn: upload.keyColumn } : {}),
        })
        await repo.updateUpload(trx, uploadId, {
          status: 'loaded',
          stage: 'done',
          percent: 100,
          versionNumber: number,
          stagedTable: null,
          finished: true,
        })
      } else {
        drop = upload.stagedTable
        await repo.updateUpload(trx, uploadId, {
          status: 'failed',
          stage: 'done',
          errorCode: 'discarded',
          stagedTable: null,
          finished: true,
        })
      }
      await this.kernel.audit.record(trx, ctx, {
        action:
          decision === 'load'
            ? 'open-data.datastore.upload-loaded-without-rejected'
            : 'open-data.datastore.upload-discarded',
        organisationId: table.organisationId,
        targetType: 'datastore-table',
        targetId: table.resourceId,
        details: { uploadId, rowsRejected: upload.rowsRejected },
      })
    })
    if (drop) await this.store.query(`drop table if exists ${qualified(drop)}`)
  }

  /** The job: one upload, from its file to a swapped-in version (or a report of why not). */
  async runIngestion(uploadId: string): Promise<void> {
    const upload = await repo.upload(this.db, uploadId)
    if (!upload || upload.status !== 'queued') return
    const ctx = systemFor(upload.createdBy)
    await repo.updateUpload(this.db, uploadId, { status: 'running', stage: 'read', percent: 0 })
    let filePath = upload.filePath
    const table = await repo.table(this.db, upload.resourceId)
    if (!table) return
    const current = table.currentVersion ? await repo.version(this.db, table.resourceId, table.currentVersion) : null
    try {
      if (upload.source === 'url') {
        await repo.updateUpload(this.db, uploadId, { stage: 'download', percent: 1 })
        filePath = await uploadPath(this.kernel.config.dataDir)
        await repo.updateUpload(this.db, uploadId, { filePath })
        await download(upload.sourceUrl!, filePath)
      }
      if (!filePath) throw new IngestFailure('no-file')
      const result = await ingestFile(
        this.store,
        {
          uploadId,
          filePath,
          fileName: upload.fileName,
          mode: upload.mode,
          keyColumn: upload.keyColumn,
          givenSchema: (upload.givenSchema as TableSchema | null) ?? null,
          current: current ? { tableName: current.tableName, columns: table.columns } : null,
        },
        async (p) =>
          repo.updateUpload(this.db, uploadId, {
            stage: p.stage,
            percent: Math.min(99, p.percent),
            ...(p.rowsRead !== undefined ? { rowsRead: p.rowsRead } : {}),
          }),
        this.kernel.logger,
      )
      const rejected = result.rejectedCount > 0
      const decision = !rejected
        ? 'swap'
        : upload.onInvalid === 'skip'
          ? 'swap'
          : upload.onInvalid === 'ask'
            ? 'ask'
            : 'refuse'
      if (decision === 'refuse') await this.store.query(`drop table if exists ${qualified(result.tableName)}`)
      await inTransaction(this.db, async (trx) => {
        if (result.rejections.length) await repo.insertRejections(trx, uploadId, result.rejections)
        const counts = {
          rowsRead: result.rowsRead,
          rowsLoaded: result.rowCount,
          rowsRejected: result.rejectedCount,
          checksum: result.checksum,
          encoding: result.encoding,
        }
        if (decision === 'swap') {
          this.forget(upload.resourceId)
          const number = await repo.swapIn(trx, {
            resourceId: upload.resourceId,
            tableName: result.tableName,
            rowCount: result.rowCount,
            checksum: result.checksum,
            columns: result.columns,
            source: upload.source,
            uploadId,
            createdBy: upload.createdBy,
            ...(upload.keyColumn ? { keyColumn: upload.keyColumn } : {}),
          })
          await repo.updateUpload(trx, uploadId, {
            ...counts,
            status: 'loaded',
            stage: 'done',
            percent: 100,
            versionNumber: number,
            finished: true,
          })
          await this.kernel.audit.record(trx, ctx, {
            action: 'open-data.datastore.version-loaded',
            organisationId: upload.organisationId,
            targetType: 'datastore-table',
            targetId: upload.resourceId,
            details: {
              uploadId,
              version: number,
              rows: result.rowCount,
              rejected: result.rejectedCount,
              checksum: result.checksum,
            },
          })
        } else if (decision === 'ask') {
          await repo.updateUpload(trx, uploadId, {
            ...counts,
            status: 'needs-decision',
            stage: 'decision',
            percent: 100,
            stagedTable: result.tableName,
            stagedColumns: result.columns,
            errorCode: 'rows-rejected',
          })
          await this.kernel.audit.record(trx, ctx, {
            action: 'open-data.datastore.upload-needs-decision',
            organisationId: upload.organisationId,
            targetType: 'datastore-table',
            targetId: upload.resourceId,
            details: { uploadId, rejected: result.rejectedCount },
          })
        } else {
          await repo.updateUpload(trx, uploadId, {
            ...counts,
            rowsLoaded: 0,
            status: 'failed',
            stage: 'done',
            errorCode: 'rows-rejected',
            finished: true,
          })
          await this.kernel.audit.record(trx, ctx, {
            action: 'open-data.datastore.upload-refused',
            organisationId: upload.organisationId,
            targetType: 'datastore-table',
            targetId: upload.resourceId,
            details: { uploadId, rejected: result.rejectedCount },
          })
        }
      })
    } catch (error) {
      const failure = error instanceof IngestFailure ? error : null
      if (!failure) this.kernel.logger.error({ err: error, uploadId }, 'datastore: ingestion failed')
      await inTransaction(this.db, async (trx) => {
        await repo.updateUpload(trx, uploadId, {
          status: 'failed',
          stage: 'done',
          errorCode: failure ? failure.code : 'internal',
          message: failure ? JSON.stringify(failure.params) : null,
          finished: true,
        })
        await this.kernel.audit.record(trx, ctx, {
          action: 'open-data.datastore.upload-failed',
          organisationId: upload.organisationId,
          targetType: 'datastore-table',
          targetId: upload.resourceId,
          details: { uploadId, reason: failure ? failure.code : 'internal', ...(failure?.params ?? {}) },
        })
      })
    } finally {
      if (filePath) await rm(filePath, { force: true })
      if (filePath) await repo.updateUpload(this.db, uploadId, { filePath: null })
    }
  }

  // --- versions ---

  async versions(resourceId: string, viewer: Viewer): Promise<VersionRow[]> {
    await this.readable(resourceId, viewer)
    return repo.versions(this.db, resourceId)
  }

  private async versionOf(table: TableRow, number?: number): Promise<VersionRow> {
    const n = number ?? table.currentVersion
    if (!n) throw new DatastoreError('DATASTORE_NO_DATA', 'not-found', 'No data has been loaded into this table yet')
    const hit = this.recent.get(table.resourceId)
    if (this.cacheMs && hit?.version && hit.version.number === n && hit.table === table) return hit.version
    const v = await repo.version(this.db, table.resourceId, n)
    if (!v) throw new DatastoreError('DATASTORE_NOT_FOUND', 'not-found', `There is no version ${n}`)
    return v
  }

  /** Rows added, removed and changed between two versions, matched by a key column (or whole rows without one). */
  async diff(resourceId: string, from: number, to: number, key: string | null, viewer: Viewer): Promise<VersionDiff> {
    const table = await this.readable(resourceId, viewer)
    const a = await this.versionOf(table, from)
    const b = await this.versionOf(table, to)
    const keyName = key ?? table.keyColumn
    // columns in both versions with the same type, by name
    const common = a.columns.filter((c) => b.columns.some((d) => d.name === c.name && d.type === c.type))
    const colA = (n: string) => a.columns.find((c) => c.name === n)!.physical
    const colB = (n: string) => b.columns.find((c) => c.name === n)!.physical
    const ta = qualified(a.tableName)
    const tb = qualified(b.tableName)
    if (keyName) {
      const kc = common.find((c) => c.name === keyName)
      if (!kc)
        throw new DatastoreError('DATASTORE_UNKNOWN_COLUMN', 'invalid', `Both versions need the key column ${keyName}`)
      const ka = ident(colA(kc.name))
      const kb = ident(colB(kc.name))
      const rowA = `(${common.map((c) => `a.${ident(colA(c.name))}`).join(', ')})`
      const rowB = `(${common.map((c) => `b.${ident(colB(c.name))}`).join(', ')})`
      const [r] = await this.store.query<Record<string, number | string>>(
        `select
          (select count(*) from ${tb} b where not exists (select 1 from ${ta} a where a.${ka} = b.${kb})) as added,
          (select count(*) from ${ta} a where not exists (select 1 from ${tb} b where a.${ka} = b.${kb})) as removed,
          (select count(*) from ${ta} a join ${tb} b on a.${ka} = b.${kb} where ${rowA} is distinct from ${rowB}) as changed,
          (select count(*) from ${ta} a join ${tb} b on a.${ka} = b.${kb} where ${rowA} is not distinct from ${rowB}) as unchanged`,
      )
      return {
        from,
        to,
        key: kc.name,
        added: Number(r!.added),
        removed: Number(r!.removed),
        changed: Number(r!.changed),
        unchanged: Number(r!.unchanged),
      }
    }
    const listA = common.map((c) => ident(colA(c.name))).join(', ')
    const listB = common.map((c) => ident(colB(c.name))).join(', ')
    const [r] = await this.store.query<Record<string, number | string>>(
      `select (select count(*) from (select ${listB} from ${tb} except all select ${listA} from ${ta}) x) as added,
              (select count(*) from (select ${listA} from ${ta} except all select ${listB} from ${tb}) y) as removed`,
    )
    return { from, to, key: null, added: Number(r!.added), removed: Number(r!.removed), changed: null, unchanged: null }
  }

  // --- the data dictionary ---

  /** Saves titles, descriptions and units at once; a changed type reloads the table through the same checks (as a job). */
  async updateDictionary(
    ctx: ActionContext,
    resourceId: string,
    entries: DictionaryEntry[],
  ): Promise<{ typeChangeUploadId: string | null }> {
    const table = await this.manageable(ctx, resourceId)
    const fields: Record<string, string> = {}
    const byName = new Map(entries.map((e) => [e.name, e]))
    table.columns.forEach((c, i) => {
      const e = byName.get(c.name)
      if (!e) return
      if (e.title.length > 200) fields[`title-${i}`] = 'open-data.datastore.error.too-long'
      if (e.description.length > 2000) fields[`description-${i}`] = 'open-data.datastore.error.too-long'
      if (e.unit.length > 50) fields[`unit-${i}`] = 'open-data.datastore.error.too-long'
      if (!['integer', 'number', 'boolean', 'date', 'datetime', 'string'].includes(e.type))
        fields[`type-${i}`] = 'open-data.datastore.error.type'
    })
    if (Object.keys(fields).length)
      throw new DatastoreError('DATASTORE_INVALID', 'invalid', 'Check the data dictionary', { fields })
    const columns: StoredColumn[] = table.columns.map((c) => {
      const e = byName.get(c.name)
      return e ? { ...c, title: e.title.trim() || c.name, description: e.description.trim(), unit: e.unit.trim() } : c
    })
    const typeChanges = table.columns.filter((c) => {
      const e = byName.get(c.name)
      return e && e.type !== c.type
    })
    await inTransaction(this.db, async (trx) => {
      await repo.setColumns(trx, resourceId, columns)
      this.forget(resourceId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.datastore.dictionary-updated',
        organisationId: table.organisationId,
        targetType: 'datastore-table',
        targetId: resourceId,
        details: {
          columns: columns.filter((c, i) => JSON.stringify(c) !== JSON.stringify(table.columns[i])).map((c) => c.name),
        },
      })
    })
    if (typeChanges.length === 0) return { typeChangeUploadId: null }
    // a type change: the current rows, exported and loaded again with the new schema (refused if any value does not fit)
    const current = await this.versionOf(table)
    const filePath = await uploadPath(this.kernel.config.dataDir)
    await exportCsv(this.store, current.tableName, current.columns, filePath)
    const schema: TableSchema = {
      fields: columns.map((c) => ({
        name: c.name,
        type: byName.get(c.name)?.type ?? c.type,
        format: c.format,
        title: c.title,
        description: c.description,
      })),
    }
    const id = await this.startUpload(
      ctx,
      { ...table, columns },
      {
        source: 'dictionary',
        fileName: `${typeChanges.map((c) => c.name).join(', ')}`.slice(0, 200),
        filePath,
        fileSize: 0,
        checksum: null,
        sourceUrl: null,
        options: { mode: 'replace', keyColumn: table.keyColumn, onInvalid: 'refuse', schema },
      },
    )
    return { typeChangeUploadId: id }
  }

  // --- queries ---

  parseQuery(params: Record<string, string | string[] | undefined>): DatastoreQuery {
    return parseQuery(params)
  }

  async query(resourceId: string, query: DatastoreQuery, viewer: Viewer, version?: number): Promise<QueryResult> {
    const table = await this.readable(resourceId, viewer)
    const v = await this.versionOf(table, version)
    const columns = version ? v.columns : table.columns
    return runQuery(this.store, { tableName: v.tableName, columns, rowCount: v.rowCount }, query)
  }

  // --- downloads ---

  async download(
    resourceId: string,
    format: 'csv' | 'json' | 'parquet',
    query: DatastoreQuery,
    viewer: Viewer,
    version?: number,
  ): Promise<{ stream: Readable; fileName: string }> {
    const table = await this.readable(resourceId, viewer)
    const v = await this.versionOf(table, version)
    const columns = version ? v.columns.map((c) => ({ ...c, ...pickDictionary(table.columns, c) })) : table.columns
    const shown = query.columns?.length ? columns.filter((c) => query.columns!.includes(c.name)) : columns
    const { where, values } = whereOf(columns, query)
    const slug =
      (table.title || 'data')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || 'data'
    const fileName = `${slug}-v${v.number}.${format}`
    if (format === 'csv' && this.store.copyOut) {
      const select = shown
        .map((c) => {
          const col = ident(c.physical)
          const expr =
            c.type === 'string'
              ? `case when ${col} ~ '^[=+@\\t\\r-]' then '''' || ${col} else ${col} end`
              : c.type === 'datetime'
                ? `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
                : c.type === 'date'
                  ? `${col}::text`
                  : col
          return `${expr} as "${c.name.replace(/"/g, '""')}"`
        })
        .join(', ')
      const text = `copy (select ${select} from ${qualified(v.tableName)}${inline(where, values)} order by _id) to stdout with (format csv, header true)`
      const out = await this.store.copyOut(text)
      // a byte-order mark, so spreadsheet programs read the file as UTF-8
      const withBom = new PassThrough()
      withBom.write('\ufeff')
      out.on('error', (e) => withBom.destroy(e))
      out.pipe(withBom)
      return { stream: withBom, fileName }
    }
    const store = this.store
    const pages = async function* (): AsyncGenerator<Record<string, unknown>[]> {
      let last = 0
      for (;;) {
        const p = values.length
        const rows = await store.query<Record<string, unknown>>(
          `select _id, ${shown.map((c) => `${selectExpression(c)} as ${ident(c.physical)}`).join(', ')} from ${qualified(v.tableName)}${
            where ? `${where} and _id > $${p + 1}` : ` where _id > $${p + 1}`
          } order by _id limit 5000`,
          [...values, last],
        )
        if (rows.length === 0) return
        last = Number(rows[rows.length - 1]!._id)
        yield rows
      }
    }
    if (format === 'csv') {
      const gen = async function* () {
        yield '\ufeff' + stringify([shown.map((c) => c.name)])
        for await (const rows of pages())
          yield stringify(
            rows.map((r) =>
              shown.map((c) => {
                const val = r[c.physical]
                if (val === null || val === undefined) return ''
                return c.type === 'string' ? defuseFormula(asText(val)) : asText(val)
              }),
            ),
          )
      }
      return { stream: Readable.from(gen()), fileName }
    }
    if (format === 'json') {
      const gen = async function* () {
        yield '['
        let first = true
        for await (const rows of pages()) {
          const parts = rows.map((r) =>
            JSON.stringify(Object.fromEntries(shown.map((c) => [c.name, jsonValue(c, r[c.physical])]))),
          )
          yield (first ? '\n' : ',\n') + parts.join(',\n')
          first = false
        }
        yield '\n]\n'
      }
      return { stream: Readable.from(gen()), fileName }
    }
    const writer = new ParquetWriter(shown.map((c) => ({ name: c.name, type: c.type })))
    const gen = async function* () {
      yield writer.start()
      for await (const rows of pages()) {
        for (const r of rows) {
          const b = writer.add(shown.map((c) => r[c.physical] ?? null))
          if (b) yield b
        }
      }
      yield writer.finish()
    }
    return { stream: Readable.from(gen()), fileName }
  }

  // --- the read-only SQL endpoint ---

  /** One SELECT over one table, called `data`, as a role that can read that table alone, read-only, with a time limit. */
  async sqlQuery(
    resourceId: string,
    text: string,
    viewer: Viewer,
    timeoutMs = 3000,
  ): Promise<{ columns: string[]; rows: Record<string, unknown>[]; truncated: boolean }> {
    const table = await this.readable(resourceId, viewer)
    const v = await this.versionOf(table)
    if (!this.store.client)
      throw new DomainError(
        'DATASTORE_SQL_UNAVAILABLE',
        'unavailable',
        'The SQL endpoint needs a PostgreSQL server; the embedded database has no roles to confine it',
      )
    const body = text.trim().replace(/;\s*$/, '')
    if (!body || body.length > 10_000)
      throw new DatastoreError(
        'DATASTORE_BAD_QUERY',
        'invalid',
        'Send one SELECT statement of at most 10,000 characters',
      )
    if (body.includes(';')) throw new DatastoreError('DATASTORE_BAD_QUERY', 'invalid', 'Send one statement only')
    if (!/^\s*(select|with|values|table)\b/i.test(body))
      throw new DatastoreError('DATASTORE_BAD_QUERY', 'invalid', 'Only SELECT statements are allowed')
    const role = `comhla_ds_${v.tableName.slice(2)}`
    const t = qualified(v.tableName)
    if (!this.sqlRoles.has(role)) {
      await this.store.query(
        `do $$ begin create role ${ident(role)} nologin noinherit; exception when duplicate_object then null; end $$`,
      )
      await this.store.query(`grant usage on schema open_data_rows to ${ident(role)}`)
      await this.store.query(`grant select on ${t} to ${ident(role)}`)
      this.sqlRoles.add(role)
    }
    const cte = `with data as (select ${table.columns
      .map((c) => `${ident(c.physical)} as "${c.name.replace(/"/g, '""')}"`)
      .join(', ')} from ${t})`
    const client = await this.store.client()
    let broken = false
    try {
      await client.query('begin transaction read only')
      await client.query(`set local statement_timeout = ${Math.max(100, Math.min(timeoutMs, 30_000))}`)
      await client.query(`set local search_path = pg_catalog`)
      await client.query(`set local role ${ident(role)}`)
      const result = await client.query({
        text: `${cte} select * from (${body}\n) as q limit 1001`,
        values: [],
        queryMode: 'extended',
      } as unknown as string)
      await client.query('rollback')
      const rows = (result as unknown as { rows: Record<string, unknown>[]; fields: { name: string }[] }).rows
      const fields = (result as unknown as { fields: { name: string }[] }).fields
      return { columns: fields.map((f) => f.name), rows: rows.slice(0, 1000), truncated: rows.length > 1000 }
    } catch (error) {
      try {
        await client.query('rollback')
      } catch {
        broken = true
      }
      const e = error as { code?: string; message?: string }
      if (e.code === '57014')
        throw new DatastoreError(
          'DATASTORE_BAD_QUERY',
          'invalid',
          `The query took longer than ${timeoutMs / 1000} seconds and was stopped`,
        )
      if (e.code && /^(42|22|25|2B|0A|21|23|3F|42)/.test(e.code))
        throw new DatastoreError(
          'DATASTORE_BAD_QUERY',
          'invalid',
          `The query was refused: ${String(e.message).slice(0, 300)}`,
        )
      throw error
    } finally {
      client.release(broken)
    }
  }
}

function pickDictionary(current: StoredColumn[], c: StoredColumn): Partial<StoredColumn> {
  const d = current.find((x) => x.name === c.name)
  return d ? { title: d.title, description: d.description, unit: d.unit } : {}
}

/** Writes parameter values into a WHERE clause as literals (COPY takes no parameters). */
function inline(where: string, values: unknown[]): string {
  const literal = (v: unknown): string => {
    if (Array.isArray(v)) return `array[${v.map(literal).join(', ')}]`
    const s = String(v)

    if (s.includes('\u0000')) throw new DatastoreError('DATASTORE_BAD_VALUE', 'invalid', 'Values cannot contain NUL')
    return `'${s.replace(/'/g, "''")}'`
  }
  return where.replace(/\$(\d+)/g, (_m, n: string) => literal(values[Number(n) - 1]))
}

function systemFor(accountId: string | null): ActionContext {
  return {
    principal: accountId
      ? {
          accountId,
          email: 'open-data ingestion',
          displayName: 'open-data ingestion',
          isPlatformAdmin: false,
          emailVerified: true,
          twoFactorEnabled: true,
          locale: 'en',
          memberships: [],
          via: 'system',
          scopes: null,
        }
      : null,
    requestId: null,
    ip: null,
    locale: 'en',
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${Math.round((n / 1024 ** 3) * 10) / 10} GB`
  if (n >= 1024 ** 2) return `${Math.round((n / 1024 ** 2) * 10) / 10} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} bytes`
}

/** Fetches a file over HTTP(S) to disk, with the size limit and a time limit. */
async function download(url: string, filePath: string): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(10 * 60_000) })
  } catch {
    throw new IngestFailure('url-unreachable')
  }
  if (!response.ok || !response.body) throw new IngestFailure('url-status', { status: response.status })
  const length = Number(response.headers.get('content-length') ?? 0)
  if (length > limits.maxFileBytes) throw new IngestFailure('too-large', { limit: limits.maxFileBytes })
  await saveStream(Readable.fromWeb(response.body as WebReadableStream), filePath)
}

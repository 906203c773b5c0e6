// Ingestion: one upload from its file to a typed table, as a background job. Reads the file as a
// stream (never whole into memory), detects its encoding, infers column types from a sample (or
// takes a Frictionless Table Schema), checks every row, loads the good rows with COPY into a new
// table of its own, builds its indexes, and only then swaps it in. A failure at any point drops the
// new table: what was published before is untouched.
import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, open, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parse } from 'csv-parse'
import ExcelJS from 'exceljs'
import { stringify } from 'csv-stringify/sync'
import type { Logger } from 'pino'
import type { ColumnType } from './datastore.public.js'
import {
  convert,
  copyText,
  isMissing,
  SAMPLE_ROWS,
  sqlType,
  TypeInferrer,
  GSS_CODE,
  POSTCODE,
} from './datastore.infer.js'
import {
  columnFormat,
  FRICTIONLESS_TYPES,
  type Rejection,
  type StoredColumn,
  type TableSchema,
} from './datastore.types.js'
import { ident, qualified, type Store } from './datastore.store.js'

export const limits = {
  /** the largest file accepted, in bytes (uploads, URLs and API bodies) */
  maxFileBytes: 2 * 1024 ** 3,
  /** rejected rows kept for the report (all are counted) */
  maxRejectionsKept: 1000,
  /** text columns longer than this in any row get no B-tree index */
  maxIndexedTextLength: 1000,
}

/** Why an upload failed as a whole: a message key and its values. */
export class IngestFailure extends Error {
  constructor(
    readonly code: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(code)
  }
}

export type Progress = (p: { stage: string; percent: number; rowsRead?: number }) => Promise<void>

export type IngestInput = {
  uploadId: string
  filePath: string
  fileName: string
  /** replace: the file is the whole table; append/upsert: the file's rows join the current version's */
  mode: 'replace' | 'append' | 'upsert'
  keyColumn: string | null
  givenSchema: TableSchema | null
  /** the current version, for append and upsert (and to keep the dictionary) */
  current: { tableName: string; columns: StoredColumn[] } | null
}

export type IngestResult = {
  tableName: string
  columns: StoredColumn[]
  rowCount: number
  rowsRead: number
  rejectedCount: number
  rejections: Rejection[]
  checksum: string
  encoding: string
}

export const tableNameFor = (uploadId: string) => `u_${uploadId.replace(/-/g, '')}`

/** Reads the first bytes and the whole file once: its checksum, its encoding and whether it is a spreadsheet. */
async function examine(filePath: string): Promise<{ checksum: string; encoding: string; size: number; xlsx: boolean }> {
  const { size } = await stat(filePath)
  if (size === 0) throw new IngestFailure('empty')
  const head = Buffer.alloc(4)
  const fh = await open(filePath, 'r')
  try {
    await fh.read(head, 0, 4, 0)
  } finally {
    await fh.close()
  }
  const xlsx = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04
  let encoding = 'utf-8'
  if (head[0] === 0xff && head[1] === 0xfe) encoding = 'utf-16le'
  else if (head[0] === 0xfe && head[1] === 0xff) encoding = 'utf-16be'
  const hash = createHash('sha256')
  const decoder = encoding === 'utf-8' && !xlsx ? new TextDecoder('utf-8', { fatal: true }) : null
  let utf8 = true
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer)
    if (decoder && utf8) {
      try {
        decoder.decode(chunk as Buffer, { stream: true })
      } catch {
        utf8 = false
      }
    }
  }
  if (decoder && utf8) {
    try {
      decoder.decode()
    } catch {
      utf8 = false
    }
  }
  // Not UTF-8: spreadsheets saved as "CSV" on Windows write Windows-1252 (where £ is one byte).
  if (!utf8) encoding = 'windows-1252'
  return { checksum: hash.digest('hex'), encoding, size, xlsx }
}

/** The first worksheet of a workbook, written as a UTF-8 CSV file beside it. */
async function xlsxToCsv(filePath: string): Promise<string> {
  const out = `${filePath}.csv`
  const stream = createWriteStream(out)
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(filePath, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
  })
  let width = 0
  let sheets = 0
  const cell = (v: ExcelJS.CellValue): string => {
    if (v === null || v === undefined) return ''
    if (v instanceof Date) {
      const iso = v.toISOString()
      return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z')
    }
    if (typeof v === 'object') {
      if ('result' in v) return cell((v as { result: ExcelJS.CellValue }).result)
      if ('richText' in v) return v.richText.map((r) => r.text).join('')
      if ('text' in v) return String((v as { text: unknown }).text)
      if ('error' in v) return ''
      return ''
    }
    return String(v)
  }
  try {
    for await (const worksheet of reader) {
      sheets++
      if (sheets > 1) break
      for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1).map(cell)
        if (width === 0) width = values.length
        while (values.length < width) values.push('')
        if (!stream.write(stringify([values]))) await new Promise<void>((r) => stream.once('drain', () => r()))
      }
    }
  } catch {
    stream.destroy()
    throw new IngestFailure('bad-xlsx')
  }
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())))
  return out
}

function decodingStream(encoding: string): Transform {
  const decoder = new TextDecoder(encoding)
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _enc, cb) {
      cb(null, decoder.decode(chunk, { stream: true }))
    },
    flush(cb) {
      cb(null, decoder.decode())
    },
  })
}

function csvFailure(e: { code: string; line: number }): IngestFailure {
  return new IngestFailure(e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'quote-not-closed' : 'bad-csv', { line: e.line })
}

/** Checks a header: every column named, no name twice. */
function checkHeader(header: string[]): string[] {
  const names = header.map((h) => h.trim())
  const blank = names.findIndex((n) => n === '')
  if (blank >= 0) throw new IngestFailure('header-blank', { column: blank + 1 })
  const seen = new Map<string, number>()
  for (let i = 0; i < names.length; i++) {
    const key = names[i]!.toLowerCase()
    if (seen.has(key))
      throw new IngestFailure('header-duplicate', { name: names[i]!, first: seen.get(key)! + 1, second: i + 1 })
    seen.set(key, i)
  }
  if (names.length > 1000) throw new IngestFailure('too-many-columns', { count: names.length })
  return names
}

type Validator = (raw: string) => { value: string | null; reason: string | null }

function validatorFor(column: StoredColumn, field: TableSchema['fields'][number] | undefined): Validator {
  const c = field?.constraints ?? {}
  const pattern = c.pattern ? new RegExp(`^(?:${c.pattern})$`, 'u') : null
  const allowed = c.enum ? new Set(c.enum.map(String)) : null
  const numeric = column.type === 'integer' || column.type === 'number'
  const min = c.minimum === undefined ? null : c.minimum
  const max = c.maximum === undefined ? null : c.maximum
  const format =
    column.format === 'gss-code'
      ? GSS_CODE
      : column.format === 'postcode' && field?.format === 'postcode'
        ? POSTCODE
        : null
  return (raw) => {
    if (isMissing(raw)) return c.required ? { value: null, reason: 'required' } : { value: null, reason: null }
    const value = convert(column.type, raw)
    if (value === null) return { value: null, reason: `not-${column.type}` }
    if (format && field && !format.test(value.trim())) return { value: null, reason: `not-${column.format}` }
    if (pattern && !pattern.test(value)) return { value: null, reason: 'pattern' }
    if (allowed && !allowed.has(value)) return { value: null, reason: 'enum' }
    if (c.minLength !== undefined && value.length < c.minLength) return { value: null, reason: 'min-length' }
    if (c.maxLength !== undefined && value.length > c.maxLength) return { value: null, reason: 'max-length' }
    if (min !== null) {
      const below = numeric ? Number(value) < Number(min) : value < String(min)
      if (below) return { value: null, reason: 'minimum' }
    }
    if (max !== null) {
      const above = numeric ? Number(value) > Number(max) : value > String(max)
      if (above) return { value: null, reason: 'maximum' }
    }
    return { value, reason: null }
  }
}

function columnsFromSchema(schema: TableSchema, header: string[]): StoredColumn[] {
  const byName = new Map(schema.fields.map((f) => [f.name.trim().toLowerCase(), f]))
  for (const f of schema.fields)
    if (!header.some((h) => h.toLowerCase() === f.name.trim().toLowerCase()))
      throw new IngestFailure('schema-column-missing', { name: f.name })
  return header.map((name, i) => {
    const f = byName.get(name.toLowerCase())
    if (!f) throw new IngestFailure('schema-column-extra', { name })
    const type = FRICTIONLESS_TYPES[f.type ?? 'string']
    if (!type) throw new IngestFailure('schema-bad-type', { name, type: f.type ?? '' })
    return {
      name,
      physical: `c${i}`,
      type,
      format: columnFormat(f.format),
      title: f.title || name,
      description: f.description ?? '',
      unit: '',
    }
  })
}

/** Runs the ingestion of one file into a new table. The caller swaps it in (or not). */
export async function ingestFile(
  store: Store,
  input: IngestInput,
  progress: Progress,
  logger: Logger,
): Promise<IngestResult> {
  const tableName = tableNameFor(input.uploadId)
  let csvPath = input.filePath
  let created = false
  try {
    await progress({ stage: 'read', percent: 1 })
    const examined = await examine(input.filePath)
    let encoding = examined.encoding
    if (examined.xlsx) {
      csvPath = await xlsxToCsv(input.filePath)
      encoding = 'utf-8'
    }
    const { size } = await stat(csvPath)
    let bytesRead = 0
    const source = createReadStream(csvPath, { highWaterMark: 1 << 20 })
    source.on('data', (chunk) => {
      bytesRead += chunk.length
    })
    let csvError: { code: string; line: number } | null = null
    const parser = parse({
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: 1024 * 1024,
    })
    ;(encoding === 'utf-8' ? source : source.pipe(decodingStream(encoding))).pipe(parser)
    let ended = false
    parser.on('end', () => {
      ended = true
    })
    parser.on('error', (error: { code?: string; lines?: number }) => {
      csvError = { code: error.code ?? 'CSV', line: error.lines ?? 0 }
    })
    // records are read in runs from the parser's buffer: one promise per run, not per record
    const buffered: string[][] = []
    let at = 0
    const next = async (): Promise<string[] | null> => {
      for (;;) {
        if (at < buffered.length) return buffered[at++]!
        buffered.length = 0
        at = 0
        for (let r = parser.read() as string[] | null; r !== null; r = parser.read() as string[] | null) {
          buffered.push(r)
          if (buffered.length >= 4096) break
        }
        if (buffered.length) continue
        if (ended || csvError) return null
        await new Promise<void>((resolve) => {
          const done = () => {
            parser.off('readable', done)
            parser.off('end', done)
            parser.off('error', done)
            resolve()
          }
          parser.on('readable', done)
          parser.on('end', done)
          parser.on('error', done)
        })
      }
    }
    const first = await next()
    if (csvError) throw csvFailure(csvError)
    if (!first) throw new IngestFailure('empty')
    const header = checkHeader(first)
    const width = header.length

    // columns: the current version's (append, upsert), a given schema's, or inferred from a sample
    const sample: string[][] = []
    let columns: StoredColumn[]
    if (input.current && input.mode !== 'replace') {
      const byName = new Map(input.current.columns.map((c) => [c.name.toLowerCase(), c]))
      for (const h of header)
        if (!byName.has(h.toLowerCase())) throw new IngestFailure('append-column-extra', { name: h })
      for (const c of input.current.columns)
        if (!header.some((h) => h.toLowerCase() === c.name.toLowerCase()))
          throw new IngestFailure('append-column-missing', { name: c.name })
      columns = input.current.columns
    } else if (input.givenSchema) {
      columns = columnsFromSchema(input.givenSchema, header)
    } else {
      const inferrer = new TypeInferrer(width)
      while (sample.length < SAMPLE_ROWS) {
        const r = await next()
        if (!r) break
        sample.push(r)
      }
      for (const r of sample) if (r.length === width) inferrer.add(r)
      if (csvError && sample.length === 0) throw csvFailure(csvError)
      const types = inferrer.result()
      columns = header.map((name, i) => ({
        name,
        physical: `c${i}`,
        type: types[i]!.type,
        format: types[i]!.format,
        title: name,
        description: '',
        unit: '',
      }))
    }
    // text with words in it goes into the full-text index; codes and identifiers do not
    if (!(input.current && input.mode !== 'replace')) {
      if (sample.length === 0)
        while (sample.length < SAMPLE_ROWS) {
          const r = await next()
          if (!r) break
          sample.push(r)
        }
      columns = columns.map((c, i) => ({
        ...c,
        searchable: c.type === 'string' && c.format === 'default' && sample.some((r) => /\S\s+\S/.test(r[i] ?? '')),
      }))
    }
    // where each file column goes (append/upsert files may order columns differently)
    const order = columns.map((c) => header.findIndex((h) => h.toLowerCase() === c.name.toLowerCase()))
    const fields = new Map((input.givenSchema?.fields ?? []).map((f) => [f.name.trim().toLowerCase(), f]))
    const validators = columns.map((c) => validatorFor(c, fields.get(c.name.toLowerCase())))
    const maxLength = new Array<number>(columns.length).fill(0)

    const keyIndex = input.keyColumn ? columns.findIndex((c) => c.name === input.keyColumn) : -1
    if (input.keyColumn && keyIndex < 0) throw new IngestFailure('key-missing', { name: input.keyColumn })

    // id numbering continues after the current rows when appending
    let idBase = 0
    if (input.current && input.mode !== 'replace') {
      const [r] = await store.query<{ m: string | number | null }>(
        `select max(_id) as m from ${qualified(input.current.tableName)}`,
      )
      idBase = Number(r?.m ?? 0)
    }

    await store.query(`drop table if exists ${qualified(tableName)}`)
    await store.query(
      `create table ${qualified(tableName)} (_id bigint not null, ${columns
        .map((c) => `${ident(c.physical)} ${sqlType(c.type)}${c.type === 'string' ? ' collate "C"' : ''}`)
        .join(', ')})`,
    )
    created = true
    await progress({ stage: 'load', percent: 3 })

    const rejections: Rejection[] = []
    let rejectedCount = 0
    let rowsRead = 0
    const reject = (r: Rejection) => {
      rejectedCount++
      if (rejections.length < limits.maxRejectionsKept) rejections.push(r)
    }
    let lastReport = Date.now()
    const physical = columns.map((c) => c.physical)

    /** Each good row as COPY text lines, in chunks. */
    async function* lines(): AsyncGenerator<string[]> {
      let batch: string[] = []
      let sampleIndex = 0
      for (;;) {
        const record = sampleIndex < sample.length ? sample[sampleIndex++]! : await next()
        if (!record) break
        rowsRead++
        const rowNumber = rowsRead + 1 // the header is row 1, as in a spreadsheet
        if (record.length !== width) {
          reject({
            row: rowNumber,
            column: null,
            value: null,
            reason: `ragged|${JSON.stringify({ found: record.length, expected: width })}`,
          })
          continue
        }
        let ok = true
        let line = String(idBase + rowsRead)
        for (let i = 0; i < columns.length; i++) {
          const raw = record[order[i]!]!
          const { value, reason } = validators[i]!(raw)
          if (reason) {
            reject({ row: rowNumber, column: columns[i]!.name, value: raw, reason })
            ok = false
            break
          }
          if (value !== null && value.length > maxLength[i]!) maxLength[i] = value.length
          line += '\t' + copyText(value)
        }
        if (!ok) continue
        if (keyIndex >= 0 && record[order[keyIndex]!]!.trim() === '') {
          reject({ row: rowNumber, column: input.keyColumn, value: '', reason: 'required' })
          continue
        }
        batch.push(line)
        if (batch.length >= 2000) {
          yield batch
          batch = []
          if (Date.now() - lastReport > 1000) {
            lastReport = Date.now()
            await progress({ stage: 'load', percent: 3 + Math.floor((bytesRead / Math.max(size, 1)) * 77), rowsRead })
          }
        }
      }
      if (batch.length) yield batch
    }

    const columnList = ['_id', ...physical].map(ident).join(', ')
    if (store.copyIn) {
      const text = Readable.from(
        (async function* () {
          for await (const batch of lines()) yield batch.join('\n') + '\n'
        })(),
      )
      await store.copyIn(`copy ${qualified(tableName)} (${columnList}) from stdin`, text)
    } else {
      // PGlite: batched INSERTs of the same values
      for await (const batch of lines()) {
        for (let i = 0; i < batch.length; i += 200) {
          const part = batch.slice(i, i + 200)
          const values: unknown[] = []
          const tuples = part.map((l) => {
            const cells = l
              .split('\t')
              .map((v) =>
                v === '\\N' ? null : v.replace(/\\(.)/g, (_m, ch: string) => ({ t: '\t', n: '\n', r: '\r' })[ch] ?? ch),
              )
            return `(${cells
              .map((v) => {
                values.push(v)
                return `$${values.length}`
              })
              .join(', ')})`
          })
          await store.query(`insert into ${qualified(tableName)} (${columnList}) values ${tuples.join(', ')}`, values)
        }
      }
    }
    if (csvError) throw csvFailure(csvError)
    if (rowsRead === 0 && input.mode === 'replace') throw new IngestFailure('no-rows')

    // append: the current rows first; upsert: the current rows whose key is not in the file
    if (input.current && input.mode !== 'replace') {
      await progress({ stage: 'merge', percent: 82, rowsRead })
      const cur = qualified(input.current.tableName)
      const cols = ['_id', ...input.current.columns.map((c) => c.physical)].map(ident).join(', ')
      if (input.mode === 'append') {
        await store.query(`insert into ${qualified(tableName)} (${cols}) select ${cols} from ${cur}`)
      } else {
        const key = ident(columns[keyIndex]!.physical)
        const [dup] = await store.query<{ k: string }>(
          `select ${key}::text as k from ${qualified(tableName)} group by ${key} having count(*) > 1 limit 1`,
        )
        if (dup) throw new IngestFailure('key-not-unique', { name: input.keyColumn!, value: dup.k })
        await store.query(
          `insert into ${qualified(tableName)} (${cols}) select ${cols} from ${cur} o where not exists (select 1 from ${qualified(tableName)} n where n.${key} = o.${key})`,
        )
      }
    }

    await progress({ stage: 'index', percent: 85, rowsRead })
    await buildIndexes(store, tableName, columns, maxLength, input.keyColumn, input.givenSchema)
    const [count] = await store.query<{ n: string | number }>(`select count(*) as n from ${qualified(tableName)}`)
    logger.debug({ uploadId: input.uploadId, rows: count?.n }, 'datastore: loaded')
    return {
      tableName,
      columns,
      rowCount: Number(count?.n ?? 0),
      rowsRead,
      rejectedCount,
      rejections,
      checksum: examined.checksum,
      encoding,
    }
  } catch (error) {
    if (created) await store.query(`drop table if exists ${qualified(tableName)}`).catch(() => undefined)
    throw error
  } finally {
    if (csvPath !== input.filePath) await rm(csvPath, { force: true })
  }
}

/** The text columns searched by the full-text search, as one expression (the same in the index and in queries). */
export function ftsExpression(columns: StoredColumn[]): string | null {
  const text = columns.filter((c) => c.searchable ?? c.type === 'string')
  if (text.length === 0) return null
  return `to_tsvector('simple'::regconfig, ${text.map((c) => `coalesce(${ident(c.physical)}, '')`).join(` || ' ' || `)})`
}

async function buildIndexes(
  store: Store,
  tableName: string,
  columns: StoredColumn[],
  maxLength: number[],
  keyColumn: string | null,
  schema: TableSchema | null,
): Promise<void> {
  const t = qualified(tableName)
  const statements: string[] = [`alter table ${t} add primary key (_id)`]
  columns.forEach((c, i) => {
    if (c.type === 'string' && maxLength[i]! > limits.maxIndexedTextLength) return
    statements.push(`create index on ${t} (${ident(c.physical)}, _id)`)
  })
  const fts = ftsExpression(columns)
  if (fts) statements.push(`create index on ${t} using gin ((${fts}))`)
  const unique = new Set<string>()
  if (keyColumn) unique.add(keyColumn)
  for (const f of schema?.fields ?? []) if (f.constraints?.unique) unique.add(f.name)
  const pk = schema?.primaryKey
  for (const k of Array.isArray(pk) ? pk : pk ? [pk] : []) unique.add(k)
  for (const name of unique) {
    const c = columns.find((x) => x.name.toLowerCase() === name.toLowerCase())
    if (!c) continue
    const [dup] = await store.query<{ k: string }>(
      `select ${ident(c.physical)}::text as k from ${t} where ${ident(c.physical)} is not null group by 1 having count(*) > 1 limit 1`,
    )
    if (dup) throw new IngestFailure('not-unique', { name: c.name, value: dup.k })
  }
  // two sessions build indexes side by side (the machine's cores), then the planner's statistics
  const queue = [...statements]
  const worker = () =>
    store.withSession(async (run) => {
      if (store.kind === 'postgres') await run(`set maintenance_work_mem = '256MB'`)
      for (let s = queue.shift(); s; s = queue.shift()) await run(s)
    })
  await Promise.all(store.kind === 'postgres' ? [worker(), worker()] : [worker()])
  // statistics for the planner, and the visibility map so that index-only scans need not visit the table
  await store.query(store.kind === 'postgres' ? `vacuum (analyze) ${t}` : `analyze ${t}`)
}

/** Where uploaded files wait for their job. */
export async function uploadPath(dataDir: string): Promise<string> {
  const dir = path.resolve(dataDir, 'open-data-uploads')
  await mkdir(dir, { recursive: true })
  return path.join(dir, randomUUID())
}

/** Streams a body to a file, counting and hashing; refuses past the size limit. */
export async function saveStream(
  source: NodeJS.ReadableStream,
  filePath: string,
  maxBytes = limits.maxFileBytes,
): Promise<{ size: number; checksum: string }> {
  const hash = createHash('sha256')
  let size = 0
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length
      if (size > maxBytes) {
        cb(new IngestFailure('too-large', { limit: maxBytes }))
        return
      }
      hash.update(chunk)
      cb(null, chunk)
    },
  })
  try {
    await pipeline(source, counter, createWriteStream(filePath))
  } catch (error) {
    await rm(filePath, { force: true })
    throw error
  }
  return { size, checksum: hash.digest('hex') }
}

/** A table's rows as a CSV file (for a type change from the data dictionary, which reloads through the same checks). */
export async function exportCsv(
  store: Store,
  tableName: string,
  columns: StoredColumn[],
  filePath: string,
): Promise<void> {
  const select = columns
    .map(
      (c) =>
        `${c.type === 'datetime' ? `to_char(${ident(c.physical)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')` : `${ident(c.physical)}::text`} as ${ident(c.physical)}`,
    )
    .join(', ')
  const out = createWriteStream(filePath)
  out.write(stringify([columns.map((c) => c.name)]))
  let last = 0
  for (;;) {
    const rows = await store.query<Record<string, string | null> & { _id: string | number }>(
      `select _id, ${select} from ${qualified(tableName)} where _id > $1 order by _id limit 5000`,
      [last],
    )
    if (rows.length === 0) break
    last = Number(rows[rows.length - 1]!._id)
    const text = stringify(rows.map((r) => columns.map((c) => r[c.physical] ?? '')))
    if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()))
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
}

export type { ColumnType }

// The query language of the data store: the URL grammar (parseQuery) and its translation to one
// parameterised SQL statement on a version's table. Filters are checked against column types
// before any SQL runs; sorting is keyset-paged with an opaque cursor, OFFSET only shallowly.
import { createHash } from 'node:crypto'
import {
  DatastoreError,
  FILTERED_COUNT_CAP,
  MAX_OFFSET,
  type DatastoreQuery,
  type Filter,
  type FilterOp,
  type QueryResult,
  type SortKey,
} from './datastore.public.js'
import { asText, convert, sqlType } from './datastore.infer.js'
import { ftsExpression } from './datastore.ingest.js'
import { ident, qualified, type Store } from './datastore.store.js'
import type { StoredColumn } from './datastore.types.js'

const OPS: FilterOp[] = ['eq', 'not', 'in', 'gt', 'gte', 'lt', 'lte', 'contains', 'between', 'null']
const RESERVED = new Set([
  '_sort',
  '_columns',
  '_q',
  '_size',
  '_next',
  '_offset',
  '_facet',
  '_group',
  '_sum',
  '_avg',
  '_version',
])

const bad = (message: string, code: 'DATASTORE_BAD_QUERY' | 'DATASTORE_BAD_VALUE' = 'DATASTORE_BAD_QUERY') =>
  new DatastoreError(code, 'invalid', message)

const list = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v === undefined ? [] : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)

/** The URL grammar: `col=v`, `col__op=v` (not, in, gt, gte, lt, lte, contains, between=a,b, null=1|0), `_sort=a,-b`, `_columns`, `_q`, `_size`, `_next`, `_offset`, `_facet`, `_group`, `_sum`, `_avg`. */
export function parseQuery(params: Record<string, string | string[] | undefined>): DatastoreQuery {
  const query: DatastoreQuery = {}
  const filters: Filter[] = []
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined) continue
    const first = Array.isArray(raw) ? (raw[0] ?? '') : raw
    if (RESERVED.has(key) || key.startsWith('_')) continue
    const at = key.lastIndexOf('__')
    const op = at > 0 ? (key.slice(at + 2) as FilterOp) : 'eq'
    const column = at > 0 && OPS.includes(op) ? key.slice(0, at) : key
    const realOp: FilterOp = at > 0 && OPS.includes(op) ? op : 'eq'
    for (const v of Array.isArray(raw) ? raw : [first]) {
      if (realOp === 'in') filters.push({ column, op: 'in', value: v.split(',') })
      else if (realOp === 'between') {
        const parts = v.split(',')
        if (parts.length !== 2) throw bad(`${column}__between takes two values separated by a comma`)
        filters.push({ column, op: 'between', value: parts.map((p) => p.trim()) })
      } else if (realOp === 'null') filters.push({ column, op: 'null', value: !['0', 'false', 'no'].includes(v) })
      else filters.push({ column, op: realOp, value: v })
    }
  }
  if (filters.length) query.filters = filters
  const sort = list(params._sort)
  if (sort.length)
    query.sort = sort.map((s) =>
      s.startsWith('-') ? { column: s.slice(1), direction: 'desc' } : { column: s, direction: 'asc' },
    )
  const columns = list(params._columns)
  if (columns.length) query.columns = columns
  const q = Array.isArray(params._q) ? params._q[0] : params._q
  if (q && q.trim()) query.q = q.trim().slice(0, 500)
  const size = Array.isArray(params._size) ? params._size[0] : params._size
  if (size !== undefined && size !== '') {
    if (!/^\d{1,5}$/.test(size)) throw bad('_size must be a whole number from 1 to 1000')
    query.limit = Number(size)
  }
  const next = Array.isArray(params._next) ? params._next[0] : params._next
  if (next) query.cursor = next
  const offset = Array.isArray(params._offset) ? params._offset[0] : params._offset
  if (offset !== undefined && offset !== '') {
    if (!/^\d{1,12}$/.test(offset)) throw bad('_offset must be a whole number')
    query.offset = Number(offset)
  }
  const facets = list(params._facet)
  if (facets.length) query.facets = facets
  const group = list(params._group)
  if (group.length) query.groupBy = { columns: group, sum: list(params._sum), avg: list(params._avg) }
  return query
}

/** Column values out of the database, in JSON form. */
export function selectExpression(c: StoredColumn): string {
  const col = ident(c.physical)
  switch (c.type) {
    case 'number':
    case 'date':
      return `${col}::text`
    case 'datetime':
      return `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`
    default:
      return col
  }
}

export function jsonValue(c: StoredColumn, v: unknown): unknown {
  if (v === null || v === undefined) return null
  if (c.type === 'number') {
    const n = Number(v)
    return Number.isFinite(n) && Math.abs(n) < 2 ** 53 ? n : asText(v)
  }
  if (c.type === 'integer') {
    const n = Number(v)
    return Number.isSafeInteger(n) ? n : asText(v)
  }
  return v
}

type Built = { where: string; values: unknown[] }

class Params {
  readonly values: unknown[] = []
  add(v: unknown, type?: string): string {
    this.values.push(v)
    return type ? `$${this.values.length}::${type}` : `$${this.values.length}`
  }
}

function columnNamed(columns: StoredColumn[], name: string): StoredColumn {
  const c = columns.find((x) => x.name === name) ?? columns.find((x) => x.name.toLowerCase() === name.toLowerCase())
  if (!c) throw new DatastoreError('DATASTORE_UNKNOWN_COLUMN', 'invalid', `There is no column called ${name}`)
  return c
}

function typed(c: StoredColumn, raw: string): string {
  const v = convert(c.type, raw)
  if (v === null)
    throw bad(`${raw.slice(0, 100)} is not a value of column ${c.name} (${c.type})`, 'DATASTORE_BAD_VALUE')
  return v
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`)

function buildWhere(columns: StoredColumn[], query: DatastoreQuery, p: Params): string[] {
  const clauses: string[] = []
  for (const f of query.filters ?? []) {
    const c = columnNamed(columns, f.column)
    const col = ident(c.physical)
    const t = sqlType(c.type)
    const one = () => {
      if (typeof f.value !== 'string') throw bad(`${f.op} takes one value`)
      return p.add(typed(c, f.value), t)
    }
    switch (f.op) {
      case 'eq':
        clauses.push(`${col} = ${one()}`)
        break
      case 'not':
        clauses.push(`${col} is distinct from ${one()}`)
        break
      case 'gt':
        clauses.push(`${col} > ${one()}`)
        break
      case 'gte':
        clauses.push(`${col} >= ${one()}`)
        break
      case 'lt':
        clauses.push(`${col} < ${one()}`)
        break
      case 'lte':
        clauses.push(`${col} <= ${one()}`)
        break
      case 'in': {
        const vs = Array.isArray(f.value) ? f.value : [String(f.value)]
        if (vs.length === 0 || vs.length > 100) throw bad('in takes from 1 to 100 values')
        clauses.push(
          `${col} = any(${p.add(
            vs.map((v) => typed(c, v)),
            `${t}[]`,
          )})`,
        )
        break
      }
      case 'contains':
        if (typeof f.value !== 'string') throw bad('contains takes one value')
        clauses.push(`${col}::text ilike ${p.add(`%${likeEscape(f.value)}%`)}`)
        break
      case 'between': {
        if (!Array.isArray(f.value) || f.value.length !== 2) throw bad('between takes two values')
        clauses.push(`${col} between ${p.add(typed(c, f.value[0]!), t)} and ${p.add(typed(c, f.value[1]!), t)}`)
        break
      }
      case 'null':
        clauses.push(`${col} is ${f.value === false || f.value === 'false' ? 'not ' : ''}null`)
        break
      default:
        throw bad(`Unknown filter ${String(f.op)}`)
    }
  }
  if (query.q) {
    const fts = ftsExpression(columns)
    if (!fts) throw bad('This table has no text columns to search')
    clauses.push(`${fts} @@ websearch_to_tsquery('simple'::regconfig, ${p.add(query.q)})`)
  }
  return clauses
}

function sortFingerprint(sort: SortKey[]): string {
  return createHash('sha256').update(JSON.stringify(sort)).digest('base64url').slice(0, 8)
}

function encodeCursor(sort: SortKey[], values: unknown[], id: number): string {
  return Buffer.from(JSON.stringify({ s: sortFingerprint(sort), v: values, i: id })).toString('base64url')
}

function decodeCursor(sort: SortKey[], cursor: string): { v: (string | null)[]; i: number } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      s: string
      v: (string | null)[]
      i: number
    }
    if (parsed.s !== sortFingerprint(sort) || !Array.isArray(parsed.v) || parsed.v.length !== sort.length)
      throw new Error('mismatch')
    if (!Number.isSafeInteger(parsed.i)) throw new Error('id')
    return parsed
  } catch {
    throw bad('The _next cursor is not valid for this query (was the sort changed?)')
  }
}

function keysetClause(
  columns: StoredColumn[],
  sort: SortKey[],
  cursor: { v: (string | null)[]; i: number },
  p: Params,
): string {
  const after = (k: number): string => {
    if (k === sort.length) return `_id > ${p.add(cursor.i, 'bigint')}`
    const c = columnNamed(columns, sort[k]!.column)
    const col = ident(c.physical)
    const v = cursor.v[k]
    if (v === null || v === undefined) return `(${col} is null and ${after(k + 1)})`
    const param = p.add(v, sqlType(c.type))
    const op = sort[k]!.direction === 'asc' ? '>' : '<'
    return `(${col} ${op} ${param} or ${col} is null or (${col} = ${param} and ${after(k + 1)}))`
  }
  return after(0)
}

export type QueryTarget = { tableName: string; columns: StoredColumn[]; rowCount: number }

/** Runs a query on one version's table. */
export async function runQuery(store: Store, target: QueryTarget, query: DatastoreQuery): Promise<QueryResult> {
  const { columns } = target
  const t = qualified(target.tableName)
  const limit = query.limit ?? 100
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('_size must be a whole number from 1 to 1000')
  if (query.offset !== undefined && query.offset > MAX_OFFSET)
    throw new DatastoreError(
      'DATASTORE_DEEP_OFFSET',
      'invalid',
      `Offsets beyond ${MAX_OFFSET} are refused: follow the _next cursor of each page instead`,
    )
  if (query.offset !== undefined && query.cursor) throw bad('Use either _offset or _next, not both')

  const p = new Params()
  const where = buildWhere(columns, query, p)
  const filtered = where.length > 0

  // group-by: one row per group with count, sums and averages
  if (query.groupBy) {
    const groups = query.groupBy.columns.slice(0, 3).map((n) => columnNamed(columns, n))
    const numeric = (n: string) => {
      const c = columnNamed(columns, n)
      if (c.type !== 'integer' && c.type !== 'number') throw bad(`${c.name} is not a numeric column`)
      return c
    }
    const sums = (query.groupBy.sum ?? []).map(numeric)
    const avgs = (query.groupBy.avg ?? []).map(numeric)
    const select = [
      ...groups.map((c) => `${selectExpression(c)} as ${ident(c.physical)}`),
      'count(*) as count',
      ...sums.map((c) => `sum(${ident(c.physical)})::text as ${ident(`sum_${c.physical}`)}`),
      ...avgs.map((c) => `round(avg(${ident(c.physical)}), 4)::text as ${ident(`avg_${c.physical}`)}`),
    ]
    const sql = `select ${select.join(', ')} from ${t}${filtered ? ` where ${where.join(' and ')}` : ''} group by ${groups
      .map((c) => ident(c.physical))
      .join(', ')} order by count(*) desc, ${groups.map((c) => ident(c.physical)).join(', ')} limit ${limit}`
    const rows = await store.query<Record<string, unknown>>(sql, p.values)
    const out: StoredColumn[] = [
      ...groups,
      {
        name: 'count',
        physical: 'count',
        type: 'integer',
        format: 'default',
        title: 'count',
        description: '',
        unit: '',
      },
      ...sums.map((c) => ({
        ...c,
        name: `sum_${c.name}`,
        title: `sum of ${c.title}`,
        physical: `sum_${c.physical}`,
        type: 'number' as const,
      })),
      ...avgs.map((c) => ({
        ...c,
        name: `avg_${c.name}`,
        title: `average of ${c.title}`,
        physical: `avg_${c.physical}`,
        type: 'number' as const,
      })),
    ]
    return {
      columns: out.map(({ physical: _physical, ...c }) => c),
      rows: rows.map((r) => Object.fromEntries(out.map((c) => [c.name, jsonValue(c, r[c.physical])]))),
      total: { count: rows.length, exact: true },
      nextCursor: null,
    }
  }

  const shown = query.columns?.length ? query.columns.map((n) => columnNamed(columns, n)) : columns
  const sort = (query.sort ?? [])
    .slice(0, 3)
    .map((s) => ({ column: columnNamed(columns, s.column).name, direction: s.direction }))
  const sortColumns = sort.map((s) => columnNamed(columns, s.column))
  const rowWhere = [...where]
  if (query.cursor) rowWhere.push(keysetClause(columns, sort, decodeCursor(sort, query.cursor), p))
  // qualified: a bare name in ORDER BY would mean the output column, which may be its text form
  const order = [
    ...sort.map((s, k) => `d.${ident(sortColumns[k]!.physical)} ${s.direction} nulls last`),
    'd._id asc',
  ].join(', ')
  // sort keys come back as text so the cursor carries them exactly
  const sortSelect = sortColumns.map((c, k) => `${ident(c.physical)}::text as ${ident(`_k${k}`)}`)
  const rowsSql = `select _id, ${[...shown.map((c) => `${selectExpression(c)} as ${ident(c.physical)}`), ...sortSelect].join(', ')} from ${t} d${
    rowWhere.length ? ` where ${rowWhere.join(' and ')}` : ''
  } order by ${order} limit ${limit + 1}${query.offset ? ` offset ${query.offset}` : ''}`
  const rowsPromise = store.query<Record<string, unknown>>(rowsSql, p.values)

  const countValues = p.values.slice(0, countParamCount(where, p))
  const totalPromise: Promise<{ count: number; exact: boolean }> = filtered
    ? store
        .query<{ n: number | string }>(
          `select count(*) as n from (select 1 from ${t} where ${where.join(' and ')} limit ${FILTERED_COUNT_CAP + 1}) s`,
          countValues,
        )
        .then(([r]) => {
          const n = Number(r?.n ?? 0)
          return n > FILTERED_COUNT_CAP ? { count: FILTERED_COUNT_CAP, exact: false } : { count: n, exact: true }
        })
    : Promise.resolve({ count: target.rowCount, exact: true })

  const facetPromises = (query.facets ?? []).slice(0, 5).map(async (name) => {
    const c = columnNamed(columns, name)
    const rows = await store.query<{ value: unknown; n: number | string }>(
      `select ${selectExpression(c)} as value, count(*) as n from ${t}${filtered ? ` where ${where.join(' and ')}` : ''} group by ${ident(
        c.physical,
      )} order by count(*) desc, ${ident(c.physical)} nulls last limit 20`,
      countValues,
    )
    return { column: c.name, values: rows.map((r) => ({ value: jsonValue(c, r.value), count: Number(r.n) })) }
  })

  const [rows, total, facets] = await Promise.all([rowsPromise, totalPromise, Promise.all(facetPromises)])
  const more = rows.length > limit
  const page = more ? rows.slice(0, limit) : rows
  const last = page[page.length - 1]
  const nextCursor =
    more && last
      ? encodeCursor(
          sort,
          sortColumns.map((_c, k) => (last[`_k${k}`] ?? null) as string | null),
          Number(last._id),
        )
      : null
  const result: QueryResult = {
    columns: shown.map(({ physical: _physical, ...c }) => c),
    rows: page.map((r) => Object.fromEntries(shown.map((c) => [c.name, jsonValue(c, r[c.physical])]))),
    total,
    nextCursor,
  }
  if (query.facets?.length) result.facets = facets
  return result
}

/** The number of parameters the filters alone use (the keyset's come after them). */
function countParamCount(where: string[], p: Params): number {
  let max = 0
  for (const w of where) for (const m of w.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]))
  return Math.min(max, p.values.length)
}

/** The WHERE clause and its values alone (for downloads of a filter). */
export function whereOf(columns: StoredColumn[], query: DatastoreQuery): Built {
  const p = new Params()
  const where = buildWhere(columns, query, p)
  return { where: where.length ? ` where ${where.join(' and ')}` : '', values: p.values }
}

// What the rest of the open-data module (the catalogue) may call on the data store.
//
// The contract in one paragraph: the catalogue owns `open_data.dataset` and `open_data.resource`.
// When a resource is a data table it calls attachTable(); the data store then owns everything
// about that table (uploads, versions, dictionary, queries, downloads) and keys it by the
// resource's id, without foreign keys to the catalogue's tables. The catalogue calls setPublic()
// when the dataset is published or withdrawn; until then only the owning body's staff can read
// the data. Queries take the same parameters as the data store's HTTP API
// (GET /api/v1/datastore/<resourceId>/rows?…), so parseQuery() turns a URL's query string into a
// DatastoreQuery for the catalogue's own pages, and the CKAN `datastore_search` adapter builds one
// directly. Nothing here changes without telling the catalogue's engineer.
import type { ActionContext } from '../../../platform/auth/principal.js'
import { DomainError } from '../../../platform/errors/domain-error.js'

/** Column types, as Frictionless Table Schema names them. */
export type ColumnType = 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'string'

/** Recognised formats of text columns (Frictionless `format`). */
export type ColumnFormat = 'gss-code' | 'postcode' | 'default'

/** One column of a table, with its data dictionary entry. */
export type DatastoreColumn = {
  /** the column's name in the data and in the API (as in the file's header, made unique) */
  name: string
  type: ColumnType
  format: ColumnFormat
  /** data dictionary: a human title (defaults to the name), description (plain text) and unit */
  title: string
  description: string
  unit: string
}

export type IngestionStatus =
  | 'queued' // uploaded, waiting for a worker
  | 'running' // reading, validating, loading or indexing
  | 'needs-decision' // some rows failed validation and the publisher chose to be asked
  | 'loaded' // swapped in: this upload is now the table's latest version
  | 'failed' // refused (malformed file, or invalid rows and "refuse" chosen); the table is untouched

export type IngestionSummary = {
  id: string
  status: IngestionStatus
  /** 0–100 */
  percent: number
  /** the stage now running: 'download' | 'read' | 'validate' | 'load' | 'index' | 'swap' */
  stage: string
  rowsRead: number
  rowsRejected: number
  /** a translated one-line reason when failed */
  message: string | null
  createdAt: Date
  finishedAt: Date | null
}

export type VersionSummary = {
  number: number
  rowCount: number
  /** SHA-256 of the uploaded file */
  checksum: string
  createdAt: Date
}

/** What the catalogue shows about a resource's data table. */
export type TableSummary = {
  resourceId: string
  organisationId: string
  isPublic: boolean
  /** empty until the first load */
  columns: DatastoreColumn[]
  /** exact row count of the latest version (0 before the first load) */
  rowCount: number
  latestVersion: VersionSummary | null
  /** the most recent upload, whatever its state */
  ingestion: IngestionSummary | null
  /** site-relative links the catalogue can show */
  links: {
    /** publisher's page for uploads, dictionary and versions */
    manage: string
    /** public downloads of the latest version */
    csv: string
    json: string
    parquet: string
    /** the query API for this table */
    api: string
  }
}

export type FilterOp =
  | 'eq'
  | 'not'
  | 'in' // value: string[]
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'contains' // case-insensitive substring
  | 'between' // value: [from, to], inclusive; for dates, numbers and date-times
  | 'null' // value: true (is null) or false (is not null)

export type Filter = {
  column: string
  op: FilterOp
  value: string | string[] | boolean
}

export type SortKey = { column: string; direction: 'asc' | 'desc' }

/** A query against a resource's latest version. Values are strings as in a URL and are checked against the column types. */
export type DatastoreQuery = {
  filters?: Filter[]
  sort?: SortKey[]
  /** columns to return; default all */
  columns?: string[]
  /** full-text search over the text columns */
  q?: string
  /** rows per page, 1–1000 (default 100) */
  limit?: number
  /** an opaque keyset cursor from a previous result's nextCursor */
  cursor?: string
  /** offset paging is allowed only up to MAX_OFFSET (for CKAN clients and the preview); deeper is refused with DATASTORE_DEEP_OFFSET */
  offset?: number
  /** columns to count distinct values of (top 20 each) */
  facets?: string[]
  /** group-by: rows become one per group; aggregates count(*), and sum/avg of numeric columns */
  groupBy?: { columns: string[]; sum?: string[]; avg?: string[] }
}

export const MAX_OFFSET = 10_000
export const FILTERED_COUNT_CAP = 10_000

export type QueryResult = {
  columns: DatastoreColumn[]
  /** values in JSON form: numbers as numbers (or strings for very large decimals), dates as 'YYYY-MM-DD', date-times ISO 8601 */
  rows: Record<string, unknown>[]
  /** exact for the whole table (cached); for a filtered query, exact up to FILTERED_COUNT_CAP then { count: 10000, exact: false } meaning "more than" */
  total: { count: number; exact: boolean }
  nextCursor: string | null
  facets?: { column: string; values: { value: unknown; count: number }[] }[]
}

/** Every refusal is a DatastoreError (a DomainError, so the platform's handlers map it to 404/403/409/422). */
export type DatastoreErrorCode =
  | 'DATASTORE_NOT_FOUND' // no table for the resource, or not visible to this viewer
  | 'DATASTORE_NO_DATA' // attached but never loaded
  | 'DATASTORE_UNKNOWN_COLUMN'
  | 'DATASTORE_BAD_VALUE' // a filter value that is not of the column's type
  | 'DATASTORE_BAD_QUERY' // e.g. a malformed cursor, operator or limit
  | 'DATASTORE_DEEP_OFFSET'
  | 'DATASTORE_FORBIDDEN'
  | 'DATASTORE_BUSY' // an upload is already running for this table
  | 'DATASTORE_INVALID' // a form or upload that fails checks (fields say which)

export class DatastoreError extends DomainError<DatastoreErrorCode> {}

/** Who is reading: public visitors see only public tables; the owning body's staff see their drafts. */
export type Viewer = { kind: 'public' } | { kind: 'context'; ctx: ActionContext }

/** Data for the preview partial (see DatastoreService.partials.preview). */
export type PreviewModel = {
  summary: TableSummary
  result: QueryResult
  /** the page's own path (the partial builds sort/page/filter links on it, keeping other query parameters) */
  basePath: string
  /** the incoming query string parameters, so links keep them */
  params: Record<string, string>
  /** links to the previous/next page, or null */
  prevHref: string | null
  nextHref: string | null
  /** per column: link that sorts by it, and its current aria-sort */
  sortLinks: Record<string, { href: string; ariaSort: 'ascending' | 'descending' | 'none' }>
  /** filter links for downloads of exactly what is shown */
  downloadHrefs: { csv: string; json: string; parquet: string }
  /** set when the query was refused (bad filter etc.): a translated message; result is then empty */
  error: string | null
}

/** Data for the chart partial. */
export type ChartModel = {
  summary: TableSummary
  kind: 'bar' | 'line' | 'map'
  x: string | null
  y: string | null
  aggregate: 'count' | 'sum' | 'avg'
  /** precomputed SVG geometry and the data table; empty points when the chart isn't configured */
  points: { label: string; value: number }[]
  svg: string
  basePath: string
  params: Record<string, string>
  error: string | null
}

export type DatastoreService = {
  /** Make a resource a data table owned by an organisation. Idempotent. The table is private until setPublic(true). */
  attachTable(input: { resourceId: string; organisationId: string }, ctx: ActionContext): Promise<void>

  /** Published / withdrawn: whether anyone may read the table's rows and downloads. Idempotent; audited. */
  setPublic(resourceId: string, isPublic: boolean, ctx: ActionContext): Promise<void>

  /** Remove a table and all its versions (the catalogue deletes a draft resource). */
  detachTable(resourceId: string, ctx: ActionContext): Promise<void>

  /** null when the resource has no table, or the viewer may not see it */
  summary(resourceId: string, viewer: Viewer): Promise<TableSummary | null>

  /** Many at once, for lists (keys missing for resources with no visible table). */
  summaries(resourceIds: string[], viewer: Viewer): Promise<Map<string, TableSummary>>

  /** Rows of the latest version. Throws DatastoreError. */
  query(resourceId: string, query: DatastoreQuery, viewer: Viewer): Promise<QueryResult>

  /** The API's query-string grammar, e.g. ?region=S12000036&amount__gt=500&_sort=-date&_size=50&_next=…; throws DATASTORE_BAD_QUERY */
  parseQuery(params: Record<string, string | string[] | undefined>): DatastoreQuery

  /** Build the model for the preview partial from the page's query string (prefix `p_` keeps its parameters apart from the page's own). */
  preview(
    resourceId: string,
    input: { basePath: string; params: Record<string, string>; locale: 'en' | 'gd' },
    viewer: Viewer,
  ): Promise<PreviewModel | null>

  /** Build the model for the chart partial from the page's query string (`c_kind`, `c_x`, `c_y`, `c_agg`). */
  chart(
    resourceId: string,
    input: { basePath: string; params: Record<string, string>; locale: 'en' | 'gd' },
    viewer: Viewer,
  ): Promise<ChartModel | null>

  /**
   * Nunjucks partials for the dataset page. Include with the model in scope as `preview` / `chart`:
   *   {% set preview = previewModel %}{% include datastorePartials.preview %}
   */
  readonly partials: { preview: string; chart: string }
}

// Kysely table types for the data store's tables in the open_data schema.
import type { ColumnType as KyselyColumn, Generated, JSONColumnType } from 'kysely'
import type { StoredColumn } from './datastore.types.js'

type CreatedAt = KyselyColumn<Date, Date | string | undefined, never>
type UpdatedAt = KyselyColumn<Date, Date | string | undefined, Date | string>

export type DatastoreTableTable = {
  resource_id: string
  organisation_id: string
  title: Generated<string>
  is_public: Generated<boolean>
  current_version: number | null
  columns: JSONColumnType<StoredColumn[]>
  row_count: Generated<number>
  key_column: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type DatastoreVersionTable = {
  resource_id: string
  number: number
  table_name: string
  row_count: number
  checksum: string
  columns: JSONColumnType<StoredColumn[]>
  source: string
  upload_id: string | null
  created_by: string | null
  created_at: CreatedAt
}

export type DatastoreUploadTable = {
  id: Generated<string>
  resource_id: string
  organisation_id: string
  status: Generated<string>
  stage: Generated<string>
  percent: Generated<number>
  source: string
  mode: Generated<string>
  key_column: string | null
  on_invalid: Generated<string>
  file_name: Generated<string>
  file_path: string | null
  file_size: Generated<number>
  source_url: string | null
  given_schema: JSONColumnType<object | null>
  checksum: string | null
  encoding: string | null
  staged_table: string | null
  staged_columns: JSONColumnType<StoredColumn[] | null>
  rows_read: Generated<number>
  rows_loaded: Generated<number>
  rows_rejected: Generated<number>
  error_code: string | null
  message: string | null
  version_number: number | null
  created_by: string | null
  created_at: CreatedAt
  finished_at: Date | null
}

export type DatastoreRejectionTable = {
  upload_id: string
  row_number: number
  column_name: string | null
  value: string | null
  reason: string
}

export type DatastoreTables = {
  'open_data.datastore_table': DatastoreTableTable
  'open_data.datastore_version': DatastoreVersionTable
  'open_data.datastore_upload': DatastoreUploadTable
  'open_data.datastore_rejection': DatastoreRejectionTable
}

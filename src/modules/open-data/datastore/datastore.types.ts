// The data store's internal types (the catalogue sees only datastore.public.ts).
import type { ColumnFormat, ColumnType, DatastoreColumn } from './datastore.public.js'

/** A column as stored: its dictionary entry and its name in the PostgreSQL table (c0, c1, …). */
export type StoredColumn = DatastoreColumn & {
  physical: string
  /** in the full-text index: text with words in it (not codes); absent on tables loaded before this was kept */
  searchable?: boolean
}

export type UploadMode = 'replace' | 'append' | 'upsert'
export type OnInvalid = 'ask' | 'refuse' | 'skip'
export type UploadSource = 'file' | 'url' | 'api'

/** A Frictionless Table Schema field, as much of it as the data store reads. */
export type SchemaField = {
  name: string
  type?: string
  format?: string
  title?: string
  description?: string
  constraints?: {
    required?: boolean
    unique?: boolean
    minimum?: number | string
    maximum?: number | string
    minLength?: number
    maxLength?: number
    pattern?: string
    enum?: string[]
  }
}
export type TableSchema = { fields: SchemaField[]; primaryKey?: string | string[]; missingValues?: string[] }

export type Rejection = { row: number; column: string | null; value: string | null; reason: string }

export const FRICTIONLESS_TYPES: Record<string, ColumnType> = {
  integer: 'integer',
  number: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  string: 'string',
}

export function columnFormat(value: string | undefined): ColumnFormat {
  return value === 'gss-code' || value === 'postcode' ? value : 'default'
}

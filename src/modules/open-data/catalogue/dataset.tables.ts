// Kysely table types for the catalogue's tables in the open_data schema.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Instant = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
type DateOnly = ColumnType<string | null, string | null | undefined, string | null>

export type DatasetTable = {
  id: Generated<string>
  organisation_id: string
  name: string
  title: string
  description: Generated<string>
  keywords: ColumnType<string[], string[] | undefined, string[]>
  theme: string
  licence: Generated<string>
  frequency: Generated<string>
  temporal_start: DateOnly
  temporal_end: DateOnly
  spatial: ColumnType<string[], string[] | undefined, string[]>
  contact_name: Generated<string>
  contact_email: Generated<string>
  status: Generated<string>
  origin: Generated<string>
  harvest_source_id: string | null
  remote_id: string | null
  remote_url: string | null
  provider: string | null
  provider_key: string | null
  published_at: Instant
  withdrawn_at: Instant
  withdrawal_reason: string | null
  modified_at: ColumnType<Date, Date | string | undefined, Date | string>
  search: ColumnType<string, unknown, unknown>
  created_by: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type ResourceTable = {
  id: Generated<string>
  dataset_id: string
  kind: string
  name: string
  description: Generated<string>
  format: Generated<string>
  url: string | null
  file_id: string | null
  position: number
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type SubscriptionTable = {
  id: Generated<string>
  dataset_id: string
  email: string
  email_normalised: string
  locale: Generated<string>
  confirmed_at: Instant
  created_at: CreatedAt
}

export type HarvestSourceTable = {
  id: Generated<string>
  organisation_id: string
  title: string
  url: string
  kind: string
  frequency: string
  enabled: Generated<boolean>
  next_run_at: ColumnType<Date, Date | string | undefined, Date | string>
  last_run_at: Instant
  last_status: string | null
  last_message: string | null
  last_counts: JSONColumnType<Record<string, number> | null, string | null | undefined, string | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type CatalogueTables = {
  'open_data.dataset': DatasetTable
  'open_data.resource': ResourceTable
  'open_data.subscription': SubscriptionTable
  'open_data.harvest_source': HarvestSourceTable
}

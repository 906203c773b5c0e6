// Kysely types for the kernel's shared `core` schema.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type Timestamp = ColumnType<Date, Date | string, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export type OrganisationTable = {
  id: Generated<string>
  slug: string
  name_en: string
  name_gd: string | null
  gaelic_reviewed: Generated<boolean>
  type: string
  gss_code: string | null
  website: string | null
  parent_id: string | null
  is_reference: Generated<boolean>
  created_at: CreatedAt
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
}

export type AccountTable = {
  id: Generated<string>
  email: string
  email_normalised: string
  display_name: string
  password_hash: string | null
  email_verified_at: NullableTimestamp
  is_platform_admin: Generated<boolean>
  locale: Generated<string>
  failed_sign_ins: Generated<number>
  locked_until: NullableTimestamp
  last_sign_in_at: NullableTimestamp
  totp_secret: string | null
  totp_enabled_at: NullableTimestamp
  totp_last_step: number | null
  created_at: CreatedAt
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
}

export type RecoveryCodeTable = {
  account_id: string
  code_hash: string
  created_at: CreatedAt
  used_at: NullableTimestamp
}

export type MembershipTable = {
  organisation_id: string
  account_id: string
  roles: string[]
  created_at: CreatedAt
}

export type InvitationTable = {
  id: Generated<string>
  organisation_id: string
  email: string
  email_normalised: string
  roles: string[]
  token_hash: string
  invited_by: string | null
  created_at: CreatedAt
  expires_at: Timestamp
  accepted_at: NullableTimestamp
  accepted_by: string | null
  revoked_at: NullableTimestamp
}

export type OneTimeTokenTable = {
  token_hash: string
  purpose: string
  account_id: string | null
  created_at: CreatedAt
  expires_at: Timestamp
  used_at: NullableTimestamp
}

export type SessionTable = {
  id_hash: string
  account_id: string
  created_at: CreatedAt
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>
  expires_at: Timestamp
  ip: string | null
  user_agent: string | null
  revoked_at: NullableTimestamp
  method: Generated<string>
  pending_second_factor: Generated<boolean>
  second_factor_at: NullableTimestamp
  failed_codes: Generated<number>
  pending_totp_secret: string | null
}

export type ApiTokenTable = {
  id: Generated<string>
  account_id: string
  name: string
  token_hash: string
  prefix: string
  scopes: string[]
  expires_at: Timestamp
  created_at: CreatedAt
  last_used_at: NullableTimestamp
  revoked_at: NullableTimestamp
}

export type AuditEventTable = {
  seq: ColumnType<number, number, never>
  id: string
  occurred_at: ColumnType<Date, Date, never>
  actor_account_id: string | null
  actor_label: string | null
  organisation_id: string | null
  action: string
  target_type: string | null
  target_id: string | null
  details: JSONColumnType<Record<string, unknown>>
  request_id: string | null
  ip: string | null
  prev_hash: string
  hash: string
}

export type EmailOutboxTable = {
  id: Generated<string>
  to_address: string
  template: string
  locale: string
  subject: string
  body_text: string
  status: string
  attempts: Generated<number>
  last_error: string | null
  organisation_id: string | null
  created_at: CreatedAt
  sent_at: NullableTimestamp
}

export type IdempotencyKeyTable = {
  owner: string
  key: string
  fingerprint: string
  status: number | null
  body: JSONColumnType<object | null> | null
  location: string | null
  created_at: CreatedAt
}

export type FileTable = {
  id: Generated<string>
  organisation_id: string | null
  owner: string
  filename: string
  content_type: string
  size: number
  sha256: string
  content: Buffer
  created_by: string | null
  created_at: CreatedAt
}

export type CoreDatabase = {
  'core.file': FileTable
  'core.idempotency_key': IdempotencyKeyTable
  'core.recovery_code': RecoveryCodeTable
  'core.organisation': OrganisationTable
  'core.account': AccountTable
  'core.membership': MembershipTable
  'core.invitation': InvitationTable
  'core.one_time_token': OneTimeTokenTable
  'core.session': SessionTable
  'core.api_token': ApiTokenTable
  'core.audit_event': AuditEventTable
  'core.email_outbox': EmailOutboxTable
}

// Kysely table types for moderation, publication, outcome, offline responses and integration
// (migration 20261128T040000); the consultations module's own tables come with them.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'
import type { ConsultationTables } from '../consultation.tables.js'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export type Redaction = { start: number; end: number; reason: RedactionReason }
export const redactionReasons = ['personal-data', 'offensive', 'defamatory', 'other'] as const
export type RedactionReason = (typeof redactionReasons)[number]

export type AnswerModerationTable = {
  response_id: string
  answer_key: string
  status: string
  redactions: JSONColumnType<Redaction[]>
  revision: Generated<number>
  decided_by: string | null
  decided_at: Timestamp
}

export type ModerationDecisionTable = {
  id: Generated<string>
  response_id: string
  answer_key: string
  action: string
  status_after: string
  redactions_after: JSONColumnType<Redaction[]>
  reason: string | null
  note: Generated<string>
  decided_by: string | null
  decided_by_name: string
  decided_at: Timestamp
}

export type ResponsePublicationTable = {
  consultation_id: string
  published: boolean
  changed_by: string | null
  changed_at: Timestamp
  announced_at: NullableTimestamp
}

export type IntegrationCursorTable = {
  name: string
  checked_to: Timestamp
}

export type OutcomeTable = {
  consultation_id: string
  body_markdown: string
  body_markdown_gd: string
  published_at: NullableTimestamp
  updated_at: Timestamp
}

export type OutcomeDocumentTable = {
  id: Generated<string>
  consultation_id: string
  title: string
  url: string | null
  file_id: string | null
  created_at: Timestamp
}

export type OfflineImportTable = {
  id: Generated<string>
  consultation_id: string
  filename: string
  status: string
  rows: JSONColumnType<unknown[]>
  row_count: number
  created_by: string | null
  created_at: Timestamp
  finished_at: NullableTimestamp
}

export type OfflineResponseTable = {
  response_id: string
  received_on: ColumnType<Date, Date | string, Date | string>
  late: boolean
  import_id: string | null
  entered_by: string | null
  created_at: Timestamp
}

export type WebhookTable = {
  id: Generated<string>
  organisation_id: string
  url: string
  secret_sealed: string
  events: JSONColumnType<string[]>
  active: Generated<boolean>
  dates_checked_to: Timestamp
  responses_checked_to: Timestamp
  responses_checked_id: string | null
  created_by: string | null
  created_at: Timestamp
}

export type WebhookDeliveryTable = {
  id: Generated<string>
  webhook_id: string
  event: string
  event_key: string
  payload: JSONColumnType<Record<string, unknown>>
  status: string
  attempts: Generated<number>
  last_status_code: number | null
  last_error: string | null
  created_at: Timestamp
  last_attempt_at: NullableTimestamp
  delivered_at: NullableTimestamp
}

export type ModerationTables = ConsultationTables & {
  'consultations.answer_moderation': AnswerModerationTable
  'consultations.moderation_decision': ModerationDecisionTable
  'consultations.response_publication': ResponsePublicationTable
  'consultations.outcome': OutcomeTable
  'consultations.outcome_document': OutcomeDocumentTable
  'consultations.offline_import': OfflineImportTable
  'consultations.offline_response': OfflineResponseTable
  'consultations.webhook': WebhookTable
  'consultations.webhook_delivery': WebhookDeliveryTable
  'consultations.integration_cursor': IntegrationCursorTable
}

// Kysely table types for the consultations module's PostgreSQL schema.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>

export type ConsultationTable = {
  id: Generated<string>
  organisation_id: string
  title: string
  summary: string
  body_markdown: string
  opens_at: ColumnType<Date, Date | string, Date | string>
  closes_at: ColumnType<Date, Date | string, Date | string>
  published_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
  status: Generated<string>
  created_by: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type QuestionTable = {
  id: Generated<string>
  consultation_id: string
  position: number
  type: string
  title: string
  hint: string
  required: boolean
  max_length: number | null
  options: JSONColumnType<string[]>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type ResponseDraftTable = {
  id_hash: string
  consultation_id: string
  answers: JSONColumnType<Record<string, string | string[]>>
  respondent: JSONColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type ResponseTable = {
  id: Generated<string>
  consultation_id: string
  reference: string
  draft_hash: string | null
  channel: Generated<string>
  answers: JSONColumnType<Record<string, string | string[]>>
  respondent_type: string
  respondent_name: string
  respondent_organisation: string | null
  email: string | null
  publication: string
  may_contact: boolean
  submitted_at: ColumnType<Date, Date | string | undefined, never>
}

export type ConsultationTables = {
  'consultations.consultation': ConsultationTable
  'consultations.question': QuestionTable
  'consultations.response_draft': ResponseDraftTable
  'consultations.response': ResponseTable
}

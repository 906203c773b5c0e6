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
  paging: Generated<string>
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
  section_id: ColumnType<string | null, string | null | undefined, string | null>
  grid_rows: ColumnType<string[], string | undefined, string>
  allow_other: Generated<boolean>
  min_value: ColumnType<string | null, number | null | undefined, number | null>
  max_value: ColumnType<string | null, number | null | undefined, number | null>
  condition: ColumnType<{ questionId: string; value: string } | null, string | null | undefined, string | null>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type SectionTable = {
  id: Generated<string>
  consultation_id: string
  position: number
  title: string
  intro: string
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type ResponseDraftTable = {
  id_hash: string
  consultation_id: string
  answers: JSONColumnType<Record<string, string | string[]>>
  respondent: JSONColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  resume_hash: ColumnType<string | null, string | null | undefined, string | null>
  resume_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  account_id: ColumnType<string | null, string | null | undefined, string | null>
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
  account_id: ColumnType<string | null, string | null | undefined, string | null>
  submitted_at: ColumnType<Date, Date | string | undefined, never>
}

export type ConsultationTables = {
  'consultations.consultation': ConsultationTable
  'consultations.question': QuestionTable
  'consultations.section': SectionTable
  'consultations.response_draft': ResponseDraftTable
  'consultations.response': ResponseTable
}

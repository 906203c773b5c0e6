// Kysely table types for the analysis part of the consultations schema.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>

export type AnswerTable = {
  id: ColumnType<number, never, never>
  response_id: string
  consultation_id: string
  question_id: string
  ordinal: number
  kind: string
  value: string
  search: ColumnType<string | null, never, never>
  /** the first row of its response for its question */
  lead: ColumnType<boolean, never, never>
}

export type ThemeTable = {
  id: Generated<string>
  consultation_id: string
  question_id: string
  name: string
  description: string
  created_by: string | null
  created_at: CreatedAt
}

export type AnswerThemeTable = {
  answer_id: number
  theme_id: string
  tagged_by: string | null
  tagged_at: CreatedAt
}

export type AnswerNoteTable = {
  id: Generated<string>
  answer_id: number
  consultation_id: string
  body: string
  author_id: string | null
  author_name: string
  created_at: CreatedAt
}

export type QualityRunTable = {
  id: Generated<string>
  consultation_id: string
  status: Generated<string>
  summary: JSONColumnType<Record<string, number>, string | undefined, string>
  requested_by: string | null
  created_at: CreatedAt
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export type QualityGroupTable = {
  id: Generated<string>
  run_id: string
  consultation_id: string
  kind: string
  label: string
  size: number
}

export type QualityMemberTable = {
  group_id: string
  response_id: string
  similarity: number
}

export type ResponseDecisionTable = {
  id: Generated<string>
  response_id: string
  consultation_id: string
  outcome: string
  merged_into: string | null
  group_id: string | null
  reason: string
  decided_by: string | null
  decided_at: CreatedAt
}

export type ResponseStatusTable = {
  response_id: string
  consultation_id: string
  outcome: string
  merged_into: string | null
  reason: string
  decision_id: string
}

export type AnalysisExportTable = {
  id: Generated<string>
  consultation_id: string
  format: string
  status: Generated<string>
  total: Generated<number>
  done: Generated<number>
  byte_size: Generated<number>
  requested_by: string | null
  created_at: CreatedAt
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
}

export type AnalysisExportChunkTable = {
  export_id: string
  seq: number
  data: Buffer
}

export type AnalysisTables = {
  'consultations.answer': AnswerTable
  'consultations.theme': ThemeTable
  'consultations.answer_theme': AnswerThemeTable
  'consultations.answer_note': AnswerNoteTable
  'consultations.quality_run': QualityRunTable
  'consultations.quality_group': QualityGroupTable
  'consultations.quality_member': QualityMemberTable
  'consultations.response_decision': ResponseDecisionTable
  'consultations.response_status': ResponseStatusTable
  'consultations.analysis_export': AnalysisExportTable
  'consultations.analysis_export_chunk': AnalysisExportChunkTable
}

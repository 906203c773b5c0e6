// Domain types of consultation analysis.

export const qualityKinds = ['duplicate-identity', 'duplicate-answers', 'campaign', 'blank'] as const
export type QualityKind = (typeof qualityKinds)[number]

export const decisionOutcomes = ['keep', 'exclude', 'merge'] as const
export type DecisionOutcome = (typeof decisionOutcomes)[number]

export const exportFormats = ['csv', 'xlsx'] as const
export type ExportFormat = (typeof exportFormats)[number]

export type JobStatus = 'queued' | 'running' | 'done' | 'failed'

/** Which responses an analysis counts: by default every response not excluded or merged away. */
export type AnalysisFilters = {
  respondentType?: 'individual' | 'organisation' | undefined
  channel?: string | undefined
  /** a theme's id, or 'none' for answers not coded yet (answers lists only) */
  themeId?: string | undefined
  /** responses flagged by the latest data-quality run, or 'excluded' for those excluded or merged */
  flag?: QualityKind | 'excluded' | undefined
}

export type OptionCount = { value: string; count: number; percent: number }

export type QuestionSummary = {
  questionId: string
  /** responses (counted) that answered it */
  answered: number
  /** choice questions: each option (or grid cell) with its count, in the questionnaire's order */
  options: OptionCount[]
  /** text questions: answers with at least one theme, and the themes' counts */
  coded: number
  themes: OptionCount[]
}

export type Crosstab = {
  rows: string[]
  columns: string[]
  /** counts[row][column] */
  counts: number[][]
  columnTotals: number[]
}

export type Theme = { id: string; questionId: string; name: string; description: string; count: number }

export type AnswerItem = {
  id: number
  responseId: string
  questionId: string
  reference: string
  respondentType: string
  channel: string
  value: string
  themes: { id: string; name: string }[]
  notes: number
}

export type AnswerNote = { id: string; body: string; authorName: string; createdAt: Date }

export type QualityRun = {
  id: string
  status: JobStatus
  summary: Record<string, number>
  createdAt: Date
  finishedAt: Date | null
}

export type QualityGroup = {
  id: string
  kind: QualityKind
  label: string
  size: number
  /** members with a decision recorded */
  decided: number
}

export type QualityMemberView = {
  responseId: string
  reference: string
  name: string
  email: string
  channel: string
  submittedAt: Date
  similarity: number
  text: string
  outcome: DecisionOutcome | null
  reason: string | null
}

export type AnalysisExport = {
  id: string
  consultationId: string
  format: ExportFormat
  status: JobStatus
  total: number
  done: number
  byteSize: number
  createdAt: Date
  finishedAt: Date | null
}

/**
 * What analysis reads of a question beyond the first slice's fields: a choice grid's rows and
 * "Other, please specify", read defensively while the questionnaire grows.
 */
export type QuestionExtras = { type: string; rows?: unknown; allowOther?: unknown; options: string[] }

export const gridRows = (q: QuestionExtras): string[] =>
  q.type === 'choice-grid' && Array.isArray(q.rows) ? q.rows.map(String) : []
export const allowsOther = (q: QuestionExtras): boolean => q.allowOther === true

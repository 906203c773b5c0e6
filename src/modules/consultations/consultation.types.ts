// Domain types of the consultations module.

export type ConsultationStatus = 'draft' | 'forthcoming' | 'open' | 'closed'

export const questionTypes = [
  'short-text',
  'long-text',
  'single-choice',
  'multiple-choice',
  'email',
  'postcode',
  'number',
  'choice-grid',
  'date',
  'file',
] as const
export type QuestionType = (typeof questionTypes)[number]

/** How a respondent is taken through the questionnaire. */
export const pagingModes = ['all', 'section', 'question'] as const
export type PagingMode = (typeof pagingModes)[number]

export const choiceTypes: readonly QuestionType[] = ['single-choice', 'multiple-choice', 'choice-grid']

/** Shown only when the earlier choice question's answer is (or, for multiple choice, includes) the value. */
export type QuestionCondition = { questionId: string; value: string }

export type Section = {
  id: string
  consultationId: string
  position: number
  title: string
  intro: string
}

export const respondentTypes = ['individual', 'organisation'] as const
export type RespondentType = (typeof respondentTypes)[number]

export const publicationChoices = ['publish-with-name', 'publish-without-name', 'do-not-publish'] as const
export type PublicationChoice = (typeof publicationChoices)[number]

export type Consultation = {
  id: string
  organisationId: string
  title: string
  summary: string
  bodyMarkdown: string
  opensAt: Date
  closesAt: Date
  publishedAt: Date | null
  /** the status last recorded by the open-close job; use statusAt() for the status now */
  recordedStatus: ConsultationStatus
  /** everything on one page, a section a page, or a question a page */
  paging: PagingMode
  createdAt: Date
  updatedAt: Date
}

export type Question = {
  id: string
  consultationId: string
  position: number
  type: QuestionType
  title: string
  hint: string
  required: boolean
  /** long text only: the most characters an answer may have */
  maxLength: number | null
  /** choice questions only (the columns of a choice grid) */
  options: string[]
  /** the section it is in; null for questions before the first section */
  sectionId: string | null
  /** choice grid only: its rows */
  rows: string[]
  /** multiple choice only: offers "Other, please specify" with a text box */
  allowOther: boolean
  /** number only */
  minValue: number | null
  maxValue: number | null
  condition: QuestionCondition | null
}

/**
 * Answers by question id: a string, or a list for multiple choice (the options chosen) and for a
 * choice grid (the column chosen for each row, '' for none). A date is YYYY-MM-DD; a file upload
 * is the stored file's id (its name under `filename:<question id>`). The text of "Other, please specify"
 * is kept under `<question id>:other`.
 */
export type Answers = Record<string, string | string[]>

export type RespondentInfo = {
  respondentType: RespondentType
  name: string
  organisationName: string
  email: string
  publication: PublicationChoice
  mayContact: boolean
}

export type ResponseDraft = {
  idHash: string
  consultationId: string
  answers: Answers
  respondent: RespondentInfo | null
  /** the signed-in account responding, if any */
  accountId: string | null
}

export type ConsultationResponse = {
  id: string
  consultationId: string
  reference: string
  channel: 'online' | 'post' | 'email'
  answers: Answers
  respondent: RespondentInfo
  submittedAt: Date
}

export type ConsultationSearch = {
  q?: string | undefined
  organisationId?: string | undefined
  status?: 'forthcoming' | 'open' | 'closed' | undefined
  page?: number | undefined
  pageSize?: number | undefined
}

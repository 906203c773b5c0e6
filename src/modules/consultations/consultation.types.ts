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
] as const
export type QuestionType = (typeof questionTypes)[number]

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
  /** choice questions only */
  options: string[]
}

/** Answers by question id: a string, or a list for multiple choice. */
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

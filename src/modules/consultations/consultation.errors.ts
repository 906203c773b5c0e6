// The consultations module's error codes. Services throw these; the routes' error handlers map
// the kind to a status (API) or an error page, and forms re-render with the field messages.
import { DomainError, type ErrorKind, type FieldErrors } from '../../platform/errors/domain-error.js'

export type ConsultationErrorCode =
  | 'CONSULTATION_NOT_FOUND'
  | 'CONSULTATION_INVALID'
  | 'CONSULTATION_QUESTION_NOT_FOUND'
  | 'CONSULTATION_QUESTION_INVALID'
  | 'CONSULTATION_QUESTIONNAIRE_LOCKED'
  | 'CONSULTATION_NOT_PUBLISHABLE'
  | 'CONSULTATION_NOT_OPEN'
  | 'CONSULTATION_CLOSED'
  | 'CONSULTATION_ANSWERS_INVALID'
  | 'CONSULTATION_RESPONDENT_INVALID'
  | 'CONSULTATION_RESPONSE_INCOMPLETE'

const kinds: Record<ConsultationErrorCode, ErrorKind> = {
  CONSULTATION_NOT_FOUND: 'not-found',
  CONSULTATION_INVALID: 'invalid',
  CONSULTATION_QUESTION_NOT_FOUND: 'not-found',
  CONSULTATION_QUESTION_INVALID: 'invalid',
  CONSULTATION_QUESTIONNAIRE_LOCKED: 'conflict',
  CONSULTATION_NOT_PUBLISHABLE: 'conflict',
  CONSULTATION_NOT_OPEN: 'conflict',
  CONSULTATION_CLOSED: 'conflict',
  CONSULTATION_ANSWERS_INVALID: 'invalid',
  CONSULTATION_RESPONDENT_INVALID: 'invalid',
  CONSULTATION_RESPONSE_INCOMPLETE: 'conflict',
}

export class ConsultationError extends DomainError<ConsultationErrorCode> {
  constructor(
    code: ConsultationErrorCode,
    publicMessage: string,
    options?: { fields?: FieldErrors; logMessage?: string },
  ) {
    super(code, kinds[code], publicMessage, options)
  }
}

export const notFound = () => new ConsultationError('CONSULTATION_NOT_FOUND', 'There is no such consultation')

/** Throws one error holding every field problem (messages are catalogue keys). */
export function assertValid(code: ConsultationErrorCode, fields: FieldErrors, message: string): void {
  if (Object.keys(fields).length > 0) throw new ConsultationError(code, message, { fields })
}

// Error codes of moderation, publication, outcome, offline responses and integration. Services
// throw these; the platform maps the kind to a status (API) or an error page.
import { DomainError, type ErrorKind, type FieldErrors } from '../../../platform/errors/domain-error.js'

export type PublicationErrorCode =
  | 'CONSULTATION_ANSWER_NOT_FOUND'
  | 'CONSULTATION_MODERATION_INVALID'
  | 'CONSULTATION_MODERATION_CHANGED'
  | 'CONSULTATION_RESPONSES_NOT_PUBLISHED'
  | 'CONSULTATION_PUBLICATION_NOT_ALLOWED'
  | 'CONSULTATION_OUTCOME_NOT_PUBLISHED'
  | 'CONSULTATION_OUTCOME_INVALID'
  | 'CONSULTATION_OUTCOME_NOT_CLOSED'
  | 'CONSULTATION_OFFLINE_INVALID'
  | 'CONSULTATION_OFFLINE_NOT_OPENED'
  | 'CONSULTATION_IMPORT_NOT_FOUND'
  | 'CONSULTATION_IMPORT_INVALID'
  | 'CONSULTATION_WEBHOOK_NOT_FOUND'
  | 'CONSULTATION_WEBHOOK_INVALID'

const kinds: Record<PublicationErrorCode, ErrorKind> = {
  CONSULTATION_ANSWER_NOT_FOUND: 'not-found',
  CONSULTATION_MODERATION_INVALID: 'invalid',
  CONSULTATION_MODERATION_CHANGED: 'conflict',
  CONSULTATION_RESPONSES_NOT_PUBLISHED: 'not-found',
  CONSULTATION_PUBLICATION_NOT_ALLOWED: 'conflict',
  CONSULTATION_OUTCOME_NOT_PUBLISHED: 'not-found',
  CONSULTATION_OUTCOME_INVALID: 'invalid',
  CONSULTATION_OUTCOME_NOT_CLOSED: 'conflict',
  CONSULTATION_OFFLINE_INVALID: 'invalid',
  CONSULTATION_OFFLINE_NOT_OPENED: 'conflict',
  CONSULTATION_IMPORT_NOT_FOUND: 'not-found',
  CONSULTATION_IMPORT_INVALID: 'invalid',
  CONSULTATION_WEBHOOK_NOT_FOUND: 'not-found',
  CONSULTATION_WEBHOOK_INVALID: 'invalid',
}

export class PublicationError extends DomainError<PublicationErrorCode> {
  constructor(code: PublicationErrorCode, publicMessage: string, options?: { fields?: FieldErrors }) {
    super(code, kinds[code], publicMessage, options)
  }
}

/** Throws one error holding every field problem (messages are catalogue keys). */
export function assertFields(code: PublicationErrorCode, fields: FieldErrors, message: string): void {
  if (Object.keys(fields).length > 0) throw new PublicationError(code, message, { fields })
}

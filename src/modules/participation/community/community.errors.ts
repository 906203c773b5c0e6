// The community part's error codes. Services throw these; the kind decides the HTTP status, and
// forms re-render with the field messages (catalogue keys).
import { DomainError, type ErrorKind, type FieldErrors } from '../../../platform/errors/domain-error.js'

export type CommunityErrorCode =
  | 'COMMUNITY_COUNCIL_NOT_FOUND'
  | 'COMMUNITY_COUNCIL_INVALID'
  | 'MEETING_NOT_FOUND'
  | 'MEETING_INVALID'
  | 'MEETING_REGISTRATION_CLOSED'
  | 'POLL_NOT_FOUND'
  | 'POLL_INVALID'
  | 'POLL_NOT_OPEN'
  | 'POLL_ALREADY_ANSWERED'
  | 'POLL_ANSWERS_INVALID'
  | 'REPRESENTATIVE_NOT_FOUND'
  | 'REPRESENTATIVE_INVALID'
  | 'POSTCODE_INVALID'
  | 'POSTCODE_NOT_FOUND'
  | 'IMPORT_INVALID'
  | 'SURGERY_NOT_FOUND'
  | 'SURGERY_INVALID'
  | 'SURGERY_TAKEN'
  | 'SURGERY_PAST'
  | 'CASE_NOT_FOUND'
  | 'CASE_INVALID'

const kinds: Record<CommunityErrorCode, ErrorKind> = {
  COMMUNITY_COUNCIL_NOT_FOUND: 'not-found',
  COMMUNITY_COUNCIL_INVALID: 'invalid',
  MEETING_NOT_FOUND: 'not-found',
  MEETING_INVALID: 'invalid',
  MEETING_REGISTRATION_CLOSED: 'conflict',
  POLL_NOT_FOUND: 'not-found',
  POLL_INVALID: 'invalid',
  POLL_NOT_OPEN: 'conflict',
  POLL_ALREADY_ANSWERED: 'conflict',
  POLL_ANSWERS_INVALID: 'invalid',
  REPRESENTATIVE_NOT_FOUND: 'not-found',
  REPRESENTATIVE_INVALID: 'invalid',
  POSTCODE_INVALID: 'invalid',
  POSTCODE_NOT_FOUND: 'not-found',
  IMPORT_INVALID: 'invalid',
  SURGERY_NOT_FOUND: 'not-found',
  SURGERY_INVALID: 'invalid',
  SURGERY_TAKEN: 'conflict',
  SURGERY_PAST: 'conflict',
  CASE_NOT_FOUND: 'not-found',
  CASE_INVALID: 'invalid',
}

export class CommunityError extends DomainError<CommunityErrorCode> {
  constructor(code: CommunityErrorCode, publicMessage: string, options?: { fields?: FieldErrors }) {
    super(code, kinds[code], publicMessage, options)
  }
}

/** Throws one error holding every field problem. */
export function assertValid(code: CommunityErrorCode, fields: FieldErrors, message: string): void {
  if (Object.keys(fields).length > 0) throw new CommunityError(code, message, { fields })
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

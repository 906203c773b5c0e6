// Error codes of consultation analysis; the platform maps each kind to a status or an error page.
import { DomainError, type ErrorKind, type FieldErrors } from '../../../platform/errors/domain-error.js'

export type AnalysisErrorCode =
  | 'CONSULTATION_NOT_FOUND'
  | 'CONSULTATION_ANALYSIS_NOT_FOUND'
  | 'CONSULTATION_ANALYSIS_INVALID'
  | 'CONSULTATION_EXPORT_NOT_READY'

const kinds: Record<AnalysisErrorCode, ErrorKind> = {
  CONSULTATION_NOT_FOUND: 'not-found',
  CONSULTATION_ANALYSIS_NOT_FOUND: 'not-found',
  CONSULTATION_ANALYSIS_INVALID: 'invalid',
  CONSULTATION_EXPORT_NOT_READY: 'conflict',
}

export class AnalysisError extends DomainError<AnalysisErrorCode> {
  constructor(code: AnalysisErrorCode, publicMessage: string, options?: { fields?: FieldErrors }) {
    super(code, kinds[code], publicMessage, options)
  }
}

export const consultationNotFound = () => new AnalysisError('CONSULTATION_NOT_FOUND', 'There is no such consultation')
export const analysisNotFound = (what: string) =>
  new AnalysisError('CONSULTATION_ANALYSIS_NOT_FOUND', `There is no such ${what}`)

export function assertValid(fields: FieldErrors, message: string): void {
  if (Object.keys(fields).length > 0) throw new AnalysisError('CONSULTATION_ANALYSIS_INVALID', message, { fields })
}

// Participatory budgeting's error codes; the kind decides the status (API) or page.
import { DomainError, type ErrorKind, type FieldErrors } from '../../../platform/errors/domain-error.js'

export type PbErrorCode =
  | 'PB_PROCESS_NOT_FOUND'
  | 'PB_PROCESS_INVALID'
  | 'PB_PROCESS_NOT_PUBLISHABLE'
  | 'PB_AREA_NOT_FOUND'
  | 'PB_AREA_INVALID'
  | 'PB_POSTCODES_INVALID'
  | 'PB_PROJECT_NOT_FOUND'
  | 'PB_PROJECT_INVALID'
  | 'PB_COMMENT_INVALID'
  | 'PB_CODES_INVALID'
  | 'PB_WRONG_PHASE'
  | 'PB_NOT_ELIGIBLE'
  | 'PB_ELIGIBILITY_INVALID'
  | 'PB_CODE_INVALID'
  | 'PB_CODE_USED'
  | 'PB_ALREADY_VOTED'
  | 'PB_BALLOT_INVALID'
  | 'PB_RESULTS_NOT_READY'

const kinds: Record<PbErrorCode, ErrorKind> = {
  PB_PROCESS_NOT_FOUND: 'not-found',
  PB_PROCESS_INVALID: 'invalid',
  PB_PROCESS_NOT_PUBLISHABLE: 'conflict',
  PB_AREA_NOT_FOUND: 'not-found',
  PB_AREA_INVALID: 'invalid',
  PB_POSTCODES_INVALID: 'invalid',
  PB_PROJECT_NOT_FOUND: 'not-found',
  PB_PROJECT_INVALID: 'invalid',
  PB_COMMENT_INVALID: 'invalid',
  PB_CODES_INVALID: 'invalid',
  PB_WRONG_PHASE: 'conflict',
  PB_NOT_ELIGIBLE: 'forbidden',
  PB_ELIGIBILITY_INVALID: 'invalid',
  PB_CODE_INVALID: 'invalid',
  PB_CODE_USED: 'conflict',
  PB_ALREADY_VOTED: 'conflict',
  PB_BALLOT_INVALID: 'invalid',
  PB_RESULTS_NOT_READY: 'conflict',
}

export class PbError extends DomainError<PbErrorCode> {
  constructor(code: PbErrorCode, publicMessage: string, options?: { fields?: FieldErrors; logMessage?: string }) {
    super(code, kinds[code], publicMessage, options)
  }
}

export const processNotFound = () => new PbError('PB_PROCESS_NOT_FOUND', 'participation.pb.error.processNotFound')
export const projectNotFound = () => new PbError('PB_PROJECT_NOT_FOUND', 'participation.pb.error.projectNotFound')
export const areaNotFound = () => new PbError('PB_AREA_NOT_FOUND', 'participation.pb.error.areaNotFound')

/** Throws one error holding every field problem (messages are catalogue keys). */
export function assertValid(code: PbErrorCode, fields: FieldErrors): void {
  const first = Object.values(fields)[0]
  if (first) throw new PbError(code, first, { fields })
}

// The catalogue's error codes. Services throw these; routes map the kind to a status or a page.
import { DomainError, type ErrorKind, type FieldErrors } from '../../../platform/errors/domain-error.js'

export type CatalogueErrorCode =
  | 'DATASET_NOT_FOUND'
  | 'DATASET_INVALID'
  | 'DATASET_NOT_PUBLISHABLE'
  | 'DATASET_NOT_WITHDRAWABLE'
  | 'DATASET_NOT_EDITABLE'
  | 'DATASET_WITHDRAWN'
  | 'DATASET_RESOURCE_NOT_FOUND'
  | 'DATASET_RESOURCE_INVALID'
  | 'DATASET_SEARCH_INVALID'
  | 'DATASET_SUBSCRIPTION_INVALID'
  | 'DATASET_SUBSCRIPTION_NOT_FOUND'
  | 'HARVEST_SOURCE_NOT_FOUND'
  | 'HARVEST_SOURCE_INVALID'

const kinds: Record<CatalogueErrorCode, ErrorKind> = {
  DATASET_NOT_FOUND: 'not-found',
  DATASET_INVALID: 'invalid',
  DATASET_NOT_PUBLISHABLE: 'conflict',
  DATASET_NOT_WITHDRAWABLE: 'conflict',
  DATASET_NOT_EDITABLE: 'conflict',
  DATASET_WITHDRAWN: 'gone',
  DATASET_RESOURCE_NOT_FOUND: 'not-found',
  DATASET_RESOURCE_INVALID: 'invalid',
  DATASET_SEARCH_INVALID: 'invalid',
  DATASET_SUBSCRIPTION_INVALID: 'invalid',
  // a link that no longer works: the page says so, rather than "page not found"
  DATASET_SUBSCRIPTION_NOT_FOUND: 'gone',
  HARVEST_SOURCE_NOT_FOUND: 'not-found',
  HARVEST_SOURCE_INVALID: 'invalid',
}

export class CatalogueError extends DomainError<CatalogueErrorCode> {
  constructor(
    code: CatalogueErrorCode,
    publicMessage: string,
    options?: { fields?: FieldErrors; logMessage?: string },
  ) {
    super(code, kinds[code], publicMessage, options)
  }
}

export const datasetNotFound = () => new CatalogueError('DATASET_NOT_FOUND', 'There is no such dataset')

/** Throws one error holding every field problem (messages are catalogue keys). */
export function assertValid(code: CatalogueErrorCode, fields: FieldErrors, message: string): void {
  if (Object.keys(fields).length > 0) throw new CatalogueError(code, message, { fields })
}

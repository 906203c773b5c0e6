// Error codes for finding consultations and subscribing to them. Services throw these; the kind
// gives the status, and forms re-render with the field messages (catalogue keys).
import { DomainError, type ErrorKind, type FieldErrors } from '../../../platform/errors/domain-error.js'

export type DiscoveryErrorCode =
  | 'CONSULTATION_DETAILS_INVALID'
  | 'CONSULTATION_SUBSCRIPTION_INVALID'
  | 'CONSULTATION_SUBSCRIPTION_NOT_FOUND'
  | 'CONSULTATION_SUBSCRIPTION_LINK_EXPIRED'

const kinds: Record<DiscoveryErrorCode, ErrorKind> = {
  CONSULTATION_DETAILS_INVALID: 'invalid',
  CONSULTATION_SUBSCRIPTION_INVALID: 'invalid',
  CONSULTATION_SUBSCRIPTION_NOT_FOUND: 'not-found',
  CONSULTATION_SUBSCRIPTION_LINK_EXPIRED: 'gone',
}

export class DiscoveryError extends DomainError<DiscoveryErrorCode> {
  constructor(code: DiscoveryErrorCode, publicMessage: string, options?: { fields?: FieldErrors }) {
    super(code, kinds[code], publicMessage, options)
  }
}

export const subscriptionNotFound = () =>
  new DiscoveryError('CONSULTATION_SUBSCRIPTION_NOT_FOUND', 'consultations.discovery.subscription.notFound')

// OpenID Connect sign-in: domain types and error codes.
import type { OidcClientAuth, OidcProfile } from '../../config/config.js'

export type { OidcClientAuth, OidcProfile }

export type OidcErrorCode =
  | 'OIDC_INVALID'
  | 'OIDC_NOT_FOUND'
  | 'OIDC_PROVIDER_NOT_FOUND'
  | 'OIDC_PROVIDER_UNAVAILABLE'
  | 'OIDC_STATE_INVALID'
  | 'OIDC_ATTEMPT_EXPIRED'
  | 'OIDC_CODE_INVALID'
  | 'OIDC_NONCE_INVALID'
  | 'OIDC_ISSUER_INVALID'
  | 'OIDC_RESPONSE_INVALID'
  | 'OIDC_PROVIDER_REFUSED'
  | 'OIDC_EMAIL_CLASH'
  | 'OIDC_EMAIL_MISSING'
  | 'OIDC_NO_ORGANISATION'
  | 'OIDC_IDENTITY_TAKEN'
  | 'OIDC_WRONG_PERSON'
  | 'OIDC_LAST_METHOD'
  | 'OIDC_ATTRIBUTES_UNAVAILABLE'

/** The codes whose refusal is shown on the "could not sign you in" page, rather than a form error. */
export const refusalCodes = [
  'OIDC_STATE_INVALID',
  'OIDC_ATTEMPT_EXPIRED',
  'OIDC_CODE_INVALID',
  'OIDC_NONCE_INVALID',
  'OIDC_ISSUER_INVALID',
  'OIDC_RESPONSE_INVALID',
  'OIDC_PROVIDER_REFUSED',
  'OIDC_PROVIDER_UNAVAILABLE',
  'OIDC_EMAIL_CLASH',
  'OIDC_EMAIL_MISSING',
  'OIDC_NO_ORGANISATION',
  'OIDC_IDENTITY_TAKEN',
  'OIDC_WRONG_PERSON',
  'OIDC_ATTRIBUTES_UNAVAILABLE',
] as const satisfies readonly OidcErrorCode[]

export type RefusalCode = (typeof refusalCodes)[number]

export type OidcProvider = {
  id: string
  name: string
  issuer: string
  clientId: string
  auth: OidcClientAuth
  profile: OidcProfile
  scopes: readonly string[]
  attributesEndpoint: string | null
  /** set by environment (read-only on the pages) or added by a platform administrator */
  source: 'environment' | 'database'
  createdAt: Date | null
}

export type AccountIdentity = {
  id: string
  accountId: string
  providerId: string
  subject: string
  email: string | null
  createdAt: Date
  lastUsedAt: Date | null
}

export type IdentityDomain = {
  id: string
  organisationId: string
  providerId: string
  domain: string
  createdAt: Date
}

export type AttemptPurpose = 'sign-in' | 'link' | 'attributes'

export type LoginAttempt = {
  stateHash: string
  bindingHash: string
  providerId: string
  purpose: AttemptPurpose
  nonce: string
  codeVerifier: string
  accountId: string | null
  service: string | null
  attributes: string[]
  returnPath: string | null
  expiresAt: Date
  usedAt: Date | null
}

export type AttributeConsent = {
  service: string
  providerId: string
  attributes: string[]
  values: Record<string, string>
  consentedAt: Date
}

/** What a finished callback leads to; the route turns it into a session or a redirect. */
export type CallbackOutcome =
  | {
      purpose: 'sign-in'
      accountId: string
      providerId: string
      idToken: string
      returnPath: string | null
      joined: string | null
    }
  | { purpose: 'link'; accountId: string; providerId: string; returnPath: string | null }
  | { purpose: 'attributes'; accountId: string; service: string; returnPath: string | null }

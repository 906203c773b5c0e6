// Kysely types for the OpenID Connect tables in the kernel's `core` schema.
import type { ColumnType, Generated, JSONColumnType } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export type OidcProviderTable = {
  id: string
  name: string
  issuer: string
  client_id: string
  client_secret: string | null
  auth_method: string
  profile: string
  scopes: string[]
  attributes_endpoint: string | null
  created_by: string | null
  created_at: CreatedAt
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
}

export type AccountIdentityTable = {
  id: Generated<string>
  account_id: string
  provider_id: string
  subject: string
  email: string | null
  created_at: CreatedAt
  last_used_at: NullableTimestamp
}

export type OidcLoginAttemptTable = {
  state_hash: string
  binding_hash: string
  provider_id: string
  purpose: string
  nonce: string
  code_verifier: string
  account_id: string | null
  service: string | null
  attributes: ColumnType<string[], string[] | undefined, string[]>
  return_path: string | null
  created_at: CreatedAt
  expires_at: ColumnType<Date, Date | string, Date | string>
  used_at: NullableTimestamp
}

export type OidcSessionTable = {
  id: Generated<string>
  account_id: string
  provider_id: string
  session_id_hash: string
  id_token: string
  created_at: CreatedAt
}

export type SigningKeyTable = {
  kid: string
  alg: string
  public_jwk: JSONColumnType<Record<string, unknown>>
  private_jwk: string
  created_at: CreatedAt
  activates_at: ColumnType<Date, Date | string | undefined, Date | string>
  retired_at: NullableTimestamp
}

export type OrganisationIdentityDomainTable = {
  id: Generated<string>
  organisation_id: string
  provider_id: string
  domain: string
  created_by: string | null
  created_at: CreatedAt
}

export type AttributeConsentTable = {
  account_id: string
  service: string
  provider_id: string
  attributes: string[]
  attribute_values: string
  consented_at: ColumnType<Date, Date | string | undefined, Date | string>
}

export type OidcTables = {
  'core.oidc_provider': OidcProviderTable
  'core.account_identity': AccountIdentityTable
  'core.oidc_login_attempt': OidcLoginAttemptTable
  'core.oidc_session': OidcSessionTable
  'core.signing_key': SigningKeyTable
  'core.organisation_identity_domain': OrganisationIdentityDomainTable
  'core.attribute_consent': AttributeConsentTable
}

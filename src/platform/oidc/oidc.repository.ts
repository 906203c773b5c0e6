// All SQL of OpenID Connect sign-in. Takes the database or a transaction from the caller and
// returns domain types; secrets arrive and leave sealed (the service holds the SecretBoxes).
import { sql, type Kysely, type Transaction } from 'kysely'
import type { CoreDatabase } from '../db/core.tables.js'
import type { OidcTables } from './oidc.tables.js'
import type { AccountIdentity, AttemptPurpose, IdentityDomain, LoginAttempt } from './oidc.types.js'

export type Executor = Kysely<CoreDatabase> | Transaction<CoreDatabase>

type Oidc = Kysely<CoreDatabase & OidcTables>

export type ProviderRow = OidcTables['core.oidc_provider'] extends infer T ? { [K in keyof T]: any } : never

export type StoredKey = {
  kid: string
  alg: string
  publicJwk: Record<string, unknown>
  sealedPrivateJwk: string
  createdAt: Date
  activatesAt: Date
  retiredAt: Date | null
}

const q = (executor: Executor): Oidc => executor.withTables<OidcTables>()

function toIdentity(r: {
  id: string
  account_id: string
  provider_id: string
  subject: string
  email: string | null
  created_at: Date
  last_used_at: Date | null
}): AccountIdentity {
  return {
    id: r.id,
    accountId: r.account_id,
    providerId: r.provider_id,
    subject: r.subject,
    email: r.email,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
  }
}

function toDomain(r: {
  id: string
  organisation_id: string
  provider_id: string
  domain: string
  created_at: Date
}): IdentityDomain {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    providerId: r.provider_id,
    domain: r.domain,
    createdAt: r.created_at,
  }
}

export class OidcRepository {
  // --- providers added by platform administrators ---

  async providers(executor: Executor): Promise<ProviderRow[]> {
    return q(executor).selectFrom('core.oidc_provider').selectAll().orderBy('name').execute()
  }

  async insertProvider(
    executor: Executor,
    row: {
      id: string
      name: string
      issuer: string
      clientId: string
      sealedSecret: string | null
      auth: string
      profile: string
      scopes: string[]
      attributesEndpoint: string | null
      createdBy: string | null
    },
  ): Promise<boolean> {
    const result = await q(executor)
      .insertInto('core.oidc_provider')
      .values({
        id: row.id,
        name: row.name,
        issuer: row.issuer,
        client_id: row.clientId,
        client_secret: row.sealedSecret,
        auth_method: row.auth,
        profile: row.profile,
        scopes: row.scopes,
        attributes_endpoint: row.attributesEndpoint,
        created_by: row.createdBy,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }

  async deleteProvider(executor: Executor, id: string): Promise<boolean> {
    const result = await q(executor).deleteFrom('core.oidc_provider').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  // --- identities ---

  async findIdentity(executor: Executor, providerId: string, subject: string): Promise<AccountIdentity | null> {
    const row = await q(executor)
      .selectFrom('core.account_identity')
      .selectAll()
      .where('provider_id', '=', providerId)
      .where('subject', '=', subject)
      .executeTakeFirst()
    return row ? toIdentity(row) : null
  }

  async identitiesOf(executor: Executor, accountId: string): Promise<AccountIdentity[]> {
    const rows = await q(executor)
      .selectFrom('core.account_identity')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('created_at')
      .execute()
    return rows.map(toIdentity)
  }

  async countIdentitiesOfProvider(executor: Executor, providerId: string): Promise<number> {
    const row = await q(executor)
      .selectFrom('core.account_identity')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('provider_id', '=', providerId)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** Links an identity; false when this provider's subject is already linked to an account. */
  async insertIdentity(
    executor: Executor,
    row: { accountId: string; providerId: string; subject: string; email: string | null },
  ): Promise<AccountIdentity | null> {
    const inserted = await q(executor)
      .insertInto('core.account_identity')
      .values({
        account_id: row.accountId,
        provider_id: row.providerId,
        subject: row.subject,
        email: row.email,
        last_used_at: new Date(),
      })
      .onConflict((oc) => oc.columns(['provider_id', 'subject']).doNothing())
      .returningAll()
      .executeTakeFirst()
    return inserted ? toIdentity(inserted) : null
  }

  async touchIdentity(executor: Executor, id: string): Promise<void> {
    await q(executor)
      .updateTable('core.account_identity')
      .set({ last_used_at: new Date() })
      .where('id', '=', id)
      .execute()
  }

  async deleteIdentity(executor: Executor, accountId: string, id: string): Promise<AccountIdentity | null> {
    const row = await q(executor)
      .deleteFrom('core.account_identity')
      .where('id', '=', id)
      .where('account_id', '=', accountId)
      .returningAll()
      .executeTakeFirst()
    return row ? toIdentity(row) : null
  }

  // --- accounts made by a first sign-in ---

  async accountByEmail(executor: Executor, normalisedEmail: string): Promise<{ id: string } | null> {
    const row = await q(executor)
      .selectFrom('core.account')
      .select('id')
      .where('email_normalised', '=', normalisedEmail)
      .executeTakeFirst()
    return row ?? null
  }

  async hasPassword(executor: Executor, accountId: string): Promise<boolean> {
    const row = await q(executor)
      .selectFrom('core.account')
      .select('password_hash')
      .where('id', '=', accountId)
      .executeTakeFirst()
    return !!row?.password_hash
  }

  async insertAccount(
    executor: Executor,
    row: { email: string; emailNormalised: string; displayName: string; locale: string; emailVerified: boolean },
  ): Promise<string> {
    const inserted = await q(executor)
      .insertInto('core.account')
      .values({
        email: row.email,
        email_normalised: row.emailNormalised,
        display_name: row.displayName,
        password_hash: null,
        locale: row.locale,
        email_verified_at: row.emailVerified ? new Date() : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return inserted.id
  }

  /** Joins the body with no role, or leaves an existing membership as it is. */
  async joinWithoutRole(executor: Executor, organisationId: string, accountId: string): Promise<boolean> {
    const result = await q(executor)
      .insertInto('core.membership')
      .values({ organisation_id: organisationId, account_id: accountId, roles: [] })
      .onConflict((oc) => oc.columns(['organisation_id', 'account_id']).doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }

  // --- sign-in attempts ---

  async insertAttempt(
    executor: Executor,
    row: {
      stateHash: string
      bindingHash: string
      providerId: string
      purpose: AttemptPurpose
      nonce: string
      sealedVerifier: string
      accountId: string | null
      service: string | null
      attributes: string[]
      returnPath: string | null
      expiresAt: Date
    },
  ): Promise<void> {
    await q(executor)
      .insertInto('core.oidc_login_attempt')
      .values({
        state_hash: row.stateHash,
        binding_hash: row.bindingHash,
        provider_id: row.providerId,
        purpose: row.purpose,
        nonce: row.nonce,
        code_verifier: row.sealedVerifier,
        account_id: row.accountId,
        service: row.service,
        attributes: row.attributes,
        return_path: row.returnPath,
        expires_at: row.expiresAt,
      })
      .execute()
  }

  /** The attempt for a state, with its verifier still sealed. */
  async findAttempt(executor: Executor, stateHash: string): Promise<LoginAttempt | null> {
    const r = await q(executor)
      .selectFrom('core.oidc_login_attempt')
      .selectAll()
      .where('state_hash', '=', stateHash)
      .executeTakeFirst()
    if (!r) return null
    return {
      stateHash: r.state_hash,
      bindingHash: r.binding_hash,
      providerId: r.provider_id,
      purpose: r.purpose as AttemptPurpose,
      nonce: r.nonce,
      codeVerifier: r.code_verifier,
      accountId: r.account_id,
      service: r.service,
      attributes: r.attributes,
      returnPath: r.return_path,
      expiresAt: r.expires_at,
      usedAt: r.used_at,
    }
  }

  /** Marks the attempt used; false when another request used it first. */
  async claimAttempt(executor: Executor, stateHash: string): Promise<boolean> {
    const row = await q(executor)
      .updateTable('core.oidc_login_attempt')
      .set({ used_at: new Date() })
      .where('state_hash', '=', stateHash)
      .where('used_at', 'is', null)
      .returning('state_hash')
      .executeTakeFirst()
    return row !== undefined
  }

  // --- sessions begun by a provider (for signing out there too) ---

  async insertSession(
    executor: Executor,
    row: { accountId: string; providerId: string; sessionIdHash: string; sealedIdToken: string },
  ): Promise<void> {
    await q(executor)
      .insertInto('core.oidc_session')
      .values({
        account_id: row.accountId,
        provider_id: row.providerId,
        session_id_hash: row.sessionIdHash,
        id_token: row.sealedIdToken,
      })
      .execute()
  }

  /** The ID token of the provider sign-in behind a session: by the session itself, else the account's latest with that provider. */
  async takeSession(
    executor: Executor,
    accountId: string,
    providerId: string,
    sessionIdHash: string,
  ): Promise<string | null> {
    const db = q(executor)
    const row =
      (await db
        .selectFrom('core.oidc_session')
        .select(['id', 'id_token'])
        .where('session_id_hash', '=', sessionIdHash)
        .where('account_id', '=', accountId)
        .executeTakeFirst()) ??
      (await db
        .selectFrom('core.oidc_session')
        .select(['id', 'id_token'])
        .where('account_id', '=', accountId)
        .where('provider_id', '=', providerId)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst())
    if (!row) return null
    await db
      .deleteFrom('core.oidc_session')
      .where('account_id', '=', accountId)
      .where('provider_id', '=', providerId)
      .execute()
    return row.id_token
  }

  // --- signing keys ---

  /** Serialises key creation and rotation across every instance, until the transaction ends. */
  async lockKeys(executor: Executor): Promise<void> {
    await sql`select pg_advisory_xact_lock(7283002)`.execute(executor)
  }

  async keys(executor: Executor): Promise<StoredKey[]> {
    const rows = await q(executor)
      .selectFrom('core.signing_key')
      .selectAll()
      .orderBy('activates_at', 'desc')
      .orderBy('created_at', 'desc')
      .execute()
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      publicJwk: r.public_jwk,
      sealedPrivateJwk: r.private_jwk,
      createdAt: r.created_at,
      activatesAt: r.activates_at,
      retiredAt: r.retired_at,
    }))
  }

  async insertKey(
    executor: Executor,
    row: { kid: string; alg: string; publicJwk: Record<string, unknown>; sealedPrivateJwk: string; activatesAt: Date },
  ): Promise<void> {
    await q(executor)
      .insertInto('core.signing_key')
      .values({
        kid: row.kid,
        alg: row.alg,
        public_jwk: JSON.stringify(row.publicJwk),
        private_jwk: row.sealedPrivateJwk,
        activates_at: row.activatesAt,
      })
      .execute()
  }

  async retireKeys(executor: Executor, kids: string[]): Promise<void> {
    if (kids.length === 0) return
    await q(executor)
      .updateTable('core.signing_key')
      .set({ retired_at: new Date() })
      .where('kid', 'in', kids)
      .where('retired_at', 'is', null)
      .execute()
  }

  async deleteKeysRetiredBefore(executor: Executor, before: Date): Promise<string[]> {
    const rows = await q(executor)
      .deleteFrom('core.signing_key')
      .where('retired_at', '<', before)
      .returning('kid')
      .execute()
    return rows.map((r) => r.kid)
  }

  // --- email domains that let staff join a body ---

  async domainsOf(executor: Executor, organisationId: string): Promise<IdentityDomain[]> {
    const rows = await q(executor)
      .selectFrom('core.organisation_identity_domain')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('domain')
      .execute()
    return rows.map(toDomain)
  }

  async findDomain(executor: Executor, providerId: string, domain: string): Promise<IdentityDomain | null> {
    const row = await q(executor)
      .selectFrom('core.organisation_identity_domain')
      .selectAll()
      .where('provider_id', '=', providerId)
      .where('domain', '=', domain)
      .executeTakeFirst()
    return row ? toDomain(row) : null
  }

  async insertDomain(
    executor: Executor,
    row: { organisationId: string; providerId: string; domain: string; createdBy: string | null },
  ): Promise<IdentityDomain | null> {
    const inserted = await q(executor)
      .insertInto('core.organisation_identity_domain')
      .values({
        organisation_id: row.organisationId,
        provider_id: row.providerId,
        domain: row.domain,
        created_by: row.createdBy,
      })
      .onConflict((oc) => oc.columns(['provider_id', 'domain']).doNothing())
      .returningAll()
      .executeTakeFirst()
    return inserted ? toDomain(inserted) : null
  }

  async deleteDomain(executor: Executor, organisationId: string, id: string): Promise<IdentityDomain | null> {
    const row = await q(executor)
      .deleteFrom('core.organisation_identity_domain')
      .where('id', '=', id)
      .where('organisation_id', '=', organisationId)
      .returningAll()
      .executeTakeFirst()
    return row ? toDomain(row) : null
  }

  // --- verified attributes shared with a service ---

  async upsertConsent(
    executor: Executor,
    row: { accountId: string; service: string; providerId: string; attributes: string[]; sealedValues: string },
  ): Promise<void> {
    const values = {
      provider_id: row.providerId,
      attributes: row.attributes,
      attribute_values: row.sealedValues,
      consented_at: new Date(),
    }
    await q(executor)
      .insertInto('core.attribute_consent')
      .values({ account_id: row.accountId, service: row.service, ...values })
      .onConflict((oc) => oc.columns(['account_id', 'service']).doUpdateSet(values))
      .execute()
  }

  async consents(
    executor: Executor,
    accountId: string,
  ): Promise<
    Array<{ service: string; providerId: string; attributes: string[]; sealedValues: string; consentedAt: Date }>
  > {
    const rows = await q(executor)
      .selectFrom('core.attribute_consent')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('consented_at', 'desc')
      .execute()
    return rows.map((r) => ({
      service: r.service,
      providerId: r.provider_id,
      attributes: r.attributes,
      sealedValues: r.attribute_values,
      consentedAt: r.consented_at,
    }))
  }

  async deleteConsent(executor: Executor, accountId: string, service: string): Promise<boolean> {
    const result = await q(executor)
      .deleteFrom('core.attribute_consent')
      .where('account_id', '=', accountId)
      .where('service', '=', service)
      .executeTakeFirst()
    return Number(result.numDeletedRows) > 0
  }

  // --- housekeeping ---

  async purge(executor: Executor, sessionsOlderThan: Date): Promise<number> {
    const db = q(executor)
    const attempts = await db
      .deleteFrom('core.oidc_login_attempt')
      .where('expires_at', '<', new Date(Date.now() - 86_400_000))
      .executeTakeFirst()
    const sessions = await db
      .deleteFrom('core.oidc_session')
      .where('created_at', '<', sessionsOlderThan)
      .executeTakeFirst()
    return Number(attempts.numDeletedRows) + Number(sessions.numDeletedRows)
  }
}

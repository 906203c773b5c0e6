// Frozen in time: imports nothing from src/.
// OpenID Connect sign-in: providers added by platform administrators (those set by environment
// live in configuration only), identities linked to accounts, sign-in attempts (state, nonce and
// PKCE verifier kept server-side and bound to the browser), the keys Còmhla signs its client
// assertions with, email domains that let staff join a body, and verified attributes shared with
// a service after consent.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('core')
    .createTable('oidc_provider')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // sealed with the deployment's secret
    .addColumn('client_secret', 'text')
    .addColumn('auth_method', 'text', (c) =>
      c.notNull().check(sql`auth_method in ('private_key_jwt', 'client_secret_basic')`),
    )
    .addColumn('profile', 'text', (c) => c.notNull().check(sql`profile in ('scotaccount', 'staff')`))
    .addColumn('scopes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('attributes_endpoint', 'text')
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .withSchema('core')
    .createTable('account_identity')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('core.account.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addUniqueConstraint('account_identity_provider_subject_key', ['provider_id', 'subject'])
    .execute()
  await db.schema
    .withSchema('core')
    .createIndex('account_identity_account_idx')
    .on('account_identity')
    .column('account_id')
    .execute()

  await db.schema
    .withSchema('core')
    .createTable('oidc_login_attempt')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('binding_hash', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('sign-in', 'link', 'attributes')`))
    .addColumn('nonce', 'text', (c) => c.notNull().unique())
    // sealed
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('account_id', 'uuid', (c) => c.references('core.account.id').onDelete('cascade'))
    .addColumn('service', 'text')
    .addColumn('attributes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('return_path', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute()
  await db.schema
    .withSchema('core')
    .createIndex('oidc_login_attempt_expires_idx')
    .on('oidc_login_attempt')
    .column('expires_at')
    .execute()

  await db.schema
    .withSchema('core')
    .createTable('oidc_session')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('core.account.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('session_id_hash', 'text', (c) => c.notNull())
    // sealed; sent back to the provider as id_token_hint when the person signs out
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('core')
    .createIndex('oidc_session_account_idx')
    .on('oidc_session')
    .columns(['account_id', 'provider_id'])
    .execute()

  await db.schema
    .withSchema('core')
    .createTable('signing_key')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    // sealed
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // published from creation, signed with from this moment, so providers can fetch it first
    .addColumn('activates_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute()

  await db.schema
    .withSchema('core')
    .createTable('organisation_identity_domain')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('organisation_identity_domain_provider_domain_key', ['provider_id', 'domain'])
    .execute()
  await db.schema
    .withSchema('core')
    .createIndex('organisation_identity_domain_org_idx')
    .on('organisation_identity_domain')
    .column('organisation_id')
    .execute()

  await db.schema
    .withSchema('core')
    .createTable('attribute_consent')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('core.account.id').onDelete('cascade'))
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('attributes', sql`text[]`, (c) => c.notNull())
    // sealed JSON of only the attributes the service asked for
    .addColumn('attribute_values', 'text', (c) => c.notNull())
    .addColumn('consented_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('attribute_consent_pk', ['account_id', 'service'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'attribute_consent',
    'organisation_identity_domain',
    'signing_key',
    'oidc_session',
    'oidc_login_attempt',
    'account_identity',
    'oidc_provider',
  ]) {
    await db.schema.withSchema('core').dropTable(table).execute()
  }
}

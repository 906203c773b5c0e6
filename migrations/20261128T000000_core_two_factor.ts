// Frozen in time: imports nothing from src/.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('core')
    .alterTable('account')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'timestamptz')
    .addColumn('totp_last_step', 'bigint')
    .execute()
  await db.schema
    .withSchema('core')
    .createTable('recovery_code')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('core.account.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('used_at', 'timestamptz')
    .addPrimaryKeyConstraint('recovery_code_pk', ['account_id', 'code_hash'])
    .execute()
  await db.schema
    .withSchema('core')
    .alterTable('session')
    .addColumn('method', 'text', (c) => c.notNull().defaultTo('password'))
    .addColumn('pending_second_factor', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('second_factor_at', 'timestamptz')
    .addColumn('failed_codes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pending_totp_secret', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('core').dropTable('recovery_code').execute()
  await db.schema
    .withSchema('core')
    .alterTable('account')
    .dropColumn('totp_secret')
    .dropColumn('totp_enabled_at')
    .dropColumn('totp_last_step')
    .execute()
  await db.schema
    .withSchema('core')
    .alterTable('session')
    .dropColumn('method')
    .dropColumn('pending_second_factor')
    .dropColumn('second_factor_at')
    .dropColumn('failed_codes')
    .dropColumn('pending_totp_secret')
    .execute()
}

// Frozen in time: imports nothing from src/.
// When the published responses of a consultation were last announced to open data, and how far
// the watcher of consultation dates has looked for the "consultations.closed" event.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('consultations')
    .alterTable('response_publication')
    .addColumn('announced_at', 'timestamptz')
    .execute()
  await db.schema
    .withSchema('consultations')
    .createTable('integration_cursor')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('checked_to', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('consultations').dropTable('integration_cursor').ifExists().execute()
  await db.schema.withSchema('consultations').alterTable('response_publication').dropColumn('announced_at').execute()
}

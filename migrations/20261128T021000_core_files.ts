// Frozen in time: imports nothing from src/.
// Uploaded files (consultation documents, images, papers) kept in PostgreSQL, so that every
// application instance sees them and they are backed up with the rest of the record.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('core')
    .createTable('file')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.references('core.organisation.id').onDelete('restrict'))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.withSchema('core').createIndex('file_owner_idx').on('file').column('owner').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('core').dropTable('file').execute()
}

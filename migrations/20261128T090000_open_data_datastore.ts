// Frozen in time: imports nothing from src/.
// The open-data module's data store: a data table per catalogue resource (keyed by the resource's
// id, without a foreign key to the catalogue's tables), its versions (each a typed table of its own
// in the schema open_data_rows, never changed once swapped in except for a checked type change
// from the data dictionary), uploads with their progress, and the rows an upload rejected.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema('open_data').ifNotExists().execute()
  await db.schema.createSchema('open_data_rows').ifNotExists().execute()
  await sql`revoke all on schema open_data_rows from public`.execute(db)

  await db.schema
    .withSchema('open_data')
    .createTable('datastore_table')
    .addColumn('resource_id', 'uuid', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('restrict'))
    // a name for the publisher's own pages when the table is not (yet) in a catalogue dataset
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('is_public', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('current_version', 'integer')
    // the data dictionary of the current version: [{name, physical, type, format, title, description, unit}]
    .addColumn('columns', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('row_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('key_column', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('open_data')
    .createIndex('datastore_table_organisation_idx')
    .on('datastore_table')
    .column('organisation_id')
    .execute()

  await db.schema
    .withSchema('open_data')
    .createTable('datastore_version')
    .addColumn('resource_id', 'uuid', (c) =>
      c.notNull().references('open_data.datastore_table.resource_id').onDelete('cascade'),
    )
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('table_name', 'text', (c) => c.notNull())
    .addColumn('row_count', 'bigint', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('columns', 'jsonb', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('upload_id', 'uuid')
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('datastore_version_pkey', ['resource_id', 'number'])
    .execute()

  await db.schema
    .withSchema('open_data')
    .createTable('datastore_upload')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('resource_id', 'uuid', (c) =>
      c.notNull().references('open_data.datastore_table.resource_id').onDelete('cascade'),
    )
    .addColumn('organisation_id', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'running', 'needs-decision', 'loaded', 'failed')`),
    )
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('queued'))
    .addColumn('percent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('replace'))
    .addColumn('key_column', 'text')
    .addColumn('on_invalid', 'text', (c) => c.notNull().defaultTo('ask'))
    .addColumn('file_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('file_path', 'text')
    .addColumn('file_size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('source_url', 'text')
    .addColumn('given_schema', 'jsonb')
    .addColumn('checksum', 'text')
    .addColumn('encoding', 'text')
    .addColumn('staged_table', 'text')
    .addColumn('staged_columns', 'jsonb')
    .addColumn('rows_read', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_loaded', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_rejected', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('error_code', 'text')
    .addColumn('message', 'text')
    .addColumn('version_number', 'integer')
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute()
  await db.schema
    .withSchema('open_data')
    .createIndex('datastore_upload_resource_idx')
    .on('datastore_upload')
    .columns(['resource_id', 'created_at'])
    .execute()

  await db.schema
    .withSchema('open_data')
    .createTable('datastore_rejection')
    .addColumn('upload_id', 'uuid', (c) => c.notNull().references('open_data.datastore_upload.id').onDelete('cascade'))
    .addColumn('row_number', 'bigint', (c) => c.notNull())
    .addColumn('column_name', 'text')
    .addColumn('value', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .withSchema('open_data')
    .createIndex('datastore_rejection_upload_idx')
    .on('datastore_rejection')
    .columns(['upload_id', 'row_number'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('open_data').dropTable('datastore_rejection').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('datastore_upload').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('datastore_version').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('datastore_table').ifExists().execute()
  await sql`drop schema if exists open_data_rows cascade`.execute(db)
}

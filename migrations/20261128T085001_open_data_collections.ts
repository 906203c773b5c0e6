// Frozen in time: imports nothing from src/.
// National collections: the same kind of data table from many bodies (spend over £500 from every
// council, say), joined into one national table when their columns match.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('open_data')
    .createTable('collection')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    // the columns every member's table has (names and types), set by the first member
    .addColumn('columns', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('open_data')
    .createTable('collection_member')
    .addColumn('collection_id', 'uuid', (c) => c.notNull().references('open_data.collection.id').onDelete('cascade'))
    .addColumn('resource_id', 'uuid', (c) => c.notNull().references('open_data.resource.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('restrict'))
    .addColumn('added_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('collection_member_pkey', ['collection_id', 'resource_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('open_data').dropTable('collection_member').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('collection').ifExists().execute()
}

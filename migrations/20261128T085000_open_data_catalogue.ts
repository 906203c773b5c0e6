// Frozen in time: imports nothing from src/.
// The open-data module's schema and its catalogue: datasets of a publishing body (drafts,
// published, withdrawn with a reason), their resources (data-store tables, links, files), email
// subscriptions to a dataset's updates, and the other portals the catalogue harvests from.
// The data store's own tables come in later migrations and need nothing here but the schema.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema('open_data').ifNotExists().execute()

  await db.schema
    .withSchema('open_data')
    .createTable('harvest_source')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('restrict'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('ckan', 'dcat')`))
    .addColumn('frequency', 'text', (c) => c.notNull().check(sql`frequency in ('hourly', 'daily', 'weekly')`))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('next_run_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_run_at', 'timestamptz')
    .addColumn('last_status', 'text')
    .addColumn('last_message', 'text')
    .addColumn('last_counts', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('open_data')
    .createIndex('harvest_source_due_idx')
    .on('harvest_source')
    .columns(['enabled', 'next_run_at'])
    .execute()

  await db.schema
    .withSchema('open_data')
    .createTable('dataset')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('restrict'))
    // the dataset's address name, as CKAN's package name: lower case, digits and hyphens
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('keywords', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('theme', 'text', (c) => c.notNull())
    .addColumn('licence', 'text', (c) => c.notNull().defaultTo('OGL-UK-3.0'))
    .addColumn('frequency', 'text', (c) => c.notNull().defaultTo('irregular'))
    .addColumn('temporal_start', 'date')
    .addColumn('temporal_end', 'date')
    // council areas by GSS code (S12…)
    .addColumn('spatial', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('contact_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('contact_email', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'published', 'withdrawn')`),
    )
    .addColumn('origin', 'text', (c) =>
      c
        .notNull()
        .defaultTo('local')
        .check(sql`origin in ('local', 'harvested', 'platform')`),
    )
    .addColumn('harvest_source_id', 'uuid', (c) => c.references('open_data.harvest_source.id').onDelete('set null'))
    .addColumn('remote_id', 'text')
    .addColumn('remote_url', 'text')
    // a dataset a platform module provides: the provider's name and its key for the dataset
    .addColumn('provider', 'text')
    .addColumn('provider_key', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('withdrawal_reason', 'text')
    // when the published metadata or data last changed (dct:modified, the feeds' "updated")
    .addColumn('modified_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('search', sql`tsvector`, (c) => c.notNull().defaultTo(sql`''::tsvector`))
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint(
      'dataset_temporal_check',
      sql`temporal_end is null or temporal_start is null or temporal_end >= temporal_start`,
    )
    .execute()
  // The search text is kept by the database itself, so every way of writing a dataset keeps it true.
  await sql`
    create function open_data.dataset_search() returns trigger language plpgsql as $$
    begin
      new.search :=
        setweight(to_tsvector('english', coalesce(new.title, '')), 'A') ||
        setweight(to_tsvector('english', array_to_string(new.keywords, ' ')), 'B') ||
        setweight(to_tsvector('english', coalesce(new.description, '')), 'C');
      return new;
    end $$`.execute(db)
  await sql`
    create trigger dataset_search before insert or update of title, keywords, description on open_data.dataset
    for each row execute function open_data.dataset_search()`.execute(db)
  await sql`create index dataset_search_idx on open_data.dataset using gin (search)`.execute(db)
  await sql`create index dataset_keywords_idx on open_data.dataset using gin (keywords)`.execute(db)
  await sql`create index dataset_published_idx on open_data.dataset (status, modified_at desc, id)`.execute(db)
  await sql`create index dataset_organisation_idx on open_data.dataset (organisation_id, status)`.execute(db)
  await sql`create unique index dataset_remote_idx on open_data.dataset (harvest_source_id, remote_id) where harvest_source_id is not null`.execute(
    db,
  )
  await sql`create unique index dataset_provider_idx on open_data.dataset (provider, provider_key) where provider is not null`.execute(
    db,
  )

  await db.schema
    .withSchema('open_data')
    .createTable('resource')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('dataset_id', 'uuid', (c) => c.notNull().references('open_data.dataset.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('datastore', 'link', 'file')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    // CSV, XLSX, JSON, PDF, HTML, API …
    .addColumn('format', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('url', 'text')
    .addColumn('file_id', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('open_data')
    .createIndex('resource_dataset_idx')
    .on('resource')
    .columns(['dataset_id', 'position'])
    .execute()
  await sql`create index resource_format_idx on open_data.resource (upper(format))`.execute(db)

  await db.schema
    .withSchema('open_data')
    .createTable('subscription')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('dataset_id', 'uuid', (c) => c.notNull().references('open_data.dataset.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalised', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('subscription_dataset_email_key', ['dataset_id', 'email_normalised'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('open_data').dropTable('subscription').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('resource').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('dataset').ifExists().execute()
  await db.schema.withSchema('open_data').dropTable('harvest_source').ifExists().execute()
  await sql`drop function if exists open_data.dataset_search()`.execute(db)
  // the data store's migrations, later in order, are undone first; the schema goes when empty
  await sql`drop schema if exists open_data`.execute(db)
}

// Frozen in time: imports nothing from src/.
// Finding consultations: the national topics each consultation is filed under, a Gaelic version of
// its texts, full-text search over both languages (expression indexes, so nothing has to be kept in
// step), and email subscriptions to new consultations from a body and/or on a topic, with a record
// of every notice sent so that nobody is told twice about the same consultation.
import { sql, type Kysely } from 'kysely'

// Accents folded before indexing, so "Gaidhlig" finds "Gàidhlig"; the application folds queries the same way.
const FOLD_FROM = 'àèìòùáéíóúÀÈÌÒÙÁÉÍÓÚ'
const FOLD_TO = 'aeiouaeiouAEIOUAEIOU'
const fold = (column: string) => `translate(${column}, '${FOLD_FROM}', '${FOLD_TO}')`
const document = (config: string) =>
  `setweight(to_tsvector('${config}'::regconfig, ${fold('title')}), 'A') || ` +
  `setweight(to_tsvector('${config}'::regconfig, ${fold('summary')}), 'B') || ` +
  `setweight(to_tsvector('${config}'::regconfig, ${fold('body_markdown')}), 'C')`

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('consultations')
    .createTable('consultation_topic')
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('topic', 'text', (c) => c.notNull().check(sql`topic ~ '^[a-z][a-z-]{1,60}$'`))
    .addPrimaryKeyConstraint('consultation_topic_pkey', ['consultation_id', 'topic'])
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('consultation_topic_topic_idx')
    .on('consultation_topic')
    .columns(['topic', 'consultation_id'])
    .execute()

  await db.schema
    .withSchema('consultations')
    .createTable('consultation_gaelic')
    .addColumn('consultation_id', 'uuid', (c) =>
      c.primaryKey().references('consultations.consultation.id').onDelete('cascade'),
    )
    // '' where that text has no Gaelic version: the English is shown instead
    .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_markdown', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  // PostgreSQL has no Gaelic dictionary: Gaelic is indexed with 'simple' (lower case, no stemming).
  await sql
    .raw(`create index consultation_search_en_idx on consultations.consultation using gin ((${document('english')}))`)
    .execute(db)
  await sql
    .raw(
      `create index consultation_gaelic_search_idx on consultations.consultation_gaelic using gin ((${document('simple')}))`,
    )
    .execute(db)

  await db.schema
    .withSchema('consultations')
    .createTable('subscription')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull())
    // lower case: one subscription per address and interest
    .addColumn('email_key', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull().check(sql`locale in ('en', 'gd')`))
    .addColumn('organisation_id', 'uuid', (c) => c.references('core.organisation.id').onDelete('cascade'))
    .addColumn('topic', 'text')
    .addColumn('confirmed_at', 'timestamptz')
    .addColumn('confirmation_sent_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('subscription_interest_check', sql`organisation_id is not null or topic is not null`)
    .execute()
  await sql`alter table consultations.subscription add constraint subscription_interest_key unique nulls not distinct (email_key, organisation_id, topic)`.execute(
    db,
  )
  await db.schema
    .withSchema('consultations')
    .createIndex('subscription_organisation_idx')
    .on('subscription')
    .columns(['organisation_id', 'email_key'])
    .where(sql.ref('confirmed_at'), 'is not', null)
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('subscription_topic_idx')
    .on('subscription')
    .columns(['topic', 'email_key'])
    .where(sql.ref('confirmed_at'), 'is not', null)
    .execute()

  // A consultation whose opening has been (or is being) announced to subscribers.
  await db.schema
    .withSchema('consultations')
    .createTable('announcement')
    .addColumn('consultation_id', 'uuid', (c) =>
      c.primaryKey().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('notices', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()

  await db.schema
    .withSchema('consultations')
    .createTable('subscription_notice')
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    // a hash of the lower-case address, so the record outlives an unsubscription without keeping the address
    .addColumn('recipient_hash', 'text', (c) => c.notNull())
    .addColumn('subscription_id', 'uuid', (c) => c.references('consultations.subscription.id').onDelete('set null'))
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // never twice for the same consultation and address, whichever of their subscriptions matched
    .addPrimaryKeyConstraint('subscription_notice_pkey', ['consultation_id', 'recipient_hash'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('consultations').dropTable('subscription_notice').ifExists().execute()
  await db.schema.withSchema('consultations').dropTable('announcement').ifExists().execute()
  await db.schema.withSchema('consultations').dropTable('subscription').ifExists().execute()
  await sql`drop index if exists consultations.consultation_search_en_idx`.execute(db)
  await db.schema.withSchema('consultations').dropTable('consultation_gaelic').ifExists().execute()
  await db.schema.withSchema('consultations').dropTable('consultation_topic').ifExists().execute()
}

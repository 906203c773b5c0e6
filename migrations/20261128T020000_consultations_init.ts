// Frozen in time: imports nothing from src/.
// The consultations module's own schema: consultations with their questionnaires, respondents'
// answers kept between the steps of a response (keyed by a random id held in a cookie), and
// submitted responses (one per draft: a double submission finds the first).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema('consultations').ifNotExists().execute()

  await db.schema
    .withSchema('consultations')
    .createTable('consultation')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('restrict'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('body_markdown', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz')
    // the status last recorded by the open-close job; pages compute it from the dates
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'forthcoming', 'open', 'closed')`),
    )
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('consultation_dates_check', sql`closes_at > opens_at`)
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('consultation_organisation_idx')
    .on('consultation')
    .columns(['organisation_id', 'opens_at'])
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('consultation_published_idx')
    .on('consultation')
    .columns(['published_at', 'closes_at'])
    .execute()

  await db.schema
    .withSchema('consultations')
    .createTable('question')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) =>
      c
        .notNull()
        .check(
          sql`type in ('short-text', 'long-text', 'single-choice', 'multiple-choice', 'email', 'postcode', 'number')`,
        ),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('hint', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('required', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('max_length', 'integer')
    .addColumn('options', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('question_consultation_idx')
    .on('question')
    .columns(['consultation_id', 'position'])
    .execute()

  await db.schema
    .withSchema('consultations')
    .createTable('response_draft')
    // sha256 of the random id in the respondent's cookie
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('answers', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('respondent', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('response_draft_updated_idx')
    .on('response_draft')
    .column('updated_at')
    .execute()

  await db.schema
    .withSchema('consultations')
    .createTable('response')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('restrict'),
    )
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    // the draft it came from: a second submission of the same draft finds this response
    .addColumn('draft_hash', 'text', (c) => c.unique())
    .addColumn('channel', 'text', (c) =>
      c
        .notNull()
        .defaultTo('online')
        .check(sql`channel in ('online', 'post', 'email')`),
    )
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .addColumn('respondent_type', 'text', (c) =>
      c.notNull().check(sql`respondent_type in ('individual', 'organisation')`),
    )
    .addColumn('respondent_name', 'text', (c) => c.notNull())
    .addColumn('respondent_organisation', 'text')
    .addColumn('email', 'text')
    .addColumn('publication', 'text', (c) =>
      c.notNull().check(sql`publication in ('publish-with-name', 'publish-without-name', 'do-not-publish')`),
    )
    .addColumn('may_contact', 'boolean', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('response_consultation_idx')
    .on('response')
    .columns(['consultation_id', 'submitted_at', 'id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropSchema('consultations').ifExists().cascade().execute()
}

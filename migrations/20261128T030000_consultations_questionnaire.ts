// Frozen in time: imports nothing from src/.
// The questionnaire grows: sections with titles and introductions, how respondents are paged
// through it (everything on one page, a section a page, or a question a page), questions shown
// only when an earlier choice has a given value, and three new types (a choice grid, a date, a
// file upload) with "other, please specify" for multiple choice and limits for numbers. Drafts
// can be resumed from an emailed link (only the link's hash is kept, with its expiry), and a
// signed-in respondent's response remembers their account.
import { sql, type Kysely } from 'kysely'

const types = [
  'short-text',
  'long-text',
  'single-choice',
  'multiple-choice',
  'email',
  'postcode',
  'number',
  'choice-grid',
  'date',
  'file',
]

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('consultations')
    .createTable('section')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('intro', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .withSchema('consultations')
    .createIndex('section_consultation_idx')
    .on('section')
    .columns(['consultation_id', 'position'])
    .execute()

  await db.schema
    .withSchema('consultations')
    .alterTable('consultation')
    .addColumn('paging', 'text', (c) =>
      c
        .notNull()
        .defaultTo('all')
        .check(sql`paging in ('all', 'section', 'question')`),
    )
    .execute()

  await sql`alter table consultations.question drop constraint if exists question_type_check`.execute(db)
  await sql`alter table consultations.question add constraint question_type_check check (type in (${sql.join(
    types.map((t) => sql.lit(t)),
  )}))`.execute(db)
  await db.schema
    .withSchema('consultations')
    .alterTable('question')
    // questions outside any section come first
    .addColumn('section_id', 'uuid', (c) => c.references('consultations.section.id').onDelete('set null'))
    // choice grid only: its rows (the options are its columns)
    .addColumn('grid_rows', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // multiple choice only: an "Other, please specify" answer with a text box
    .addColumn('allow_other', 'boolean', (c) => c.notNull().defaultTo(false))
    // number only: the smallest and largest acceptable answers
    .addColumn('min_value', 'numeric')
    .addColumn('max_value', 'numeric')
    // { questionId, value }: shown only when that earlier choice question's answer is (or includes) value
    .addColumn('condition', 'jsonb')
    .execute()

  await db.schema
    .withSchema('consultations')
    .alterTable('response_draft')
    .addColumn('resume_hash', 'text', (c) => c.unique())
    .addColumn('resume_expires_at', 'timestamptz')
    .addColumn('account_id', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .execute()
  await db.schema
    .withSchema('consultations')
    .alterTable('response')
    .addColumn('account_id', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('consultations').alterTable('response').dropColumn('account_id').execute()
  await db.schema
    .withSchema('consultations')
    .alterTable('response_draft')
    .dropColumn('resume_hash')
    .dropColumn('resume_expires_at')
    .dropColumn('account_id')
    .execute()
  await db.schema
    .withSchema('consultations')
    .alterTable('question')
    .dropColumn('section_id')
    .dropColumn('grid_rows')
    .dropColumn('allow_other')
    .dropColumn('min_value')
    .dropColumn('max_value')
    .dropColumn('condition')
    .execute()
  await db.schema.withSchema('consultations').alterTable('consultation').dropColumn('paging').execute()
  await db.schema.withSchema('consultations').dropTable('section').execute()
}

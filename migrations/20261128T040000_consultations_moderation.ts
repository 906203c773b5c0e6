// Frozen in time: imports nothing from src/.
// Moderation, publication, outcome, offline responses and integration for consultations:
// - answer_moderation: the current decision on each free-text answer (approved, or redacted by
//   character spans of the original text), and moderation_decision: every decision ever made;
// - response_publication: whether the body publishes a consultation's responses;
// - outcome and outcome_document: "We asked, you said, we did";
// - offline_response and offline_import: responses received by post or email, and CSV imports;
// - webhook and webhook_delivery: a body's webhooks and the log of every delivery.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('consultations')

  await s
    .createTable('answer_moderation')
    .addColumn('response_id', 'uuid', (c) => c.notNull().references('consultations.response.id').onDelete('cascade'))
    // the question's id, or "<question id>:other" for the text of "Other, please specify"
    .addColumn('answer_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'approved', 'redacted')`))
    // [{ start, end, reason }] as offsets (UTF-16 code units) into the original answer
    .addColumn('redactions', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('decided_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('answer_moderation_pkey', ['response_id', 'answer_key'])
    .execute()

  await s
    .createTable('moderation_decision')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('response_id', 'uuid', (c) => c.notNull().references('consultations.response.id').onDelete('cascade'))
    .addColumn('answer_key', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) =>
      c.notNull().check(sql`action in ('approve', 'redact', 'remove-redaction', 'reopen')`),
    )
    .addColumn('status_after', 'text', (c) => c.notNull())
    .addColumn('redactions_after', 'jsonb', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decided_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('decided_by_name', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await s
    .createIndex('moderation_decision_answer_idx')
    .on('moderation_decision')
    .columns(['response_id', 'answer_key', 'decided_at'])
    .execute()

  await s
    .createTable('response_publication')
    .addColumn('consultation_id', 'uuid', (c) =>
      c.primaryKey().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('published', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('changed_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await s
    .createTable('outcome')
    .addColumn('consultation_id', 'uuid', (c) =>
      c.primaryKey().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('body_markdown', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body_markdown_gd', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('published_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await s
    .createTable('outcome_document')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('file_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('outcome_document_target_check', sql`url is not null or file_id is not null`)
    .execute()
  await s.createIndex('outcome_document_consultation_idx').on('outcome_document').columns(['consultation_id']).execute()

  await s
    .createTable('offline_import')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('consultation_id', 'uuid', (c) =>
      c.notNull().references('consultations.consultation.id').onDelete('cascade'),
    )
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('previewed', 'imported', 'discarded')`))
    // the checked rows, ready to insert; personal data, deleted once imported or discarded
    .addColumn('rows', 'jsonb', (c) => c.notNull())
    .addColumn('row_count', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .execute()

  await s
    .createTable('offline_response')
    .addColumn('response_id', 'uuid', (c) => c.primaryKey().references('consultations.response.id').onDelete('cascade'))
    .addColumn('received_on', 'date', (c) => c.notNull())
    .addColumn('late', 'boolean', (c) => c.notNull())
    .addColumn('import_id', 'uuid', (c) => c.references('consultations.offline_import.id').onDelete('set null'))
    .addColumn('entered_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await s
    .createTable('webhook')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('core.organisation.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    // what has been looked at for events: consultation dates up to this instant, responses up to this one
    .addColumn('dates_checked_to', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('responses_checked_to', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('responses_checked_id', 'uuid')
    .addColumn('created_by', 'uuid', (c) => c.references('core.account.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await s.createIndex('webhook_organisation_idx').on('webhook').columns(['organisation_id']).execute()

  await s
    .createTable('webhook_delivery')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('webhook_id', 'uuid', (c) => c.notNull().references('consultations.webhook.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    // identifies the event, so the same one is never delivered twice to a webhook
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addUniqueConstraint('webhook_delivery_event_unique', ['webhook_id', 'event_key'])
    .execute()
  await s
    .createIndex('webhook_delivery_webhook_idx')
    .on('webhook_delivery')
    .columns(['webhook_id', 'created_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('consultations')
  for (const table of [
    'webhook_delivery',
    'webhook',
    'offline_response',
    'offline_import',
    'outcome_document',
    'outcome',
    'response_publication',
    'moderation_decision',
    'answer_moderation',
  ])
    await s.dropTable(table).ifExists().execute()
}

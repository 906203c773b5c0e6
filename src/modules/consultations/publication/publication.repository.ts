// The SQL of publication and outcome: the switch per consultation, the responses that may be
// published (never "do not publish"), and the outcome text and documents.
import { sql } from 'kysely'
import type { Answers, RespondentInfo } from '../consultation.types.js'
import { tables, type Executor } from '../moderation/moderation.repository.js'

export type PublishableResponse = {
  id: string
  reference: string
  channel: string
  submittedAt: Date
  respondentType: RespondentInfo['respondentType']
  name: string
  organisationName: string
  publication: RespondentInfo['publication']
  answers: Answers
}

export type Outcome = {
  consultationId: string
  bodyMarkdown: string
  bodyMarkdownGd: string
  publishedAt: Date | null
  updatedAt: Date
}

export type OutcomeDocument = { id: string; title: string; url: string | null; fileId: string | null; createdAt: Date }

export class PublicationRepository {
  async setting(executor: Executor, consultationId: string): Promise<{ published: boolean; changedAt: Date } | null> {
    const row = await tables(executor)
      .selectFrom('consultations.response_publication')
      .select(['published', 'changed_at'])
      .where('consultation_id', '=', consultationId)
      .executeTakeFirst()
    return row ? { published: row.published, changedAt: new Date(row.changed_at) } : null
  }

  async setPublished(executor: Executor, consultationId: string, published: boolean, by: string | null): Promise<void> {
    await tables(executor)
      .insertInto('consultations.response_publication')
      .values({ consultation_id: consultationId, published, changed_by: by, changed_at: new Date() })
      .onConflict((oc) =>
        oc.column('consultation_id').doUpdateSet({ published, changed_by: by, changed_at: new Date() }),
      )
      .execute()
  }

  async markAnnounced(executor: Executor, consultationId: string): Promise<void> {
    await tables(executor)
      .updateTable('consultations.response_publication')
      .set({ announced_at: new Date() })
      .where('consultation_id', '=', consultationId)
      .execute()
  }

  /** Published consultations with a moderation decision newer than their last announcement. */
  async changedSinceAnnounced(executor: Executor): Promise<string[]> {
    const rows = await sql<{ consultation_id: string }>`
      select p.consultation_id from consultations.response_publication p
       where p.published and exists (
         select 1 from consultations.moderation_decision d
           join consultations.response r on r.id = d.response_id
          where r.consultation_id = p.consultation_id
            and d.decided_at > coalesce(p.announced_at, '-infinity'::timestamptz))
       limit 500`.execute(executor)
    return rows.rows.map((r) => r.consultation_id)
  }

  /** Responses whose respondents allowed publication, in submission order; keyset after (submittedAt, id). */
  async publishable(
    executor: Executor,
    consultationId: string,
    options: { limit: number; offset?: number; after?: { submittedAt: Date; id: string } },
  ): Promise<PublishableResponse[]> {
    let query = tables(executor)
      .selectFrom('consultations.response')
      .select([
        'id',
        'reference',
        'channel',
        'submitted_at',
        'respondent_type',
        'respondent_name',
        'respondent_organisation',
        'publication',
        'answers',
      ])
      .where('consultation_id', '=', consultationId)
      .where('publication', 'in', ['publish-with-name', 'publish-without-name'])
    const after = options.after
    if (after)
      query = query.where((eb) =>
        eb.or([
          eb('submitted_at', '>', after.submittedAt),
          eb.and([eb('submitted_at', '=', after.submittedAt), eb('id', '>', after.id)]),
        ]),
      )
    const rows = await query
      .orderBy('submitted_at')
      .orderBy('id')
      .limit(options.limit)
      .offset(options.offset ?? 0)
      .execute()
    return rows.map((r) => ({
      id: r.id,
      reference: r.reference,
      channel: r.channel,
      submittedAt: new Date(r.submitted_at),
      respondentType: r.respondent_type as RespondentInfo['respondentType'],
      name: r.respondent_name,
      organisationName: r.respondent_organisation ?? '',
      publication: r.publication as RespondentInfo['publication'],
      answers: r.answers,
    }))
  }

  async countPublishable(executor: Executor, consultationId: string): Promise<number> {
    const row = await tables(executor)
      .selectFrom('consultations.response')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('consultation_id', '=', consultationId)
      .where('publication', 'in', ['publish-with-name', 'publish-without-name'])
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  // --- outcome ---

  async outcome(executor: Executor, consultationId: string): Promise<Outcome | null> {
    const row = await tables(executor)
      .selectFrom('consultations.outcome')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .executeTakeFirst()
    return row
      ? {
          consultationId: row.consultation_id,
          bodyMarkdown: row.body_markdown,
          bodyMarkdownGd: row.body_markdown_gd,
          publishedAt: row.published_at ? new Date(row.published_at) : null,
          updatedAt: new Date(row.updated_at),
        }
      : null
  }

  /** Consultations among these whose outcome is published. */
  async outcomesPublished(executor: Executor, consultationIds: string[]): Promise<Set<string>> {
    if (consultationIds.length === 0) return new Set()
    const rows = await tables(executor)
      .selectFrom('consultations.outcome')
      .select('consultation_id')
      .where('consultation_id', 'in', consultationIds)
      .where('published_at', 'is not', null)
      .execute()
    return new Set(rows.map((r) => r.consultation_id))
  }

  async saveOutcome(executor: Executor, consultationId: string, body: string, bodyGd: string): Promise<void> {
    await tables(executor)
      .insertInto('consultations.outcome')
      .values({ consultation_id: consultationId, body_markdown: body, body_markdown_gd: bodyGd })
      .onConflict((oc) =>
        oc
          .column('consultation_id')
          .doUpdateSet({ body_markdown: body, body_markdown_gd: bodyGd, updated_at: new Date() }),
      )
      .execute()
  }

  async setOutcomePublished(executor: Executor, consultationId: string, at: Date | null): Promise<void> {
    await tables(executor)
      .updateTable('consultations.outcome')
      .set({ published_at: at, updated_at: new Date() })
      .where('consultation_id', '=', consultationId)
      .execute()
  }

  async documents(executor: Executor, consultationId: string): Promise<OutcomeDocument[]> {
    const rows = await tables(executor)
      .selectFrom('consultations.outcome_document')
      .selectAll()
      .where('consultation_id', '=', consultationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      url: r.url,
      fileId: r.file_id,
      createdAt: new Date(r.created_at),
    }))
  }

  async addDocument(
    executor: Executor,
    consultationId: string,
    title: string,
    url: string | null,
    fileId: string | null,
  ): Promise<OutcomeDocument> {
    const r = await tables(executor)
      .insertInto('consultations.outcome_document')
      .values({ consultation_id: consultationId, title, url, file_id: fileId })
      .returningAll()
      .executeTakeFirstOrThrow()
    return { id: r.id, title: r.title, url: r.url, fileId: r.file_id, createdAt: new Date(r.created_at) }
  }

  async removeDocument(executor: Executor, consultationId: string, id: string): Promise<OutcomeDocument | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const r = await tables(executor)
      .deleteFrom('consultations.outcome_document')
      .where('consultation_id', '=', consultationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    return r ? { id: r.id, title: r.title, url: r.url, fileId: r.file_id, createdAt: new Date(r.created_at) } : null
  }
}

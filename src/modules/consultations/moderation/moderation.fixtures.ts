// Test data for moderation, publication and offline responses: a published consultation with its
// questions and responses, written as the consultations module stores them.
import type { Kernel } from '../../../platform/kernel.js'
import { newReference } from '../consultation.service.js'
import type { Answers } from '../consultation.types.js'
import { tables } from './moderation.repository.js'

export type FixtureQuestion = { type: string; title: string; options?: string[]; required?: boolean }

const DAY = 86_400_000

export async function makeConsultation(
  kernel: Kernel,
  organisationId: string,
  options: { title?: string; questions: FixtureQuestion[]; opensIn?: number; closesIn?: number },
): Promise<{ id: string; questionIds: string[] }> {
  const db = tables(kernel.db)
  const now = Date.now()
  const opensAt = new Date(now + (options.opensIn ?? -DAY))
  const closesAt = new Date(now + (options.closesIn ?? 30 * DAY))
  const status = opensAt.getTime() > now ? 'forthcoming' : closesAt.getTime() <= now ? 'closed' : 'open'
  const c = await db
    .insertInto('consultations.consultation')
    .values({
      organisation_id: organisationId,
      title: options.title ?? 'Local bus services',
      summary: 'What do you think of the buses?',
      body_markdown: '',
      opens_at: opensAt,
      closes_at: closesAt,
      published_at: new Date(now - 2 * DAY),
      status,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const questionIds: string[] = []
  for (const [i, q] of options.questions.entries()) {
    const row = await db
      .insertInto('consultations.question')
      .values({
        consultation_id: c.id,
        position: i + 1,
        type: q.type,
        title: q.title,
        hint: '',
        required: q.required ?? false,
        max_length: q.type === 'long-text' ? 5000 : null,
        options: JSON.stringify(q.options ?? []),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    questionIds.push(row.id)
  }
  return { id: c.id, questionIds }
}

export async function addResponse(
  kernel: Kernel,
  consultationId: string,
  r: {
    answers: Answers
    name?: string
    respondentType?: 'individual' | 'organisation'
    organisationName?: string
    email?: string
    publication: 'publish-with-name' | 'publish-without-name' | 'do-not-publish'
    submittedAt?: Date
  },
): Promise<{ id: string; reference: string }> {
  return tables(kernel.db)
    .insertInto('consultations.response')
    .values({
      consultation_id: consultationId,
      reference: newReference(),
      draft_hash: null,
      answers: JSON.stringify(r.answers),
      respondent_type: r.respondentType ?? 'individual',
      respondent_name: r.name ?? 'Ailsa Craig',
      respondent_organisation: r.organisationName ?? null,
      email: r.email ?? 'ailsa@example.com',
      publication: r.publication,
      may_contact: false,
      submitted_at: r.submittedAt ?? new Date(),
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow()
}

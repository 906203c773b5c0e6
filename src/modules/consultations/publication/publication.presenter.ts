// Published responses and outcomes as API bodies, CSV rows and view models: whitelists of fields,
// built only from what PublicationService lets the public see.
import { Type, type Static } from '@sinclair/typebox'
import { renderMarkdown } from '../consultation.presenter.js'
import type { Question } from '../consultation.types.js'
import type { Outcome, OutcomeDocument } from './publication.repository.js'
import type { PublishedAnswer, PublishedResponse } from './publication.service.js'

export const PublishedAnswerSchema = Type.Object({
  questionId: Type.String(),
  question: Type.String(),
  other: Type.Boolean({ description: 'the text given for "Other, please specify"' }),
  state: Type.String({ enum: ['published', 'awaiting-moderation'] }),
  value: Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()]),
  redacted: Type.Boolean(),
})

export const PublishedResponseSchema = Type.Object(
  {
    reference: Type.String(),
    submittedAt: Type.String({ format: 'date-time' }),
    respondentType: Type.String({ enum: ['individual', 'organisation'] }),
    name: Type.Union([Type.String(), Type.Null()]),
    organisationName: Type.Union([Type.String(), Type.Null()]),
    answers: Type.Array(PublishedAnswerSchema),
  },
  { $id: 'PublishedConsultationResponse' },
)

export const OutcomeSchema = Type.Object({
  consultationId: Type.String({ format: 'uuid' }),
  title: Type.String(),
  publishedAt: Type.String({ format: 'date-time' }),
  bodyMarkdown: Type.String(),
  bodyHtml: Type.String(),
  bodyMarkdownGd: Type.Union([Type.String(), Type.Null()]),
  documents: Type.Array(Type.Object({ title: Type.String(), url: Type.String() })),
  responsesUrl: Type.Union([Type.String(), Type.Null()]),
})

export const PublishedPageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
})

export function publishedToApi(r: PublishedResponse): Static<typeof PublishedResponseSchema> {
  return {
    reference: r.reference,
    submittedAt: r.submittedAt.toISOString(),
    respondentType: r.respondentType,
    name: r.name,
    organisationName: r.organisationName,
    answers: r.answers.map((a) => ({
      questionId: a.questionId,
      question: a.question,
      other: a.other,
      state: a.state,
      value: a.value,
      redacted: a.redacted,
    })),
  }
}

export function publishedCsvColumns(questions: Question[]): string[] {
  return [
    'reference',
    'submitted_at',
    'respondent_type',
    'name',
    'organisation_name',
    ...questions.map((q, i) => `q${i + 1}: ${q.title}`),
  ]
}

export function publishedCsvRow(r: PublishedResponse, questions: Question[], awaiting: string): string[] {
  const byQuestion = new Map<string, PublishedAnswer[]>()
  for (const a of r.answers) byQuestion.set(a.questionId, [...(byQuestion.get(a.questionId) ?? []), a])
  return [
    r.reference,
    r.submittedAt.toISOString(),
    r.respondentType,
    r.name ?? '',
    r.organisationName ?? '',
    ...questions.map((q) =>
      (byQuestion.get(q.id) ?? [])
        .map((a) =>
          a.state === 'awaiting-moderation' ? awaiting : Array.isArray(a.value) ? a.value.join('; ') : (a.value ?? ''),
        )
        .join('; '),
    ),
  ]
}

export function outcomeToApi(
  consultation: { id: string; title: string },
  outcome: Outcome,
  documents: OutcomeDocument[],
  baseUrl: string,
  responsesPublished: boolean,
): Static<typeof OutcomeSchema> {
  return {
    consultationId: consultation.id,
    title: consultation.title,
    publishedAt: (outcome.publishedAt ?? outcome.updatedAt).toISOString(),
    bodyMarkdown: outcome.bodyMarkdown,
    bodyHtml: renderMarkdown(outcome.bodyMarkdown),
    bodyMarkdownGd: outcome.bodyMarkdownGd || null,
    documents: documents.map((d) => ({
      title: d.title,
      url: d.url ?? `${baseUrl}/consultations/${consultation.id}/outcome/documents/${d.id}`,
    })),
    responsesUrl: responsesPublished ? `${baseUrl}/consultations/${consultation.id}/published-responses` : null,
  }
}

// The published responses of each consultation as a dataset that the open-data module publishes:
// the same rows as the public CSV download, honouring every publication choice and redaction.
import type { DatasetColumn, DatasetProvider } from '../../../platform/datasets/dataset-outlet.js'
import type { Translate } from '../../../platform/i18n/i18n.js'
import type { Question } from '../consultation.types.js'
import { PUBLISHED_RESPONSES_PROVIDER, type PublicationService } from '../publication/publication.service.js'
import { redactionLabel } from '../publication/web/publication.web.js'

/** Questions with their column names (q1… by questionnaire position, as in the CSV download); no files. */
const numbered = (questions: Question[]) =>
  questions.map((q, i) => ({ q, column: `q${i + 1}` })).filter(({ q }) => (q.type as string) !== 'file')

export function publishedResponsesProvider(publication: PublicationService, en: Translate): DatasetProvider {
  const label = redactionLabel(en)
  return {
    id: PUBLISHED_RESPONSES_PROVIDER,
    describe: async (key) => {
      const found = await publication.publicConsultation(key).catch(() => null)
      if (!found) return null
      const columns: DatasetColumn[] = [
        { name: 'reference', title: 'Response reference', type: 'text' },
        { name: 'submitted_at', title: 'Received', type: 'datetime' },
        { name: 'respondent_type', title: 'Responding as', type: 'text', description: 'individual or organisation' },
        { name: 'name', title: 'Name', type: 'text', description: 'Only where the respondent chose to be named' },
        { name: 'organisation_name', title: 'Organisation', type: 'text' },
        ...numbered(found.questions).map(({ q, column }) => ({
          name: column,
          title: q.title,
          type: 'text' as const,
          description: 'Empty while a free-text answer waits for moderation; redacted words are replaced by the reason',
        })),
      ]
      return {
        key,
        organisationId: found.organisation.id,
        title: `Published responses: ${found.consultation.title}`,
        description: `Responses to "${found.consultation.title}" that ${found.organisation.nameEn} has published with the respondents' permission, each answer as moderated.`,
        keywords: ['consultation', 'responses'],
        landingPage: `/consultations/${key}/published-responses`,
        columns,
        updatedAt: new Date(),
      }
    },
    rows: async function* (key) {
      const found = await publication.publicConsultation(key)
      const questions = numbered(found.questions)
      for await (const r of publication.allPublic(key, label)) {
        const row: Record<string, unknown> = {
          reference: r.reference,
          submitted_at: r.submittedAt,
          respondent_type: r.respondentType,
          name: r.name,
          organisation_name: r.organisationName,
        }
        for (const { q, column } of questions) {
          const parts = r.answers
            .filter((a) => a.questionId === q.id && a.state === 'published')
            .map((a) => (Array.isArray(a.value) ? a.value.join('; ') : (a.value ?? '')))
          row[column] = parts.length > 0 ? parts.join('; ') : null
        }
        yield row
      }
    },
  }
}

// Domain → API body, domain → view model, domain → CSV row: each a whitelist of fields.
import { renderMarkdown } from '../../shared/markdown.js'
import type { Static } from '@sinclair/typebox'
import type { Translate } from '../../platform/i18n/i18n.js'
import { formatDateTime } from '../../shared/dates.js'
import type { ConsultationDetailSchema, ConsultationSchema, ResponseSchema } from './consultation.schemas.js'
import type { WithOrganisation, WithQuestionnaire } from './consultation.service.js'
import { fileNameKey, otherKey } from './consultation.answers.js'
import type { Answers, ConsultationResponse, Question } from './consultation.types.js'
export { renderMarkdown }

const publicStatus = (status: string) =>
  (status === 'draft' ? 'forthcoming' : status) as 'forthcoming' | 'open' | 'closed'

const organisationToApi = (o: WithOrganisation['organisation']) => ({
  id: o.id,
  slug: o.slug,
  nameEn: o.nameEn,
  nameGd: o.nameGd,
})

export function consultationToApi(w: WithOrganisation, baseUrl: string): Static<typeof ConsultationSchema> {
  const c = w.consultation
  return {
    id: c.id,
    title: c.title,
    summary: c.summary,
    status: publicStatus(w.status),
    organisation: organisationToApi(w.organisation),
    opensAt: c.opensAt.toISOString(),
    closesAt: c.closesAt.toISOString(),
    url: `${baseUrl}/consultations/${c.id}`,
  }
}

export function questionToApi(q: Question) {
  return {
    id: q.id,
    position: q.position,
    type: q.type,
    title: q.title,
    hint: q.hint,
    required: q.required,
    maxLength: q.maxLength,
    options: q.options,
    sectionId: q.sectionId,
    rows: q.rows,
    allowOther: q.allowOther,
    minValue: q.minValue,
    maxValue: q.maxValue,
    condition: q.condition,
  }
}

export function consultationDetailToApi(
  w: WithQuestionnaire,
  baseUrl: string,
  documents: { id: string; filename: string; contentType: string; size: number }[] = [],
): Static<typeof ConsultationDetailSchema> {
  const { url, ...rest } = consultationToApi(w, baseUrl)
  return {
    ...rest,
    url,
    bodyMarkdown: w.consultation.bodyMarkdown,
    bodyHtml: renderMarkdown(w.consultation.bodyMarkdown),
    paging: w.consultation.paging,
    sections: w.sections.map((x) => ({ id: x.id, position: x.position, title: x.title, intro: x.intro })),
    questions: w.questions.map(questionToApi),
    documents: documents.map((d) => ({
      id: d.id,
      filename: d.filename,
      contentType: d.contentType,
      size: d.size,
      url: `${baseUrl}/consultations/${w.consultation.id}/documents/${d.id}`,
    })),
  }
}

export function responseToApi(r: ConsultationResponse, questions: Question[]): Static<typeof ResponseSchema> {
  return {
    id: r.id,
    reference: r.reference,
    channel: r.channel,
    submittedAt: r.submittedAt.toISOString(),
    respondent: {
      type: r.respondent.respondentType,
      name: r.respondent.name,
      organisationName: r.respondent.organisationName || null,
      email: r.respondent.email || null,
      publication: r.respondent.publication,
      mayContact: r.respondent.mayContact,
    },
    answers: questions
      .filter((q) => r.answers[q.id] !== undefined)
      .map((q) => {
        const other = r.answers[otherKey(q.id)]
        return { questionId: q.id, value: r.answers[q.id]!, ...(typeof other === 'string' ? { other } : {}) }
      }),
  }
}

export const CONSULTATION_CSV_COLUMNS = [
  'id',
  'title',
  'organisation',
  'organisation_slug',
  'status',
  'opens_at',
  'closes_at',
  'url',
]

export function consultationCsvRow(w: WithOrganisation, baseUrl: string): string[] {
  const c = w.consultation
  return [
    c.id,
    c.title,
    w.organisation.nameEn,
    w.organisation.slug,
    publicStatus(w.status),
    c.opensAt.toISOString(),
    c.closesAt.toISOString(),
    `${baseUrl}/consultations/${c.id}`,
  ]
}

/**
 * An answer as one line of text: choices joined with "; " (with the text of "other" last), a
 * grid as "row: column" pairs, a date as day/month/year. Given only an id (no question), the raw value.
 */
export function answerText(answers: Answers, questionOrId: Question | string, locale = 'en'): string {
  const question = typeof questionOrId === 'string' ? null : questionOrId
  const id = typeof questionOrId === 'string' ? questionOrId : questionOrId.id
  const value = answers[id]
  const other = answers[otherKey(id)]
  if (value === undefined && other === undefined) return ''
  if (question?.type === 'choice-grid' && Array.isArray(value))
    return question.rows
      .map((row, i) => (value[i] ? `${row}: ${value[i]}` : ''))
      .filter((v) => v !== '')
      .join('; ')
  if (question?.type === 'date' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value))
    return new Intl.DateTimeFormat(locale === 'gd' ? 'gd-GB' : 'en-GB', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date(`${value}T00:00:00Z`))
  if (question?.type === 'file') {
    const name = answers[fileNameKey(id)]
    return typeof name === 'string' && name !== '' ? name : typeof value === 'string' ? value : ''
  }
  const parts = Array.isArray(value) ? [...value] : value ? [value] : []
  if (typeof other === 'string' && other !== '') parts.push(other)
  return parts.join('; ')
}

/** The answers as plain text, for the emailed receipt: each question, then its answer. */
export function answersAsText(questions: Question[], answers: Answers, t: Translate, locale = 'en'): string {
  return questions
    .map((q) => {
      const value = answerText(answers, q, locale)
      return `${q.title}\n${value === '' ? t('consultations.answer.notAnswered') : value}`
    })
    .join('\n\n')
}

export function responseCsvColumns(questions: Question[]): string[] {
  return [
    'reference',
    'submitted_at',
    'channel',
    'respondent_type',
    'name',
    'organisation_name',
    'email',
    'publication',
    'may_contact',
    ...questions.map((q, i) => `q${i + 1}: ${q.title}`),
  ]
}

export function responseCsvRow(r: ConsultationResponse, questions: Question[]): string[] {
  return [
    r.reference,
    r.submittedAt.toISOString(),
    r.channel,
    r.respondent.respondentType,
    r.respondent.name,
    r.respondent.organisationName,
    r.respondent.email,
    r.respondent.publication,
    r.respondent.mayContact ? 'yes' : 'no',
    ...questions.map((q) => answerText(r.answers, q)),
  ]
}

/** A consultation for the pages: its dates in words and its status as a tag. */
export function consultationView(w: WithOrganisation, t: Translate, locale: string) {
  const c = w.consultation
  return {
    id: c.id,
    title: c.title,
    summary: c.summary,
    status: w.status,
    statusText: t(`consultations.status.${w.status}`),
    statusColour:
      w.status === 'open' ? 'green' : w.status === 'closed' ? 'grey' : w.status === 'forthcoming' ? 'blue' : 'orange',
    organisation: w.organisation,
    organisationName: locale === 'gd' && w.organisation.nameGd ? w.organisation.nameGd : w.organisation.nameEn,
    opens: formatDateTime(c.opensAt, locale),
    closes: formatDateTime(c.closesAt, locale),
    opensAt: c.opensAt,
    closesAt: c.closesAt,
    published: c.publishedAt !== null,
  }
}

const documentKinds: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/vnd.oasis.opendocument.text': 'OpenDocument',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel',
  'application/vnd.oasis.opendocument.spreadsheet': 'OpenDocument',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'PowerPoint',
  'text/csv': 'CSV',
  'text/plain': 'Text',
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
}

/** A file's size as people read it: "812 bytes", "14 KB", "2.3 MB". */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`
}

/** A supporting document for the pages: where to get it, its kind and size. */
export function documentView(file: { id: string; filename: string; contentType: string; size: number }, href: string) {
  return {
    id: file.id,
    filename: file.filename,
    href,
    kind: documentKinds[file.contentType] ?? file.contentType,
    size: fileSize(file.size),
  }
}

/** Summary-list rows of the answers, for "Check your answers" and the staff view. */
export function answerRows(questions: Question[], answers: Answers, t: Translate, changeHref?: string, locale = 'en') {
  return questions.map((q) => {
    const value = answerText(answers, q, locale)
    return {
      key: q.title,
      value: value === '' ? t('consultations.answer.notAnswered') : value,
      ...(changeHref ? { action: { href: `${changeHref}#q-${q.id}`, text: t('consultations.check.change') } } : {}),
    }
  })
}

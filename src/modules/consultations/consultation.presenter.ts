// Domain → API body, domain → view model, domain → CSV row: each a whitelist of fields.
import { marked } from 'marked'
import sanitizeHtml from 'sanitize-html'
import type { Static } from '@sinclair/typebox'
import type { Translate } from '../../platform/i18n/i18n.js'
import { formatDateTime } from '../../shared/dates.js'
import type { ConsultationDetailSchema, ConsultationSchema, ResponseSchema } from './consultation.schemas.js'
import type { WithOrganisation } from './consultation.service.js'
import type { Answers, ConsultationResponse, Question } from './consultation.types.js'

/** Markdown as HTML safe to put on a page: no scripts, styles, event handlers or unsafe links. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true })
  return sanitizeHtml(html, {
    allowedTags: [
      'h2',
      'h3',
      'h4',
      'p',
      'br',
      'hr',
      'ul',
      'ol',
      'li',
      'strong',
      'em',
      'a',
      'blockquote',
      'code',
      'pre',
      'table',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
    ],
    allowedAttributes: { a: ['href', 'title'], th: ['scope'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    // A heading level 1 belongs to the page; the body's own headings start at level 2.
    transformTags: { h1: 'h2', a: sanitizeHtml.simpleTransform('a', { class: 'ds_link' }) },
    allowedClasses: { a: ['ds_link'] },
  })
}

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
  }
}

export function consultationDetailToApi(
  w: WithOrganisation & { questions: Question[] },
  baseUrl: string,
): Static<typeof ConsultationDetailSchema> {
  const { url, ...rest } = consultationToApi(w, baseUrl)
  return {
    ...rest,
    url,
    bodyMarkdown: w.consultation.bodyMarkdown,
    bodyHtml: renderMarkdown(w.consultation.bodyMarkdown),
    questions: w.questions.map(questionToApi),
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
      .map((q) => ({ questionId: q.id, value: r.answers[q.id]! })),
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

/** An answer as one line of text: choices joined with "; ". */
export function answerText(answers: Answers, questionId: string): string {
  const value = answers[questionId]
  if (value === undefined) return ''
  return Array.isArray(value) ? value.join('; ') : value
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
    ...questions.map((q) => answerText(r.answers, q.id)),
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

/** Summary-list rows of the answers, for "Check your answers" and the staff view. */
export function answerRows(questions: Question[], answers: Answers, t: Translate, changeHref?: string) {
  return questions.map((q) => {
    const value = answerText(answers, q.id)
    return {
      key: q.title,
      value: value === '' ? t('consultations.answer.notAnswered') : value,
      ...(changeHref ? { action: { href: `${changeHref}#q-${q.id}`, text: t('consultations.check.change') } } : {}),
    }
  })
}

// Checking a respondent's answers and Respondent Information Form, without I/O. Messages are
// catalogue keys; a problem never loses what was typed (the caller keeps the raw values).
import type { Answers, Question, RespondentInfo } from './consultation.types.js'
import { publicationChoices, respondentTypes } from './consultation.types.js'

export const SHORT_TEXT_MAX = 500
export const LONG_TEXT_DEFAULT_MAX = 5000
export const LONG_TEXT_CEILING = 20_000

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/
// The shapes of UK postcodes, BFPO and Girobank's GIR 0AA.
const POSTCODE = /^(GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$/i

export function normalisePostcode(value: string): string {
  const compact = value.replace(/\s+/g, '').toUpperCase()
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact
}

/** The cleaned answer for a question, and a message key when it is not acceptable. */
export function checkAnswer(
  question: Question,
  raw: string | string[] | undefined,
): { value: string | string[]; error?: string } {
  if (question.type === 'multiple-choice') {
    const list = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).filter((v) => v !== '')
    const chosen = [...new Set(list)]
    if (chosen.some((v) => !question.options.includes(v)))
      return { value: [], error: 'consultations.answer.chooseFromList' }
    if (question.required && chosen.length === 0) return { value: [], error: 'consultations.answer.chooseAtLeastOne' }
    return { value: question.options.filter((o) => chosen.includes(o)) }
  }
  const text = (Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? '')).replace(/\r\n/g, '\n')
  const value = question.type === 'long-text' ? text.trim() : text.trim().replace(/\s+/g, ' ')
  if (value === '')
    return question.required
      ? {
          value,
          error: question.type === 'single-choice' ? 'consultations.answer.chooseOne' : 'consultations.answer.required',
        }
      : { value }
  switch (question.type) {
    case 'short-text':
      return value.length > SHORT_TEXT_MAX ? { value, error: 'consultations.answer.tooLong' } : { value }
    case 'long-text': {
      const max = question.maxLength ?? LONG_TEXT_DEFAULT_MAX
      return [...value].length > max ? { value, error: 'consultations.answer.tooLong' } : { value }
    }
    case 'single-choice':
      return question.options.includes(value) ? { value } : { value: '', error: 'consultations.answer.chooseFromList' }
    case 'email':
      return EMAIL.test(value) && value.length <= 320 ? { value } : { value, error: 'consultations.answer.email' }
    case 'postcode':
      return POSTCODE.test(value.replace(/\s+/g, '')) || POSTCODE.test(value)
        ? { value: normalisePostcode(value) }
        : { value, error: 'consultations.answer.postcode' }
    case 'number': {
      const n = value.replace(/,/g, '')
      return /^-?\d{1,12}(\.\d{1,6})?$/.test(n) ? { value: n } : { value, error: 'consultations.answer.number' }
    }
  }
}

/** Checks every answer; field names are `q-<question id>`. */
export function checkAnswers(
  questions: Question[],
  raw: Record<string, string | string[] | undefined>,
): { answers: Answers; errors: Record<string, string> } {
  const answers: Answers = {}
  const errors: Record<string, string> = {}
  for (const q of questions) {
    const result = checkAnswer(q, raw[q.id])
    answers[q.id] = result.error ? (raw[q.id] ?? (q.type === 'multiple-choice' ? [] : '')) : result.value
    if (result.error) errors[`q-${q.id}`] = result.error
  }
  return { answers, errors }
}

/** True when every required question has an acceptable answer. */
export function answersComplete(questions: Question[], answers: Answers): boolean {
  return Object.keys(checkAnswers(questions, answers).errors).length === 0
}

export type RespondentInput = {
  respondentType: string
  name: string
  organisationName: string
  email: string
  publication: string
  mayContact: string
}

export function checkRespondent(input: RespondentInput): {
  respondent: RespondentInfo | null
  errors: Record<string, string>
} {
  const errors: Record<string, string> = {}
  const name = input.name.trim().replace(/\s+/g, ' ')
  const organisationName = input.organisationName.trim().replace(/\s+/g, ' ')
  const email = input.email.trim()
  if (!(respondentTypes as readonly string[]).includes(input.respondentType))
    errors.respondentType = 'consultations.rif.error.respondentType'
  if (name === '') errors.name = 'consultations.rif.error.name'
  else if (name.length > 200) errors.name = 'consultations.rif.error.nameTooLong'
  if (input.respondentType === 'organisation') {
    if (organisationName === '') errors.organisationName = 'consultations.rif.error.organisationName'
    else if (organisationName.length > 300) errors.organisationName = 'consultations.rif.error.organisationNameTooLong'
  }
  if (email !== '' && (!EMAIL.test(email) || email.length > 320)) errors.email = 'consultations.rif.error.email'
  if (!(publicationChoices as readonly string[]).includes(input.publication))
    errors.publication = 'consultations.rif.error.publication'
  if (input.mayContact !== 'yes' && input.mayContact !== 'no') errors.mayContact = 'consultations.rif.error.mayContact'
  else if (input.mayContact === 'yes' && email === '') errors.email = 'consultations.rif.error.emailForContact'
  if (Object.keys(errors).length > 0) return { respondent: null, errors }
  return {
    respondent: {
      respondentType: input.respondentType as RespondentInfo['respondentType'],
      name,
      organisationName: input.respondentType === 'organisation' ? organisationName : '',
      email,
      publication: input.publication as RespondentInfo['publication'],
      mayContact: input.mayContact === 'yes',
    },
    errors,
  }
}

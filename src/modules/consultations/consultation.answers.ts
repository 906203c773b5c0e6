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

export const isEmail = (value: string) => EMAIL.test(value) && value.length <= 320

export function normalisePostcode(value: string): string {
  const compact = value.replace(/\s+/g, '').toUpperCase()
  return compact.length > 3 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact
}

/** The form value of the "Other, please specify" box of a multiple choice question. */
export const OTHER = '__other__'
export const OTHER_MAX = 500
/** Where the text of "Other, please specify" is kept among the answers. */
export const otherKey = (questionId: string) => `${questionId}:other`

/**
 * Where the name of a file given as an answer is kept among the answers. It does not start with
 * the question's id, so readers that take `<question id>:…` keys as parts of an answer skip it.
 */
export const fileNameKey = (questionId: string) => `filename:${questionId}`
/** Files a respondent may give as an answer, and how large. */
export const ANSWER_FILE_EXTENSIONS = ['pdf', 'docx', 'odt', 'txt', 'png', 'jpg', 'jpeg']
export const ANSWER_FILE_MAX_BYTES = 10 * 1024 * 1024

/** What was submitted for one question, before checking. */
export type RawAnswer = string | string[] | undefined

const first = (raw: RawAnswer) => (Array.isArray(raw) ? (raw[0] ?? '') : (raw ?? ''))
const list = (raw: RawAnswer) =>
  (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).filter((v) => v !== '')

/** A date given as day, month and year, as YYYY-MM-DD; or the message key saying what is wrong. */
export function checkDate(parts: string[]): { value: string } | { error: string } | null {
  const [day, month, year] = [0, 1, 2].map((i) => (parts[i] ?? '').trim())
  if (!day && !month && !year) return null
  if (!day) return { error: 'consultations.answer.date.day' }
  if (!month) return { error: 'consultations.answer.date.month' }
  if (!year) return { error: 'consultations.answer.date.year' }
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d+$/.test(year))
    return { error: 'consultations.answer.date.real' }
  if (!/^\d{4}$/.test(year)) return { error: 'consultations.answer.date.yearDigits' }
  const d = Number(day)
  const m = Number(month)
  const y = Number(year)
  const date = new Date(Date.UTC(y, m - 1, d))
  if (y < 1000 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d)
    return { error: 'consultations.answer.date.real' }
  return { value: `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` }
}

/**
 * The cleaned answer for a question, and a message key when it is not acceptable. `other` is the
 * text of "Other, please specify" (multiple choice only).
 */
export function checkAnswer(
  question: Question,
  raw: RawAnswer,
  other = '',
): { value: string | string[]; other?: string; error?: string } {
  if (question.type === 'multiple-choice') {
    const given = [...new Set(list(raw))]
    const otherText = question.allowOther ? other.trim().replace(/\s+/g, ' ') : ''
    // Without JavaScript the box for "other" is always shown: typing in it is choosing it.
    const otherChosen = question.allowOther && (given.includes(OTHER) || otherText !== '')
    const chosen = given.filter((v) => v !== OTHER || !question.allowOther)
    if (chosen.some((v) => !question.options.includes(v)))
      return { value: [], error: 'consultations.answer.chooseFromList' }
    if (otherChosen && otherText === '') return { value: chosen, error: 'consultations.answer.otherMissing' }
    if (otherText.length > OTHER_MAX) return { value: chosen, error: 'consultations.answer.otherTooLong' }
    if (question.required && chosen.length === 0 && !otherChosen)
      return { value: [], error: 'consultations.answer.chooseAtLeastOne' }
    const value = question.options.filter((o) => chosen.includes(o))
    return otherChosen ? { value, other: otherText } : { value }
  }
  if (question.type === 'choice-grid') {
    const values = question.rows.map((_, i) => (Array.isArray(raw) ? (raw[i] ?? '') : '').trim())
    if (values.some((v) => v !== '' && !question.options.includes(v)))
      return { value: values.map(() => ''), error: 'consultations.answer.chooseFromList' }
    const answered = values.filter((v) => v !== '').length
    if (question.required && answered < values.length)
      return {
        value: values,
        error: answered === 0 ? 'consultations.answer.gridNone' : 'consultations.answer.gridEachRow',
      }
    return { value: answered === 0 ? [] : values }
  }
  if (question.type === 'date') {
    const parts = Array.isArray(raw) ? raw : raw ? raw.split('-').reverse() : []
    const checked = checkDate(parts)
    if (checked === null)
      return question.required ? { value: '', error: 'consultations.answer.date.required' } : { value: '' }
    return 'error' in checked ? { value: parts, error: checked.error } : { value: checked.value }
  }
  const text = first(raw).replace(/\r\n/g, '\n')
  const value = question.type === 'long-text' ? text.trim() : text.trim().replace(/\s+/g, ' ')
  if (value === '')
    return question.required
      ? {
          value,
          error:
            question.type === 'single-choice'
              ? 'consultations.answer.chooseOne'
              : question.type === 'file'
                ? 'consultations.answer.fileRequired'
                : 'consultations.answer.required',
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
      if (!/^-?\d{1,12}(\.\d{1,6})?$/.test(n)) return { value, error: numberMessage(question) }
      const x = Number(n)
      if (
        (question.minValue !== null && x < question.minValue) ||
        (question.maxValue !== null && x > question.maxValue)
      )
        return { value, error: numberMessage(question) }
      return { value: n }
    }
    case 'file':
      return /^[0-9a-f-]{36}$/i.test(value) ? { value } : { value: '', error: 'consultations.answer.fileRequired' }
  }
}

/** The message for a number out of range or not a number, saying what is acceptable. */
function numberMessage(q: Question): string {
  if (q.minValue !== null && q.maxValue !== null) return 'consultations.answer.numberBetween'
  if (q.minValue !== null) return 'consultations.answer.numberMin'
  if (q.maxValue !== null) return 'consultations.answer.numberMax'
  return 'consultations.answer.number'
}

/**
 * Checks the answers to these questions; field names are `q-<question id>`. `raw` holds what was
 * submitted by question id (and the text of "other" under otherKey). On a problem the raw value is
 * kept, so the page shows what was typed.
 */
export function checkAnswers(
  questions: Question[],
  raw: Record<string, RawAnswer>,
): { answers: Answers; errors: Record<string, string> } {
  const answers: Answers = {}
  const errors: Record<string, string> = {}
  for (const q of questions) {
    const otherRaw = first(raw[otherKey(q.id)])
    const result = checkAnswer(q, raw[q.id], otherRaw)
    if (result.error) {
      answers[q.id] = raw[q.id] ?? (q.type === 'multiple-choice' || q.type === 'choice-grid' ? [] : '')
      if (q.allowOther && otherRaw !== '') answers[otherKey(q.id)] = otherRaw
      errors[`q-${q.id}`] = result.error
    } else {
      answers[q.id] = result.value
      if (result.other !== undefined) answers[otherKey(q.id)] = result.other
      const name = first(raw[fileNameKey(q.id)])
      if (q.type === 'file' && result.value !== '' && name !== '') answers[fileNameKey(q.id)] = name
    }
  }
  return { answers, errors }
}

/** True when every one of these (visible) questions has an acceptable answer. */
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

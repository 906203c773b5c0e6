// Reading responses received by post or email, without I/O: from the staff form, and from the
// rows of a CSV file. Every problem is reported (a field, or a row and column, and a message key)
// and nothing is accepted in part. Answers are checked as online answers are, except that no
// question is required: a paper response may leave any question out.
import { parse, type Options } from 'csv-parse/sync'
import { checkAnswers, checkRespondent, type RespondentInput } from '../consultation.answers.js'
import type { Answers, Question, RespondentInfo } from '../consultation.types.js'
import { otherKey } from '../moderation/moderation.rules.js'

export const offlineChannels = ['post', 'email'] as const
export type OfflineChannel = (typeof offlineChannels)[number]

export type OfflineResponseInput = {
  channel: OfflineChannel
  receivedOn: string
  answers: Answers
  respondent: RespondentInfo
}

type RawAnswer = string | string[] | undefined

/** Questions as staff transcribe them: all optional; file uploads cannot be entered. */
export const transcribable = (questions: Question[]): Question[] =>
  questions.filter((q) => typeOf(q) !== 'file').map((q) => ({ ...q, required: false }))

type MaybeExtras = Question & { rows?: string[]; allowOther?: boolean }
/** The type as a plain string: question types grow (date, choice grid, file) faster than this code's callers. */
export const typeOf = (q: Question): string => q.type
export const gridRows = (q: Question): string[] => (q as MaybeExtras).rows ?? []
export const allowsOther = (q: Question): boolean => (q as MaybeExtras).allowOther ?? false

/** A date given as 31/01/2026 or 2026-01-31, as YYYY-MM-DD; null when it is not a real date. */
export function parseDay(value: string): string | null {
  const v = value.trim()
  let y: number, m: number, d: number
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v)
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])]
  else {
    match = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(v)
    if (!match) return null
    ;[d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])]
  }
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null
  return date.toISOString().slice(0, 10)
}

/** The received date: a real day, not in the future and not before the consultation opened. */
export function checkReceived(value: string, opensOn: string, today: string): { day?: string; error?: string } {
  if (value.trim() === '') return { error: 'consultations.offline.error.receivedMissing' }
  const day = parseDay(value)
  if (!day) return { error: 'consultations.offline.error.receivedReal' }
  if (day > today) return { error: 'consultations.offline.error.receivedFuture' }
  if (day < opensOn) return { error: 'consultations.offline.error.receivedBeforeOpening' }
  return { day }
}

export type Checked = { input: OfflineResponseInput | null; errors: Record<string, string> }

/** Checks one response; `raw` holds the answers by question id (and "other" texts by otherKey). */
export function checkOffline(
  questions: Question[],
  fields: { channel: string; received: string; respondent: RespondentInput },
  raw: Record<string, RawAnswer>,
  dates: { opensOn: string; today: string },
): Checked {
  const errors: Record<string, string> = {}
  if (!(offlineChannels as readonly string[]).includes(fields.channel))
    errors.channel = 'consultations.offline.error.channel'
  const received = checkReceived(fields.received, dates.opensOn, dates.today)
  if (received.error) errors.receivedDate = received.error
  const { respondent, errors: respondentErrors } = checkRespondent(fields.respondent)
  Object.assign(errors, respondentErrors)
  const { answers, errors: answerErrors } = checkAnswers(transcribable(questions), raw)
  Object.assign(errors, answerErrors)
  if (Object.keys(errors).length > 0 || !respondent || !received.day) return { input: null, errors }
  // Empty answers are left out, as an online response leaves out questions it did not show.
  const kept: Answers = {}
  for (const [key, value] of Object.entries(answers))
    if (Array.isArray(value) ? value.some((v) => v !== '') : value !== '') kept[key] = value
  return {
    input: { channel: fields.channel as OfflineChannel, receivedOn: received.day, answers: kept, respondent },
    errors,
  }
}

// --- CSV ---

export const CSV_FIXED_COLUMNS = [
  'channel',
  'received_date',
  'respondent_type',
  'name',
  'organisation_name',
  'email',
  'publication',
  'may_contact',
] as const
export const MAX_IMPORT_ROWS = 5000
const CSV_OPTIONS: Options = { bom: true, relax_column_count: true, skip_empty_lines: true, trim: false }

export type RowError = { row: number; column: string; message: string }

/** The header a question has in an import file: q1, q2…, and "q3 other" for the text of "Other". */
export function questionColumns(questions: Question[]): { column: string; key: string; question: Question }[] {
  const out: { column: string; key: string; question: Question }[] = []
  for (const [i, q] of questions.entries()) {
    if (typeOf(q) === 'file') continue
    out.push({ column: `q${i + 1}`, key: q.id, question: q })
    if (allowsOther(q)) out.push({ column: `q${i + 1} other`, key: otherKey(q.id), question: q })
  }
  return out
}

/** A cell as the raw answer the checks expect: lists split on ";", dates as given. */
function cellToRaw(q: Question, cell: string): RawAnswer {
  if (typeOf(q) === 'multiple-choice' || typeOf(q) === 'choice-grid') {
    if (cell.trim() === '') return []
    return cell.split(';').map((v) => v.trim())
  }
  if (typeOf(q) === 'date') {
    const day = cell.trim() === '' ? '' : parseDay(cell)
    return day === null ? cell : day
  }
  return cell
}

/**
 * Parses and checks a whole import file. The header names the columns (the fixed ones and q1…qn,
 * in any order; "q1: title" is read as q1, as in the staff download). Row numbers count the header
 * as row 1, as a spreadsheet does.
 */
export function checkCsv(
  text: string,
  questions: Question[],
  dates: { opensOn: string; today: string },
): { rows: OfflineResponseInput[]; errors: RowError[]; rowCount: number } {
  let records: string[][]
  try {
    records = parse(text, CSV_OPTIONS)
  } catch {
    return {
      rows: [],
      errors: [{ row: 1, column: '', message: 'consultations.offline.error.csvUnreadable' }],
      rowCount: 0,
    }
  }
  const [header, ...body] = records
  if (!header)
    return { rows: [], errors: [{ row: 1, column: '', message: 'consultations.offline.error.csvEmpty' }], rowCount: 0 }
  const errors: RowError[] = []
  const qColumns = questionColumns(questions)
  const names = header.map((h) => {
    const name = h.trim().toLowerCase()
    const q = /^(q\d+)(?::.*)?$/.exec(name)
    return q ? q[1]! : name.replace(/:.*$/, '').trim()
  })
  const known = new Set<string>([...CSV_FIXED_COLUMNS, ...qColumns.map((c) => c.column)])
  names.forEach((n, i) => {
    if (!known.has(n))
      errors.push({ row: 1, column: header[i]!.trim(), message: 'consultations.offline.error.unknownColumn' })
    else if (names.indexOf(n) !== i)
      errors.push({ row: 1, column: header[i]!.trim(), message: 'consultations.offline.error.repeatedColumn' })
  })
  for (const required of ['channel', 'received_date', 'respondent_type', 'name', 'publication', 'may_contact'])
    if (!names.includes(required))
      errors.push({ row: 1, column: required, message: 'consultations.offline.error.missingColumn' })
  if (body.length === 0) errors.push({ row: 2, column: '', message: 'consultations.offline.error.csvNoRows' })
  if (body.length > MAX_IMPORT_ROWS) {
    errors.push({ row: MAX_IMPORT_ROWS + 2, column: '', message: 'consultations.offline.error.csvTooManyRows' })
  }
  if (errors.length > 0) return { rows: [], errors, rowCount: body.length }

  const at = (record: string[], column: string) => {
    const i = names.indexOf(column)
    return i < 0 ? '' : (record[i] ?? '')
  }
  const fieldColumn: Record<string, string> = {
    channel: 'channel',
    receivedDate: 'received_date',
    respondentType: 'respondent_type',
    name: 'name',
    organisationName: 'organisation_name',
    email: 'email',
    publication: 'publication',
    mayContact: 'may_contact',
  }
  const rows: OfflineResponseInput[] = []
  body.forEach((record, index) => {
    const row = index + 2
    if (record.length > header.length)
      errors.push({ row, column: '', message: 'consultations.offline.error.tooManyCells' })
    const raw: Record<string, RawAnswer> = {}
    for (const c of qColumns) raw[c.key] = cellToRaw(c.question, at(record, c.column))
    const checked = checkOffline(
      questions,
      {
        channel: at(record, 'channel').trim().toLowerCase(),
        received: at(record, 'received_date'),
        respondent: {
          respondentType: at(record, 'respondent_type').trim().toLowerCase(),
          name: at(record, 'name'),
          organisationName: at(record, 'organisation_name'),
          email: at(record, 'email'),
          publication: at(record, 'publication').trim().toLowerCase(),
          mayContact: at(record, 'may_contact').trim().toLowerCase(),
        },
      },
      raw,
      dates,
    )
    for (const [fieldName, message] of Object.entries(checked.errors)) {
      const questionColumn = qColumns.find((c) => `q-${c.question.id}` === fieldName && !c.key.endsWith(':other'))
      errors.push({ row, column: fieldColumn[fieldName] ?? questionColumn?.column ?? fieldName, message })
    }
    if (checked.input) rows.push(checked.input)
  })
  return { rows: errors.length > 0 ? [] : rows, errors, rowCount: body.length }
}

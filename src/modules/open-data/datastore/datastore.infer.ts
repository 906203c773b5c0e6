// Column types: inferred from a sample of values, and each value checked and converted to the
// form PostgreSQL's COPY reads. Pure functions, no I/O.
import type { ColumnFormat, ColumnType } from './datastore.public.js'

export const SAMPLE_ROWS = 10_000

const INTEGER = /^[-+]?\d{1,18}$/
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?$/
const TRUE = new Set(['true', 'yes', 'y', 't'])
const FALSE = new Set(['false', 'no', 'n', 'f'])
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const UK_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$/
/** A GSS statistical geography code: a letter for the country, two digits for the entity, six for the area. */
export const GSS_CODE = /^[SENWK]\d{8}$/
/** A UK postcode, with or without its space (BS 7666 shapes, and GIR 0AA). */
export const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}$/i

/** Values that mean "no value": an empty cell, or the usual markers for one. */
export function isMissing(raw: string): boolean {
  return raw === '' || raw.trim() === ''
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1 || y > 9999) return false
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return d <= days
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** A date as 'YYYY-MM-DD', from ISO or UK day/month/year; null when it is not one. */
export function parseDate(raw: string): string | null {
  const s = raw.trim()
  let m = ISO_DATE.exec(s)
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
    return validDate(y, mo, d) ? s : null
  }
  m = UK_DATE.exec(s)
  if (m) {
    const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])]
    return validDate(y, mo, d) ? `${pad(y, 4)}-${pad(mo)}-${pad(d)}` : null
  }
  return null
}

/** A date-time as ISO 8601 (without a zone it is read as UK time by the loader); null when it is not one. */
export function parseDateTime(raw: string): string | null {
  const s = raw.trim()
  const m = DATETIME.exec(s)
  if (!m) return null
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])]
  const sec = m[7] ? Number(m[7]) : 0
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return null
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[7] ?? '00'}${m[8] ?? ''}${m[9] ?? ''}`
}

export function parseInteger(raw: string): string | null {
  const s = raw.trim()
  if (!INTEGER.test(s)) return null
  return s.startsWith('+') ? s.slice(1) : s
}

export function parseNumber(raw: string): string | null {
  const s = raw.trim().replace(/^\+/, '')
  if (NUMBER.test(s)) return s
  // thousands separators, as spreadsheets write them: 1,234,567.89
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) return s.replace(/,/g, '')
  return null
}

export function parseBoolean(raw: string): string | null {
  const s = raw.trim().toLowerCase()
  if (TRUE.has(s)) return 'true'
  if (FALSE.has(s)) return 'false'
  return null
}

/** The value converted for a column of this type, or null when it is not of that type. */
export function convert(type: ColumnType, raw: string): string | null {
  switch (type) {
    case 'integer':
      return parseInteger(raw)
    case 'number':
      return parseNumber(raw)
    case 'boolean':
      return parseBoolean(raw)
    case 'date':
      return parseDate(raw)
    case 'datetime':
      return parseDateTime(raw)
    case 'string':
      return raw
    default: {
      const unreachable: never = type
      return unreachable
    }
  }
}

/** Why a value is not of a type, in the words the upload report uses (message keys). */
export function reasonFor(type: ColumnType): string {
  return `open-data.datastore.reason.not-${type}`
}

type Candidate = { type: ColumnType; misses: number }

/** Infers each column's type from sample rows (strings, as read). */
export class TypeInferrer {
  private readonly candidates: Candidate[][]
  private readonly seen: number[]
  private readonly gss: boolean[]
  private readonly postcode: boolean[]
  private readonly leadingZero: boolean[]

  constructor(readonly width: number) {
    this.candidates = Array.from({ length: width }, () =>
      (['integer', 'number', 'boolean', 'date', 'datetime'] as ColumnType[]).map((type) => ({ type, misses: 0 })),
    )
    this.seen = new Array<number>(width).fill(0)
    this.gss = new Array<boolean>(width).fill(true)
    this.postcode = new Array<boolean>(width).fill(true)
    this.leadingZero = new Array<boolean>(width).fill(false)
  }

  add(row: string[]): void {
    for (let i = 0; i < this.width; i++) {
      const raw = row[i] ?? ''
      if (isMissing(raw)) continue
      this.seen[i]!++
      const s = raw.trim()
      // "007" is a code, not the number 7: keep it as text
      if (/^-?0\d/.test(s)) this.leadingZero[i] = true
      for (const c of this.candidates[i]!) if (convert(c.type, raw) === null) c.misses++
      if (this.gss[i] && !GSS_CODE.test(s)) this.gss[i] = false
      if (this.postcode[i] && !POSTCODE.test(s)) this.postcode[i] = false
    }
  }

  result(): { type: ColumnType; format: ColumnFormat }[] {
    return this.candidates.map((cands, i) => {
      if (this.seen[i] === 0) return { type: 'string', format: 'default' }
      // A typed column may have a few odd values (a "TBC" among amounts): up to 1 in 20 of at least
      // 20 values. Those rows are then reported, rather than the whole column becoming text.
      const seen = this.seen[i]!
      const tolerance = seen >= 20 ? Math.floor(seen / 20) : 0
      const alive = cands.filter((c) => c.misses <= tolerance).map((c) => c.type)
      const numeric = alive.includes('integer') || alive.includes('number')
      let type: ColumnType = 'string'
      if (numeric && this.leadingZero[i]) type = 'string'
      else if (alive.includes('integer')) type = 'integer'
      else if (alive.includes('number')) type = 'number'
      else if (alive.includes('boolean')) type = 'boolean'
      else if (alive.includes('date')) type = 'date'
      else if (alive.includes('datetime')) type = 'datetime'
      const format: ColumnFormat =
        type === 'string' && this.gss[i] ? 'gss-code' : type === 'string' && this.postcode[i] ? 'postcode' : 'default'
      return { type, format }
    })
  }
}

/** The PostgreSQL type of a column type. */
export function sqlType(type: ColumnType): string {
  switch (type) {
    case 'integer':
      return 'bigint'
    case 'number':
      return 'numeric'
    case 'boolean':
      return 'boolean'
    case 'date':
      return 'date'
    case 'datetime':
      return 'timestamptz'
    case 'string':
      return 'text'
    default: {
      const unreachable: never = type
      return unreachable
    }
  }
}

/** Any value from the database or a JSON body as text. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v)
  if (v instanceof Date) return v.toISOString()
  return JSON.stringify(v) ?? ''
}

/** Escapes a value for COPY's text format. */
export function copyText(value: string | null): string {
  if (value === null) return '\\N'

  if (!/[\\\t\n\r]/.test(value)) return value
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}

/** A cell made safe for spreadsheets: one that would start a formula gets a leading apostrophe. */
export function defuseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

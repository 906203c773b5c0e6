// Pure helpers for the community part: Markdown made safe, Europe/London wall-clock times,
// postcodes and web addresses.
import { marked } from 'marked'
import sanitizeHtml from 'sanitize-html'

/** Markdown as HTML safe to put on a page: no scripts, styles, event handlers or unsafe links. */
export function safeMarkdown(markdown: string): string {
  const html = marked.parse(markdown, { async: false, gfm: true })
  return sanitizeHtml(html, {
    allowedTags: ['h2', 'h3', 'h4', 'p', 'br', 'hr', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'code'],
    allowedAttributes: { a: ['href'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    // The page has the only level-1 heading.
    transformTags: { h1: 'h2', a: sanitizeHtml.simpleTransform('a', { class: 'ds_link' }) },
    allowedClasses: { a: ['ds_link'] },
  })
}

const LONDON = 'Europe/London'
const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

function londonWall(instant: Date): number {
  const get = (type: string) => Number(partsFormat.formatToParts(instant).find((p) => p.type === type)?.value ?? '0')
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'))
}

/**
 * A London wall-clock date ("2026-12-01" or "1/12/2026") and time ("19:00") as an instant, or null
 * when either is not real. In the hour skipped in spring the time is read as winter time; in the
 * repeated hour in autumn the first (summer-time) one is taken.
 */
export function londonInstant(date: string, time: string): Date | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.trim())
  const uk = iso ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date.trim())
  const t = /^(\d{1,2}):(\d{2})$/.exec(time.trim())
  if ((!iso && !uk) || !t) return null
  const year = Number(iso ? iso[1] : uk![3])
  const month = Number(iso ? iso[2] : uk![2])
  const day = Number(iso ? iso[3] : uk![1])
  const hour = Number(t[1])
  const minute = Number(t[2])
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const check = new Date(wall)
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null
  for (const offset of [3_600_000, 0]) {
    const candidate = new Date(wall - offset)
    if (londonWall(candidate) === wall) return candidate
  }
  return new Date(wall)
}

/** An instant as London fields for a form: { date: "2026-12-01", time: "19:00" }. */
export function londonFields(instant: Date): { date: string; time: string } {
  const iso = new Date(londonWall(instant)).toISOString()
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) }
}

/** "EH15 1AB" from "eh151ab", or null when it is not shaped like a UK postcode. */
export function normalisePostcode(value: string): string | null {
  const compact = value.replace(/\s+/g, '').toUpperCase()
  if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(compact)) return null
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`
}

/** An http(s) address, or null. */
export function webAddress(value: string): string | null {
  const trimmed = value.trim()
  if (trimmed === '' || trimmed.length > 2000) return null
  try {
    const url = new URL(trimmed)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : null
  } catch {
    return null
  }
}

// iCalendar (RFC 5545) for meetings and surgery bookings: text escaped (§3.3.11), times in UTC
// (§3.3.5 form 2), lines ended with CRLF and folded at 75 octets without splitting a UTF-8
// character (§3.1).

export type CalendarEvent = {
  uid: string
  start: Date
  end: Date
  summary: string
  description?: string
  location?: string
  url?: string
  /** bumped on every change so calendar programs replace their copy */
  sequence?: number
  cancelled?: boolean
  updated?: Date
}

/** TEXT values: backslash, semicolon and comma escaped, every line break as \n. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
}

/** 20261128T190000Z */
export function utcStamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '')
}

/** Folds one content line into pieces of at most 75 octets, continuation lines starting with a space. */
export function foldLine(line: string): string {
  if (line.length <= 18 || Buffer.byteLength(line, 'utf8') <= 75) return line
  const pieces: string[] = []
  let start = 0
  let octets = 0
  let index = 0
  for (const char of line) {
    const cp = char.codePointAt(0)!
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
    const limit = pieces.length === 0 ? 75 : 74
    if (octets + size > limit) {
      pieces.push(line.slice(start, index))
      start = index
      octets = 0
    }
    octets += size
    index += char.length
  }
  pieces.push(line.slice(start))
  return pieces.join('\r\n ')
}

export function calendar(name: string, events: CalendarEvent[], now = new Date()): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Comhla//Participation//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(name)}`,
  ]
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.uid}`,
      `DTSTAMP:${utcStamp(e.updated ?? now)}`,
      `DTSTART:${utcStamp(e.start)}`,
      `DTEND:${utcStamp(e.end)}`,
      `SEQUENCE:${e.sequence ?? 0}`,
      `SUMMARY:${escapeText(e.summary)}`,
    )
    if (e.description) lines.push(`DESCRIPTION:${escapeText(e.description)}`)
    if (e.location) lines.push(`LOCATION:${escapeText(e.location)}`)
    if (e.url) lines.push(`URL:${e.url.replace(/[\r\n]/g, '')}`)
    lines.push(`STATUS:${e.cancelled ? 'CANCELLED' : 'CONFIRMED'}`, 'END:VEVENT')
  }
  lines.push('END:VCALENDAR')
  return lines.map(foldLine).join('\r\n') + '\r\n'
}

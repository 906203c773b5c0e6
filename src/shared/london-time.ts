// Europe/London wall-clock times and instants, without I/O. People enter dates and times as they
// read them on a Scottish clock; they are stored as instants. Shared by every module that asks for a
// date and time in a form.
const LONDON = 'Europe/London'

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

function londonParts(instant: Date): {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
} {
  const get = (type: string) => Number(partsFormat.formatToParts(instant).find((p) => p.type === type)?.value ?? '0')
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  }
}

/** Europe/London's offset from UTC at an instant, in milliseconds (0 in winter, 3,600,000 in summer). */
function offsetAt(instant: Date): number {
  const p = londonParts(instant)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant.getTime() / 1000) * 1000
}

/**
 * A London wall-clock date ("2026-03-29" or "29/03/2026") and time ("09:30") as an instant, or null
 * when either is not a real date or time. In the hour skipped when clocks go forward the time is
 * read as summer time; in the hour repeated when they go back, the first (summer-time) one is taken.
 */
export function londonToInstant(date: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(date.trim()) ?? null
  const uk = d ? null : /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(date.trim())
  const t = /^(\d{1,2}):(\d{2})$/.exec(time.trim())
  if ((!d && !uk) || !t) return null
  const year = Number(d ? d[1] : uk![3])
  const month = Number(d ? d[2] : uk![2])
  const day = Number(d ? d[3] : uk![1])
  const hour = Number(t[1])
  const minute = Number(t[2])
  if (year < 2000 || year > 2100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59) return null
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  const check = new Date(wall)
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null
  // Try the summer offset first, so a repeated hour resolves to its first occurrence.
  for (const offset of [3_600_000, 0]) {
    const candidate = new Date(wall - offset)
    if (offsetAt(candidate) === offset) return candidate
  }
  // The skipped hour: no instant shows this wall time, so read it with the winter offset (one hour later in summer time).
  return new Date(wall)
}

/** An instant as London wall-clock fields for a form: { date: "2026-03-29", time: "09:30" }. */
export function instantToLondon(instant: Date): { date: string; time: string } {
  const p = londonParts(instant)
  const two = (n: number) => String(n).padStart(2, '0')
  return { date: `${p.year}-${two(p.month)}-${two(p.day)}`, time: `${two(p.hour)}:${two(p.minute)}` }
}

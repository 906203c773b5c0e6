// Staff enter phase dates as Europe/London wall-clock times; they are stored as instants.
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

function wall(instant: Date): { date: string; time: string; utc: number } {
  const p = Object.fromEntries(parts.formatToParts(instant).map((x) => [x.type, x.value]))
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    time: `${p.hour}:${p.minute}`,
    utc: Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)),
  }
}

/** "2026-12-01" and "09:00" in London as an instant, or null when either is not a real date or time. */
export function londonInstant(date: string, time: string): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim())
  const t = /^(\d{1,2}):(\d{2})$/.exec(time.trim())
  if (!d || !t) return null
  const [y, mo, da, h, mi] = [Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2])]
  if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || da < 1 || h > 23 || mi > 59) return null
  const asUtc = Date.UTC(y, mo - 1, da, h, mi)
  if (new Date(asUtc).getUTCDate() !== da) return null
  // London is UTC or UTC+1: try the offset that makes the wall clock read what was typed.
  for (const offset of [0, 3_600_000]) {
    const instant = new Date(asUtc - offset)
    if (wall(instant).utc === asUtc) return instant
  }
  return new Date(asUtc - 3_600_000)
}

export function londonParts(instant: Date): { date: string; time: string } {
  const w = wall(instant)
  return { date: w.date, time: w.time }
}

/** Today's date in London, YYYY-MM-DD. */
export const londonToday = (now = new Date()) => wall(now).date

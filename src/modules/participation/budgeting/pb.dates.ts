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

// Reading a typed date and time, and the reverse, are the platform's (src/shared/london-time.ts).
export { londonToInstant as londonInstant, instantToLondon as londonParts } from '../../../shared/london-time.js'

/** Today's date in London, YYYY-MM-DD. */
export const londonToday = (now = new Date()) => wall(now).date

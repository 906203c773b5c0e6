const LONDON = 'Europe/London'

/** "27 November 2026 at 9:05pm" in Europe/London. */
export function formatDateTime(date: Date | string | null | undefined, locale: string = 'en'): string {
  if (!date) return ''
  const d = typeof date === 'string' ? new Date(date) : date
  if (Number.isNaN(d.getTime())) return ''
  const day = new Intl.DateTimeFormat(locale === 'gd' ? 'gd-GB' : 'en-GB', {
    timeZone: LONDON,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(d)
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: LONDON, hour: 'numeric', minute: '2-digit', hour12: true })
    .format(d)
    .replace(' ', '')
    .toLowerCase()
  return locale === 'gd' ? `${day} aig ${time}` : `${day} at ${time}`
}

export function formatDate(date: Date | string | null | undefined, locale: string = 'en'): string {
  if (!date) return ''
  const d = typeof date === 'string' ? new Date(date) : date
  if (Number.isNaN(d.getTime())) return ''
  return new Intl.DateTimeFormat(locale === 'gd' ? 'gd-GB' : 'en-GB', {
    timeZone: LONDON,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(d)
}

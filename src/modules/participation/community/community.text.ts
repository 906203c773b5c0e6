// Pure helpers for the community part: Markdown made safe, Europe/London wall-clock times,
// postcodes and web addresses.
import { renderMarkdown } from '../../../shared/markdown.js'

/** Markdown as HTML safe to put on a page (the platform's rules, without tables). */
export function safeMarkdown(markdown: string): string {
  return renderMarkdown(markdown, { tables: false })
}

export { londonToInstant as londonInstant, instantToLondon as londonFields } from '../../../shared/london-time.js'

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

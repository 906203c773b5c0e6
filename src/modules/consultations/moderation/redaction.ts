// Redacting spans of an answer's text, without I/O. Spans are offsets into the original answer, so
// a redaction can be removed again later and the original is never lost.
import type { Redaction, RedactionReason } from './moderation.tables.js'

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Every place the pasted text appears in the answer: exactly if it does, otherwise ignoring case
 * and differences in spacing (a page shows line breaks as spaces). Empty when it does not appear.
 */
export function findSpans(text: string, pasted: string): { start: number; end: number }[] {
  const needle = pasted.trim()
  if (needle === '') return []
  const pattern = needle.split(/\s+/).map(escapeRegExp).join('\\s+')
  for (const flags of ['g', 'gi']) {
    const spans: { start: number; end: number }[] = []
    for (const m of text.matchAll(new RegExp(pattern, flags)))
      spans.push({ start: m.index, end: m.index + m[0].length })
    if (spans.length > 0) return spans
  }
  return []
}

/** Adds spans to the redactions, leaving out any already covered; sorted by start. */
export function addRedactions(
  existing: Redaction[],
  spans: { start: number; end: number }[],
  reason: RedactionReason,
): Redaction[] {
  const out = [...existing]
  for (const s of spans) {
    if (out.some((r) => r.start <= s.start && r.end >= s.end)) continue
    out.push({ start: s.start, end: s.end, reason })
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end)
}

/** A piece of the answer; a redacted piece keeps the original words, for moderators' eyes only. */
export type Segment = { text: string } | { redacted: RedactionReason; original: string }

/** The answer as plain and redacted segments; overlapping spans become one redaction. */
export function segments(text: string, redactions: Redaction[]): Segment[] {
  const sorted = [...redactions]
    .filter((r) => r.end > r.start && r.start >= 0 && r.start < text.length)
    .sort((a, b) => a.start - b.start)
  const out: Segment[] = []
  let at = 0
  for (const r of sorted) {
    if (r.end <= at) continue
    const start = Math.max(r.start, at)
    if (start > at) out.push({ text: text.slice(at, start) })
    const end = Math.min(r.end, text.length)
    const previous = out[out.length - 1]
    if (previous && 'redacted' in previous && start === at && at > 0) previous.original += text.slice(start, end)
    else out.push({ redacted: r.reason, original: text.slice(start, end) })
    at = end
  }
  if (at < text.length) out.push({ text: text.slice(at) })
  return out
}

/** The answer with each redaction replaced by a label such as "[redacted: personal data]". */
export function redactedText(
  text: string,
  redactions: Redaction[],
  label: (reason: RedactionReason) => string,
): string {
  return segments(text, redactions)
    .map((s) => ('text' in s ? s.text : `[${label(s.redacted)}]`))
    .join('')
}

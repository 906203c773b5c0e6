// Markdown written by staff (consultation texts, dataset descriptions, agendas and minutes) made
// safe to put on a page: no scripts, styles, event handlers, images or unsafe links; headings start
// below the page's own; links styled as the design system's.
import { marked } from 'marked'
import sanitizeHtml from 'sanitize-html'

const tags = ['p', 'br', 'hr', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'code', 'pre']
const tableTags = ['table', 'thead', 'tbody', 'tr', 'th', 'td']

/**
 * `headingsFrom` is the highest heading level the text may use (2 by default: the page has the only
 * level 1); headings above it are moved down, keeping their order.
 */
export function renderMarkdown(markdown: string, options: { headingsFrom?: 2 | 3; tables?: boolean } = {}): string {
  const from = options.headingsFrom ?? 2
  const html = marked.parse(markdown, { async: false, gfm: true })
  const shift: Record<string, string> = {}
  for (let level = 1; level <= 6; level++) {
    const target = Math.min(6, level < from ? from : from === 3 ? level + 1 : level)
    if (target !== level) shift[`h${level}`] = `h${target}`
  }
  return sanitizeHtml(html, {
    allowedTags: [
      ...['h2', 'h3', 'h4', 'h5', 'h6'].filter((h) => Number(h[1]) >= from),
      ...tags,
      ...(options.tables === false ? [] : tableTags),
    ],
    allowedAttributes: { a: ['href', 'title'], th: ['scope'] },
    allowedSchemes: ['https', 'http', 'mailto'],
    transformTags: { ...shift, a: sanitizeHtml.simpleTransform('a', { class: 'ds_link' }) },
    allowedClasses: { a: ['ds_link'] },
  })
}

/** Markdown as plain text, for feeds, CSV, emails and metadata that carry no HTML. */
export function markdownToText(markdown: string): string {
  return sanitizeHtml(marked.parse(markdown, { async: false, gfm: true }), { allowedTags: [], allowedAttributes: {} })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .trim()
}

// Server-rendered bar charts: plain SVG (no script), an image with a title and a description that
// read out every bar, always shown beside a data table with the same figures.

export type Bar = { label: string; count: number; percent: number }

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

/** Formats a share as people read it: one decimal place below 10%, whole numbers above. */
export function formatPercent(percent: number): string {
  if (!Number.isFinite(percent)) return '0%'
  return `${percent < 10 && percent > 0 ? percent.toFixed(1) : Math.round(percent)}%`
}

/**
 * A horizontal bar chart: each bar's label above it, its count and share at its end. `id` makes
 * the title and description ids unique on the page; `summary` is the description's opening.
 */
export function barChartSvg(id: string, title: string, summary: string, bars: Bar[]): string {
  const width = 640
  const rowHeight = 46
  const barMax = 470
  const height = Math.max(1, bars.length) * rowHeight + 10
  const max = Math.max(1, ...bars.map((b) => b.count))
  const description = `${summary} ${bars.map((b) => `${b.label}: ${b.count} (${formatPercent(b.percent)})`).join('; ')}`
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight + 4
      const w = b.count === 0 ? 0 : Math.max(2, Math.round((b.count / max) * barMax))
      return [
        `<text x="0" y="${y + 14}" font-size="14" fill="#333333">${escape(truncate(b.label, 80))}</text>`,
        `<rect x="0" y="${y + 20}" width="${w}" height="18" fill="#0065bd"></rect>`,
        `<text x="${w + 8}" y="${y + 34}" font-size="14" fill="#333333">${b.count} (${formatPercent(b.percent)})</text>`,
      ].join('')
    })
    .join('')
  return (
    `<svg class="comhla-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" ` +
    `width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" focusable="false">` +
    `<title id="${id}-title">${escape(title)}</title><desc id="${id}-desc">${escape(description)}</desc>` +
    `${rows}</svg>`
  )
}

// An accessible horizontal bar chart as SVG: a title and description for assistive technology
// (the table beside it carries the same figures), text labels, and no colour-only meaning.

export type Bar = { label: string; value: number }

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

export function barChart(id: string, title: string, description: string, bars: Bar[]): string {
  const rowHeight = 36
  const labelWidth = 220
  const barArea = 300
  const width = labelWidth + barArea + 80
  const height = bars.length * rowHeight + 10
  const max = Math.max(1, ...bars.map((b) => b.value))
  const rows = bars
    .map((b, i) => {
      const y = i * rowHeight + 5
      const w = Math.round((b.value / max) * barArea)
      const label = b.label.length > 32 ? `${b.label.slice(0, 31)}…` : b.label
      return (
        `<text x="${labelWidth - 8}" y="${y + 20}" text-anchor="end" font-size="14" fill="#333">${esc(label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 4}" width="${w}" height="24" fill="#0065bd"></rect>` +
        `<text x="${labelWidth + w + 6}" y="${y + 20}" font-size="14" fill="#333">${b.value}</text>`
      )
    })
    .join('')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 ${width} ${height}" width="100%" ` +
    `aria-labelledby="${id}-title ${id}-desc" class="comhla-chart">` +
    `<title id="${id}-title">${esc(title)}</title><desc id="${id}-desc">${esc(description)}</desc>${rows}</svg>`
  )
}

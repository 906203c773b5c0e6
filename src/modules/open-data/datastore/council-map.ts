// A map of Scotland's 32 council areas as tiles, one square each, placed roughly where the area
// lies (north at the top, the islands at the edges). Tiles give every area the same weight, so
// Glasgow is as visible as Highland, and the map needs no boundary file. The figures are drawn in
// five shades and are always given in the data table beside it too.

/** [GSS code, short label, column, row] */
const tiles: Array<[string, string, number, number]> = [
  ['S12000027', 'SHE', 6, 0],
  ['S12000023', 'ORK', 5, 1],
  ['S12000013', 'ESI', 0, 2],
  ['S12000017', 'HLD', 2, 2],
  ['S12000020', 'MRY', 3, 2],
  ['S12000034', 'ABS', 4, 2],
  ['S12000033', 'ABC', 5, 2],
  ['S12000035', 'ARG', 1, 3],
  ['S12000030', 'STG', 2, 3],
  ['S12000048', 'PKN', 3, 3],
  ['S12000041', 'ANS', 4, 3],
  ['S12000042', 'DND', 5, 3],
  ['S12000039', 'WDU', 1, 4],
  ['S12000045', 'EDU', 2, 4],
  ['S12000005', 'CLK', 3, 4],
  ['S12000047', 'FIF', 4, 4],
  ['S12000018', 'IVC', 0, 5],
  ['S12000038', 'RFW', 1, 5],
  ['S12000049', 'GLG', 2, 5],
  ['S12000014', 'FAL', 3, 5],
  ['S12000036', 'EDH', 4, 5],
  ['S12000010', 'ELN', 5, 5],
  ['S12000021', 'NAY', 0, 6],
  ['S12000011', 'ERW', 1, 6],
  ['S12000050', 'NLK', 2, 6],
  ['S12000040', 'WLN', 3, 6],
  ['S12000019', 'MLN', 4, 6],
  ['S12000008', 'EAY', 1, 7],
  ['S12000029', 'SLK', 2, 7],
  ['S12000026', 'SCB', 4, 7],
  ['S12000028', 'SAY', 1, 8],
  ['S12000006', 'DGY', 2, 8],
]

export const COUNCIL_CODES: ReadonlySet<string> = new Set(tiles.map(([code]) => code))

/** Light to dark; text on the last two is white. Each step differs clearly from the next. */
const shades = ['#d9e8f5', '#a6c8e6', '#5e9bd1', '#2b6aa8', '#0b3c6e']
const SIZE = 60
const GAP = 4

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

export type MapPoint = { label: string; value: number }

/**
 * The map as SVG, or null when none of the points is a council area's GSS code. `names` gives each
 * code's name in the reader's language; `format` writes a value as the table does.
 */
export function councilMapSvg(
  points: MapPoint[],
  text: { title: string; description: string; noData: string; names: ReadonlyMap<string, string> },
  format: (n: number) => string = (n) => n.toLocaleString('en-GB'),
): string | null {
  const values = new Map(points.filter((p) => COUNCIL_CODES.has(p.label)).map((p) => [p.label, p.value]))
  if (values.size === 0) return null
  const sorted = [...values.values()].sort((a, b) => a - b)
  const min = sorted[0]!
  const max = sorted[sorted.length - 1]!
  const step = (max - min) / shades.length
  const shadeOf = (v: number) =>
    step === 0 ? shades.length - 1 : Math.min(shades.length - 1, Math.floor((v - min) / step))
  const cols = 7
  const rows = 9
  const legendTop = rows * (SIZE + GAP) + 12
  const width = cols * (SIZE + GAP)
  const height = legendTop + (shades.length + 1) * 22 + 8
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="map-title map-desc" class="comhla-council-map">`,
    `<title id="map-title">${escape(text.title)}</title>`,
    `<desc id="map-desc">${escape(text.description)}</desc>`,
  ]
  for (const [code, short, col, row] of tiles) {
    const x = col * (SIZE + GAP)
    const y = row * (SIZE + GAP)
    const value = values.get(code)
    const name = text.names.get(code) ?? code
    const shade = value === undefined ? -1 : shadeOf(value)
    const fill = shade < 0 ? '#ffffff' : shades[shade]
    const ink = shade >= 3 ? '#ffffff' : '#0b0c0c'
    const label = value === undefined ? `${name}: ${text.noData}` : `${name}: ${format(value)}`
    out.push(
      `<g><title>${escape(label)}</title>`,
      `<rect x="${x}" y="${y}" width="${SIZE}" height="${SIZE}" fill="${fill}" stroke="#5e5e5e" stroke-width="1"${shade < 0 ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${x + SIZE / 2}" y="${y + SIZE / 2 + 5}" text-anchor="middle" font-size="14" font-family="sans-serif" fill="${ink}">${short}</text></g>`,
    )
  }
  shades.forEach((shade, i) => {
    const from = min + step * i
    const to = i === shades.length - 1 ? max : min + step * (i + 1)
    const y = legendTop + i * 22
    out.push(
      `<rect x="0" y="${y}" width="18" height="18" fill="${shade}" stroke="#5e5e5e"/>`,
      `<text x="26" y="${y + 14}" font-size="14" font-family="sans-serif" fill="#0b0c0c">${escape(step === 0 ? format(max) : `${format(from)} – ${format(to)}`)}</text>`,
    )
  })
  const y = legendTop + shades.length * 22
  out.push(
    `<rect x="0" y="${y}" width="18" height="18" fill="#ffffff" stroke="#5e5e5e" stroke-dasharray="4 3"/>`,
    `<text x="26" y="${y + 14}" font-size="14" font-family="sans-serif" fill="#0b0c0c">${escape(text.noData)}</text>`,
    '</svg>',
  )
  return out.join('')
}

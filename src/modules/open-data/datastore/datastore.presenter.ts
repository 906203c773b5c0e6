// View models for the data store's pages and partials: the preview table (sortable, paged, filtered
// by plain links and a GET form, so it works without JavaScript) and the chart (an SVG drawn here,
// with its data table).
import type { ChartModel, DatastoreColumn, PreviewModel, QueryResult, TableSummary } from './datastore.public.js'
import { DatastoreError } from './datastore.public.js'
import { DomainError } from '../../../platform/errors/domain-error.js'

export const PREVIEW_PREFIX = 'p_'

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export function href(basePath: string, params: Record<string, string>, changes: Record<string, string | null>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries({ ...params, ...changes })) if (v !== null && v !== '') p.set(k, v)
  const s = p.toString()
  return s ? `${basePath}?${s}` : basePath
}

/** The preview's own parameters (p_…) as the API's grammar; the filter form's p_col/p_op/p_val become one filter. */
export function previewParams(params: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(params)) {
    if (!k.startsWith(PREVIEW_PREFIX) || v === '') continue
    const name = k.slice(PREVIEW_PREFIX.length)
    if (['col', 'op', 'val'].includes(name)) continue
    out[name] = v
  }
  const col = params[`${PREVIEW_PREFIX}col`]
  const op = params[`${PREVIEW_PREFIX}op`] || 'eq'
  const val = params[`${PREVIEW_PREFIX}val`]
  if (col && ((val !== undefined && val !== '') || op === 'null'))
    out[op === 'eq' ? col : `${col}__${op}`] = op === 'null' ? '1' : val!
  if (!out._size) out._size = '25'
  return out
}

export function errorMessage(error: unknown, t: (k: string, p?: Record<string, unknown>) => string): string | null {
  if (error instanceof DatastoreError || error instanceof DomainError)
    return error.publicMessage || t('open-data.datastore.preview.bad-query')
  return null
}

export function buildPreview(
  summary: TableSummary,
  result: QueryResult,
  input: { basePath: string; params: Record<string, string> },
  error: string | null,
): PreviewModel {
  const { basePath, params } = input
  const sort = params[`${PREVIEW_PREFIX}_sort`] ?? ''
  const sortLinks: PreviewModel['sortLinks'] = {}
  for (const c of summary.columns) {
    const current = sort === c.name ? 'ascending' : sort === `-${c.name}` ? 'descending' : 'none'
    const nextSort = current === 'ascending' ? `-${c.name}` : c.name
    sortLinks[c.name] = {
      href:
        href(basePath, params, { [`${PREVIEW_PREFIX}_sort`]: nextSort, [`${PREVIEW_PREFIX}_next`]: null }) +
        '#data-preview',
      ariaSort: current,
    }
  }
  const onFirst = !params[`${PREVIEW_PREFIX}_next`]
  const filterParams: Record<string, string> = {}
  const api = previewParams(params)
  for (const [k, v] of Object.entries(api)) if (!['_next', '_size', '_offset'].includes(k)) filterParams[k] = v
  const qs = new URLSearchParams(filterParams).toString()
  return {
    summary,
    result,
    basePath,
    params,
    prevHref: onFirst ? null : href(basePath, params, { [`${PREVIEW_PREFIX}_next`]: null }) + '#data-preview',
    nextHref: result.nextCursor
      ? href(basePath, params, { [`${PREVIEW_PREFIX}_next`]: result.nextCursor }) + '#data-preview'
      : null,
    sortLinks,
    downloadHrefs: {
      csv: `${summary.links.csv}${qs ? `?${qs}` : ''}`,
      json: `${summary.links.json}${qs ? `?${qs}` : ''}`,
      parquet: `${summary.links.parquet}${qs ? `?${qs}` : ''}`,
    },
    error,
  }
}

export const CHART_PREFIX = 'c_'

/** A bar or line chart as SVG, with a title and description for screen readers (the data table follows it on the page). */
export function chartSvg(
  kind: 'bar' | 'line',
  points: { label: string; value: number }[],
  labels: { title: string; description: string; x: string; y: string },
): string {
  const width = 640
  const height = 320
  const left = 72
  const bottom = 60
  const top = 16
  const right = 16
  const plotW = width - left - right
  const plotH = height - top - bottom
  const max = Math.max(0, ...points.map((p) => p.value))
  const min = Math.min(0, ...points.map((p) => p.value))
  const span = max - min || 1
  const y = (v: number) => top + plotH - ((v - min) / span) * plotH
  const step = plotW / Math.max(points.length, 1)
  const fmt = (v: number) =>
    Math.abs(v) >= 1000 ? v.toLocaleString('en-GB', { maximumFractionDigits: 0 }) : String(Math.round(v * 100) / 100)
  const parts: string[] = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" class="comhla-chart" focusable="false">`,
    `<title id="chart-title">${esc(labels.title)}</title>`,
    `<desc id="chart-desc">${esc(labels.description)}</desc>`,
  )
  // axis and gridlines at four steps
  for (let i = 0; i <= 4; i++) {
    const v = min + (span * i) / 4
    const yy = y(v)
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${yy.toFixed(1)}" y2="${yy.toFixed(1)}" stroke="#b3b3b3" stroke-width="1"/>`,
      `<text x="${left - 6}" y="${(yy + 4).toFixed(1)}" text-anchor="end" font-size="12" fill="#333333">${esc(fmt(v))}</text>`,
    )
  }
  if (kind === 'bar') {
    points.forEach((p, i) => {
      const x = left + i * step + step * 0.15
      const h = Math.abs(y(p.value) - y(0))
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${Math.min(y(p.value), y(0)).toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="#0065bd"><title>${esc(`${p.label}: ${fmt(p.value)}`)}</title></rect>`,
      )
    })
  } else if (points.length) {
    const path = points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${(left + i * step + step / 2).toFixed(1)},${y(p.value).toFixed(1)}`)
      .join(' ')
    parts.push(`<path d="${path}" fill="none" stroke="#0065bd" stroke-width="3"/>`)
    points.forEach((p, i) =>
      parts.push(
        `<circle cx="${(left + i * step + step / 2).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="4" fill="#0065bd"><title>${esc(`${p.label}: ${fmt(p.value)}`)}</title></circle>`,
      ),
    )
  }
  // category labels: every one when few, else about twelve
  const every = Math.max(1, Math.ceil(points.length / 12))
  points.forEach((p, i) => {
    if (i % every) return
    const x = left + i * step + step / 2
    const label = p.label.length > 14 ? `${p.label.slice(0, 13)}…` : p.label
    parts.push(
      `<text x="${x.toFixed(1)}" y="${height - bottom + 16}" text-anchor="end" font-size="12" fill="#333333" transform="rotate(-35 ${x.toFixed(1)} ${height - bottom + 16})">${esc(label)}</text>`,
    )
  })
  parts.push(
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#333333"/>`,
    `<text x="${left + plotW / 2}" y="${height - 4}" text-anchor="middle" font-size="12" fill="#333333">${esc(labels.x)}</text>`,
    '</svg>',
  )
  return parts.join('')
}

export function chartColumns(columns: DatastoreColumn[]): { x: DatastoreColumn[]; y: DatastoreColumn[] } {
  return {
    x: columns,
    y: columns.filter((c) => c.type === 'integer' || c.type === 'number'),
  }
}

export type ChartInputs = {
  kind: 'bar' | 'line' | 'map'
  x: string | null
  y: string | null
  aggregate: 'count' | 'sum' | 'avg'
}

export function chartInputs(params: Record<string, string>): ChartInputs {
  const asked = params[`${CHART_PREFIX}kind`]
  const kind = asked === 'line' || asked === 'map' ? asked : 'bar'
  const agg = params[`${CHART_PREFIX}agg`]
  return {
    kind,
    x: params[`${CHART_PREFIX}x`] || null,
    y: params[`${CHART_PREFIX}y`] || null,
    aggregate: agg === 'sum' || agg === 'avg' ? agg : 'count',
  }
}

export type { ChartModel }

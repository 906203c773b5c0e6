// Domain → API body, domain → view model, domain → CSV row: each a whitelist of fields.
import { markdownToText, renderMarkdown as renderSafeMarkdown } from '../../../shared/markdown.js'
import type { Static } from '@sinclair/typebox'
import type { Translate } from '../../../platform/i18n/i18n.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import { formatDate, formatDateTime } from '../../../shared/dates.js'
import type { TableSummary } from '../datastore/datastore.public.js'
import type { DatasetSchema } from './dataset.schemas.js'
import type { Council, DatasetView } from './dataset.service.js'
import type { Dataset, FacetCount, Facets, Resource } from './dataset.types.js'
import { SCOTLAND_GSS, licenceById, localName, themeById } from './taxonomy.js'
/** A description as safe HTML: its headings start at level 3, below the page's own metadata headings. */
export function renderMarkdown(markdown: string): string {
  return renderSafeMarkdown(markdown, { headingsFrom: 3 })
}
/** Markdown as plain text, for feeds, CSV and metadata that carries no HTML. */
export const plainText = markdownToText

export const orgName = (o: Organisation, locale: 'en' | 'gd') => (locale === 'gd' && o.nameGd ? o.nameGd : o.nameEn)

export const datasetPath = (d: Dataset) => `/datasets/${d.name}`

const absolute = (baseUrl: string, path: string) => (/^https?:\/\//.test(path) ? path : `${baseUrl}${path}`)

export const filePath = (r: Resource) => `/open-data/files/${r.id}`

/** A resource's main address: the link, or the data table's CSV download. */
export function resourceUrl(r: Resource, table: TableSummary | undefined, baseUrl: string): string | null {
  if (r.kind === 'link') return r.url
  if (r.kind === 'datastore' && table) return absolute(baseUrl, table.links.csv)
  if (r.kind === 'file' && r.fileId) return `${baseUrl}${filePath(r)}`
  return null
}

export function spatialNames(codes: string[], councils: Council[], locale: 'en' | 'gd', t: Translate): string[] {
  return codes.map((code) => {
    if (code === SCOTLAND_GSS) return t('open-data.field.scotland')
    const c = councils.find((x) => x.gssCode === code)
    return c ? (locale === 'gd' && c.nameGd ? c.nameGd : c.nameEn) : code
  })
}

export function datasetToApi(
  view: DatasetView,
  baseUrl: string,
  tables: Map<string, TableSummary>,
  councils: Council[],
): Static<typeof DatasetSchema> {
  const d = view.dataset
  const theme = themeById(d.theme)
  const licence = licenceById(d.licence)
  const url = `${baseUrl}${datasetPath(d)}`
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    description: d.description,
    descriptionHtml: renderMarkdown(d.description),
    keywords: d.keywords,
    theme: { id: d.theme, nameEn: theme?.name.en ?? d.theme, nameGd: theme?.name.gd ?? d.theme },
    licence: {
      id: d.licence,
      nameEn: licence?.name.en ?? d.licence,
      nameGd: licence?.name.gd ?? d.licence,
      url: licence?.url ?? '',
    },
    frequency: d.frequency,
    temporal: { start: d.temporalStart, end: d.temporalEnd },
    spatial: d.spatial.map((code) => ({
      gssCode: code,
      nameEn: code === SCOTLAND_GSS ? 'Scotland' : (councils.find((c) => c.gssCode === code)?.nameEn ?? code),
    })),
    contact: { name: d.contactName, email: d.contactEmail },
    organisation: {
      id: view.organisation.id,
      slug: view.organisation.slug,
      nameEn: view.organisation.nameEn,
      nameGd: view.organisation.nameGd,
    },
    status: d.status,
    origin: d.origin,
    publishedAt: d.publishedAt?.toISOString() ?? null,
    modifiedAt: d.modifiedAt.toISOString(),
    withdrawnAt: d.withdrawnAt?.toISOString() ?? null,
    withdrawalReason: d.withdrawalReason,
    resources: view.resources.map((r) => {
      const table = tables.get(r.id)
      return {
        id: r.id,
        kind: r.kind,
        name: r.name,
        description: r.description,
        format: r.format,
        url: resourceUrl(r, table, baseUrl),
        ...(table
          ? {
              downloads: {
                csv: absolute(baseUrl, table.links.csv),
                json: absolute(baseUrl, table.links.json),
                parquet: absolute(baseUrl, table.links.parquet),
                api: absolute(baseUrl, table.links.api),
              },
            }
          : {}),
      }
    }),
    url,
    metadata: { jsonld: `${url}.jsonld`, turtle: `${url}.ttl` },
  }
}

export const DATASET_CSV_COLUMNS = [
  'id',
  'name',
  'title',
  'organisation',
  'organisation_slug',
  'theme',
  'keywords',
  'licence',
  'frequency',
  'temporal_start',
  'temporal_end',
  'spatial',
  'formats',
  'published',
  'modified',
  'url',
]

export function datasetCsvRow(view: DatasetView, baseUrl: string): unknown[] {
  const d = view.dataset
  return [
    d.id,
    d.name,
    d.title,
    view.organisation.nameEn,
    view.organisation.slug,
    d.theme,
    d.keywords.join('; '),
    d.licence,
    d.frequency,
    d.temporalStart ?? '',
    d.temporalEnd ?? '',
    d.spatial.join('; '),
    [...new Set(view.resources.map((r) => r.format).filter((f) => f))].join('; '),
    d.publishedAt?.toISOString() ?? '',
    d.modifiedAt.toISOString(),
    `${baseUrl}${datasetPath(d)}`,
  ]
}

export const statusColour = (status: string) =>
  status === 'published' ? 'green' : status === 'withdrawn' ? 'red' : 'grey'

/** What the list and the staff pages show of a dataset. */
export function datasetSummaryView(view: DatasetView, t: Translate, locale: 'en' | 'gd') {
  const d = view.dataset
  const theme = themeById(d.theme)
  return {
    id: d.id,
    name: d.name,
    title: d.title,
    href: datasetPath(d),
    summary: plainText(d.description).split('\n')[0]?.slice(0, 300) ?? '',
    organisationName: orgName(view.organisation, locale),
    themeName: theme ? localName(theme.name, locale) : d.theme,
    formats: [...new Set(view.resources.map((r) => r.format).filter((f) => f))],
    modified: formatDate(d.modifiedAt, locale),
    status: d.status,
    statusText: t(`open-data.status.${d.status}`),
    statusColour: statusColour(d.status),
    origin: d.origin,
  }
}

/** The dataset page's metadata. */
export function datasetDetailView(view: DatasetView, t: Translate, locale: 'en' | 'gd', councils: Council[]) {
  const d = view.dataset
  const licence = licenceById(d.licence)
  const temporal =
    d.temporalStart || d.temporalEnd
      ? t('open-data.field.temporalRange', {
          start: d.temporalStart ? formatDate(`${d.temporalStart}T12:00:00Z`, locale) : '…',
          end: d.temporalEnd ? formatDate(`${d.temporalEnd}T12:00:00Z`, locale) : '…',
        })
      : ''
  return {
    ...datasetSummaryView(view, t, locale),
    descriptionHtml: renderMarkdown(d.description),
    keywords: d.keywords,
    licenceName: licence ? localName(licence.name, locale) : d.licence,
    licenceUrl: licence?.url ?? '',
    frequencyText: t(`open-data.frequency.${d.frequency}`),
    temporal,
    spatial: spatialNames(d.spatial, councils, locale, t),
    contactName: d.contactName,
    contactEmail: d.contactEmail,
    published: d.publishedAt ? formatDate(d.publishedAt, locale) : '',
    modifiedAt: formatDateTime(d.modifiedAt, locale),
    withdrawn: d.withdrawnAt ? formatDate(d.withdrawnAt, locale) : '',
    withdrawalReason: d.withdrawalReason ?? '',
    remoteUrl: d.remoteUrl,
    organisationSlug: view.organisation.slug,
  }
}

export type FacetLink = { label: string; count: number; href: string; selected: boolean }
export type FacetGroup = { key: string; title: string; items: FacetLink[] }

const facetNames: (keyof Facets)[] = ['organisation', 'theme', 'format', 'licence', 'keyword']

/** Links that add or remove each facet value, keeping the rest of the search. */
export function facetGroups(
  facets: Facets,
  current: URLSearchParams,
  organisations: Map<string, Organisation>,
  t: Translate,
  locale: 'en' | 'gd',
): FacetGroup[] {
  const label = (key: keyof Facets, f: FacetCount): { label: string; value: string } => {
    if (key === 'organisation') {
      const o = organisations.get(f.value)
      return { label: o ? orgName(o, locale) : f.value, value: o?.slug ?? f.value }
    }
    if (key === 'theme') {
      const th = themeById(f.value)
      return { label: th ? localName(th.name, locale) : f.value, value: f.value }
    }
    if (key === 'licence') {
      const l = licenceById(f.value)
      return { label: l ? localName(l.name, locale) : f.value, value: f.value }
    }
    return { label: f.value, value: f.value }
  }
  return facetNames
    .map((key) => ({
      key,
      title: t(`open-data.facet.${key}`),
      items: facets[key].map((f) => {
        const { label: text, value } = label(key, f)
        const chosen = current.getAll(key)
        const selected = chosen.some((c) => c.toLowerCase() === value.toLowerCase())
        const next = new URLSearchParams(current)
        next.delete('page')
        next.delete(key)
        for (const c of chosen) if (c.toLowerCase() !== value.toLowerCase()) next.append(key, c)
        if (!selected) next.append(key, value)
        const qs = next.toString()
        return { label: text, count: f.count, href: `/datasets${qs ? `?${qs}` : ''}`, selected }
      }),
    }))
    .filter((g) => g.items.length > 0)
}

export function facetsToApi(facets: Facets, organisations: Map<string, Organisation>) {
  const mapped = (key: keyof Facets) =>
    facets[key].map((f) => {
      if (key === 'organisation') {
        const o = organisations.get(f.value)
        return { value: o?.slug ?? f.value, label: o?.nameEn ?? f.value, count: f.count }
      }
      if (key === 'theme') return { value: f.value, label: themeById(f.value)?.name.en ?? f.value, count: f.count }
      if (key === 'licence') return { value: f.value, label: licenceById(f.value)?.name.en ?? f.value, count: f.count }
      return { value: f.value, label: f.value, count: f.count }
    })
  return {
    organisation: mapped('organisation'),
    theme: mapped('theme'),
    format: mapped('format'),
    licence: mapped('licence'),
    keyword: mapped('keyword'),
  }
}

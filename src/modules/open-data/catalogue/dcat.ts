// Metadata out: DCAT v3 / DCAT-AP 3 for a dataset and for the whole catalogue, built once as RDF
// triples and written both as Turtle (with n3's writer) and as JSON-LD (a flat @graph with the
// same triples), so the two always agree; schema.org Dataset for search engines; and data.json
// (Project Open Data 1.1).
import N3 from 'n3'
import type { TableSummary } from '../datastore/datastore.public.js'
import { plainText } from './dataset.presenter.js'
import type { Council, DatasetView } from './dataset.service.js'
import type { Resource } from './dataset.types.js'
import { SCOTLAND_GSS, frequencyById, frequencyUri, licenceById, themeById, themeUri } from './taxonomy.js'

const { Writer } = N3
const namedNode = (iri: string) => N3.DataFactory.namedNode(iri)
const literal = (value: string, languageOrDatatype?: string | N3.NamedNode) =>
  N3.DataFactory.literal(value, languageOrDatatype)
const blankNode = (name: string) => N3.DataFactory.blankNode(name)
const quad = (s: N3.Quad_Subject, p: N3.Quad_Predicate, o: N3.Quad_Object) => N3.DataFactory.quad(s, p, o)

export const PREFIXES = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
} as const

const RDF_TYPE = `${PREFIXES.rdf}type`
const GSS = 'http://statistics.data.gov.uk/id/statistical-geography/'
const FILE_TYPE = 'http://publications.europa.eu/resource/authority/file-type/'
const IANA = 'https://www.iana.org/assignments/media-types/'

type Subject = N3.NamedNode | N3.BlankNode
type Object = N3.NamedNode | N3.BlankNode | N3.Literal

const mediaTypes: Record<string, string> = {
  CSV: 'text/csv',
  JSON: 'application/json',
  PARQUET: 'application/vnd.apache.parquet',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  XLS: 'application/vnd.ms-excel',
  PDF: 'application/pdf',
  HTML: 'text/html',
  XML: 'application/xml',
  ZIP: 'application/zip',
  GEOJSON: 'application/geo+json',
  ODS: 'application/vnd.oasis.opendocument.spreadsheet',
  TXT: 'text/plain',
}

export const mediaTypeOf = (format: string): string | null => mediaTypes[format.toUpperCase()] ?? null

const absolute = (baseUrl: string, path: string) => (/^https?:\/\//.test(path) ? path : `${baseUrl}${path}`)

/** One download of a resource: a data table gives three (CSV, JSON, Parquet), a link one. */
export type Download = {
  id: string
  resource: Resource
  title: string
  format: string
  downloadUrl: string | null
  accessUrl: string
}

export function downloadsOf(view: DatasetView, tables: Map<string, TableSummary>, baseUrl: string): Download[] {
  const page = `${baseUrl}/datasets/${view.dataset.name}`
  return view.resources.flatMap((r): Download[] => {
    if (r.kind === 'link' && r.url)
      return [{ id: r.id, resource: r, title: r.name, format: r.format, downloadUrl: r.url, accessUrl: r.url }]
    if (r.kind === 'file' && r.fileId) {
      const url = `${baseUrl}/open-data/files/${r.id}`
      return [{ id: r.id, resource: r, title: r.name, format: r.format, downloadUrl: url, accessUrl: url }]
    }
    const table = tables.get(r.id)
    if (r.kind === 'datastore' && table) {
      const access = `${page}/resources/${r.id}`
      return (
        [
          ['CSV', table.links.csv],
          ['JSON', table.links.json],
          ['PARQUET', table.links.parquet],
        ] as const
      ).map(([format, link]) => ({
        id: `${r.id}-${format.toLowerCase()}`,
        resource: r,
        title: `${r.name} (${format === 'PARQUET' ? 'Parquet' : format})`,
        format,
        downloadUrl: absolute(baseUrl, link),
        accessUrl: access,
      }))
    }
    return []
  })
}

/** Accumulates triples. */
class Graph {
  readonly quads: N3.Quad[] = []
  private blanks = 0
  add(s: Subject, p: string, o: Object | string | null | undefined): void {
    if (o === null || o === undefined || o === '') return
    this.quads.push(quad(s, namedNode(p), typeof o === 'string' ? literal(o) : o))
  }
  type(s: Subject, type: string): void {
    this.add(s, RDF_TYPE, namedNode(type))
  }
  blank(): N3.BlankNode {
    return blankNode(`b${this.blanks++}`)
  }
}

const dct = (term: string) => `${PREFIXES.dct}${term}`
const dcat = (term: string) => `${PREFIXES.dcat}${term}`
const foaf = (term: string) => `${PREFIXES.foaf}${term}`
const vcard = (term: string) => `${PREFIXES.vcard}${term}`
const xsd = (term: string) => namedNode(`${PREFIXES.xsd}${term}`)
const en = (text: string) => literal(text, 'en')
const dateTime = (d: Date) => literal(d.toISOString(), xsd('dateTime'))

export const datasetUri = (baseUrl: string, name: string) => `${baseUrl}/datasets/${name}#dataset`
export const organisationUri = (baseUrl: string, slug: string) => `${baseUrl}/organisations/${slug}`

function addDataset(g: Graph, view: DatasetView, tables: Map<string, TableSummary>, baseUrl: string): N3.NamedNode {
  const d = view.dataset
  const s = namedNode(datasetUri(baseUrl, d.name))
  const page = `${baseUrl}/datasets/${d.name}`
  g.type(s, dcat('Dataset'))
  g.add(s, dct('identifier'), d.id)
  g.add(s, dct('title'), en(d.title))
  g.add(s, dct('description'), en(plainText(d.description) || d.title))
  for (const k of d.keywords) g.add(s, dcat('keyword'), en(k))
  const theme = themeById(d.theme)
  if (theme) g.add(s, dcat('theme'), namedNode(themeUri(theme)))
  const frequency = frequencyById(d.frequency)
  if (frequency) g.add(s, dct('accrualPeriodicity'), namedNode(frequencyUri(frequency)))
  if (d.temporalStart || d.temporalEnd) {
    const period = g.blank()
    g.add(s, dct('temporal'), period)
    g.type(period, dct('PeriodOfTime'))
    if (d.temporalStart) g.add(period, dcat('startDate'), literal(d.temporalStart, xsd('date')))
    if (d.temporalEnd) g.add(period, dcat('endDate'), literal(d.temporalEnd, xsd('date')))
  }
  for (const code of d.spatial) g.add(s, dct('spatial'), namedNode(`${GSS}${code}`))
  if (d.contactEmail || d.contactName) {
    const contact = g.blank()
    g.add(s, dcat('contactPoint'), contact)
    g.type(contact, vcard('Kind'))
    g.add(contact, vcard('fn'), d.contactName || view.organisation.nameEn)
    if (d.contactEmail) g.add(contact, vcard('hasEmail'), namedNode(`mailto:${d.contactEmail}`))
  }
  const publisher = namedNode(organisationUri(baseUrl, view.organisation.slug))
  g.add(s, dct('publisher'), publisher)
  g.type(publisher, foaf('Agent'))
  g.add(publisher, foaf('name'), en(view.organisation.nameEn))
  if (view.organisation.nameGd) g.add(publisher, foaf('name'), literal(view.organisation.nameGd, 'gd'))
  if (d.publishedAt) g.add(s, dct('issued'), dateTime(d.publishedAt))
  g.add(s, dct('modified'), dateTime(d.modifiedAt))
  g.add(s, dcat('landingPage'), namedNode(page))
  const licence = licenceById(d.licence)
  for (const dl of downloadsOf(view, tables, baseUrl)) {
    const dist = namedNode(`${page}#distribution-${dl.id}`)
    g.add(s, dcat('distribution'), dist)
    g.type(dist, dcat('Distribution'))
    g.add(dist, dct('title'), en(dl.title))
    if (dl.resource.description) g.add(dist, dct('description'), en(dl.resource.description))
    g.add(dist, dcat('accessURL'), namedNode(dl.accessUrl))
    if (dl.downloadUrl) g.add(dist, dcat('downloadURL'), namedNode(dl.downloadUrl))
    if (/^[A-Z0-9]{2,10}$/.test(dl.format)) g.add(dist, dct('format'), namedNode(`${FILE_TYPE}${dl.format}`))
    const media = mediaTypeOf(dl.format)
    if (media) g.add(dist, dcat('mediaType'), namedNode(`${IANA}${media}`))
    if (licence) g.add(dist, dct('license'), namedNode(licence.url))
    g.add(dist, dct('modified'), dateTime(dl.resource.updatedAt))
  }
  return s
}

function addCatalogue(g: Graph, baseUrl: string, datasets: N3.NamedNode[], modified: Date | null): void {
  const c = namedNode(`${baseUrl}/datasets#catalogue`)
  g.type(c, dcat('Catalog'))
  g.add(c, dct('title'), en('Còmhla: open data from Scotland’s public bodies'))
  g.add(c, dct('title'), literal('Còmhla: dàta fosgailte bho bhuidhnean poblach na h-Alba', 'gd'))
  g.add(
    c,
    dct('description'),
    en('The national catalogue of open data published by Scotland’s councils, health boards and public bodies.'),
  )
  g.add(c, foaf('homepage'), namedNode(`${baseUrl}/datasets`))
  g.add(c, dct('language'), namedNode('http://publications.europa.eu/resource/authority/language/ENG'))
  g.add(c, dct('language'), namedNode('http://publications.europa.eu/resource/authority/language/GLA'))
  g.add(c, dct('spatial'), namedNode(`${GSS}${SCOTLAND_GSS}`))
  if (modified) g.add(c, dct('modified'), dateTime(modified))
  for (const d of datasets) g.add(c, dcat('dataset'), d)
}

export type DcatInput = { view: DatasetView; tables: Map<string, TableSummary> }

export function datasetGraph(input: DcatInput, baseUrl: string): N3.Quad[] {
  const g = new Graph()
  addDataset(g, input.view, input.tables, baseUrl)
  return g.quads
}

export function catalogueGraph(inputs: DcatInput[], baseUrl: string): N3.Quad[] {
  const g = new Graph()
  const catalogueQuads = new Graph()
  const ids = inputs.map((i) => addDataset(g, i.view, i.tables, baseUrl))
  const latest = inputs.reduce<Date | null>(
    (m, i) => (!m || i.view.dataset.modifiedAt > m ? i.view.dataset.modifiedAt : m),
    null,
  )
  // the catalogue's own triples (no blank nodes, so none collide with the datasets') come first
  addCatalogue(catalogueQuads, baseUrl, ids, latest)
  return [...catalogueQuads.quads, ...g.quads]
}

export function toTurtle(quads: N3.Quad[]): Promise<string> {
  const writer = new Writer({ prefixes: { ...PREFIXES } })
  writer.addQuads(quads)
  return new Promise((resolve, reject) => writer.end((error, result) => (error ? reject(error) : resolve(result))))
}

const compact = (iri: string): string => {
  for (const [prefix, ns] of Object.entries(PREFIXES))
    if (iri.startsWith(ns)) return `${prefix}:${iri.slice(ns.length)}`
  return iri
}

/** The same triples as JSON-LD: one node object per subject in a @graph, with prefixes as the context. */
export function toJsonLd(quads: N3.Quad[]): Record<string, unknown> {
  const nodes = new Map<string, Record<string, unknown>>()
  const idOf = (t: N3.Term) => (t.termType === 'BlankNode' ? `_:${t.value}` : compact(t.value))
  for (const q of quads) {
    const id = idOf(q.subject)
    let node = nodes.get(id)
    if (!node) {
      node = { '@id': id }
      nodes.set(id, node)
    }
    if (q.predicate.value === RDF_TYPE) {
      node['@type'] = [...((node['@type'] as string[] | undefined) ?? []), compact(q.object.value)]
      continue
    }
    const key = compact(q.predicate.value)
    const o = q.object
    const value =
      o.termType === 'Literal'
        ? o.language
          ? { '@value': o.value, '@language': o.language }
          : o.datatype.value === `${PREFIXES.xsd}string`
            ? { '@value': o.value }
            : { '@value': o.value, '@type': compact(o.datatype.value) }
        : { '@id': idOf(o) }
    node[key] = [...((node[key] as unknown[] | undefined) ?? []), value]
  }
  return { '@context': { ...PREFIXES }, '@graph': [...nodes.values()] }
}

// --- schema.org, for search engines ---

export function schemaOrgDataset(
  view: DatasetView,
  baseUrl: string,
  tables: Map<string, TableSummary>,
  councils: Council[],
): Record<string, unknown> {
  const d = view.dataset
  const licence = licenceById(d.licence)
  const description = plainText(d.description) || d.title
  return {
    '@context': 'https://schema.org',
    '@type': 'Dataset',
    '@id': datasetUri(baseUrl, d.name),
    name: d.title,
    // search engines want 50 to 5,000 characters
    description: description.length >= 50 ? description.slice(0, 5000) : `${description} — ${view.organisation.nameEn}`,
    url: `${baseUrl}/datasets/${d.name}`,
    identifier: d.id,
    keywords: d.keywords,
    ...(licence ? { license: licence.url } : {}),
    isAccessibleForFree: true,
    inLanguage: 'en-GB',
    creator: {
      '@type': 'Organization',
      name: view.organisation.nameEn,
      url: organisationUri(baseUrl, view.organisation.slug),
    },
    publisher: {
      '@type': 'Organization',
      name: view.organisation.nameEn,
      url: organisationUri(baseUrl, view.organisation.slug),
    },
    ...(d.publishedAt ? { datePublished: d.publishedAt.toISOString() } : {}),
    dateModified: d.modifiedAt.toISOString(),
    ...(d.temporalStart || d.temporalEnd
      ? { temporalCoverage: `${d.temporalStart ?? '..'}/${d.temporalEnd ?? '..'}` }
      : {}),
    ...(d.spatial.length
      ? {
          spatialCoverage: d.spatial.map((code) => ({
            '@type': 'Place',
            name: code === SCOTLAND_GSS ? 'Scotland' : (councils.find((c) => c.gssCode === code)?.nameEn ?? code),
            identifier: code,
          })),
        }
      : {}),
    ...(d.contactEmail
      ? {
          contactPoint: {
            '@type': 'ContactPoint',
            name: d.contactName || view.organisation.nameEn,
            email: d.contactEmail,
          },
        }
      : {}),
    distribution: downloadsOf(view, tables, baseUrl)
      .filter((dl) => dl.downloadUrl)
      .map((dl) => ({
        '@type': 'DataDownload',
        name: dl.title,
        encodingFormat: mediaTypeOf(dl.format) ?? dl.format,
        contentUrl: dl.downloadUrl,
      })),
  }
}

/** JSON for a <script type="application/ld+json">: nothing in it can end the script element. */
export function jsonLdScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

// --- data.json, Project Open Data 1.1 ---

const podPeriodicity: Record<string, string> = {
  continuous: 'R/PT1S',
  daily: 'R/P1D',
  weekly: 'R/P1W',
  monthly: 'R/P1M',
  quarterly: 'R/P3M',
  annual: 'R/P1Y',
  irregular: 'irregular',
}

export function podDataset(
  view: DatasetView,
  tables: Map<string, TableSummary>,
  baseUrl: string,
  councils: Council[],
): Record<string, unknown> {
  const d = view.dataset
  const licence = licenceById(d.licence)
  const theme = themeById(d.theme)
  const page = `${baseUrl}/datasets/${d.name}`
  return {
    '@type': 'dcat:Dataset',
    identifier: page,
    title: d.title,
    description: plainText(d.description) || d.title,
    keyword: d.keywords.length ? d.keywords : [theme?.name.en ?? d.theme],
    modified: d.modifiedAt.toISOString(),
    ...(d.publishedAt ? { issued: d.publishedAt.toISOString() } : {}),
    publisher: { '@type': 'org:Organization', name: view.organisation.nameEn },
    contactPoint: {
      '@type': 'vcard:Contact',
      fn: d.contactName || view.organisation.nameEn,
      hasEmail: `mailto:${d.contactEmail || 'opendata@comhla.scot'}`,
    },
    accessLevel: 'public',
    ...(licence ? { license: licence.url } : {}),
    ...(podPeriodicity[d.frequency] ? { accrualPeriodicity: podPeriodicity[d.frequency] } : {}),
    ...(d.temporalStart && d.temporalEnd ? { temporal: `${d.temporalStart}/${d.temporalEnd}` } : {}),
    ...(d.spatial.length
      ? {
          spatial: d.spatial
            .map((code) =>
              code === SCOTLAND_GSS ? 'Scotland' : (councils.find((c) => c.gssCode === code)?.nameEn ?? code),
            )
            .join(', '),
        }
      : {}),
    ...(theme ? { theme: [theme.name.en] } : {}),
    landingPage: page,
    distribution: downloadsOf(view, tables, baseUrl).map((dl) => ({
      '@type': 'dcat:Distribution',
      title: dl.title,
      ...(dl.resource.description ? { description: dl.resource.description } : {}),
      // data.json asks for a media type with every downloadURL; otherwise the address is for access
      ...(dl.downloadUrl && mediaTypeOf(dl.format)
        ? { downloadURL: dl.downloadUrl, mediaType: mediaTypeOf(dl.format) }
        : { accessURL: dl.accessUrl }),
      ...(dl.format ? { format: dl.format } : {}),
    })),
  }
}

export function podCatalogue(datasets: Record<string, unknown>[], baseUrl: string): Record<string, unknown> {
  return {
    '@context': 'https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld',
    '@id': `${baseUrl}/data.json`,
    '@type': 'dcat:Catalog',
    conformsTo: 'https://project-open-data.cio.gov/v1.1/schema',
    describedBy: 'https://project-open-data.cio.gov/v1.1/schema/catalog.json',
    dataset: datasets,
  }
}

// Harvesting: datasets' metadata imported from another portal, on a schedule per source — a CKAN
// portal's Action API (package_search) or a DCAT catalogue (JSON-LD, or Turtle). Harvested
// datasets belong to the body that added the source, keep a link to their original, are updated
// when the original changes and withdrawn when it disappears. Their resources are links.
import N3 from 'n3'
import type { Kernel } from '../../../platform/kernel.js'
import { systemContext, type ActionContext } from '../../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { isValidEmail } from '../../../shared/email.js'
import { CatalogueError, assertValid } from './dataset.errors.js'
import type { DatasetFields, ResourceFields } from './dataset.repository.js'
import { PUBLISHER_ROLES, parseKeywords, type CatalogueService } from './dataset.service.js'
import type { HarvestFrequency, HarvestKind, HarvestSource, Resource } from './dataset.types.js'
import { PREFIXES } from './dcat.js'
import { DEFAULT_LICENCE, frequencies, matchLicence, themes } from './taxonomy.js'

export const HARVEST_JOB = 'open-data.harvest'
export const HARVEST_DUE_JOB = 'open-data.harvest-due'
const MAX_DATASETS = 2000
const MAX_BYTES = 20_000_000
const GONE_REASON = 'It is no longer in the catalogue it was harvested from.'

const RDF_TYPE = `${PREFIXES.rdf}type`
const dcat = (t: string) => `${PREFIXES.dcat}${t}`
const dct = (t: string) => `${PREFIXES.dct}${t}`

export type HarvestInput = { organisationId: string; title: string; url: string; kind: string; frequency: string }

/** One dataset as read from the remote portal. */
export type RemoteDataset = {
  remoteId: string
  remoteUrl: string | null
  title: string
  description: string
  keywords: string[]
  themeId: string | null
  licence: string | null
  frequencyId: string | null
  contactName: string
  contactEmail: string
  resources: { name: string; description: string; format: string; url: string }[]
}

const nextRun = (from: Date, frequency: HarvestFrequency) =>
  new Date(from.getTime() + { hourly: 3_600_000, daily: 86_400_000, weekly: 7 * 86_400_000 }[frequency])

async function fetchText(url: string, accept: string): Promise<string> {
  const res = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(30_000), redirect: 'follow' })
  if (!res.ok) throw new Error(`${url} answered ${res.status}`)
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > MAX_BYTES) throw new Error(`${url} is larger than ${MAX_BYTES} bytes`)
  const text = await res.text()
  if (text.length > MAX_BYTES) throw new Error(`${url} is larger than ${MAX_BYTES} bytes`)
  return text
}

const asString = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '')

const themeFromUri = (value: string): string | null => {
  const code = value.split('/').pop()?.toUpperCase() ?? ''
  return (
    themes.find((t) => t.id === value.toLowerCase())?.id ??
    themes.find((t) => t.euTheme === code && t.id !== 'housing')?.id ??
    null
  )
}

const frequencyFromUri = (value: string): string | null => {
  const code = value.split('/').pop()?.toUpperCase() ?? ''
  return frequencies.find((f) => f.id === value.toLowerCase() || f.eu === code)?.id ?? null
}

// --- CKAN ---

export function fromCkanPackage(pkg: Record<string, unknown>, base: string): RemoteDataset | null {
  const id = asString(pkg.id)
  const name = asString(pkg.name)
  const title = asString(pkg.title) || name
  if (!id || !title) return null
  const extras = Array.isArray(pkg.extras) ? (pkg.extras as { key?: unknown; value?: unknown }[]) : []
  const extra = (key: string) => asString(extras.find((e) => e.key === key)?.value)
  const groups = Array.isArray(pkg.groups) ? (pkg.groups as { name?: unknown }[]) : []
  const themeId =
    groups.map((g) => themeFromUri(asString(g.name))).find((t) => t !== null) ??
    (extra('theme') ? themeFromUri(extra('theme')) : null)
  const tags = Array.isArray(pkg.tags) ? (pkg.tags as { name?: unknown }[]).map((tg) => asString(tg.name)) : []
  const resources = Array.isArray(pkg.resources) ? (pkg.resources as Record<string, unknown>[]) : []
  const email = asString(pkg.maintainer_email) || asString(pkg.author_email)
  return {
    remoteId: id,
    remoteUrl: name ? `${base}/dataset/${name}` : null,
    title,
    description: asString(pkg.notes),
    keywords: tags,
    themeId,
    licence: asString(pkg.license_id) || asString(pkg.license_url) || asString(pkg.license_title) || null,
    frequencyId: extra('frequency') ? frequencyFromUri(extra('frequency')) : null,
    contactName: asString(pkg.maintainer) || asString(pkg.author),
    contactEmail: isValidEmail(email) ? email : '',
    resources: resources
      .map((r) => ({
        name: asString(r.name) || asString(r.url),
        description: asString(r.description),
        format: asString(r.format),
        url: asString(r.url),
      }))
      .filter((r) => /^https?:\/\//.test(r.url)),
  }
}

async function readCkan(url: string): Promise<RemoteDataset[]> {
  const base = url.replace(/\/+$/, '').replace(/\/api\/3\/action.*$/, '')
  const out: RemoteDataset[] = []
  for (let start = 0; start < MAX_DATASETS; start += 100) {
    const text = await fetchText(
      `${base}/api/3/action/package_search?rows=100&start=${start}&sort=${encodeURIComponent('id asc')}`,
      'application/json',
    )
    const body = JSON.parse(text) as { success?: boolean; result?: { count?: number; results?: unknown[] } }
    if (!body.success || !Array.isArray(body.result?.results)) throw new Error(`${base} did not answer as CKAN does`)
    for (const pkg of body.result.results) {
      const d = fromCkanPackage(pkg as Record<string, unknown>, base)
      if (d) out.push(d)
    }
    if (body.result.results.length < 100) break
  }
  return out
}

// --- DCAT: JSON-LD read into triples (the subset of JSON-LD catalogues use), or Turtle ---

type Term = N3.NamedNode | N3.BlankNode | N3.Literal

/** A small JSON-LD reader: contexts with prefixes and terms, @graph, nested and referenced nodes. */
export function jsonLdToQuads(doc: unknown): N3.Quad[] {
  const quads: N3.Quad[] = []
  let blank = 0
  const terms = new Map<string, { iri: string; type?: string }>()
  const addContext = (ctx: unknown) => {
    for (const c of Array.isArray(ctx) ? ctx : [ctx]) {
      if (!c || typeof c !== 'object') continue
      for (const [k, v] of Object.entries(c as Record<string, unknown>)) {
        if (typeof v === 'string') terms.set(k, { iri: v })
        else if (v && typeof v === 'object' && typeof (v as { '@id'?: unknown })['@id'] === 'string')
          terms.set(k, {
            iri: (v as { '@id': string })['@id'],
            ...(typeof (v as { '@type'?: unknown })['@type'] === 'string'
              ? { type: (v as { '@type': string })['@type'] }
              : {}),
          })
      }
    }
  }
  const expand = (term: string, depth = 0): string | null => {
    if (depth > 5) return null
    const def = terms.get(term)
    if (def) return expand(def.iri, depth + 1) ?? def.iri
    const i = term.indexOf(':')
    if (i > 0) {
      const prefix = term.slice(0, i)
      if (prefix === 'http' || prefix === 'https' || prefix === 'mailto' || prefix === 'urn') return term
      const ns = terms.get(prefix)
      if (ns) return `${expand(ns.iri, depth + 1) ?? ns.iri}${term.slice(i + 1)}`
      if (prefix === '_') return term
    }
    return null
  }
  const subjectOf = (id: unknown): N3.NamedNode | N3.BlankNode => {
    if (typeof id === 'string') {
      if (id.startsWith('_:')) return N3.DataFactory.blankNode(id.slice(2))
      const iri = expand(id) ?? id
      return N3.DataFactory.namedNode(iri)
    }
    return N3.DataFactory.blankNode(`j${blank++}`)
  }
  const visit = (node: Record<string, unknown>, depth: number): N3.NamedNode | N3.BlankNode => {
    if (node['@context']) addContext(node['@context'])
    const s = subjectOf(node['@id'])
    if (depth > 20) return s
    for (const [key, raw] of Object.entries(node)) {
      if (key === '@context' || key === '@id') continue
      if (key === '@graph') {
        for (const n of Array.isArray(raw) ? raw : [raw])
          if (n && typeof n === 'object') visit(n as Record<string, unknown>, depth + 1)
        continue
      }
      const values = Array.isArray(raw) ? raw : [raw]
      if (key === '@type') {
        for (const v of values)
          if (typeof v === 'string') {
            const iri = expand(v)
            if (iri)
              quads.push(N3.DataFactory.quad(s, N3.DataFactory.namedNode(RDF_TYPE), N3.DataFactory.namedNode(iri)))
          }
        continue
      }
      const predicate = expand(key)
      if (!predicate) continue
      const def = terms.get(key)
      for (const v of values) {
        let o: Term | null = null
        if (v && typeof v === 'object') {
          const obj = v as Record<string, unknown>
          if ('@value' in obj) {
            const lang = typeof obj['@language'] === 'string' ? obj['@language'] : undefined
            const type = typeof obj['@type'] === 'string' ? expand(obj['@type']) : null
            o = N3.DataFactory.literal(
              asString(obj['@value']),
              lang ?? (type ? N3.DataFactory.namedNode(type) : undefined),
            )
          } else if ('@id' in obj && Object.keys(obj).length === 1) o = subjectOf(obj['@id'])
          else o = visit(obj, depth + 1)
        } else if (typeof v === 'string') {
          o = def?.type === '@id' ? subjectOf(v) : N3.DataFactory.literal(v)
        } else if (typeof v === 'number' || typeof v === 'boolean') o = N3.DataFactory.literal(String(v))
        if (o) quads.push(N3.DataFactory.quad(s, N3.DataFactory.namedNode(predicate), o))
      }
    }
    return s
  }
  if (Array.isArray(doc)) for (const n of doc) visit(n as Record<string, unknown>, 0)
  else if (doc && typeof doc === 'object') visit(doc as Record<string, unknown>, 0)
  return quads
}

export function fromDcat(quads: N3.Quad[]): RemoteDataset[] {
  const store = new N3.Store(quads)
  const one = (s: N3.Term, p: string) => store.getObjects(s, p, null)[0]
  const text = (s: N3.Term, p: string) => {
    const values = store.getObjects(s, p, null)
    return (
      (values.find((v) => v.termType === 'Literal' && (v.language === 'en' || v.language === '')) ?? values[0])
        ?.value ?? ''
    )
  }
  return store
    .getSubjects(RDF_TYPE, dcat('Dataset'), null)
    .slice(0, MAX_DATASETS)
    .map((s): RemoteDataset | null => {
      const title = text(s, dct('title'))
      if (!title) return null
      const landing = one(s, dcat('landingPage'))?.value ?? null
      const identifier = text(s, dct('identifier'))
      const contact = one(s, dcat('contactPoint'))
      const email = contact ? (one(contact, `${PREFIXES.vcard}hasEmail`)?.value ?? '').replace(/^mailto:/, '') : ''
      const distributions = store.getObjects(s, dcat('distribution'), null)
      const licence =
        one(s, dct('license'))?.value ??
        distributions.map((d) => one(d, dct('license'))?.value).find((v) => v !== undefined) ??
        null
      return {
        remoteId: s.termType === 'NamedNode' ? s.value : identifier || title,
        remoteUrl: landing ?? (s.termType === 'NamedNode' && /^https?:/.test(s.value) ? s.value : null),
        title,
        description: text(s, dct('description')),
        keywords: store.getObjects(s, dcat('keyword'), null).map((k) => k.value),
        themeId:
          store
            .getObjects(s, dcat('theme'), null)
            .map((th) => themeFromUri(th.value))
            .find((x) => x !== null) ?? null,
        licence,
        frequencyId: one(s, dct('accrualPeriodicity'))
          ? frequencyFromUri(one(s, dct('accrualPeriodicity'))!.value)
          : null,
        contactName: contact ? text(contact, `${PREFIXES.vcard}fn`) : '',
        contactEmail: isValidEmail(email) ? email : '',
        resources: distributions
          .map((d) => {
            const url = one(d, dcat('downloadURL'))?.value ?? one(d, dcat('accessURL'))?.value ?? ''
            const format =
              (one(d, dct('format'))?.value ?? one(d, dcat('mediaType'))?.value ?? '').split('/').pop() ?? ''
            return { name: text(d, dct('title')) || url, description: text(d, dct('description')), format, url }
          })
          .filter((r) => /^https?:\/\//.test(r.url)),
      }
    })
    .filter((d): d is RemoteDataset => d !== null)
}

async function readDcat(url: string): Promise<RemoteDataset[]> {
  const text = await fetchText(url, 'application/ld+json, text/turtle;q=0.9, application/json;q=0.8')
  const trimmed = text.trimStart()
  const quads =
    trimmed.startsWith('{') || trimmed.startsWith('[')
      ? jsonLdToQuads(JSON.parse(text) as unknown)
      : new N3.Parser().parse(text)
  return fromDcat(quads)
}

// --- the service ---

export class HarvestService {
  constructor(
    private readonly kernel: Kernel,
    private readonly catalogue: CatalogueService,
    /** reads a source (replaceable in tests) */
    private readonly readers: Record<HarvestKind, (url: string) => Promise<RemoteDataset[]>> = {
      ckan: readCkan,
      dcat: readDcat,
    },
  ) {}

  private get repo() {
    return this.catalogue.repo
  }

  async sourcesFor(ctx: ActionContext): Promise<HarvestSource[]> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) return this.repo.harvestSources(this.kernel.db, 'all')
    const ids = principal.memberships
      .filter((m) => this.catalogue.canPublish(principal, m.organisationId))
      .map((m) => m.organisationId)
    return this.repo.harvestSources(this.kernel.db, ids)
  }

  validate(input: HarvestInput): {
    organisationId: string
    title: string
    url: string
    kind: HarvestKind
    frequency: HarvestFrequency
  } {
    const errors: Record<string, string> = {}
    const title = input.title.trim().replace(/\s+/g, ' ')
    if (!/^[0-9a-f-]{36}$/i.test(input.organisationId)) errors.organisationId = 'open-data.form.error.organisation'
    if (title === '') errors.title = 'open-data.harvest.error.title'
    else if (title.length > 200) errors.title = 'open-data.harvest.error.titleTooLong'
    let url = ''
    try {
      const parsed = new URL(input.url.trim())
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('scheme')
      url = parsed.toString().replace(/\/$/, '')
    } catch {
      errors.url = 'open-data.harvest.error.url'
    }
    if (input.kind !== 'ckan' && input.kind !== 'dcat') errors.kind = 'open-data.harvest.error.kind'
    if (!['hourly', 'daily', 'weekly'].includes(input.frequency)) errors.frequency = 'open-data.harvest.error.frequency'
    assertValid('HARVEST_SOURCE_INVALID', errors, 'Check the harvest source')
    return {
      organisationId: input.organisationId,
      title,
      url,
      kind: input.kind as HarvestKind,
      frequency: input.frequency as HarvestFrequency,
    }
  }

  async create(ctx: ActionContext, input: HarvestInput): Promise<HarvestSource> {
    const fields = this.validate(input)
    const organisation = await this.kernel.organisations.getById(fields.organisationId)
    if (!organisation)
      throw new CatalogueError('HARVEST_SOURCE_INVALID', 'Choose an organisation', {
        fields: { organisationId: 'open-data.form.error.organisation' },
      })
    requireOrganisationRole(ctx, organisation.id, PUBLISHER_ROLES)
    return inTransaction(this.kernel.db, async (trx) => {
      const source = await this.repo.insertHarvestSource(trx, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.harvest-source-added',
        organisationId: source.organisationId,
        targetType: 'harvest-source',
        targetId: source.id,
        details: { title: source.title, url: source.url, kind: source.kind, frequency: source.frequency },
      })
      await this.kernel.jobs.send(HARVEST_JOB, { sourceId: source.id }, { trx })
      return source
    })
  }

  /** Asks for a run now (the job does the work). */
  async runSoon(ctx: ActionContext, id: string): Promise<void> {
    const source = await this.repo.harvestSource(this.kernel.db, id)
    if (!source) throw new CatalogueError('HARVEST_SOURCE_NOT_FOUND', 'There is no such harvest source')
    requireOrganisationRole(ctx, source.organisationId, PUBLISHER_ROLES)
    await inTransaction(this.kernel.db, async (trx) => {
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.harvest-requested',
        organisationId: source.organisationId,
        targetType: 'harvest-source',
        targetId: source.id,
        details: {},
      })
      await this.kernel.jobs.send(HARVEST_JOB, { sourceId: source.id }, { trx })
    })
  }

  /** Run by the scheduler job: sends a harvest job for each source that is due, once each. */
  async sendDue(now = new Date()): Promise<number> {
    let sent = 0
    for (const source of await this.repo.dueHarvestSources(this.kernel.db, now)) {
      await inTransaction(this.kernel.db, async (trx) => {
        if (!(await this.repo.claimHarvestRun(trx, source.id, source.nextRunAt, nextRun(now, source.frequency)))) return
        await this.kernel.jobs.send(HARVEST_JOB, { sourceId: source.id }, { trx })
        sent++
      })
    }
    return sent
  }

  private fieldsOf(remote: RemoteDataset, source: HarvestSource): DatasetFields | null {
    const licence = matchLicence(remote.licence === 'uk-ogl' ? DEFAULT_LICENCE : remote.licence)
    if (!licence) return null
    return {
      organisationId: source.organisationId,
      title: remote.title.trim().replace(/\s+/g, ' ').slice(0, 200),
      description: remote.description.slice(0, 50_000),
      keywords: parseKeywords(remote.keywords.join(','))
        .filter((k) => k.length <= 50)
        .slice(0, 20),
      theme: remote.themeId ?? 'government',
      licence: licence.id,
      frequency: remote.frequencyId ?? 'irregular',
      temporalStart: null,
      temporalEnd: null,
      spatial: [],
      contactName: remote.contactName.slice(0, 200),
      contactEmail: remote.contactEmail,
    }
  }

  private resourceFields(remote: RemoteDataset): ResourceFields[] {
    return remote.resources.slice(0, 100).map((r) => ({
      kind: 'link',
      name: (r.name || r.url).slice(0, 200),
      description: r.description.slice(0, 5000),
      format: r.format
        .toUpperCase()
        .replace(/[^A-Z0-9.+-]/g, '')
        .slice(0, 20),
      url: r.url.slice(0, 2000),
    }))
  }

  private sameResources(existing: Resource[], wanted: ResourceFields[]): boolean {
    const key = (r: { name: string; format: string; url: string | null; description: string }) =>
      `${r.name}\u0000${r.format}\u0000${r.url ?? ''}\u0000${r.description}`
    return existing.map(key).join('\n') === wanted.map(key).join('\n')
  }

  /** Harvests one source now. */
  async harvest(sourceId: string): Promise<{ created: number; updated: number; withdrawn: number; failed: number }> {
    const source = await this.repo.harvestSource(this.kernel.db, sourceId)
    if (!source) return { created: 0, updated: 0, withdrawn: 0, failed: 0 }
    const ctx = systemContext('open-data:harvest')
    const counts = { created: 0, updated: 0, withdrawn: 0, failed: 0 }
    let remote: RemoteDataset[]
    try {
      remote = await this.readers[source.kind](source.url)
    } catch (error) {
      await this.repo.recordHarvestRun(this.kernel.db, source.id, {
        status: 'failed',
        message: error instanceof Error ? error.message.slice(0, 500) : 'The source could not be read',
        counts,
      })
      return counts
    }
    const seen = new Set<string>()
    for (const r of remote) {
      try {
        const fields = this.fieldsOf(r, source)
        if (!fields || !fields.title) {
          counts.failed++
          continue
        }
        seen.add(r.remoteId)
        const wanted = this.resourceFields(r)
        const existing = await this.repo.getByRemote(this.kernel.db, source.id, r.remoteId)
        if (!existing) {
          if (wanted.length === 0) {
            counts.failed++
            continue
          }
          const created = await this.catalogue.insert(
            ctx,
            { ...fields, description: fields.description || fields.title },
            { origin: 'harvested', harvestSourceId: source.id, remoteId: r.remoteId, remoteUrl: r.remoteUrl },
            null,
          )
          for (const res of wanted) await this.catalogue.addResourceUnchecked(ctx, created.id, res)
          await this.catalogue.publishUnchecked(ctx, created.id)
          counts.created++
          continue
        }
        const before = existing.modifiedAt.getTime()
        await this.catalogue.applyUpdate(ctx, existing.id, {
          ...fields,
          description: fields.description || fields.title,
        })
        const resources = await this.repo.resources(this.kernel.db, existing.id)
        let changed = false
        if (!this.sameResources(resources, wanted) && wanted.length > 0) {
          for (const res of wanted) await this.catalogue.addResourceUnchecked(ctx, existing.id, res)
          for (const old of resources) {
            await inTransaction(this.kernel.db, async (trx) => {
              await this.repo.deleteResource(trx, old.id)
            })
          }
          changed = true
        }
        if (existing.status !== 'published') {
          await this.catalogue.publishUnchecked(ctx, existing.id)
          changed = true
        }
        const after = await this.repo.getDataset(this.kernel.db, existing.id)
        if (changed || (after && after.modifiedAt.getTime() !== before)) counts.updated++
      } catch (error) {
        this.kernel.logger.warn(
          { err: error, source: source.id, remote: r.remoteId },
          'open data: a harvested dataset failed',
        )
        counts.failed++
      }
    }
    for (const d of await this.repo.harvestedBy(this.kernel.db, source.id)) {
      if (d.status === 'published' && d.remoteId && !seen.has(d.remoteId)) {
        await this.catalogue.withdrawUnchecked(ctx, d.id, GONE_REASON)
        counts.withdrawn++
      }
    }
    await inTransaction(this.kernel.db, async (trx) => {
      await this.repo.recordHarvestRun(trx, source.id, {
        status: counts.failed > 0 ? 'partial' : 'succeeded',
        message: null,
        counts,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.harvested',
        organisationId: source.organisationId,
        targetType: 'harvest-source',
        targetId: source.id,
        details: { ...counts, seen: remote.length },
      })
    })
    return counts
  }
}

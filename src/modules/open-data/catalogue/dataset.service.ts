// The rules of the catalogue: who may create and change datasets, their resources, publishing and
// withdrawal (which make the data store's tables public or private in the same transaction), and
// the public search. Every change and its audit entry commit together.
import { actingAccountId } from '../../../platform/auth/principal.js'
import type { Transaction } from 'kysely'
import type { Kernel } from '../../../platform/kernel.js'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import type { ActionContext, Principal } from '../../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal, rolesIn } from '../../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../../platform/accounts/roles.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { slugify, type Organisation } from '../../../platform/organisations/organisation.service.js'
import { isValidEmail } from '../../../shared/email.js'
import type { Upload } from '../../../platform/files/uploads.plugin.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import type { DatastoreService } from '../datastore/datastore.public.js'
import {
  CatalogueRepository,
  type DatasetFields,
  type DatasetOriginFields,
  type Executor,
  type ResourceFields,
} from './dataset.repository.js'
import { CatalogueError, assertValid, datasetNotFound } from './dataset.errors.js'
import { DEFAULT_LICENCE, SCOTLAND_GSS, frequencyById, licenceById, themeById } from './taxonomy.js'
import type { Dataset, DatasetSearch, Facets, Resource, ResourceKind, SearchSort } from './dataset.types.js'

export const PUBLISHER_ROLES = ['data-publisher']
/** the kinds of file a file resource may be */
export const FILE_EXTENSIONS = ['pdf', 'csv', 'txt', 'xlsx', 'ods', 'docx', 'odt'] as const
export const PUBLISH_SCOPE = 'open-data:publish'
/** the job that emails a dataset's subscribers about a change */
export const NOTIFY_JOB = 'open-data.notify-subscribers'
/** the deepest a search may page (bounded pagination: a deep OFFSET is refused) */
export const MAX_SEARCH_OFFSET = 10_000

export type DatasetInput = {
  organisationId: string
  title: string
  description: string
  /** comma-separated, as typed */
  keywords: string
  theme: string
  licence: string
  frequency: string
  temporalStart: string
  temporalEnd: string
  spatial: string[]
  contactName: string
  contactEmail: string
}

export type ResourceInput = { kind: string; name: string; description: string; format: string; url: string }

export type DatasetView = { dataset: Dataset; organisation: Organisation; resources: Resource[] }

export type SearchParams = {
  q?: string | undefined
  organisation?: string[] | undefined
  theme?: string[] | undefined
  format?: string[] | undefined
  licence?: string[] | undefined
  keyword?: string[] | undefined
  sort?: string | undefined
  page?: number | string | undefined
  pageSize?: number | string | undefined
}

export type SearchResult = {
  page: Page<DatasetView>
  facets: Facets
  /** organisations named in the facets and filters, by id */
  organisations: Map<string, Organisation>
  sort: SearchSort
}

export type Council = { gssCode: string; nameEn: string; nameGd: string | null }

const DATE = /^\d{4}-\d{2}-\d{2}$/
const validDate = (s: string) => {
  if (!DATE.test(s)) return false
  const d = new Date(`${s}T00:00:00Z`)
  // rejects dates that JavaScript would roll over, such as 30 February
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
}

/** Keywords as typed ("bins, Recycling ,waste") → a clean, de-duplicated list. */
export function parseKeywords(raw: string): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const part of raw.split(/[,\n]/)) {
    const k = part.trim().replace(/\s+/g, ' ').toLowerCase()
    if (k && !seen.has(k)) {
      seen.add(k)
      out.push(k)
    }
  }
  return out
}

const list = (v: string[] | undefined, max = 20) =>
  (v ?? [])
    .map((x) => x.trim())
    .filter((x) => x !== '' && x.length <= 200)
    .slice(0, max)

export class CatalogueService {
  readonly repo = new CatalogueRepository()
  private councilCache: { at: number; councils: Council[] } | null = null

  constructor(
    readonly kernel: Kernel,
    readonly datastore: DatastoreService,
  ) {}

  get db() {
    return this.kernel.db
  }

  // --- reference data ---

  /** The 32 council areas with their GSS codes, from the organisations directory. */
  async councils(): Promise<Council[]> {
    if (this.councilCache && Date.now() - this.councilCache.at < 60_000) return this.councilCache.councils
    const page = await this.kernel.organisations.list({ type: 'council', pageSize: 200 })
    const councils = page.items
      .filter((o) => o.gssCode)
      .map((o) => ({ gssCode: o.gssCode!, nameEn: o.nameEn, nameGd: o.nameGd }))
      .sort((a, b) => a.nameEn.localeCompare(b.nameEn))
    this.councilCache = { at: Date.now(), councils }
    return councils
  }

  /** Organisations by id, each looked up once. */
  async organisationsById(ids: Iterable<string>): Promise<Map<string, Organisation>> {
    const out = new Map<string, Organisation>()
    for (const id of new Set(ids)) {
      const o = await this.kernel.organisations.getById(id)
      if (o) out.set(id, o)
    }
    return out
  }

  private async views(datasets: Dataset[], executor: Executor = this.db): Promise<DatasetView[]> {
    const orgs = await this.organisationsById(datasets.map((d) => d.organisationId))
    const resources = await this.repo.resourcesFor(
      executor,
      datasets.map((d) => d.id),
    )
    return datasets.flatMap((dataset) => {
      const organisation = orgs.get(dataset.organisationId)
      return organisation ? [{ dataset, organisation, resources: resources.get(dataset.id) ?? [] }] : []
    })
  }

  private async view(dataset: Dataset): Promise<DatasetView> {
    const [v] = await this.views([dataset])
    if (!v) throw datasetNotFound()
    return v
  }

  // --- staff: access ---

  canPublish(principal: Principal, organisationId: string): boolean {
    const held = rolesIn(principal, organisationId)
    return principal.isPlatformAdmin || held.includes(ORG_ADMIN) || held.some((r) => PUBLISHER_ROLES.includes(r))
  }

  /** The bodies in which this person may publish data. */
  async publishingOrganisations(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) {
      const all: Organisation[] = []
      for await (const o of this.kernel.organisations.all()) all.push(o)
      return all
    }
    const ids = principal.memberships
      .filter((m) => this.canPublish(principal, m.organisationId))
      .map((m) => m.organisationId)
    return [...(await this.organisationsById(ids)).values()].sort((a, b) => a.nameEn.localeCompare(b.nameEn))
  }

  /** Datasets of the bodies where this person publishes data. */
  async listForPublisher(ctx: ActionContext): Promise<DatasetView[]> {
    const principal = requirePrincipal(ctx)
    const ids = principal.isPlatformAdmin
      ? 'all'
      : principal.memberships.filter((m) => this.canPublish(principal, m.organisationId)).map((m) => m.organisationId)
    return this.views(await this.repo.listForOrganisations(this.db, ids))
  }

  /** A dataset of any status, if this person publishes data for its body. */
  async getForPublisher(ctx: ActionContext, id: string, scope?: string): Promise<DatasetView> {
    const dataset = await this.repo.getDataset(this.db, id)
    if (!dataset) throw datasetNotFound()
    requireOrganisationRole(ctx, dataset.organisationId, PUBLISHER_ROLES, scope)
    return this.view(dataset)
  }

  // --- staff: datasets ---

  async validateDataset(input: DatasetInput): Promise<DatasetFields> {
    const errors: Record<string, string> = {}
    const title = input.title.trim().replace(/\s+/g, ' ')
    const description = input.description.replace(/\r\n/g, '\n').trim()
    const keywords = parseKeywords(input.keywords)
    if (!/^[0-9a-f-]{36}$/i.test(input.organisationId)) errors.organisationId = 'open-data.form.error.organisation'
    if (title === '') errors.title = 'open-data.form.error.title'
    else if (title.length > 200) errors.title = 'open-data.form.error.titleTooLong'
    if (description.length > 50_000) errors.description = 'open-data.form.error.descriptionTooLong'
    if (keywords.length > 20) errors.keywords = 'open-data.form.error.keywordsTooMany'
    else if (keywords.some((k) => k.length > 50)) errors.keywords = 'open-data.form.error.keywordTooLong'
    if (!themeById(input.theme)) errors.theme = 'open-data.form.error.theme'
    const licence = input.licence.trim() || DEFAULT_LICENCE
    if (!licenceById(licence)) errors.licence = 'open-data.form.error.licence'
    const frequency = input.frequency.trim() || 'irregular'
    if (!frequencyById(frequency)) errors.frequency = 'open-data.form.error.frequency'
    const start = input.temporalStart.trim()
    const end = input.temporalEnd.trim()
    if (start && !validDate(start)) errors.temporalStart = 'open-data.form.error.date'
    if (end && !validDate(end)) errors.temporalEnd = 'open-data.form.error.date'
    else if (start && end && validDate(start) && end < start) errors.temporalEnd = 'open-data.form.error.endBeforeStart'
    const known = new Set([SCOTLAND_GSS, ...(await this.councils()).map((c) => c.gssCode)])
    const spatial = [...new Set(input.spatial.map((s) => s.trim().toUpperCase()).filter((s) => s !== ''))]
    if (spatial.some((s) => !known.has(s))) errors.spatial = 'open-data.form.error.spatial'
    const contactName = input.contactName.trim().replace(/\s+/g, ' ')
    const contactEmail = input.contactEmail.trim()
    if (contactName.length > 200) errors.contactName = 'open-data.form.error.contactNameTooLong'
    if (contactEmail && !isValidEmail(contactEmail)) errors.contactEmail = 'open-data.form.error.contactEmail'
    assertValid('DATASET_INVALID', errors, 'Check the details of the dataset')
    return {
      organisationId: input.organisationId,
      title,
      description,
      keywords,
      theme: input.theme,
      licence,
      frequency,
      temporalStart: start || null,
      temporalEnd: end || null,
      spatial,
      contactName,
      contactEmail,
    }
  }

  async uniqueName(executor: Executor, title: string): Promise<string> {
    const base = slugify(title).slice(0, 80).replace(/-+$/, '') || 'dataset'
    for (let n = 1; n < 1000; n++) {
      const name = n === 1 ? base : `${base}-${n}`
      if (!(await this.repo.nameTaken(executor, name))) return name
    }
    return `${base}-${Date.now()}`
  }

  async create(ctx: ActionContext, input: DatasetInput, scope?: string): Promise<Dataset> {
    const principal = requirePrincipal(ctx)
    const fields = await this.validateDataset(input)
    const organisation = await this.kernel.organisations.getById(fields.organisationId)
    if (!organisation)
      throw new CatalogueError('DATASET_INVALID', 'Choose an organisation', {
        fields: { organisationId: 'open-data.form.error.organisation' },
      })
    requireOrganisationRole(ctx, organisation.id, PUBLISHER_ROLES, scope)
    return this.insert(ctx, fields, { origin: 'local' }, actingAccountId(principal))
  }

  /** Inserts a dataset with a fresh name; for pages, the API, harvesting and platform providers. */
  async insert(
    ctx: ActionContext,
    fields: DatasetFields,
    origin: DatasetOriginFields,
    createdBy: string | null,
  ): Promise<Dataset> {
    return inTransaction(this.db, async (trx) => {
      const name = await this.uniqueName(trx, fields.title)
      const created = await this.repo.insertDataset(trx, name, fields, origin, createdBy)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.dataset-created',
        organisationId: created.organisationId,
        targetType: 'dataset',
        targetId: created.id,
        details: { name: created.name, title: created.title, origin: created.origin },
      })
      return created
    })
  }

  private assertEditable(dataset: Dataset): void {
    if (dataset.origin !== 'local')
      throw new CatalogueError('DATASET_NOT_EDITABLE', 'open-data.error.notEditable', {
        logMessage: `dataset ${dataset.id} is ${dataset.origin}`,
      })
  }

  async update(ctx: ActionContext, id: string, input: DatasetInput, scope?: string): Promise<Dataset> {
    const existing = await this.repo.getDataset(this.db, id)
    if (!existing) throw datasetNotFound()
    requireOrganisationRole(ctx, existing.organisationId, PUBLISHER_ROLES, scope)
    this.assertEditable(existing)
    const fields = await this.validateDataset(input)
    if (fields.organisationId !== existing.organisationId) {
      if (existing.publishedAt)
        throw new CatalogueError('DATASET_INVALID', 'A published dataset stays with its organisation', {
          fields: { organisationId: 'open-data.form.error.organisationLocked' },
        })
      const organisation = await this.kernel.organisations.getById(fields.organisationId)
      if (!organisation)
        throw new CatalogueError('DATASET_INVALID', 'Choose an organisation', {
          fields: { organisationId: 'open-data.form.error.organisation' },
        })
      requireOrganisationRole(ctx, organisation.id, PUBLISHER_ROLES, scope)
    }
    return this.applyUpdate(ctx, id, fields)
  }

  /** Writes new metadata; a published dataset counts as modified and its subscribers are told. */
  async applyUpdate(ctx: ActionContext, id: string, fields: DatasetFields): Promise<Dataset> {
    return inTransaction(this.db, async (trx) => {
      const before = await this.repo.getDataset(trx, id, { lock: true })
      if (!before) throw datasetNotFound()
      const changed = (Object.keys(fields) as (keyof DatasetFields)[]).filter(
        (k) => JSON.stringify(before[k]) !== JSON.stringify(fields[k]),
      )
      if (changed.length === 0) return before
      const published = before.status === 'published'
      const updated = await this.repo.updateDataset(trx, id, fields, published)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.dataset-updated',
        organisationId: updated.organisationId,
        targetType: 'dataset',
        targetId: id,
        details: { changed },
      })
      if (published) await this.notifyLater(trx, id)
      return updated
    })
  }

  /** What stops a dataset being published, as message keys (empty when it may be). */
  publishProblems(view: { dataset: Dataset; resources: Resource[] }): string[] {
    const problems: string[] = []
    if (view.dataset.description.trim() === '') problems.push('open-data.publish.problem.description')
    // datasets from other portals and from the platform's modules bring their own contact, or none
    if (!view.dataset.contactEmail && view.dataset.origin === 'local')
      problems.push('open-data.publish.problem.contact')
    if (view.resources.length === 0) problems.push('open-data.publish.problem.resources')
    return problems
  }

  async publish(ctx: ActionContext, id: string, scope?: string): Promise<Dataset> {
    const existing = await this.repo.getDataset(this.db, id)
    if (!existing) throw datasetNotFound()
    requireOrganisationRole(ctx, existing.organisationId, PUBLISHER_ROLES, scope)
    return this.publishUnchecked(ctx, id)
  }

  /** Publishes after the caller has checked who may (services of the module itself, harvesting, providers). */
  async publishUnchecked(ctx: ActionContext, id: string): Promise<Dataset> {
    return inTransaction(this.db, async (trx) => {
      const dataset = await this.repo.getDataset(trx, id, { lock: true })
      if (!dataset) throw datasetNotFound()
      if (dataset.status === 'published') return dataset
      const resources = await this.repo.resources(trx, id)
      const problems = this.publishProblems({ dataset, resources })
      if (problems.length > 0) throw new CatalogueError('DATASET_NOT_PUBLISHABLE', problems[0]!)
      const published = await this.repo.setStatus(trx, id, {
        status: 'published',
        firstPublication: dataset.publishedAt === null,
      })
      for (const r of resources) if (r.kind === 'datastore') await this.datastore.setPublic(r.id, true, ctx)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.dataset-published',
        organisationId: dataset.organisationId,
        targetType: 'dataset',
        targetId: id,
        details: { name: dataset.name, from: dataset.status },
      })
      if (dataset.status === 'withdrawn') await this.notifyLater(trx, id)
      return published
    })
  }

  async withdraw(ctx: ActionContext, id: string, reason: string, scope?: string): Promise<Dataset> {
    const existing = await this.repo.getDataset(this.db, id)
    if (!existing) throw datasetNotFound()
    requireOrganisationRole(ctx, existing.organisationId, PUBLISHER_ROLES, scope)
    const clean = reason.replace(/\r\n/g, '\n').trim()
    if (clean === '')
      throw new CatalogueError('DATASET_INVALID', 'Say why the dataset is withdrawn', {
        fields: { reason: 'open-data.withdraw.error.reason' },
      })
    if (clean.length > 1000)
      throw new CatalogueError('DATASET_INVALID', 'The reason is too long', {
        fields: { reason: 'open-data.withdraw.error.reasonTooLong' },
      })
    return this.withdrawUnchecked(ctx, id, clean)
  }

  async withdrawUnchecked(ctx: ActionContext, id: string, reason: string): Promise<Dataset> {
    return inTransaction(this.db, async (trx) => {
      const dataset = await this.repo.getDataset(trx, id, { lock: true })
      if (!dataset) throw datasetNotFound()
      if (dataset.status !== 'published')
        throw new CatalogueError('DATASET_NOT_WITHDRAWABLE', 'open-data.withdraw.error.notPublished')
      const withdrawn = await this.repo.setStatus(trx, id, { status: 'withdrawn', reason })
      for (const r of await this.repo.resources(trx, id))
        if (r.kind === 'datastore') await this.datastore.setPublic(r.id, false, ctx)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.dataset-withdrawn',
        organisationId: dataset.organisationId,
        targetType: 'dataset',
        targetId: id,
        details: { name: dataset.name, reason },
      })
      await this.notifyLater(trx, id)
      return withdrawn
    })
  }

  /** A draft that was never published can be deleted, with its resources and their tables. */
  async deleteDraft(ctx: ActionContext, id: string, scope?: string): Promise<void> {
    const existing = await this.repo.getDataset(this.db, id)
    if (!existing) throw datasetNotFound()
    requireOrganisationRole(ctx, existing.organisationId, PUBLISHER_ROLES, scope)
    await inTransaction(this.db, async (trx) => {
      const dataset = await this.repo.getDataset(trx, id, { lock: true })
      if (!dataset) throw datasetNotFound()
      if (dataset.status !== 'draft' || dataset.publishedAt)
        throw new CatalogueError('DATASET_NOT_EDITABLE', 'open-data.delete.error.published')
      for (const r of await this.repo.resources(trx, id))
        if (r.kind === 'datastore') await this.datastore.detachTable(r.id, ctx)
      await this.repo.deleteDataset(trx, id)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.dataset-deleted',
        organisationId: dataset.organisationId,
        targetType: 'dataset',
        targetId: id,
        details: { name: dataset.name, title: dataset.title },
      })
    })
  }

  // --- staff: resources ---

  validateResource(input: ResourceInput, kind: ResourceKind): ResourceFields {
    const errors: Record<string, string> = {}
    const name = input.name.trim().replace(/\s+/g, ' ')
    const description = input.description.replace(/\r\n/g, '\n').trim()
    let format = input.format.trim().toUpperCase().replace(/^\./, '')
    let url: string | null = null
    if (name === '') errors.name = 'open-data.resource.error.name'
    else if (name.length > 200) errors.name = 'open-data.resource.error.nameTooLong'
    if (description.length > 5000) errors.description = 'open-data.resource.error.descriptionTooLong'
    if (kind === 'link') {
      const raw = input.url.trim()
      let parsed: URL | null = null
      try {
        parsed = raw.length <= 2000 ? new URL(raw) : null
      } catch {
        parsed = null
      }
      if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
        errors.url = 'open-data.resource.error.url'
      else url = parsed.toString()
      if (!/^[A-Z0-9.+-]{0,20}$/.test(format)) errors.format = 'open-data.resource.error.format'
    } else if (kind === 'datastore') {
      format = 'CSV'
    } else if (!/^[A-Z0-9.+-]{0,20}$/.test(format)) errors.format = 'open-data.resource.error.format'
    assertValid('DATASET_RESOURCE_INVALID', errors, 'Check the resource')
    return { kind, name, description, format, url }
  }

  private resourceKind(kind: string): ResourceKind {
    if (kind === 'link' || kind === 'datastore') return kind
    // Files come with an upload, through addFileResource.
    throw new CatalogueError('DATASET_RESOURCE_INVALID', 'Choose a kind of resource', {
      fields: { kind: 'open-data.resource.error.kind' },
    })
  }

  async addResource(ctx: ActionContext, datasetId: string, input: ResourceInput, scope?: string): Promise<Resource> {
    const view = await this.getForPublisher(ctx, datasetId, scope)
    const fields = this.validateResource(input, this.resourceKind(input.kind))
    return this.addResourceUnchecked(ctx, view.dataset.id, fields)
  }

  async addResourceUnchecked(ctx: ActionContext, datasetId: string, fields: ResourceFields): Promise<Resource> {
    return inTransaction(this.db, async (trx) => {
      const dataset = await this.repo.getDataset(trx, datasetId, { lock: true })
      if (!dataset) throw datasetNotFound()
      if ((await this.repo.resources(trx, datasetId)).length >= 100)
        throw new CatalogueError('DATASET_RESOURCE_INVALID', 'A dataset has at most 100 resources', {
          fields: { name: 'open-data.resource.error.tooMany' },
        })
      const resource = await this.repo.insertResource(trx, datasetId, fields)
      if (fields.kind === 'datastore') {
        await this.datastore.attachTable({ resourceId: resource.id, organisationId: dataset.organisationId }, ctx)
        if (dataset.status === 'published') await this.datastore.setPublic(resource.id, true, ctx)
      }
      if (dataset.status === 'published') {
        await this.repo.touch(trx, datasetId)
        await this.notifyLater(trx, datasetId)
      }
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.resource-added',
        organisationId: dataset.organisationId,
        targetType: 'dataset',
        targetId: datasetId,
        details: { resourceId: resource.id, kind: resource.kind, name: resource.name, format: resource.format },
      })
      return resource
    })
  }

  private async resourceOf(datasetId: string, resourceId: string): Promise<Resource> {
    const resource = await this.repo.getResource(this.db, resourceId)
    if (!resource || resource.datasetId !== datasetId)
      throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such resource')
    return resource
  }

  /** A document or spreadsheet kept by the platform's file store, as a resource of the dataset. */
  async addFileResource(
    ctx: ActionContext,
    datasetId: string,
    input: ResourceInput,
    upload: Upload | undefined,
  ): Promise<Resource> {
    const view = await this.getForPublisher(ctx, datasetId)
    const fields = this.validateResource(input, 'file')
    if (!upload)
      throw new CatalogueError('DATASET_RESOURCE_INVALID', 'Choose a file', {
        fields: { file: 'open-data.resource.error.file' },
      })
    const principal = requirePrincipal(ctx)
    const extension = upload.filename.split('.').pop()?.toUpperCase() ?? ''
    return inTransaction(this.db, async (trx) => {
      const resource = await this.addResourceUnchecked(ctx, view.dataset.id, {
        ...fields,
        format: fields.format || extension,
      })
      const stored = await this.kernel.files.store(trx, upload, {
        owner: `open-data.resource:${resource.id}`,
        organisationId: view.dataset.organisationId,
        accept: [...FILE_EXTENSIONS],
        field: 'file',
        createdBy: actingAccountId(principal),
      })
      await this.repo.setResourceFile(trx, resource.id, stored.id)
      return { ...resource, fileId: stored.id }
    })
  }

  /** A file resource's content, for the public (published datasets) or its publisher. */
  async resourceFile(ctx: ActionContext, resourceId: string) {
    const resource = await this.repo.getResource(this.db, resourceId)
    if (!resource || resource.kind !== 'file' || !resource.fileId)
      throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such file')
    const dataset = await this.repo.getDataset(this.db, resource.datasetId)
    if (!dataset) throw datasetNotFound()
    const visible =
      dataset.status === 'published' ||
      (ctx.principal !== null && this.canPublish(ctx.principal, dataset.organisationId))
    if (!visible) throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such file')
    const file = await this.kernel.files.get(resource.fileId)
    if (!file) throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such file')
    return file
  }

  async updateResource(
    ctx: ActionContext,
    datasetId: string,
    resourceId: string,
    input: ResourceInput,
    scope?: string,
  ): Promise<Resource> {
    const view = await this.getForPublisher(ctx, datasetId, scope)
    const existing = await this.resourceOf(view.dataset.id, resourceId)
    const fields = this.validateResource(input, existing.kind)
    return inTransaction(this.db, async (trx) => {
      const resource = await this.repo.updateResource(trx, resourceId, fields)
      if (view.dataset.status === 'published') {
        await this.repo.touch(trx, datasetId)
        await this.notifyLater(trx, datasetId)
      }
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.resource-updated',
        organisationId: view.dataset.organisationId,
        targetType: 'dataset',
        targetId: datasetId,
        details: { resourceId, name: resource.name, format: resource.format },
      })
      return resource
    })
  }

  async removeResource(ctx: ActionContext, datasetId: string, resourceId: string, scope?: string): Promise<void> {
    const view = await this.getForPublisher(ctx, datasetId, scope)
    const resource = await this.resourceOf(view.dataset.id, resourceId)
    if (view.dataset.status === 'published' && view.resources.length === 1)
      throw new CatalogueError('DATASET_NOT_EDITABLE', 'open-data.resource.error.lastOfPublished')
    await inTransaction(this.db, async (trx) => {
      if (resource.kind === 'datastore') await this.datastore.detachTable(resource.id, ctx)
      await this.repo.deleteResource(trx, resource.id)
      if (resource.fileId) await this.kernel.files.remove(trx, resource.fileId)
      if (view.dataset.status === 'published') await this.repo.touch(trx, datasetId)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.resource-removed',
        organisationId: view.dataset.organisationId,
        targetType: 'dataset',
        targetId: datasetId,
        details: { resourceId, kind: resource.kind, name: resource.name },
      })
    })
  }

  // --- subscribers are told of changes by a job, once the change commits ---

  private async notifyLater(trx: Transaction<CoreDatabase>, datasetId: string): Promise<void> {
    await this.kernel.jobs.send(NOTIFY_JOB, { datasetId }, { trx })
  }

  // --- the public ---

  /** A published or withdrawn dataset by its name; drafts are not found. */
  async getPublic(name: string): Promise<DatasetView> {
    const dataset = await this.repo.getByName(this.db, name)
    if (!dataset || dataset.status === 'draft') throw datasetNotFound()
    return this.view(dataset)
  }

  /** A published or withdrawn dataset by its id or its name (CKAN clients use either). */
  async getPublicByIdOrName(idOrName: string): Promise<DatasetView> {
    const dataset = /^[0-9a-f-]{36}$/i.test(idOrName)
      ? await this.repo.getDataset(this.db, idOrName)
      : await this.repo.getByName(this.db, idOrName)
    if (!dataset || dataset.status === 'draft') throw datasetNotFound()
    return this.view(dataset)
  }

  /** Turns a search's parameters (organisation slugs, facet values) into a repository search. */
  async searchOf(params: SearchParams): Promise<{ search: DatasetSearch; sort: SearchSort; unknownOrg: boolean }> {
    const q = params.q?.trim().slice(0, 200) || undefined
    const sort: SearchSort =
      params.sort === 'title' || params.sort === 'modified' || params.sort === 'relevance'
        ? params.sort
        : q
          ? 'relevance'
          : 'modified'
    let unknownOrg = false
    const organisations: string[] = []
    for (const slug of list(params.organisation)) {
      const o = await this.kernel.organisations.getBySlug(slug).catch(() => null)
      if (o) organisations.push(o.id)
      else unknownOrg = true
    }
    return {
      search: {
        q,
        organisations,
        themes: list(params.theme),
        formats: list(params.format),
        licences: list(params.licence),
        keywords: list(params.keyword).map((k) => k.toLowerCase()),
        sort,
      },
      sort,
      unknownOrg: unknownOrg && organisations.length === 0,
    }
  }

  async search(params: SearchParams, maxPageSize = 100): Promise<SearchResult> {
    const { page, pageSize, offset } = clampPage(params.page, params.pageSize ?? 20, maxPageSize)
    if (offset > MAX_SEARCH_OFFSET)
      throw new CatalogueError('DATASET_SEARCH_INVALID', 'open-data.search.error.tooDeep', {
        logMessage: `offset ${offset}`,
      })
    const { search, sort, unknownOrg } = await this.searchOf(params)
    const empty: Facets = { organisation: [], theme: [], format: [], licence: [], keyword: [] }
    if (unknownOrg) return { page: toPage([], 0, page, pageSize), facets: empty, organisations: new Map(), sort }
    return this.runSearch(search, sort, pageSize, offset, page)
  }

  /** A search by offset and row count, as CKAN clients ask (start, rows). */
  async searchRows(search: DatasetSearch, rows: number, start: number): Promise<SearchResult> {
    if (start > MAX_SEARCH_OFFSET)
      throw new CatalogueError('DATASET_SEARCH_INVALID', 'open-data.search.error.tooDeep', {
        logMessage: `start ${start}`,
      })
    return this.runSearch(search, search.sort ?? 'modified', rows, start, 1)
  }

  private async runSearch(
    search: DatasetSearch,
    sort: SearchSort,
    limit: number,
    offset: number,
    page: number,
  ): Promise<SearchResult> {
    const found = await this.repo.search(this.db, search, limit, offset)
    const items = await this.views(found.items)
    const organisations = await this.organisationsById([
      ...found.facets.organisation.map((f) => f.value),
      ...(search.organisations ?? []),
    ])
    return { page: toPage(items, found.total, page, limit), facets: found.facets, organisations, sort }
  }

  /** Every published dataset, newest change first, read in keyset batches (downloads, DCAT, data.json). */
  async *allPublished(): AsyncGenerator<DatasetView> {
    let after: { modifiedAt: Date; id: string } | undefined
    for (;;) {
      const batch = await this.repo.publishedBatch(this.db, 200, after)
      yield* await this.views(batch)
      const last = batch[batch.length - 1]
      if (!last || batch.length < 200) return
      after = { modifiedAt: last.modifiedAt, id: last.id }
    }
  }

  /** Every published dataset matching a search, for the list's CSV download. */
  async *allMatching(params: SearchParams): AsyncGenerator<DatasetView> {
    const { search, sort, unknownOrg } = await this.searchOf(params)
    if (unknownOrg) return
    for (let offset = 0; ; offset += 200) {
      const found = await this.repo.search(this.db, { ...search, sort }, 200, offset)
      yield* await this.views(found.items)
      if (found.items.length < 200) return
    }
  }

  /** The most recently changed published datasets (feeds). */
  async recent(limit = 50): Promise<DatasetView[]> {
    return this.views(await this.repo.publishedBatch(this.db, limit))
  }

  /** Bodies with published datasets, with their counts (CKAN organization_list). */
  async publishingBodies(): Promise<{ organisation: Organisation; count: number }[]> {
    const counts = await this.repo.publishingOrganisations(this.db)
    const orgs = await this.organisationsById(counts.map((c) => c.organisationId))
    return counts
      .flatMap((c) => {
        const organisation = orgs.get(c.organisationId)
        return organisation ? [{ organisation, count: c.count }] : []
      })
      .sort((a, b) => a.organisation.slug.localeCompare(b.organisation.slug))
  }

  /** The published dataset a resource belongs to, for CKAN's datastore_search. */
  async publicResource(resourceId: string): Promise<{ view: DatasetView; resource: Resource }> {
    const resource = await this.repo.getResource(this.db, resourceId)
    if (!resource) throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such resource')
    const dataset = await this.repo.getDataset(this.db, resource.datasetId)
    if (!dataset || dataset.status !== 'published')
      throw new CatalogueError('DATASET_RESOURCE_NOT_FOUND', 'There is no such resource')
    return { view: await this.view(dataset), resource }
  }
}

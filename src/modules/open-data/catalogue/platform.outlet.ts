// Fed by the platform: modules register dataset providers with kernel.datasets and announce
// changes; the catalogue answers each announcement by describing the dataset again and
// publishing it (creating it the first time, with a data table loaded through the data store and a
// link to where the data comes from), or withdrawing it when its provider no longer offers it.
// Handlers run in retried jobs and are idempotent: the same announcement twice changes nothing new.
import type { Kernel } from '../../../platform/kernel.js'
import { systemContext, type ActionContext } from '../../../platform/auth/principal.js'
import type { DatasetColumn, ProvidedDataset } from '../../../platform/datasets/dataset-outlet.js'
import type { DatasetFields } from './dataset.repository.js'
import type { CatalogueService } from './dataset.service.js'
import type { Dataset } from './dataset.types.js'
import { DEFAULT_LICENCE } from './taxonomy.js'

/** Loads rows into a data table through the data store, replacing what was there. */
export type RecordLoader = (
  resourceId: string,
  records: Record<string, unknown>[],
  columns: DatasetColumn[],
  ctx: ActionContext,
) => Promise<void>

const WITHDRAWN_REASON = 'Its source no longer publishes this data.'
const MAX_ROWS = 1_000_000

/** The theme a provider's datasets take, by the module that provides them. */
function themeFor(providerId: string): string {
  if (providerId.startsWith('consultations.') || providerId.startsWith('participation.')) return 'government'
  if (providerId.startsWith('recruitment.') || providerId.startsWith('spend')) return 'economy'
  return 'government'
}

function cell(value: unknown, type: DatasetColumn['type']): unknown {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return type === 'date' ? value.toISOString().slice(0, 10) : value.toISOString()
  return value
}

export class PlatformOutlet {
  constructor(
    private readonly kernel: Kernel,
    private readonly catalogue: CatalogueService,
    private readonly load: RecordLoader | null,
  ) {}

  private ctx(providerId: string): ActionContext {
    return systemContext(`open-data:${providerId}`)
  }

  private async fields(described: ProvidedDataset, providerId: string): Promise<DatasetFields> {
    const organisation = await this.kernel.organisations.getById(described.organisationId)
    const keywords = [
      ...new Set(described.keywords.map((k) => k.trim().toLowerCase().slice(0, 50)).filter((k) => k !== '')),
    ].slice(0, 20)
    return {
      organisationId: described.organisationId,
      title: described.title.trim().slice(0, 200) || providerId,
      description: described.description.trim().slice(0, 50_000) || `${described.title}.`,
      keywords,
      theme: themeFor(providerId),
      licence: DEFAULT_LICENCE,
      frequency: 'irregular',
      temporalStart: null,
      temporalEnd: null,
      spatial: organisation?.type === 'council' && organisation.gssCode ? [organisation.gssCode] : [],
      contactName: organisation?.nameEn ?? '',
      contactEmail: '',
    }
  }

  /** Answers one announcement from a provider. Returns the dataset, if it is (still) published. */
  async refresh(providerId: string, key: string): Promise<Dataset | null> {
    const provider = this.kernel.datasets.provider(providerId)
    if (!provider) {
      this.kernel.logger.warn({ provider: providerId }, 'open data: an announcement from an unknown dataset provider')
      return null
    }
    const ctx = this.ctx(providerId)
    const repo = this.catalogue.repo
    const existing = await repo.getByProvider(this.kernel.db, providerId, key)
    const described = await provider.describe(key)
    if (!described) {
      if (existing?.status === 'published') await this.catalogue.withdrawUnchecked(ctx, existing.id, WITHDRAWN_REASON)
      return null
    }
    const fields = await this.fields(described, providerId)
    let dataset: Dataset
    if (!existing) {
      dataset = await this.catalogue.insert(
        ctx,
        fields,
        { origin: 'platform', provider: providerId, providerKey: key },
        null,
      )
    } else {
      dataset = await this.catalogue.applyUpdate(ctx, existing.id, fields)
    }
    let resources = await repo.resources(this.kernel.db, dataset.id)
    const landing = `${this.kernel.config.baseUrl}${described.landingPage.startsWith('/') ? '' : '/'}${described.landingPage}`
    if (!resources.some((r) => r.kind === 'link'))
      await this.catalogue.addResourceUnchecked(ctx, dataset.id, {
        kind: 'link',
        name: 'Where the data comes from',
        description: '',
        format: 'HTML',
        url: landing,
      })
    if (this.load && !resources.some((r) => r.kind === 'datastore'))
      await this.catalogue.addResourceUnchecked(ctx, dataset.id, {
        kind: 'datastore',
        name: described.title.slice(0, 200) || 'Data',
        description: '',
        format: 'CSV',
        url: null,
      })
    // Published first, so the dataset and its source link are public even if loading its rows has
    // to be tried again (the announcement's job retries the whole refresh, which is idempotent).
    if (dataset.status !== 'published') dataset = await this.catalogue.publishUnchecked(ctx, dataset.id)
    resources = await repo.resources(this.kernel.db, dataset.id)
    const table = resources.find((r) => r.kind === 'datastore')
    if (this.load && table) {
      const records: Record<string, unknown>[] = []
      for await (const row of provider.rows(key)) {
        records.push(Object.fromEntries(described.columns.map((c) => [c.name, cell(row[c.name], c.type)])))
        if (records.length >= MAX_ROWS) break
      }
      if (records.length > 0) await this.load(table.id, records, described.columns, ctx)
    }
    return dataset
  }
}

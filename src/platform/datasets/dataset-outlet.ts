// The platform's one open-data outlet. A module that owns data the public may have (a
// consultation's published responses, participatory budgeting results, later spend and recruitment
// figures) registers a provider that describes each dataset and streams its rows, and announces a
// change with `changed()` in the transaction that made it. The open-data module subscribes to the
// announcements and publishes the datasets; modules never write into open data's tables.
import type { Transaction } from 'kysely'
import type { EventBus } from '../events/event-bus.js'

export const DATASET_CHANGED = 'datasets.changed'

export type DatasetColumnType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'text'

export type DatasetColumn = { name: string; title: string; type: DatasetColumnType; description?: string }

export type ProvidedDataset = {
  /** stable within its provider, such as the consultation's id */
  key: string
  organisationId: string
  title: string
  description: string
  keywords: string[]
  /** a path on this site where the data comes from, such as /consultations/<id>/responses */
  landingPage: string
  columns: DatasetColumn[]
  updatedAt: Date
}

export type DatasetProvider = {
  /** "<module>.<what>", such as "consultations.published-responses" */
  id: string
  /** The dataset as it is now, or null if it should no longer be published. */
  describe: (key: string) => Promise<ProvidedDataset | null>
  /** Every row, each keyed by the columns' names; values are strings, numbers, booleans, Dates or null. */
  rows: (key: string) => AsyncIterable<Record<string, unknown>>
}

export type DatasetChanged = { provider: string; key: string }

export class DatasetOutlet {
  private readonly providers = new Map<string, DatasetProvider>()

  constructor(private readonly events: EventBus) {}

  register(provider: DatasetProvider): void {
    if (!/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(provider.id)) throw new Error(`Bad dataset provider id ${provider.id}`)
    this.providers.set(provider.id, provider)
  }

  provider(id: string): DatasetProvider | undefined {
    return this.providers.get(id)
  }

  list(): DatasetProvider[] {
    return [...this.providers.values()]
  }

  /** Announces that a provider's dataset changed (or should be withdrawn), once the transaction commits. */
  async changed(trx: Transaction<any>, providerId: string, key: string): Promise<void> {
    if (!this.providers.has(providerId)) throw new Error(`No dataset provider ${providerId}`)
    await this.events.publish<DatasetChanged>(trx, DATASET_CHANGED, { provider: providerId, key })
  }
}

// Domain types of the open-data catalogue (camelCase).

export const datasetStatuses = ['draft', 'published', 'withdrawn'] as const
export type DatasetStatus = (typeof datasetStatuses)[number]

export type DatasetOrigin = 'local' | 'harvested' | 'platform'

export type Dataset = {
  id: string
  organisationId: string
  name: string
  title: string
  description: string
  keywords: string[]
  theme: string
  licence: string
  frequency: string
  /** YYYY-MM-DD */
  temporalStart: string | null
  temporalEnd: string | null
  /** GSS codes of council areas, or of Scotland */
  spatial: string[]
  contactName: string
  contactEmail: string
  status: DatasetStatus
  origin: DatasetOrigin
  harvestSourceId: string | null
  remoteId: string | null
  remoteUrl: string | null
  provider: string | null
  providerKey: string | null
  publishedAt: Date | null
  withdrawnAt: Date | null
  withdrawalReason: string | null
  modifiedAt: Date
  createdAt: Date
  updatedAt: Date
}

export const resourceKinds = ['datastore', 'link', 'file'] as const
export type ResourceKind = (typeof resourceKinds)[number]

export type Resource = {
  id: string
  datasetId: string
  kind: ResourceKind
  name: string
  description: string
  format: string
  url: string | null
  fileId: string | null
  position: number
  createdAt: Date
  updatedAt: Date
}

export const sorts = ['relevance', 'modified', 'title'] as const
export type SearchSort = (typeof sorts)[number]

export type DatasetSearch = {
  q?: string | undefined
  organisations?: string[] | undefined
  themes?: string[] | undefined
  formats?: string[] | undefined
  licences?: string[] | undefined
  keywords?: string[] | undefined
  /** last changed within these bounds (CKAN harvesters ask for changes since their last run) */
  modifiedFrom?: Date | undefined
  modifiedTo?: Date | undefined
  sort?: SearchSort | undefined
}

export type FacetCount = { value: string; count: number }

export type Facets = {
  organisation: FacetCount[]
  theme: FacetCount[]
  format: FacetCount[]
  licence: FacetCount[]
  keyword: FacetCount[]
}

export type HarvestKind = 'ckan' | 'dcat'
export type HarvestFrequency = 'hourly' | 'daily' | 'weekly'

export type HarvestSource = {
  id: string
  organisationId: string
  title: string
  url: string
  kind: HarvestKind
  frequency: HarvestFrequency
  enabled: boolean
  nextRunAt: Date
  lastRunAt: Date | null
  lastStatus: string | null
  lastMessage: string | null
  lastCounts: { created: number; updated: number; withdrawn: number; failed: number } | null
}

export type Subscription = {
  id: string
  datasetId: string
  email: string
  locale: 'en' | 'gd'
  confirmedAt: Date | null
  createdAt: Date
}

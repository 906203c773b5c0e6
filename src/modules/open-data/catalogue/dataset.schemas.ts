// TypeBox schemas: the catalogue's API bodies and queries, and the fields of its forms.
import { Type } from '@sinclair/typebox'
import { formSchema } from '../../../platform/http/forms.js'

export const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
export const NameParams = Type.Object({ name: Type.String({ maxLength: 100 }) })
export const ResourceParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  resourceId: Type.String({ maxLength: 100 }),
})
export const NameResourceParams = Type.Object({
  name: Type.String({ maxLength: 100 }),
  resourceId: Type.String({ maxLength: 100 }),
})

const Repeated = Type.Optional(
  Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 20 })]),
)

/** The public search, for the API (a bad value is refused). */
export const SearchQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  organisation: Repeated,
  theme: Repeated,
  format: Repeated,
  licence: Repeated,
  keyword: Repeated,
  sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('modified'), Type.Literal('title')])),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})

/** The same for pages, where a bad value is ignored rather than refused. */
export const PageSearchQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 500 })),
    organisation: Repeated,
    theme: Repeated,
    format: Repeated,
    licence: Repeated,
    keyword: Repeated,
    sort: Type.Optional(Type.String({ maxLength: 20 })),
    page: Type.Optional(Type.String({ maxLength: 10 })),
  },
  { additionalProperties: true },
)

const Named = Type.Object({ id: Type.String(), nameEn: Type.String(), nameGd: Type.String() })

export const ResourceSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  kind: Type.String({ enum: ['datastore', 'link', 'file'] }),
  name: Type.String(),
  description: Type.String(),
  format: Type.String(),
  /** the resource's address: the link, or the data table's CSV download */
  url: Type.Union([Type.String(), Type.Null()]),
  /** for data tables: downloads and the query API */
  downloads: Type.Optional(
    Type.Object({ csv: Type.String(), json: Type.String(), parquet: Type.String(), api: Type.String() }),
  ),
})

export const DatasetSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    title: Type.String(),
    description: Type.String({ description: 'Markdown' }),
    descriptionHtml: Type.String(),
    keywords: Type.Array(Type.String()),
    theme: Named,
    licence: Type.Object({ id: Type.String(), nameEn: Type.String(), nameGd: Type.String(), url: Type.String() }),
    frequency: Type.String(),
    temporal: Type.Object({
      start: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
      end: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    }),
    spatial: Type.Array(Type.Object({ gssCode: Type.String(), nameEn: Type.String() })),
    contact: Type.Object({ name: Type.String(), email: Type.String() }),
    organisation: Type.Object({
      id: Type.String(),
      slug: Type.String(),
      nameEn: Type.String(),
      nameGd: Type.Union([Type.String(), Type.Null()]),
    }),
    status: Type.String({ enum: ['draft', 'published', 'withdrawn'] }),
    origin: Type.String({ enum: ['local', 'harvested', 'platform'] }),
    publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    modifiedAt: Type.String({ format: 'date-time' }),
    withdrawnAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    withdrawalReason: Type.Union([Type.String(), Type.Null()]),
    resources: Type.Array(ResourceSchema),
    url: Type.String(),
    metadata: Type.Object({ jsonld: Type.String(), turtle: Type.String() }),
  },
  { $id: 'Dataset' },
)

const FacetList = Type.Array(Type.Object({ value: Type.String(), label: Type.String(), count: Type.Integer() }))

export const SearchResponse = Type.Object({
  items: Type.Array(Type.Ref('Dataset')),
  total: Type.Integer(),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  pageCount: Type.Integer(),
  sort: Type.String(),
  facets: Type.Object({
    organisation: FacetList,
    theme: FacetList,
    format: FacetList,
    licence: FacetList,
    keyword: FacetList,
  }),
})

/** A dataset's metadata as a publisher sends it to the API. */
export const DatasetBody = Type.Object({
  organisation: Type.String({ maxLength: 100, description: "the publishing body's slug" }),
  title: Type.String({ maxLength: 1000 }),
  description: Type.Optional(Type.String({ maxLength: 60_000 })),
  keywords: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50 })),
  theme: Type.String({ maxLength: 50 }),
  licence: Type.Optional(Type.String({ maxLength: 50 })),
  frequency: Type.Optional(Type.String({ maxLength: 50 })),
  temporalStart: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
  temporalEnd: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
  spatial: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 50 })),
  contactName: Type.Optional(Type.String({ maxLength: 1000 })),
  contactEmail: Type.Optional(Type.String({ maxLength: 1000 })),
})

export const ResourceBody = Type.Object({
  kind: Type.Union([Type.Literal('link'), Type.Literal('datastore')]),
  name: Type.String({ maxLength: 1000 }),
  description: Type.Optional(Type.String({ maxLength: 10_000 })),
  format: Type.Optional(Type.String({ maxLength: 50 })),
  url: Type.Optional(Type.String({ maxLength: 2000 })),
})

export const WithdrawBody = Type.Object({ reason: Type.String({ maxLength: 5000 }) })

export const datasetForm = formSchema(
  [
    'organisationId',
    'title',
    'description',
    'keywords',
    'theme',
    'licence',
    'frequency',
    'temporalStart',
    'temporalEnd',
    'spatial',
    'contactName',
    'contactEmail',
  ],
  60_000,
)
export const resourceForm = formSchema(['kind', 'name', 'description', 'format', 'url'], 10_000)
export const withdrawForm = formSchema(['reason'], 5000)
export const emptyForm = formSchema([], 10)
export const subscribeForm = formSchema(['email'], 500)
export const harvestForm = formSchema(['organisationId', 'title', 'url', 'kind', 'frequency'], 2000)

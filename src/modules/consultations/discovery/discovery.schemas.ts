// TypeBox schemas for finding consultations: the list's filters (API and pages), topics, the
// Gaelic texts in API bodies, the list's items, and the forms of subscriptions.
import { Type } from '@sinclair/typebox'
import { formSchema } from '../../../platform/http/forms.js'

const Status = Type.Union([Type.Literal('open'), Type.Literal('forthcoming'), Type.Literal('closed'), Type.Literal('')])

export const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'words to search for, in English or Gaelic' })),
  organisation: Type.Optional(Type.String({ maxLength: 100, description: "a body's slug" })),
  topic: Type.Optional(
    Type.String({ maxLength: 100, description: "a topic's slug (see /api/v1/consultation-topics)" }),
  ),
  status: Type.Optional(Status),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
})

export const CsvQuery = Type.Omit(ListQuery, ['page', 'pageSize'])

/** The same filters for pages, where a bad value is ignored rather than refused. */
export const ListPageQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  organisation: Type.Optional(Type.String({ maxLength: 100 })),
  topic: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})

export const TopicSchema = Type.Object(
  { slug: Type.String(), nameEn: Type.String(), nameGd: Type.String() },
  { $id: 'ConsultationTopic' },
)

const topicRef = Type.Object({ slug: Type.String(), nameEn: Type.String(), nameGd: Type.String() })

/** The Gaelic version of the texts; a text with no Gaelic version is null (the English stands). */
export const GaelicSummarySchema = Type.Union([
  Type.Object({
    title: Type.Union([Type.String(), Type.Null()]),
    summary: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
])

export const GaelicDetailSchema = Type.Union([
  Type.Object({
    title: Type.Union([Type.String(), Type.Null()]),
    summary: Type.Union([Type.String(), Type.Null()]),
    bodyMarkdown: Type.Union([Type.String(), Type.Null()]),
    bodyHtml: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
])

/** What discovery adds to a consultation in the API: its topics and its Gaelic texts. */
export const DetailsFields = { topics: Type.Array(topicRef), gaelic: GaelicDetailSchema }
export const DetailsSchema = Type.Object(DetailsFields)

export const ConsultationListItemSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    summary: Type.String(),
    status: Type.String({ enum: ['forthcoming', 'open', 'closed'] }),
    organisation: Type.Object({
      id: Type.String(),
      slug: Type.String(),
      nameEn: Type.String(),
      nameGd: Type.Union([Type.String(), Type.Null()]),
    }),
    opensAt: Type.String({ format: 'date-time' }),
    closesAt: Type.String({ format: 'date-time' }),
    url: Type.String(),
    topics: Type.Array(topicRef),
    gaelic: GaelicSummarySchema,
  },
  { $id: 'ConsultationListItem' },
)

export const SubscriptionParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
export const TokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) })
export const SubscribePageQuery = Type.Object({
  organisation: Type.Optional(Type.String({ maxLength: 100 })),
  topic: Type.Optional(Type.String({ maxLength: 100 })),
})

export const subscribeForm = formSchema(['email', 'organisation', 'topic'], 1000)
export const confirmForm = formSchema(['token'], 200)

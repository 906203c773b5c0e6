// Domain types for finding consultations: filters, topics, Gaelic texts and subscriptions.
import type { Locale } from '../../../platform/i18n/i18n.js'
import type { WithOrganisation } from '../consultation.service.js'

export const listStatuses = ['open', 'forthcoming', 'closed'] as const
export type ListStatus = (typeof listStatuses)[number]

export type DiscoverySearch = {
  q?: string | undefined
  /** a body's slug */
  organisation?: string | undefined
  /** a topic's slug */
  topic?: string | undefined
  status?: ListStatus | undefined
  page?: number | undefined
  pageSize?: number | undefined
}

/** The Gaelic version of a consultation's texts; '' where a text has none. */
export type GaelicText = { title: string; summary: string; bodyMarkdown: string }

export type DiscoveryDetails = { topics: string[]; gaelic: GaelicText | null }

export type Found = WithOrganisation & DiscoveryDetails

/** What the manager's form adds to a consultation. */
export type DetailsInput = { topics: string[]; titleGd: string; summaryGd: string; bodyGd: string }

export type Subscription = {
  id: string
  email: string
  locale: Locale
  organisationId: string | null
  topic: string | null
  confirmedAt: Date | null
  confirmationSentAt: Date | null
  createdAt: Date
}

// Kysely table types for finding consultations: topics, Gaelic texts, subscriptions and notices.
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export type ConsultationTopicTable = {
  consultation_id: string
  topic: string
}

export type ConsultationGaelicTable = {
  consultation_id: string
  title: string
  summary: string
  body_markdown: string
  updated_at: Timestamp
}

export type SubscriptionTable = {
  id: Generated<string>
  email: string
  email_key: string
  locale: string
  organisation_id: string | null
  topic: string | null
  confirmed_at: NullableTimestamp
  confirmation_sent_at: NullableTimestamp
  created_at: Timestamp
  updated_at: Timestamp
}

export type AnnouncementTable = {
  consultation_id: string
  started_at: Timestamp
  finished_at: NullableTimestamp
  notices: Generated<number>
}

export type SubscriptionNoticeTable = {
  consultation_id: string
  recipient_hash: string
  subscription_id: string | null
  sent_at: Timestamp
}

export type DiscoveryTables = {
  'consultations.consultation_topic': ConsultationTopicTable
  'consultations.consultation_gaelic': ConsultationGaelicTable
  'consultations.subscription': SubscriptionTable
  'consultations.announcement': AnnouncementTable
  'consultations.subscription_notice': SubscriptionNoticeTable
}

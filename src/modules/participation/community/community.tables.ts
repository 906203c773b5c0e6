// Kysely table types for the community part of the participation module (schema `participation`).
import type { ColumnType, Generated } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Instant = ColumnType<Date, Date | string, Date | string>
type NullableInstant = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>

export type MeetingTable = {
  id: Generated<string>
  organisation_id: string
  title: string
  kind: string
  starts_at: Instant
  ends_at: Instant
  location: string
  joining_url: string
  joining_visibility: string
  agenda_markdown: string
  minutes_markdown: Generated<string>
  minutes_published_at: NullableInstant
  published_at: NullableInstant
  cancelled_at: NullableInstant
  sequence: Generated<number>
  created_by: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type MeetingPaperTable = {
  id: Generated<string>
  meeting_id: string
  title: string
  url: string
  position: number
  file_id: string | null
  created_at: CreatedAt
}

export type MeetingRegistrationTable = {
  meeting_id: string
  account_id: string
  attendance: string
  created_at: CreatedAt
}

export type PollTable = {
  id: Generated<string>
  organisation_id: string
  kind: string
  title: string
  description: string
  opens_at: Instant
  closes_at: Instant
  published_at: NullableInstant
  results_published_at: NullableInstant
  created_by: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type PollQuestionTable = {
  id: Generated<string>
  poll_id: string
  position: number
  title: string
  options: string[]
}

export type PollResponseTable = {
  id: Generated<string>
  poll_id: string
  account_id: string | null
  created_at: CreatedAt
}

export type PollAnswerTable = {
  response_id: string
  question_id: string
  option_index: number
}

export type RepresentativeTable = {
  id: Generated<string>
  organisation_id: string
  name: string
  role: string
  party: string
  area_kind: string
  area_code: string
  area_name: string
  email: string
  account_id: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type OfficeMemberTable = {
  representative_id: string
  account_id: string
  created_at: CreatedAt
}

export type PostcodeTable = {
  postcode: string
  ward_code: string
  ward_name: string
  constituency_code: string
  constituency_name: string
  region_code: string
  region_name: string
  organisation_id: string | null
  updated_at: UpdatedAt
}

export type SurgerySlotTable = {
  id: Generated<string>
  representative_id: string
  mode: string
  starts_at: Instant
  ends_at: Instant
  location: string
  joining_url: string
  cancelled_at: NullableInstant
  created_at: CreatedAt
}

export type SurgeryBookingTable = {
  id: Generated<string>
  slot_id: string
  account_id: string
  topic: string
  created_at: CreatedAt
  cancelled_at: NullableInstant
}

export type CaseTable = {
  id: Generated<string>
  reference: string
  representative_id: string
  constituent_account_id: string | null
  constituent_name: string
  constituent_email: string
  postcode: string
  subject: string
  status: Generated<string>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type CaseEntryTable = {
  id: Generated<string>
  case_id: string
  kind: string
  body: string
  author_account_id: string | null
  author_name: string
  created_at: CreatedAt
}

export type CommunityTables = {
  'participation.cc_meeting': MeetingTable
  'participation.cc_meeting_paper': MeetingPaperTable
  'participation.cc_meeting_registration': MeetingRegistrationTable
  'participation.cc_poll': PollTable
  'participation.cc_poll_question': PollQuestionTable
  'participation.cc_poll_response': PollResponseTable
  'participation.cc_poll_answer': PollAnswerTable
  'participation.rep_representative': RepresentativeTable
  'participation.rep_office_member': OfficeMemberTable
  'participation.rep_postcode': PostcodeTable
  'participation.rep_surgery_slot': SurgerySlotTable
  'participation.rep_surgery_booking': SurgeryBookingTable
  'participation.rep_case': CaseTable
  'participation.rep_case_entry': CaseEntryTable
}

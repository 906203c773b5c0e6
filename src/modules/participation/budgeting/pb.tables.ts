// Kysely table types for participatory budgeting, in the participation module's schema.
import type { ColumnType, Generated } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>
type BigCount = ColumnType<string | number, number | bigint, number | bigint>

export type PbProcessTable = {
  id: Generated<string>
  organisation_id: string
  title: string
  summary: string
  description: Generated<string>
  voting_rule: string
  max_choices: number | null
  points_total: number | null
  min_spend_percent: Generated<number>
  allow_changes: Generated<boolean>
  eligibility: Generated<string>
  min_age: number | null
  equal_shares: Generated<boolean>
  ideas_open_at: Timestamp
  review_opens_at: Timestamp
  vote_opens_at: Timestamp
  vote_closes_at: Timestamp
  published_at: NullableTimestamp
  recorded_phase: Generated<string>
  results_computed_at: NullableTimestamp
  results_published_at: NullableTimestamp
  created_by: string | null
  created_at: Timestamp
  updated_at: Timestamp
}

export type PbAreaTable = {
  id: Generated<string>
  process_id: string
  name: string
  budget: number
  area_wide: Generated<boolean>
  created_at: Timestamp
}

export type PbPostcodeTable = { process_id: string; postcode: string; area_id: string }

export type PbProjectTable = {
  id: Generated<string>
  process_id: string
  area_id: string
  title: string
  description: string
  cost: number
  status: Generated<string>
  public_reason: Generated<string>
  merged_into: string | null
  proposed_by: string | null
  proposer_name: Generated<string>
  comment_count: Generated<number>
  image_file_id: ColumnType<string | null, string | null | undefined, string | null>
  image_alt: Generated<string>
  created_at: Timestamp
  updated_at: Timestamp
}

export type PbCommentTable = {
  id: Generated<string>
  project_id: string
  account_id: string | null
  author_name: string
  body: string
  created_at: Timestamp
}

export type PbCodeBatchTable = {
  id: Generated<string>
  process_id: string
  area_id: string
  label: string
  size: number
  created_by: string | null
  created_at: Timestamp
}

export type PbCodeTable = {
  id: Generated<string>
  batch_id: string
  process_id: string
  area_id: string
  code: string
  position: number
  used_at: NullableTimestamp
}

export type PbResidentTable = {
  process_id: string
  account_id: string
  postcode: string
  area_id: string
  born_on: ColumnType<string | null, string | null | undefined, string | null>
  created_at: Timestamp
}

export type PbVoterTable = { area_id: string; voter_key: string; process_id: string; channel: string }

export type PbBallotTable = {
  id: Generated<string>
  process_id: string
  area_id: string
  voter_hash: string
  channel: string
  choice_count: number
  total_cost: BigCount
  total_points: BigCount
}

export type PbBallotChoiceTable = { ballot_id: string; area_id: string; project_id: string; points: number }

export type PbAreaResultTable = {
  area_id: string
  process_id: string
  ballots: number
  greedy_spent: BigCount
  equal_shares_spent: ColumnType<string | number | null, number | bigint | null, number | bigint | null>
  computed_at: Timestamp
}

export type PbResultTable = {
  area_id: string
  project_id: string
  process_id: string
  votes: number
  points: BigCount
  rank: number
  greedy_selected: boolean
  equal_shares_selected: boolean | null
}

export type BudgetingTables = {
  'participation.pb_process': PbProcessTable
  'participation.pb_area': PbAreaTable
  'participation.pb_postcode': PbPostcodeTable
  'participation.pb_project': PbProjectTable
  'participation.pb_comment': PbCommentTable
  'participation.pb_code_batch': PbCodeBatchTable
  'participation.pb_code': PbCodeTable
  'participation.pb_resident': PbResidentTable
  'participation.pb_voter': PbVoterTable
  'participation.pb_ballot': PbBallotTable
  'participation.pb_ballot_choice': PbBallotChoiceTable
  'participation.pb_area_result': PbAreaResultTable
  'participation.pb_result': PbResultTable
}

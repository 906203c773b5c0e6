// Participatory budgeting's domain types.

export const votingRules = ['approval', 'knapsack', 'points'] as const
export type VotingRule = (typeof votingRules)[number]

export const eligibilities = ['account', 'code', 'either'] as const
export type Eligibility = (typeof eligibilities)[number]

/** The phases a published process moves through on its dates; "counting" lasts until results are published. */
export const phases = ['draft', 'upcoming', 'ideas', 'review', 'vote', 'counting', 'results'] as const
export type Phase = (typeof phases)[number]

export type PbProcess = {
  id: string
  organisationId: string
  title: string
  summary: string
  description: string
  votingRule: VotingRule
  maxChoices: number | null
  pointsTotal: number | null
  minSpendPercent: number
  allowChanges: boolean
  eligibility: Eligibility
  minAge: number | null
  equalShares: boolean
  ideasOpenAt: Date
  reviewOpensAt: Date
  voteOpensAt: Date
  voteClosesAt: Date
  publishedAt: Date | null
  recordedPhase: Phase
  resultsComputedAt: Date | null
  resultsPublishedAt: Date | null
  createdAt: Date
  updatedAt: Date
}

export type PbArea = { id: string; processId: string; name: string; budget: number; areaWide: boolean }

export const projectStatuses = ['proposed', 'feasible', 'not-feasible', 'merged'] as const
export type ProjectStatus = (typeof projectStatuses)[number]

export type PbProject = {
  id: string
  processId: string
  areaId: string
  title: string
  description: string
  cost: number
  status: ProjectStatus
  publicReason: string
  mergedInto: string | null
  proposedBy: string | null
  proposerName: string
  commentCount: number
  imageFileId: string | null
  imageAlt: string
  createdAt: Date
}

export type PbComment = { id: string; projectId: string; authorName: string; body: string; createdAt: Date }

export type PbCodeBatch = {
  id: string
  processId: string
  areaId: string
  label: string
  size: number
  used: number
  createdAt: Date
}

export type PbCode = { code: string; usedAt: Date | null }

/** A resident's declaration for a process: where they live and, if asked, their date of birth. */
export type PbResident = { postcode: string; areaId: string; bornOn: string | null }

export type BallotChoice = { projectId: string; points: number }

export type Channel = 'online' | 'code' | 'paper'

/** Who is voting, as the service knows them; never stored with the ballot. */
export type Voter = { kind: 'account'; accountId: string } | { kind: 'code'; code: string; channel: 'code' | 'paper' }

export type AreaResult = {
  areaId: string
  ballots: number
  greedySpent: number
  equalSharesSpent: number | null
  computedAt: Date
}

export type ProjectResult = {
  areaId: string
  projectId: string
  title: string
  cost: number
  votes: number
  points: number
  rank: number
  greedySelected: boolean
  equalSharesSelected: boolean | null
}

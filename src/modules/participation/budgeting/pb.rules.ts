// The rules without I/O: which phase a process is in, and whether a set of choices is a valid
// ballot under the process's voting rule. The database enforces the same limits at commit.
import type { BallotChoice, PbArea, PbProcess, PbProject, Phase } from './pb.types.js'

export function phaseAt(
  p: Pick<PbProcess, 'publishedAt' | 'ideasOpenAt' | 'reviewOpensAt' | 'voteOpensAt' | 'voteClosesAt'> & {
    resultsPublishedAt: Date | null
  },
  now: Date = new Date(),
): Phase {
  if (!p.publishedAt) return 'draft'
  const at = now.getTime()
  if (at < p.ideasOpenAt.getTime()) return 'upcoming'
  if (at < p.reviewOpensAt.getTime()) return 'ideas'
  if (at < p.voteOpensAt.getTime()) return 'review'
  if (at < p.voteClosesAt.getTime()) return 'vote'
  return p.resultsPublishedAt ? 'results' : 'counting'
}

export type BallotProblem = { key: string; params?: Record<string, string | number> }

export type BallotCheck = {
  choices: BallotChoice[]
  count: number
  totalCost: number
  totalPoints: number
  /** what is left to spend (knapsack), choose (approval) or give (points) */
  remaining: number
  problems: BallotProblem[]
}

/**
 * Checks choices (project id → points; 1 for a plain choice) against the rule. Unknown projects
 * and projects not on this area's ballot are refused rather than dropped, so nothing is silently lost.
 */
export function checkBallot(
  process: Pick<PbProcess, 'votingRule' | 'maxChoices' | 'pointsTotal' | 'minSpendPercent'>,
  area: Pick<PbArea, 'budget'>,
  onBallot: Pick<PbProject, 'id' | 'cost'>[],
  raw: Map<string, string>,
): BallotCheck {
  const problems: BallotProblem[] = []
  const byId = new Map(onBallot.map((p) => [p.id, p]))
  const choices: BallotChoice[] = []
  let badPoints = false
  for (const [projectId, value] of raw) {
    const project = byId.get(projectId)
    if (!project) {
      problems.push({ key: 'participation.pb.ballot.error.unknownProject' })
      continue
    }
    if (process.votingRule === 'points') {
      const v = value.trim()
      if (v === '' || v === '0') continue
      if (!/^\d{1,6}$/.test(v)) {
        badPoints = true
        continue
      }
      choices.push({ projectId, points: Number(v) })
    } else choices.push({ projectId, points: 1 })
  }
  if (badPoints) problems.push({ key: 'participation.pb.ballot.error.pointsWhole' })
  const count = choices.length
  const totalCost = choices.reduce((sum, c) => sum + (byId.get(c.projectId)?.cost ?? 0), 0)
  const totalPoints = choices.reduce((sum, c) => sum + c.points, 0)
  let remaining = 0
  if (process.votingRule === 'approval') {
    const k = process.maxChoices ?? 1
    remaining = k - count
    if (count > k) problems.push({ key: 'participation.pb.ballot.error.tooMany', params: { max: k, count } })
  } else if (process.votingRule === 'knapsack') {
    remaining = area.budget - totalCost
    if (totalCost > area.budget)
      problems.push({
        key: 'participation.pb.ballot.error.overBudget',
        params: { over: formatPounds(totalCost - area.budget), budget: formatPounds(area.budget) },
      })
    const minimum = Math.ceil((area.budget * process.minSpendPercent) / 100)
    if (count > 0 && totalCost < minimum)
      problems.push({
        key: 'participation.pb.ballot.error.underMinimum',
        params: { minimum: formatPounds(minimum) },
      })
  } else {
    const total = process.pointsTotal ?? 1
    remaining = total - totalPoints
    if (totalPoints > total)
      problems.push({ key: 'participation.pb.ballot.error.tooManyPoints', params: { max: total, count: totalPoints } })
  }
  if (count === 0 && problems.length === 0) problems.push({ key: 'participation.pb.ballot.error.empty' })
  return { choices, count, totalCost, totalPoints, remaining, problems }
}

/** "£12,500" */
export function formatPounds(amount: number): string {
  return `£${Math.round(amount).toLocaleString('en-GB')}`
}

/** A UK postcode in the lookup's form (capitals, no spaces), or null when it cannot be one. */
export function normalisePostcode(value: string): string | null {
  const p = value.toUpperCase().replace(/[^A-Z0-9]/g, '')
  return /^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$/.test(p) ? p : null
}

/** A postcode as people write it: "EH1 1YZ". */
export function displayPostcode(p: string): string {
  return p.length > 3 ? `${p.slice(0, -3)} ${p.slice(-3)}` : p
}

/** Age in whole years on a day (both YYYY-MM-DD). */
export function ageOn(bornOn: string, day: string): number {
  const [by, bm, bd] = bornOn.split('-').map(Number) as [number, number, number]
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0)
}

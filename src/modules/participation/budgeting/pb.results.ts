// Counting, without I/O. Two methods:
// - greedy by votes: projects in order of support (points under the points rule, ballots
//   otherwise), each selected if it still fits the budget, otherwise skipped;
// - the Method of Equal Shares (Peters, Pierczyński and Skowron, "Proportional Participatory
//   Budgeting with Additive Utilities", NeurIPS 2021; see equalshares.net): the budget is split
//   equally among the voters; repeatedly, the project its supporters can pay for at the lowest
//   price per unit of utility ρ is bought, each supporter paying min(their money left, ρ × their
//   utility); it stops when no project is affordable. Utilities are cost utilities (a voter who
//   chooses a project values it at its cost, as on equalshares.net) except under the points rule,
//   where a voter's utility is the points they gave. What is left of the budget is then filled
//   greedily by votes (a "utilitarian completion").

export type CountProject = { id: string; cost: number }
/** One ballot: the projects chosen, with points (1 for a plain choice). */
export type CountBallot = ReadonlyArray<{ projectId: string; points: number }>

export type Tally = { projectId: string; votes: number; points: number; cost: number }

export function tally(projects: CountProject[], ballots: Iterable<CountBallot>): Tally[] {
  const byId = new Map<string, Tally>(
    projects.map((p) => [p.id, { projectId: p.id, votes: 0, points: 0, cost: p.cost }]),
  )
  for (const ballot of ballots)
    for (const choice of ballot) {
      const t = byId.get(choice.projectId)
      if (!t) continue
      t.votes++
      t.points += choice.points
    }
  return [...byId.values()]
}

/** Order of support: score (points or votes) high to low, then cheaper first, then id for a stable order. */
export function rankTallies(tallies: Tally[], byPoints: boolean): Tally[] {
  return [...tallies].sort(
    (a, b) =>
      (byPoints ? b.points - a.points : b.votes - a.votes) ||
      b.votes - a.votes ||
      a.cost - b.cost ||
      (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0),
  )
}

/** Greedy by votes: in ranked order, each project with support that still fits is selected. */
export function greedy(ranked: Tally[], budget: number, already: Set<string> = new Set()): Set<string> {
  const selected = new Set(already)
  let left = budget - ranked.filter((t) => already.has(t.projectId)).reduce((s, t) => s + t.cost, 0)
  for (const t of ranked) {
    if (selected.has(t.projectId) || t.votes === 0) continue
    if (t.cost <= left) {
      selected.add(t.projectId)
      left -= t.cost
    }
  }
  return selected
}

const EPSILON = 1e-9

/**
 * The smallest ρ such that Σ min(money_i, ρ·u_i) over the supporters reaches the cost, or null when
 * even all their money is not enough. Supporters are given as parallel arrays.
 */
export function rho(money: number[], utility: number[], cost: number): number | null {
  const total = money.reduce((s, m) => s + m, 0)
  if (total + EPSILON * Math.max(1, cost) < cost) return null
  if (cost <= 0) return 0
  // Supporters who run out first are those with the least money per unit of utility.
  const order = money.map((_, i) => i).sort((a, b) => money[a]! / utility[a]! - money[b]! / utility[b]!)
  let remainingCost = cost
  let remainingUtility = utility.reduce((s, u) => s + u, 0)
  for (const i of order) {
    const r = remainingCost / remainingUtility
    if (r * utility[i]! <= money[i]! + EPSILON) return r
    remainingCost -= money[i]!
    remainingUtility -= utility[i]!
  }
  return null
}

export type EqualSharesResult = { selected: Set<string>; spent: number; phaseOneSelected: Set<string> }

/**
 * The Method of Equal Shares with cost utilities (or points), then greedy completion by votes.
 * `ranked` is the greedy order, used to break ties and for the completion.
 */
export function equalShares(
  projects: CountProject[],
  ballots: CountBallot[],
  budget: number,
  ranked: Tally[],
  byPoints: boolean,
): EqualSharesResult {
  const n = ballots.length
  const cost = new Map(projects.map((p) => [p.id, p.cost]))
  const selected = new Set<string>()
  if (n === 0) return { selected, spent: 0, phaseOneSelected: new Set() }
  const money = new Float64Array(n).fill(budget / n)
  // Each project's supporters and their utilities.
  const supporters = new Map<string, { voters: number[]; utilities: number[] }>()
  ballots.forEach((ballot, voter) => {
    for (const choice of ballot) {
      const c = cost.get(choice.projectId)
      if (c === undefined) continue
      let s = supporters.get(choice.projectId)
      if (!s) supporters.set(choice.projectId, (s = { voters: [], utilities: [] }))
      s.voters.push(voter)
      s.utilities.push(byPoints ? choice.points : Math.max(c, 1))
    }
  })
  const rankOf = new Map(ranked.map((t, i) => [t.projectId, i]))
  const candidates = new Set(supporters.keys())
  let spent = 0
  for (;;) {
    let best: { id: string; rho: number } | null = null
    for (const id of [...candidates]) {
      const s = supporters.get(id)!
      const r = rho(
        s.voters.map((v) => money[v]!),
        s.utilities,
        cost.get(id)!,
      )
      // Money only ever decreases, so a project that is unaffordable now stays unaffordable.
      if (r === null) {
        candidates.delete(id)
        continue
      }
      if (
        !best ||
        r < best.rho - EPSILON ||
        (Math.abs(r - best.rho) <= EPSILON && (rankOf.get(id) ?? 0) < (rankOf.get(best.id) ?? 0))
      )
        best = { id, rho: r }
    }
    if (!best) break
    const s = supporters.get(best.id)!
    s.voters.forEach((v, i) => {
      money[v] = Math.max(0, money[v]! - Math.min(money[v]!, best.rho * s.utilities[i]!))
    })
    selected.add(best.id)
    candidates.delete(best.id)
    spent += cost.get(best.id)!
  }
  const phaseOneSelected = new Set(selected)
  const completed = greedy(ranked, budget, selected)
  spent = [...completed].reduce((s, id) => s + (cost.get(id) ?? 0), 0)
  return { selected: completed, spent, phaseOneSelected }
}

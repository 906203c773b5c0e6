import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { equalShares, greedy, rankTallies, rho, tally, type CountBallot } from './pb.results.js'

const approve = (...ids: string[]): CountBallot => ids.map((projectId) => ({ projectId, points: 1 }))
const times = (n: number, ballot: CountBallot): CountBallot[] => Array.from({ length: n }, () => ballot)

describe('counting by votes (greedy)', () => {
  it('selects in order of votes and skips a project that no longer fits, taking a later one that does', () => {
    const projects = [
      { id: 'a', cost: 60 },
      { id: 'b', cost: 50 },
      { id: 'c', cost: 30 },
    ]
    const ballots = [...times(5, approve('a')), ...times(4, approve('b')), ...times(3, approve('c'))]
    const ranked = rankTallies(tally(projects, ballots), false)
    assert.deepEqual(
      ranked.map((t) => [t.projectId, t.votes]),
      [
        ['a', 5],
        ['b', 4],
        ['c', 3],
      ],
    )
    assert.deepEqual([...greedy(ranked, 100)].sort(), ['a', 'c'])
  })

  it('ranks by points under the points rule, and never selects a project nobody chose', () => {
    const projects = [
      { id: 'a', cost: 10 },
      { id: 'b', cost: 10 },
      { id: 'z', cost: 1 },
    ]
    const ballots: CountBallot[] = [
      [{ projectId: 'a', points: 1 }],
      [{ projectId: 'a', points: 1 }],
      [{ projectId: 'b', points: 5 }],
    ]
    const ranked = rankTallies(tally(projects, ballots), true)
    assert.deepEqual(
      ranked.map((t) => t.projectId),
      ['b', 'a', 'z'],
    )
    assert.deepEqual([...greedy(ranked, 10)], ['b'])
    assert.deepEqual([...greedy(ranked, 100)].sort(), ['a', 'b'])
  })
})

describe('the Method of Equal Shares', () => {
  it('finds the lowest price per unit of utility, with supporters who run out paying all they have', () => {
    assert.equal(rho([10, 10, 10, 10], [1, 1, 1, 1], 24), 6)
    assert.equal(rho([2, 2, 10, 10], [1, 1, 1, 1], 24), 10)
    assert.equal(rho([2, 2, 10, 10], [1, 1, 1, 1], 20), 8)
    assert.equal(rho([2, 2, 10, 10], [1, 1, 1, 1], 25), null)
    // 2ρ + ρ = 9 gives ρ = 3, but the first would pay 6 of their 5: they pay 5, the second pays ρ = 4.
    assert.equal(rho([5, 5], [2, 1], 9), 4)
  })

  it('gives a minority its proportional share where greedy gives everything to the majority', () => {
    // 10 voters, budget 10 (1 each): 6 choose A and B, 4 choose C; every project costs 4.
    const projects = [
      { id: 'A', cost: 4 },
      { id: 'B', cost: 4 },
      { id: 'C', cost: 4 },
    ]
    const ballots = [...times(6, approve('A', 'B')), ...times(4, approve('C'))]
    const ranked = rankTallies(tally(projects, ballots), false)
    assert.deepEqual([...greedy(ranked, 10)].sort(), ['A', 'B'])
    const mes = equalShares(projects, ballots, 10, ranked, false)
    // A's six supporters pay 4/6 each and keep 1/3 each (2 in all), too little for B;
    // C's four supporters pay 1 each.
    assert.deepEqual([...mes.phaseOneSelected].sort(), ['A', 'C'])
    assert.deepEqual([...mes.selected].sort(), ['A', 'C'])
    assert.equal(mes.spent, 8)
  })

  it('completes greedily with what equal shares leave unspent', () => {
    // 3 voters, budget 30 (10 each): P2 (18) is chosen by all, P1 (12) by the first two.
    const projects = [
      { id: 'P1', cost: 12 },
      { id: 'P2', cost: 18 },
    ]
    const ballots = [approve('P1', 'P2'), approve('P1', 'P2'), approve('P2')]
    const ranked = rankTallies(tally(projects, ballots), false)
    const mes = equalShares(projects, ballots, 30, ranked, false)
    // P2 costs each supporter 6; the first two have 8 left between them, short of P1's 12.
    assert.deepEqual([...mes.phaseOneSelected], ['P2'])
    assert.deepEqual([...mes.selected].sort(), ['P1', 'P2'])
    assert.equal(mes.spent, 30)
  })

  it('selects nothing when there are no ballots, and never spends more than the budget', () => {
    const projects = [
      { id: 'x', cost: 7 },
      { id: 'y', cost: 7 },
    ]
    assert.equal(equalShares(projects, [], 10, rankTallies(tally(projects, []), false), false).selected.size, 0)
    const ballots = [approve('x', 'y'), approve('x', 'y')]
    const mes = equalShares(projects, ballots, 10, rankTallies(tally(projects, ballots), false), false)
    assert.deepEqual([...mes.selected], ['x'])
    assert.ok(mes.spent <= 10)
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { londonInstant, londonParts } from './pb.dates.js'
import { ageOn, checkBallot, normalisePostcode, phaseAt } from './pb.rules.js'

describe('phase dates in London time', () => {
  it('reads winter and summer wall-clock times, and refuses dates that do not exist', () => {
    assert.equal(londonInstant('2026-12-01', '09:00')?.toISOString(), '2026-12-01T09:00:00.000Z')
    assert.equal(londonInstant('2026-06-01', '09:00')?.toISOString(), '2026-06-01T08:00:00.000Z')
    assert.equal(londonInstant('2026-02-30', '09:00'), null)
    assert.equal(londonInstant('2026-02-01', '25:00'), null)
    assert.deepEqual(londonParts(new Date('2026-06-01T08:00:00Z')), { date: '2026-06-01', time: '09:00' })
  })
})

describe('the rules of a ballot', () => {
  const projects = [
    { id: 'a', cost: 6000 },
    { id: 'b', cost: 5000 },
    { id: 'c', cost: 1000 },
  ]
  const raw = (...ids: string[]) => new Map(ids.map((id) => [id, '1']))

  it('refuses a knapsack ballot over its budget and says by how much', () => {
    const rule = { votingRule: 'knapsack' as const, maxChoices: null, pointsTotal: null, minSpendPercent: 0 }
    const over = checkBallot(rule, { budget: 10000 }, projects, raw('a', 'b'))
    assert.deepEqual(over.problems, [
      { key: 'participation.pb.ballot.error.overBudget', params: { over: '£1,000', budget: '£10,000' } },
    ])
    const ok = checkBallot(rule, { budget: 10000 }, projects, raw('a', 'c'))
    assert.deepEqual(ok.problems, [])
    assert.equal(ok.totalCost, 7000)
    assert.equal(ok.remaining, 3000)
  })

  it('enforces a minimum spend, a number of choices, points, and refuses projects not on the ballot', () => {
    const min = checkBallot(
      { votingRule: 'knapsack', maxChoices: null, pointsTotal: null, minSpendPercent: 50 },
      { budget: 10000 },
      projects,
      raw('c'),
    )
    assert.equal(min.problems[0]?.key, 'participation.pb.ballot.error.underMinimum')
    const approval = checkBallot(
      { votingRule: 'approval', maxChoices: 2, pointsTotal: null, minSpendPercent: 0 },
      { budget: 1 },
      projects,
      raw('a', 'b', 'c'),
    )
    assert.equal(approval.problems[0]?.key, 'participation.pb.ballot.error.tooMany')
    const points = checkBallot(
      { votingRule: 'points', maxChoices: null, pointsTotal: 10, minSpendPercent: 0 },
      { budget: 1 },
      projects,
      new Map([
        ['a', '7'],
        ['b', '4'],
        ['c', '0'],
      ]),
    )
    assert.equal(points.problems[0]?.key, 'participation.pb.ballot.error.tooManyPoints')
    assert.equal(points.count, 2)
    const unknown = checkBallot(
      { votingRule: 'approval', maxChoices: 2, pointsTotal: null, minSpendPercent: 0 },
      { budget: 1 },
      projects,
      raw('zzz'),
    )
    assert.equal(unknown.problems[0]?.key, 'participation.pb.ballot.error.unknownProject')
    const empty = checkBallot(
      { votingRule: 'approval', maxChoices: 2, pointsTotal: null, minSpendPercent: 0 },
      { budget: 1 },
      projects,
      new Map(),
    )
    assert.equal(empty.problems[0]?.key, 'participation.pb.ballot.error.empty')
  })

  it('reads postcodes and ages as people give them', () => {
    assert.equal(normalisePostcode(' eh1 1yz '), 'EH11YZ')
    assert.equal(normalisePostcode('not a postcode'), null)
    assert.equal(ageOn('2010-06-15', '2026-06-14'), 15)
    assert.equal(ageOn('2010-06-15', '2026-06-15'), 16)
  })

  it('moves through the phases on its dates, and waits for published results', () => {
    const d = (s: string) => new Date(s)
    const p = {
      publishedAt: d('2026-01-01'),
      ideasOpenAt: d('2026-02-01'),
      reviewOpensAt: d('2026-03-01'),
      voteOpensAt: d('2026-04-01'),
      voteClosesAt: d('2026-05-01'),
      resultsPublishedAt: null,
    }
    assert.equal(phaseAt(p, d('2026-01-15')), 'upcoming')
    assert.equal(phaseAt(p, d('2026-02-15')), 'ideas')
    assert.equal(phaseAt(p, d('2026-03-15')), 'review')
    assert.equal(phaseAt(p, d('2026-04-15')), 'vote')
    assert.equal(phaseAt(p, d('2026-05-15')), 'counting')
    assert.equal(phaseAt({ ...p, resultsPublishedAt: d('2026-05-16') }, d('2026-05-17')), 'results')
    assert.equal(phaseAt({ ...p, publishedAt: null }, d('2026-04-15')), 'draft')
  })
})

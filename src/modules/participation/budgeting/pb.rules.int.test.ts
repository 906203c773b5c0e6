// The other voting rules and eligibility checks, through the service as the pages use it.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { makeAccount } from '../../../../test/support/factories.js'
import { systemContext, type ActionContext } from '../../../platform/auth/principal.js'
import { PbService } from './pb.service.js'
import type { BudgetingTables } from './pb.tables.js'
import { londonParts } from './pb.dates.js'
import { PbError } from './pb.errors.js'

const day = (offset: number) => londonParts(new Date(Date.now() + offset * 86_400_000)).date
const errorCode = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof PbError ? e.code : String(e)),
  )

describe('voting rules and eligibility', () => {
  let t: TestApp
  let service: PbService
  const admin = systemContext('test')
  const db = () => t.app.kernel.db.withTables<BudgetingTables>()

  async function process(rule: Record<string, string>) {
    const created = await service.createProcess(admin, {
      organisationId: (await t.app.kernel.organisations.getBySlug('dundee-city-council')).id,
      title: `Dundee Decides ${rule.votingRule}`,
      summary: 'Rules',
      description: '',
      votingRule: 'approval',
      maxChoices: '',
      pointsTotal: '',
      minSpendPercent: '',
      allowChanges: '',
      eligibility: 'account',
      minAge: '',
      equalShares: '',
      ideasDate: day(-3),
      reviewDate: day(-2),
      voteDate: day(-1),
      closeDate: day(5),
      closeTime: '23:59',
      ...rule,
    })
    const area = await service.addArea(admin, created.id, { name: 'Lochee', budget: '20000', areaWide: '' })
    await service.importPostcodes(admin, created.id, 'postcode,area\nDD2 3AA,Lochee')
    const ids: string[] = []
    for (const [title, cost] of [
      ['Allotments', 4000],
      ['Murals', 3000],
      ['Benches', 2000],
    ] as const)
      ids.push(
        (
          await db()
            .insertInto('participation.pb_project')
            .values({ process_id: created.id, area_id: area.id, title, description: title, cost, status: 'feasible' })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id,
      )
    await service.publishProcess(admin, created.id)
    return { id: created.id, areaId: area.id, ids }
  }

  async function voter(): Promise<{ ctx: ActionContext; accountId: string }> {
    const account = await makeAccount(t.app.kernel)
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, account.id, 'session', null)
    return { ctx: { ...systemContext('test'), principal }, accountId: account.id }
  }

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    service = new PbService(t.app.kernel)
  })
  after(async () => {
    await t.close()
  })

  it('lets an approval voter choose up to k projects, and no more', async () => {
    const p = await process({ votingRule: 'approval', maxChoices: '2' })
    const v = await voter()
    await service.declareResident(v.ctx, p.id, { postcode: 'DD2 3AA', birthDay: '', birthMonth: '', birthYear: '' })
    const all = new Map(p.ids.map((id) => [id, '1']))
    assert.equal(
      await errorCode(service.cast(v.ctx, p.id, p.areaId, { kind: 'account', accountId: v.accountId }, all)),
      'PB_BALLOT_INVALID',
    )
    const two = new Map(p.ids.slice(0, 2).map((id) => [id, '1']))
    assert.equal(
      await errorCode(service.cast(v.ctx, p.id, p.areaId, { kind: 'account', accountId: v.accountId }, two)),
      'ok',
    )
    // Changes are not allowed in this process: a different ballot is refused, the same one is not an error.
    const other = new Map(p.ids.slice(1).map((id) => [id, '1']))
    assert.equal(
      await errorCode(service.cast(v.ctx, p.id, p.areaId, { kind: 'account', accountId: v.accountId }, other)),
      'PB_ALREADY_VOTED',
    )
    assert.equal(
      await errorCode(service.cast(v.ctx, p.id, p.areaId, { kind: 'account', accountId: v.accountId }, two)),
      'ok',
    )
  })

  it('lets a points voter share out their points, counting by points', async () => {
    const p = await process({ votingRule: 'points', pointsTotal: '10', equalShares: 'yes' })
    const [allotments, murals, benches] = p.ids as [string, string, string]
    const give = async (points: [string, string][]) => {
      const v = await voter()
      await service.declareResident(v.ctx, p.id, { postcode: 'dd23aa', birthDay: '', birthMonth: '', birthYear: '' })
      return errorCode(
        service.cast(v.ctx, p.id, p.areaId, { kind: 'account', accountId: v.accountId }, new Map(points)),
      )
    }
    assert.equal(
      await give([
        [allotments, '8'],
        [murals, '3'],
      ]),
      'PB_BALLOT_INVALID',
    )
    assert.equal(await give([[allotments, 'lots']]), 'PB_BALLOT_INVALID')
    assert.equal(
      await give([
        [murals, '7'],
        [benches, '3'],
      ]),
      'ok',
    )
    assert.equal(
      await give([
        [allotments, '5'],
        [benches, '5'],
      ]),
      'ok',
    )
    await db()
      .updateTable('participation.pb_process')
      .set({ vote_closes_at: new Date() })
      .where('id', '=', p.id)
      .execute()
    assert.equal(await service.computeResults(p.id), true)
    const results = await service.repo.projectResults(t.app.kernel.db, p.id)
    assert.deepEqual(
      results.map((r) => [r.title, r.points, r.votes, r.greedySelected]),
      [
        ['Benches', 8, 2, true],
        ['Murals', 7, 1, true],
        ['Allotments', 5, 1, true],
      ],
    )
    assert.equal(await service.computeResults(p.id), false, 'a vote is counted once')
  })

  it('checks a minimum age from the declared date of birth, and keeps the first postcode given', async () => {
    const p = await process({ votingRule: 'approval', maxChoices: '1', minAge: '16' })
    const young = await voter()
    const born = londonParts(new Date(Date.now() - 15 * 365.25 * 86_400_000)).date.split('-')
    const tooYoung = await errorCode(
      service.declareResident(young.ctx, p.id, {
        postcode: 'DD2 3AA',
        birthDay: born[2]!,
        birthMonth: born[1]!,
        birthYear: born[0]!,
      }),
    )
    assert.equal(tooYoung, 'PB_NOT_ELIGIBLE')
    const bad = await errorCode(
      service.declareResident(young.ctx, p.id, {
        postcode: 'DD2 3AA',
        birthDay: '31',
        birthMonth: '2',
        birthYear: '2000',
      }),
    )
    assert.equal(bad, 'PB_ELIGIBILITY_INVALID')
    const adult = await voter()
    const first = await service.declareResident(adult.ctx, p.id, {
      postcode: 'DD2 3AA',
      birthDay: '1',
      birthMonth: '6',
      birthYear: '1980',
    })
    const second = await service.declareResident(adult.ctx, p.id, {
      postcode: 'KY1 1AA',
      birthDay: '1',
      birthMonth: '6',
      birthYear: '1980',
    })
    assert.deepEqual(second, first)
    // This process takes no voting codes.
    assert.equal(
      await errorCode(service.issueCodes(admin, p.id, { areaId: p.areaId, count: '5', label: 'School' })),
      'PB_CODES_INVALID',
    )
  })
})

// Integrity under concurrency: many ballots at once for one voter and one budget. The service's own
// checks are raced on purpose; what must hold is what the database enforces at commit.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { makeAccount, makeStaff } from '../../../../test/support/factories.js'
import { systemContext, type ActionContext } from '../../../platform/auth/principal.js'
import { PbService } from './pb.service.js'
import type { BudgetingTables } from './pb.tables.js'
import { londonParts } from './pb.dates.js'
import { PbError } from './pb.errors.js'
import { isDatabaseUnavailable } from '../../../platform/db/database.js'

const DAY = 86_400_000
const day = (offset: number) => londonParts(new Date(Date.now() + offset * DAY)).date
const ATTEMPTS = 40

describe('ballot integrity under concurrency', () => {
  let t: TestApp
  let service: PbService
  let managerCtx: ActionContext
  const db = () => t.app.kernel.db.withTables<BudgetingTables>()

  async function setUp(allowChanges: boolean) {
    const created = await service.createProcess(managerCtx, {
      organisationId: (await t.app.kernel.organisations.getBySlug('fife-council')).id,
      title: `Concurrency ${allowChanges ? 'changeable' : 'final'}`,
      summary: 'A vote under load',
      description: '',
      votingRule: 'knapsack',
      maxChoices: '',
      pointsTotal: '',
      minSpendPercent: '',
      allowChanges: allowChanges ? 'yes' : '',
      eligibility: 'either',
      minAge: '',
      equalShares: '',
      ideasDate: day(-3),
      reviewDate: day(-2),
      voteDate: day(-1),
      closeDate: day(5),
      closeTime: '23:59',
    })
    const area = await service.addArea(managerCtx, created.id, { name: 'Levenmouth', budget: '10000', areaWide: '' })
    await service.importPostcodes(managerCtx, created.id, 'postcode,area\nKY8 4AA,Levenmouth')
    const projectIds: string[] = []
    for (const [title, cost] of [
      ['Six', 6000],
      ['Five', 5000],
      ['Four', 4000],
      ['One', 1000],
    ] as const) {
      const row = await db()
        .insertInto('participation.pb_project')
        .values({ process_id: created.id, area_id: area.id, title, description: title, cost, status: 'feasible' })
        .returning('id')
        .executeTakeFirstOrThrow()
      projectIds.push(row.id)
    }
    await db()
      .updateTable('participation.pb_process')
      .set({ published_at: new Date() })
      .where('id', '=', created.id)
      .execute()
    return { processId: created.id, areaId: area.id, projectIds }
  }

  async function resident(processId: string): Promise<{ ctx: ActionContext; accountId: string }> {
    const account = await makeAccount(t.app.kernel)
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, account.id, 'session', null)
    const ctx = { ...systemContext('test'), principal }
    await service.declareResident(ctx, processId, { postcode: 'KY8 4AA', birthDay: '', birthMonth: '', birthYear: '' })
    return { ctx, accountId: account.id }
  }

  /** Every choice of every ballot in the area adds up, and no ballot is over budget. */
  async function assertConsistent(areaId: string) {
    const rows = await sql<{ id: string; total_cost: string; choice_count: number; sum: string; n: string }>`
      select b.id, b.total_cost, b.choice_count, coalesce(sum(p.cost), 0) as sum, count(c.project_id) as n
        from participation.pb_ballot b
        left join participation.pb_ballot_choice c on c.ballot_id = b.id
        left join participation.pb_project p on p.id = c.project_id
       where b.area_id = ${areaId}
       group by b.id`.execute(t.app.kernel.db)
    for (const r of rows.rows) {
      assert.equal(Number(r.sum), Number(r.total_cost))
      assert.equal(Number(r.n), r.choice_count)
      assert.ok(Number(r.sum) <= 10000, `ballot ${r.id} spends ${r.sum}`)
    }
    return rows.rows
  }

  // A request that waited too long for a database connection on a loaded machine is told to try
  // again (503) and changes nothing; it is not what these tests are about, so it is allowed.
  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => 'cast',
      (e: unknown) =>
        e instanceof PbError ? e.code : isDatabaseUnavailable(e) ? 'UNAVAILABLE' : `unexpected: ${String(e)}`,
    )
  const allowed =
    (...codes: string[]) =>
    (r: string) =>
      !['cast', 'UNAVAILABLE', ...codes].includes(r)

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    service = new PbService(t.app.kernel)
    const staff = await makeStaff(t.app.kernel, 'fife-council', ['participation-manager'])
    managerCtx = {
      ...systemContext('test'),
      principal: await t.app.kernel.accounts.principalFor(t.app.kernel.db, staff.account.id, 'session', null),
    }
  })
  after(async () => {
    await t.close()
  })

  it('counts one voter once when many different ballots arrive at the same moment and changes are not allowed', async () => {
    const { processId, areaId, projectIds } = await setUp(false)
    const voter = await resident(processId)
    const [six, five, four, one] = projectIds as [string, string, string, string]
    const choices = [[six, four], [five, four, one], [six, one], [four], [five, one]]
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        outcome(
          service.cast(
            voter.ctx,
            processId,
            areaId,
            { kind: 'account', accountId: voter.accountId },
            new Map(choices[i % choices.length]!.map((id) => [id, '1'])),
          ),
        ),
      ),
    )
    assert.deepEqual(results.filter(allowed('PB_ALREADY_VOTED')), [])
    const ballots = await assertConsistent(areaId)
    assert.equal(ballots.length, 1)
    const register = await db().selectFrom('participation.pb_voter').selectAll().where('area_id', '=', areaId).execute()
    assert.equal(register.length, 1)
    // Exactly one of the different ballots won; identical repeats of the winner are not errors.
    const winners = new Set(results.flatMap((r, i) => (r === 'cast' ? [i % choices.length] : [])))
    assert.equal(winners.size, 1)
  })

  it('keeps one ballot within budget when a voter who may change their vote changes it many times at once', async () => {
    const { processId, areaId, projectIds } = await setUp(true)
    const voter = await resident(processId)
    const [six, five, four, one] = projectIds as [string, string, string, string]
    const choices = [[six, four], [five, four, one], [six, one], [four], [five, one], [six, five], [six, four, one]]
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        outcome(
          service.cast(
            voter.ctx,
            processId,
            areaId,
            { kind: 'account', accountId: voter.accountId },
            new Map(choices[i % choices.length]!.map((id) => [id, '1'])),
          ),
        ),
      ),
    )
    // Over-budget choices ([six, five], [six, four, one]) are refused; every other attempt lands.
    assert.deepEqual(results.filter(allowed('PB_BALLOT_INVALID', 'PB_ALREADY_VOTED')), [])
    assert.deepEqual(
      results.filter((r, i) => i % choices.length >= 5 && r === 'cast'),
      [],
      'no over-budget ballot is cast',
    )
    const ballots = await assertConsistent(areaId)
    assert.equal(ballots.length, 1)
  })

  it('refuses every one of many over-budget ballots sent at once', async () => {
    const { processId, areaId, projectIds } = await setUp(true)
    const voters = await Promise.all(Array.from({ length: 10 }, () => resident(processId)))
    const [six, five] = projectIds as [string, string]
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) => {
        const v = voters[i % voters.length]!
        return outcome(
          service.cast(
            v.ctx,
            processId,
            areaId,
            { kind: 'account', accountId: v.accountId },
            new Map([
              [six, '1'],
              [five, '1'],
            ]),
          ),
        )
      }),
    )
    assert.deepEqual(
      [...new Set(results)].filter((r) => r !== 'UNAVAILABLE'),
      ['PB_BALLOT_INVALID'],
    )
    assert.equal((await assertConsistent(areaId)).length, 0)
  })

  it('lets a voting code cast one ballot however many devices use it at once', async () => {
    const { processId, areaId, projectIds } = await setUp(true)
    const batchId = await service.issueCodes(managerCtx, processId, { areaId, count: '1', label: 'Buckhaven Primary' })
    const code = (await service.batch(managerCtx, processId, batchId)).codes[0]!.code
    const anonymous = { ...systemContext('test'), principal: null }
    const [six, five, four, one] = projectIds as [string, string, string, string]
    const choices = [[six], [five], [four, one], [one]]
    const results = await Promise.all(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        outcome(
          service.cast(
            anonymous,
            processId,
            areaId,
            { kind: 'code', code, channel: 'code' },
            new Map(choices[i % choices.length]!.map((id) => [id, '1'])),
          ),
        ),
      ),
    )
    assert.deepEqual(results.filter(allowed('PB_CODE_USED', 'PB_ALREADY_VOTED')), [])
    assert.equal((await assertConsistent(areaId)).length, 1)
    const used = await db()
      .selectFrom('participation.pb_code')
      .select('used_at')
      .where('code', '=', code)
      .executeTakeFirstOrThrow()
    assert.ok(used.used_at)
  })

  it('refuses in the database a ballot that bypasses the service: over budget, not adding up, twice, or after the close', async () => {
    const { processId, areaId, projectIds } = await setUp(true)
    const [six, five, , one] = projectIds as [string, string, string, string]
    const insert = (voterHash: string, choices: string[], totalCost: number) =>
      t.app.kernel.db.transaction().execute(async (trx) => {
        const x = trx.withTables<BudgetingTables>()
        const b = await x
          .insertInto('participation.pb_ballot')
          .values({
            process_id: processId,
            area_id: areaId,
            voter_hash: voterHash,
            channel: 'online',
            choice_count: choices.length,
            total_cost: totalCost,
            total_points: choices.length,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
        await x
          .insertInto('participation.pb_ballot_choice')
          .values(choices.map((project_id) => ({ ballot_id: b.id, area_id: areaId, project_id, points: 1 })))
          .execute()
      })
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? 'error',
      )
    assert.equal(await code(insert('a', [six, five], 11000)), '23514')
    assert.equal(await code(insert('b', [six, five], 6000)), '23514')
    assert.equal(await code(insert('c', [six, one], 7000)), 'ok')
    assert.equal(await code(insert('c', [one], 1000)), '23505')
    await db()
      .updateTable('participation.pb_process')
      .set({ vote_closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', processId)
      .execute()
    assert.equal(await code(insert('d', [one], 1000)), '23514')
    assert.equal((await assertConsistent(areaId)).length, 1)
  })
})

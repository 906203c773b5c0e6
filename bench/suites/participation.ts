// Participatory budgeting under load: ballots cast over HTTP by 100 concurrent voters with voting
// codes, against a process with 50,000 eligible voters and 200 projects, with PostgreSQL's own rate
// for the same transaction on the same tables (register entry, ballot, choices checked by the
// deferred trigger, the code's use, the audit append) as the limit; the time to count 50,000
// ballots by votes and by the Method of Equal Shares; and the project list page with 500 projects.
import pg from 'pg'
import { loadConfig } from '../../src/config/config.js'
import { createDatabase } from '../../src/platform/db/database.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'
import { createKernel } from '../../src/platform/kernel.js'
import { createLogger } from '../../src/app.js'
import { systemContext } from '../../src/platform/auth/principal.js'
import { PbService, countBallots } from '../../src/modules/participation/budgeting/pb.service.js'
import type { CountBallot } from '../../src/modules/participation/budgeting/pb.results.js'
import type { PbArea } from '../../src/modules/participation/budgeting/pb.types.js'
import { londonParts } from '../../src/modules/participation/budgeting/pb.dates.js'
import { createBenchDatabase } from '../lib/database.js'
import { load, type LoadResult } from '../lib/load.js'
import { median, round, spread } from '../lib/stats.js'
import { startComhla, type BenchSuite } from '../lib/suite.js'

const VOTERS = 50_000
const AREAS = 8
const PROJECTS_PER_AREA = 25
const AREA_BUDGET = 250_000
const LIST_PROJECTS = 500
const CONCURRENT_VOTERS = 100
const POOL = 10

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
/** The i-th voting code: distinct for every i, in the printed form. */
function codeFor(i: number): string {
  let n = i * 7919 + 104_729
  const c: string[] = []
  for (let k = 0; k < 8; k++) {
    c.push(ALPHABET[n % 32]!)
    n = Math.floor(n / 32)
  }
  return `${c.slice(0, 4).join('')}-${c.slice(4).join('')}`
}

const day = (offset: number) => londonParts(new Date(Date.now() + offset * 86_400_000)).date

type Project = { id: string; areaId: string; cost: number }

/** A voter's choices: projects in popularity order, skipping what would not fit. */
function choose(projects: Project[], budget: number, seed: number): Project[] {
  const out: Project[] = []
  let left = budget
  for (let k = 0; k < projects.length && out.length < 6; k++) {
    const p = projects[(seed * 31 + k * k * 7 + (seed % 5) * k) % projects.length]!
    if (!out.includes(p) && p.cost <= left) {
      out.push(p)
      left -= p.cost
    }
  }
  return out
}

function pct(sorted: number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0, 2)
}

export const participation: BenchSuite = {
  name: 'participation',
  run: async (ctx) => {
    const db = await createBenchDatabase()
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      SESSION_SECRET: 's'.repeat(40),
      LOG_LEVEL: 'warn',
    })
    const database = await createDatabase({ databaseUrl: db.url, dataDir: '', poolSize: POOL })
    const children: { stop: () => Promise<void> }[] = []
    const pool = new pg.Pool({ connectionString: db.url, max: POOL })
    try {
      ctx.log('Seeding a process with 50,000 voting codes, 8 areas and 200 projects…')
      await migrateToLatest(database.db)
      const kernel = createKernel(config, database, createLogger(config), { runJobWorkers: false })
      await kernel.organisations.loadReferenceData()
      const service = new PbService(kernel)
      const admin = systemContext('bench')
      const organisationId = (await kernel.organisations.getBySlug('fife-council')).id
      const processInput = (title: string, equalShares: boolean) => ({
        organisationId,
        title,
        summary: 'Benchmark',
        description: '',
        votingRule: 'knapsack',
        maxChoices: '',
        pointsTotal: '',
        minSpendPercent: '',
        allowChanges: '',
        eligibility: 'either',
        minAge: '',
        equalShares: equalShares ? 'yes' : '',
        ideasDate: day(-3),
        reviewDate: day(-2),
        voteDate: day(-1),
        closeDate: day(5),
        closeTime: '23:59',
      })
      const vote = await service.createProcess(admin, processInput('Bench vote', true))
      const areas: PbArea[] = []
      for (let a = 0; a < AREAS; a++)
        areas.push(
          await service.addArea(admin, vote.id, { name: `Ward ${a + 1}`, budget: String(AREA_BUDGET), areaWide: '' }),
        )
      // Dropping the database at the end ends idle connections; that is not an error here.
      pool.on('error', () => undefined)
      const projects: Project[] = []
      for (const area of areas) {
        const rows = await pool.query<{ id: string; cost: number }>(
          `insert into participation.pb_project (process_id, area_id, title, description, cost, status)
           select $1, $2, 'Project ' || g, 'A project for the benchmark', 10000 + (g * 3917) % 90000, 'feasible'
             from generate_series(1, $3) g returning id, cost`,
          [vote.id, area.id, PROJECTS_PER_AREA],
        )
        projects.push(...rows.rows.map((r) => ({ id: r.id, areaId: area.id, cost: r.cost })))
      }
      const codes = Array.from({ length: VOTERS }, (_, i) => codeFor(i))
      if (new Set(codes).size !== VOTERS) throw new Error('voting codes collide')
      for (let a = 0; a < AREAS; a++) {
        const mine = codes.filter((_, i) => i % AREAS === a)
        // Batches are at most 5,000 codes, as for a body printing them.
        for (let from = 0; from < mine.length; from += 2500) {
          const part = mine.slice(from, from + 2500)
          const batch = await pool.query<{ id: string }>(
            `insert into participation.pb_code_batch (process_id, area_id, label, size) values ($1, $2, $3, $4) returning id`,
            [vote.id, areas[a]!.id, `Ward ${a + 1}, part ${from / 2500 + 1}`, part.length],
          )
          await pool.query(
            `insert into participation.pb_code (batch_id, process_id, area_id, code, position)
             select $1, $2, $3, c, ordinality from unnest($4::text[]) with ordinality c`,
            [batch.rows[0]!.id, vote.id, areas[a]!.id, part],
          )
        }
      }
      await service.publishProcess(admin, vote.id)

      // A second process with 500 projects in every state, for the list page.
      const list = await service.createProcess(admin, processInput('Bench list', false))
      const listAreas: PbArea[] = []
      for (let a = 0; a < AREAS; a++)
        listAreas.push(await service.addArea(admin, list.id, { name: `Ward ${a + 1}`, budget: '100000', areaWide: '' }))
      await pool.query(
        `insert into participation.pb_project (process_id, area_id, title, description, cost, status, comment_count)
         select $1, ($2::uuid[])[1 + g % $3], 'Idea number ' || g, repeat('A longer description of the idea. ', 12),
                1000 + (g * 733) % 50000, (array['proposed','feasible','not-feasible','feasible'])[1 + g % 4], g % 17
           from generate_series(1, $4) g`,
        [list.id, listAreas.map((a) => a.id), AREAS, LIST_PROJECTS],
      )
      await service.publishProcess(admin, list.id)

      const app = await startComhla(db.url, { DATABASE_POOL_SIZE: String(POOL) })
      children.push(app)
      const base = `http://127.0.0.1:${app.port}`
      const page = await fetch(`${base}/budgeting/${vote.id}/vote/code`)
      const csrfCookie = page.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ')
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? ''
      const cookieName = `comhla_pb_code_${vote.id.slice(0, 8)}`
      const byArea = new Map(areas.map((a) => [a.id, projects.filter((p) => p.areaId === a.id)]))

      // Codes are handed out from the front for HTTP, from the back for the raw limit.
      let nextHttp = 0
      let nextRaw = VOTERS - 1
      const ballotsOf = (i: number) => {
        const area = areas[i % AREAS]!
        return { area, chosen: choose(byArea.get(area.id)!, AREA_BUDGET, i) }
      }

      const httpBallots = async (seconds: number): Promise<LoadResult> => {
        const latencies: number[] = []
        let failures = 0
        const stopAt = Date.now() + seconds * 1000
        const worker = async () => {
          while (Date.now() < stopAt && nextHttp < nextRaw) {
            const i = nextHttp++
            const { area, chosen } = ballotsOf(i)
            const body = new URLSearchParams({ _csrf: csrf, action: 'cast' })
            for (const p of chosen) body.append('project', p.id)
            const started = performance.now()
            const res = await fetch(`${base}/budgeting/${vote.id}/vote/${area.id}`, {
              method: 'POST',
              redirect: 'manual',
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                cookie: `${csrfCookie}; ${cookieName}=${codes[i]}`,
              },
              body: body.toString(),
            })
            await res.arrayBuffer()
            latencies.push(performance.now() - started)
            if (res.status !== 303) failures++
          }
        }
        const t0 = performance.now()
        await Promise.all(Array.from({ length: CONCURRENT_VOTERS }, worker))
        const elapsed = (performance.now() - t0) / 1000
        latencies.sort((a, b) => a - b)
        return {
          rps: (latencies.length - failures) / elapsed,
          p50: pct(latencies, 50),
          p95: pct(latencies, 95),
          p99: pct(latencies, 99),
          errors: 0,
          non2xx: failures,
          requests: latencies.length,
        }
      }

      const codeIds = new Map<string, string>()
      for (const r of (
        await pool.query<{ id: string; code: string }>(
          `select id, code from participation.pb_code where process_id = $1`,
          [vote.id],
        )
      ).rows)
        codeIds.set(r.code, r.id)

      /** The same transaction as a cast ballot, in SQL on the same tables, with the same pool size. */
      const rawBallots = async (seconds: number): Promise<LoadResult> => {
        const latencies: number[] = []
        const stopAt = Date.now() + seconds * 1000
        const worker = async () => {
          while (Date.now() < stopAt && nextRaw > nextHttp) {
            const i = nextRaw--
            const { area, chosen } = ballotsOf(i)
            const codeId = codeIds.get(codes[i]!)!
            const started = performance.now()
            const client = await pool.connect()
            try {
              await client.query('begin')
              await client.query('select id from participation.pb_process where id = $1 for key share', [vote.id])
              await client.query(
                `insert into participation.pb_voter (area_id, voter_key, process_id, channel) values ($1, $2, $3, 'code')`,
                [area.id, `code:${codeId}`, vote.id],
              )
              const b = await client.query<{ id: string }>(
                `insert into participation.pb_ballot (process_id, area_id, voter_hash, channel, choice_count, total_cost, total_points)
                 values ($1, $2, md5(random()::text), 'code', $3::int, $4::bigint, $3::int) returning id`,
                [vote.id, area.id, chosen.length, chosen.reduce((s, p) => s + p.cost, 0)],
              )
              await client.query(
                `insert into participation.pb_ballot_choice (ballot_id, area_id, project_id, points)
                 select $1, $2, unnest($3::uuid[]), 1`,
                [b.rows[0]!.id, area.id, chosen.map((p) => p.id)],
              )
              await client.query('update participation.pb_code set used_at = coalesce(used_at, now()) where id = $1', [
                codeId,
              ])
              await client.query('select pg_advisory_xact_lock(7283001)')
              const last = await client.query<{ seq: number; hash: string }>(
                'select seq, hash from core.audit_event order by seq desc limit 1',
              )
              await client.query(
                `insert into core.audit_event (seq, id, occurred_at, actor_label, action, target_type, target_id, details, prev_hash, hash)
                 values ($1, gen_random_uuid(), now(), 'bench', 'participation.pb.ballot-cast', 'pb-process', $2, '{}'::jsonb, $3, md5(random()::text))`,
                [Number(last.rows[0]?.seq ?? 0) + 1, vote.id, last.rows[0]?.hash ?? '0'],
              )
              await client.query('commit')
            } catch (error) {
              await client.query('rollback')
              throw error
            } finally {
              client.release()
            }
            latencies.push(performance.now() - started)
          }
        }
        const t0 = performance.now()
        await Promise.all(Array.from({ length: CONCURRENT_VOTERS }, worker))
        const elapsed = (performance.now() - t0) / 1000
        latencies.sort((a, b) => a - b)
        return {
          rps: latencies.length / elapsed,
          p50: pct(latencies, 50),
          p95: pct(latencies, 95),
          p99: pct(latencies, 99),
          errors: 0,
          non2xx: 0,
          requests: latencies.length,
        }
      }

      ctx.log('Ballots over HTTP at 100 concurrent voters, and the same transaction in raw SQL')
      const http: LoadResult[] = []
      const raw: LoadResult[] = []
      for (let r = 0; r < ctx.runs; r++) {
        http.push(await httpBallots(ctx.durationSeconds))
        raw.push(await rawBallots(ctx.durationSeconds))
      }
      ctx.summarise(
        'PB ballot cast POST /budgeting/{id}/vote/{area} (100 voters, 50,000 eligible, 200 projects)',
        http,
        raw,
        `raw pg ballot transaction, pool ${POOL}`,
      )
      ctx.summarise(`Raw pg ballot transaction (the database limit, pool ${POOL})`, raw, null, '')

      ctx.log('Topping up to 50,000 ballots, then counting')
      const client = await pool.connect()
      try {
        // Seeded ballots skip the per-row trigger (they are built to be valid); the casts above went through it.
        await client.query('set session_replication_role = replica')
        for (let start = nextHttp; start <= nextRaw; start += 2000) {
          const end = Math.min(nextRaw, start + 1999)
          const voterKeys: string[] = []
          const areaIds: string[] = []
          const costs: number[] = []
          const counts: number[] = []
          const choiceBallot: number[] = []
          const choiceProject: string[] = []
          const choiceArea: string[] = []
          for (let i = start; i <= end; i++) {
            const { area, chosen } = ballotsOf(i)
            voterKeys.push(`code:${codeIds.get(codes[i]!)!}`)
            areaIds.push(area.id)
            costs.push(chosen.reduce((s, p) => s + p.cost, 0))
            counts.push(chosen.length)
            for (const p of chosen) {
              choiceBallot.push(i - start + 1)
              choiceProject.push(p.id)
              choiceArea.push(area.id)
            }
          }
          await client.query('begin')
          await client.query(
            `insert into participation.pb_voter (area_id, voter_key, process_id, channel)
             select a, k, $3, 'code' from unnest($1::uuid[], $2::text[]) as t(a, k)`,
            [areaIds, voterKeys, vote.id],
          )
          const ids = await client.query<{ id: string; n: string }>(
            `insert into participation.pb_ballot (process_id, area_id, voter_hash, channel, choice_count, total_cost, total_points)
             select $1, a, md5(random()::text || n), 'code', c, cost, c
               from unnest($2::uuid[], $3::int[], $4::bigint[]) with ordinality as t(a, c, cost, n)
             returning id`,
            [vote.id, areaIds, counts, costs],
          )
          const ballotIds = ids.rows.map((r) => r.id)
          await client.query(
            `insert into participation.pb_ballot_choice (ballot_id, area_id, project_id, points)
             select ($1::uuid[])[b], a, p, 1 from unnest($2::int[], $3::uuid[], $4::uuid[]) as t(b, a, p)`,
            [ballotIds, choiceBallot, choiceArea, choiceProject],
          )
          await client.query('commit')
        }
        await client.query('set session_replication_role = origin')
      } finally {
        client.release()
      }
      const total = Number(
        (
          await pool.query<{ n: string }>('select count(*) as n from participation.pb_ballot where process_id = $1', [
            vote.id,
          ])
        ).rows[0]!.n,
      )
      ctx.log(`  ${total} ballots`)

      const readBallots = async () => {
        const out = new Map<string, CountBallot[]>()
        for (const area of areas) {
          const list: CountBallot[] = []
          for await (const b of service.repo.areaBallots(kernel.db, area.id)) list.push(b)
          out.set(area.id, list)
        }
        return out
      }
      const timings = { read: [] as number[], greedy: [] as number[], shares: [] as number[] }
      for (let r = 0; r < ctx.runs; r++) {
        let t0 = performance.now()
        const ballots = await readBallots()
        timings.read.push(performance.now() - t0)
        for (const [key, equalShares] of [
          ['greedy', false],
          ['shares', true],
        ] as const) {
          t0 = performance.now()
          for (const area of areas)
            countBallots(
              { votingRule: 'knapsack', equalShares },
              area,
              byArea.get(area.id)!.map((p) => ({ id: p.id, cost: p.cost })),
              ballots.get(area.id)!,
              new Date(),
            )
          timings[key].push(performance.now() - t0)
        }
      }
      const readMs = median(timings.read)
      const row = (scenario: string, values: number[], note: string) =>
        ctx.addRow({
          scenario,
          unit: 'ms',
          comhla: round(median(values), 1),
          limit: null,
          limitName: '',
          ratio: null,
          spread: round(spread(values), 3),
          note,
        })
      row(
        `Read ${total} ballots from PostgreSQL for counting (8 areas)`,
        timings.read,
        'keyset batches of 5,000 ballots',
      )
      row(
        `Count ${total} ballots by votes, greedy (8 areas × 25 projects)`,
        timings.greedy.map((g) => g + readMs),
        `read + count; the count alone ${round(median(timings.greedy), 1)} ms`,
      )
      row(
        `Count ${total} ballots by votes and the Method of Equal Shares`,
        timings.shares.map((s) => s + readMs),
        `read + count; the count alone ${round(median(timings.shares), 1)} ms`,
      )
      // The real path once: close the vote, count in one transaction and save the results.
      await pool.query(`update participation.pb_process set vote_closes_at = now() where id = $1`, [vote.id])
      const t0 = performance.now()
      const counted = await service.computeResults(vote.id)
      const full = performance.now() - t0
      if (!counted) throw new Error('the count did not run')
      row('Close the vote: count, save and audit the results (as the job does)', [full], 'one run')

      ctx.log('Project list page with 500 projects')
      const listPage = await ctx.repeat(() =>
        load({ url: `${base}/budgeting/${list.id}/projects`, connections: 20, durationSeconds: ctx.durationSeconds }),
      )
      const listFiltered = await ctx.repeat(() =>
        load({
          url: `${base}/budgeting/${list.id}/projects?status=feasible&area=${listAreas[3]!.id}&page=2`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const listLimit: LoadResult[] = []
      for (let r = 0; r < ctx.runs; r++) {
        const latencies: number[] = []
        const stopAt = Date.now() + ctx.durationSeconds * 1000
        const worker = async () => {
          while (Date.now() < stopAt) {
            const s = performance.now()
            await Promise.all([
              pool.query(
                `select id, process_id, area_id, title, description, cost, status, public_reason, merged_into, proposed_by,
                        proposer_name, comment_count, created_at
                   from participation.pb_project where process_id = $1 and status = any($2) order by title, id limit 50`,
                [list.id, ['proposed', 'feasible', 'not-feasible', 'merged']],
              ),
              pool.query(`select count(*) from participation.pb_project where process_id = $1 and status = any($2)`, [
                list.id,
                ['proposed', 'feasible', 'not-feasible', 'merged'],
              ]),
            ])
            latencies.push(performance.now() - s)
          }
        }
        const t1 = performance.now()
        await Promise.all(Array.from({ length: 20 }, worker))
        const elapsed = (performance.now() - t1) / 1000
        latencies.sort((a, b) => a - b)
        listLimit.push({
          rps: latencies.length / elapsed,
          p50: pct(latencies, 50),
          p95: pct(latencies, 95),
          p99: pct(latencies, 99),
          errors: 0,
          non2xx: 0,
          requests: latencies.length,
        })
      }
      ctx.summarise(
        'PB project list page GET /budgeting/{id}/projects (500 projects, page 1)',
        listPage,
        listLimit,
        'raw pg page + count',
      )
      ctx.summarise(
        'PB project list page, filtered by area and status, page 2',
        listFiltered,
        listLimit,
        'raw pg page + count',
      )
    } catch (error) {
      ctx.log(`participation suite failed: ${String((error as Error).stack ?? error)}`)
      throw error
    } finally {
      for (const c of children) await c.stop()
      await pool.end().catch(() => undefined)
      await database.close()
      await db.drop()
    }
  },
}

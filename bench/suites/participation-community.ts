// Finding your representatives and the community councils' public pages: a national postcode
// lookup (150,000 postcodes over 350 wards and 73 constituencies) with 1,300 councillors and 129
// MSPs. The postcode page and its API against PostgreSQL answering the same two lookups itself;
// the representatives' CSV; and a community council's iCalendar feed with 200 meetings.
import pg from 'pg'
import { loadConfig } from '../../src/config/config.js'
import { createDatabase } from '../../src/platform/db/database.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'
import { createKernel } from '../../src/platform/kernel.js'
import { createLogger } from '../../src/app.js'
import { createBenchDatabase } from '../lib/database.js'
import { load, type LoadResult } from '../lib/load.js'
import { round } from '../lib/stats.js'
import { startComhla, type BenchSuite } from '../lib/suite.js'

const POSTCODES = 150_000
const WARDS = 350
const CONSTITUENCIES = 73
const POOL = 10

/** The database's own rate for a lookup, from `connections` workers for `seconds`. */
async function rawRate(seconds: number, connections: number, run: () => Promise<unknown>): Promise<LoadResult> {
  const latencies: number[] = []
  const stopAt = Date.now() + seconds * 1000
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < stopAt) {
        const s = performance.now()
        await run()
        latencies.push(performance.now() - s)
      }
    }),
  )
  latencies.sort((a, b) => a - b)
  const at = (p: number) =>
    round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0, 2)
  return {
    rps: latencies.length / ((performance.now() - t0) / 1000),
    p50: at(50),
    p95: at(95),
    p99: at(99),
    errors: 0,
    non2xx: 0,
    requests: latencies.length,
  }
}

/** Postcode number i, shaped like a real one: "EH15 1AB". */
const postcodeSql = `(array['EH','G','AB','DD','IV','KY','PA','PH','FK','ML'])[1 + i % 10] || (1 + (i / 10) % 60) || ' ' || (i / 600) % 10 || chr(65 + (i / 6000) % 26) || chr(65 + i % 26)`

export const participationCommunity: BenchSuite = {
  name: 'participation-community',
  run: async (ctx) => {
    const db = await createBenchDatabase()
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      SESSION_SECRET: 's'.repeat(40),
      LOG_LEVEL: 'warn',
    })
    const database = await createDatabase({ databaseUrl: db.url, dataDir: '', poolSize: POOL })
    const pool = new pg.Pool({ connectionString: db.url, max: POOL })
    const children: { stop: () => Promise<void> }[] = []
    try {
      ctx.log(`Seeding ${POSTCODES.toLocaleString('en-GB')} postcodes, councillors, MSPs and 200 meetings…`)
      await migrateToLatest(database.db)
      const kernel = createKernel(config, database, createLogger(config), { runJobWorkers: false })
      await kernel.organisations.loadReferenceData()
      await pool.query(
        `insert into participation.rep_postcode (postcode, ward_code, ward_name, constituency_code, constituency_name, region_code, region_name)
         select distinct on (pc) pc, w, 'Ward ' || w, c, 'Constituency ' || c, r, 'Region ' || r from (
           select ${postcodeSql} pc, 'S13' || lpad((i % ${WARDS})::text, 6, '0') w,
                  'S16' || lpad((i % ${CONSTITUENCIES})::text, 6, '0') c, 'S17' || lpad((i % 8)::text, 6, '0') r
             from generate_series(1, ${POSTCODES}) i) s`,
      )
      await pool.query(
        `insert into participation.rep_representative (organisation_id, name, role, party, area_kind, area_code, area_name, email)
         select o.ids[1 + (i % array_length(o.ids, 1))], 'Councillor ' || i, 'councillor', 'Party ' || i % 5, 'ward',
                'S13' || lpad((i % ${WARDS})::text, 6, '0'), 'Ward ' || i % ${WARDS}, 'councillor' || i || '@example.gov.scot'
           from generate_series(1, 1300) i, (select array_agg(id order by slug) ids from core.organisation where type = 'council') o`,
      )
      await pool.query(
        `insert into participation.rep_representative (organisation_id, name, role, party, area_kind, area_code, area_name)
         select (select id from core.organisation where slug = 'scottish-government'), 'MSP ' || i, 'msp', 'Party ' || i % 5,
                case when i <= ${CONSTITUENCIES} then 'constituency' else 'region' end,
                case when i <= ${CONSTITUENCIES} then 'S16' || lpad(i::text, 6, '0') else 'S17' || lpad((i % 8)::text, 6, '0') end,
                'Area ' || i
           from generate_series(1, 129) i`,
      )
      await pool.query(
        `insert into core.organisation (slug, name_en, type, parent_id)
         select 'bench-community-council', 'Bench Community Council', 'community-council', id from core.organisation where slug = 'city-of-edinburgh-council'`,
      )
      await pool.query(
        `insert into participation.cc_meeting (organisation_id, title, kind, starts_at, ends_at, location, joining_url, agenda_markdown, published_at)
         select o.id, 'Meeting ' || i, 'hybrid', now() + (i || ' days')::interval, now() + (i || ' days')::interval + interval '2 hours',
                'Church hall, Main Street', 'https://meet.example.scot/' || i, repeat('1. An item of business, with a comma; and more. ', 10), now()
           from generate_series(1, 200) i, (select id from core.organisation where slug = 'bench-community-council') o`,
      )
      await pool.query('analyze')
      const sample = (
        await pool.query(`select postcode from participation.rep_postcode order by postcode limit 1 offset 777`)
      ).rows[0].postcode as string

      const server = await startComhla(db.url)
      children.push(server)
      const base = `http://127.0.0.1:${server.port}`
      const probe = await fetch(`${base}/api/v1/postcodes/${encodeURIComponent(sample)}/representatives`)
      const body = (await probe.json()) as { representatives?: unknown[] }
      if (probe.status !== 200 || !body.representatives?.length)
        throw new Error(
          `the lookup answered ${probe.status}: ${JSON.stringify(body).slice(0, 300)}\n${server.output()}`,
        )
      ctx.log(`${sample} has ${body.representatives.length} representatives`)

      const limit: LoadResult[] = []
      for (let r = 0; r < ctx.runs; r++)
        limit.push(
          await rawRate(ctx.durationSeconds, 20, async () => {
            const row = (await pool.query('select * from participation.rep_postcode where postcode = $1', [sample]))
              .rows[0]
            await pool.query(
              `select * from participation.rep_representative
                where (area_kind = 'ward' and area_code = $1) or (area_kind = 'constituency' and area_code = $2)
                   or (area_kind = 'region' and area_code = $3) order by role, area_kind, name`,
              [row.ward_code, row.constituency_code, row.region_code],
            )
          }),
        )
      const page = await ctx.repeat(() =>
        load({
          url: `${base}/representatives?postcode=${encodeURIComponent(sample)}`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const api = await ctx.repeat(() =>
        load({
          url: `${base}/api/v1/postcodes/${encodeURIComponent(sample)}/representatives`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const feed = await ctx.repeat(() =>
        load({
          url: `${base}/community-councils/bench-community-council/meetings.ics`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const note = `${POSTCODES.toLocaleString('en-GB')} postcodes, 1,429 representatives`
      ctx.summarise(
        '"Find your representatives" page for a postcode',
        page,
        limit,
        'raw pg: postcode, then its representatives',
        note,
      )
      ctx.summarise(
        'GET /api/v1/postcodes/{postcode}/representatives',
        api,
        limit,
        'raw pg: postcode, then its representatives',
        note,
      )
      ctx.summarise(
        "A community council's iCalendar feed (200 meetings)",
        feed,
        null,
        '',
        '200 hybrid meetings with agendas',
      )

      const times: number[] = []
      for (let r = 0; r < ctx.runs; r++) {
        const t0 = performance.now()
        const text = await (await fetch(`${base}/api/v1/representatives.csv`)).text()
        times.push(performance.now() - t0)
        if (text.split('\n').length < 1400) throw new Error(`the CSV is short: ${text.slice(0, 300)}`)
      }
      ctx.addRow({
        scenario: 'GET /api/v1/representatives.csv (1,429 rows)',
        unit: 'ms',
        comhla: round(times.reduce((a, b) => a + b, 0) / times.length, 1),
        limit: null,
        limitName: '',
        ratio: null,
        spread: round(Math.max(...times) - Math.min(...times), 1),
      })
    } finally {
      for (const c of children) await c.stop()
      await pool.end()
      await database.close()
      await db.drop()
    }
  },
}

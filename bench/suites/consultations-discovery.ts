// Finding consultations: over 5,000 published consultations (a third with Gaelic texts, each under
// one to three topics), the public list page and the JSON API searched by words and filtered by
// topic and status, against PostgreSQL answering the same full-text query itself; the CSV of the
// whole list; and telling 10,000 subscribers about a consultation that opens (batches of notices
// and emails into the outbox, as the job does) against inserting the same rows in raw SQL.
import pg from 'pg'
import { loadConfig } from '../../src/config/config.js'
import { createDatabase } from '../../src/platform/db/database.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'
import { createKernel } from '../../src/platform/kernel.js'
import { createLogger } from '../../src/app.js'
import { ConsultationService } from '../../src/modules/consultations/consultation.service.js'
import { createDiscovery } from '../../src/modules/consultations/discovery/discovery.module.js'
import { tsQueryText } from '../../src/modules/consultations/discovery/discovery.repository.js'
import { createBenchDatabase } from '../lib/database.js'
import { load, type LoadResult } from '../lib/load.js'
import { round } from '../lib/stats.js'
import { startComhla, type BenchSuite } from '../lib/suite.js'

const CONSULTATIONS = 5_000
const SUBSCRIBERS = 10_000
const POOL = 10

const FOLD = `'àèìòùáéíóúÀÈÌÒÙÁÉÍÓÚ', 'aeiouaeiouAEIOUAEIOU'`
const doc = (alias: string, config: string) =>
  `setweight(to_tsvector('${config}'::regconfig, translate(${alias}.title, ${FOLD})), 'A') || ` +
  `setweight(to_tsvector('${config}'::regconfig, translate(${alias}.summary, ${FOLD})), 'B') || ` +
  `setweight(to_tsvector('${config}'::regconfig, translate(${alias}.body_markdown, ${FOLD})), 'C')`

function pct(sorted: number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0, 2)
}

/** Runs a query from `connections` workers for `seconds`: the database's own rate for it. */
async function rawRate(pool: pg.Pool, seconds: number, connections: number, run: () => Promise<unknown>) {
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
  } satisfies LoadResult
}

export const consultationsDiscovery: BenchSuite = {
  name: 'consultations-discovery',
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
      ctx.log(`Seeding ${CONSULTATIONS.toLocaleString('en-GB')} published consultations with topics and Gaelic texts…`)
      await migrateToLatest(database.db)
      const kernel = createKernel(config, database, createLogger(config), { runJobWorkers: false })
      await kernel.organisations.loadReferenceData()
      const discovery = createDiscovery(kernel, new ConsultationService(kernel))
      await kernel.jobs.start()
      await pool.query(
        `insert into consultations.consultation (organisation_id, title, summary, body_markdown, opens_at, closes_at, published_at, status)
         select o.ids[1 + (i % array_length(o.ids, 1))],
                (array['Ferry','Bus','School','Housing','Broadband','Library','Parking','Harbour','Cycling','Flood'])[1 + i % 10]
                  || ' ' || (array['services','timetable','charges','plan','strategy','review'])[1 + (i / 10) % 6]
                  || ' in ' || (array['Fife','Skye','Dundee','Lewis','Moray','Perth','Oban','Ayr'])[1 + (i / 60) % 8] || ' ' || i,
                'What we propose for ' || (array['ferries','buses','schools','homes','broadband','libraries','car parks','harbours','cycle paths','flood defences'])[1 + i % 10] || ', and why.',
                repeat('We would like to hear from people who live and work here about the changes we propose. ', 5 + i % 20),
                now() + (((i % 100) - 80) || ' days')::interval,
                now() + (((i % 100) - 80 + 20 + i % 50) || ' days')::interval + interval '1 hour',
                now() - interval '100 days',
                case when (i % 100) - 80 > 0 then 'forthcoming'
                     when (i % 100) - 80 + 20 + i % 50 >= 0 then 'open' else 'closed' end
           from generate_series(1, ${CONSULTATIONS}) i,
                (select array_agg(id order by slug) ids from core.organisation where type = 'council') o`,
      )
      await pool.query(
        `insert into consultations.consultation_topic (consultation_id, topic)
         select id, t from (select id, row_number() over (order by id) n from consultations.consultation) c,
           lateral unnest(array[
             (array['transport','education','housing','digital','economy','environment-climate-change'])[1 + c.n % 6],
             (array['communities-third-sector','health-social-care','gaelic'])[1 + c.n % 3]
           ]) t`,
      )
      await pool.query(
        `insert into consultations.consultation_gaelic (consultation_id, title, summary, body_markdown)
         select id, 'Co-chomhairleachadh ' || n, 'Na tha sinn a'' moladh airson nam bàtaichean-aiseig.', 'Bu toil leinn cluinntinn bho dhaoine a tha a'' fuireach an seo.'
           from (select id, row_number() over (order by id) n from consultations.consultation) c where n % 3 = 0`,
      )
      await pool.query('analyze')

      const server = await startComhla(db.url)
      children.push(server)
      const base = `http://127.0.0.1:${server.port}`
      const q = 'ferry timetable'
      const tsq = tsQueryText(q)!
      const searchSql = `select c.id from consultations.consultation c
          left join consultations.consultation_gaelic g on g.consultation_id = c.id
          where c.published_at is not null
            and exists (select 1 from consultations.consultation_topic t where t.consultation_id = c.id and t.topic = $2)
            and c.id in (select e.id from consultations.consultation e where ${doc('e', 'english')} @@ to_tsquery('english', $1)
                         union select d.consultation_id from consultations.consultation_gaelic d where ${doc('d', 'simple')} @@ to_tsquery('simple', $1))
          order by ts_rank(${doc('c', 'english')}, to_tsquery('english', $1)) desc, c.closes_at desc, c.id limit 20`
      const countSql = `select count(*) from consultations.consultation c
          left join consultations.consultation_gaelic g on g.consultation_id = c.id
          where c.published_at is not null
            and exists (select 1 from consultations.consultation_topic t where t.consultation_id = c.id and t.topic = $2)
            and c.id in (select e.id from consultations.consultation e where ${doc('e', 'english')} @@ to_tsquery('english', $1)
                         union select d.consultation_id from consultations.consultation_gaelic d where ${doc('d', 'simple')} @@ to_tsquery('simple', $1))`
      const probe = await fetch(`${base}/api/v1/consultations?q=${encodeURIComponent(q)}&topic=transport`)
      if (probe.status !== 200)
        throw new Error(`the API answered ${probe.status}: ${(await probe.text()).slice(0, 500)}\n${server.output()}`)
      if (process.env.BENCH_EXPLAIN) {
        const plan = await pool.query(`explain analyze ${countSql}`, [tsq, 'transport'])
        ctx.log(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'))
        throw new Error('explained')
      }
      const found = await pool.query(countSql, [tsq, 'transport'])
      ctx.log(`"${q}" on transport finds ${String(found.rows[0].count)} consultations`)

      ctx.log('Searching the list page and the API, and the same query in raw SQL')
      const limit: LoadResult[] = []
      for (let r = 0; r < ctx.runs; r++)
        limit.push(
          await rawRate(pool, ctx.durationSeconds, 20, () =>
            Promise.all([pool.query(searchSql, [tsq, 'transport']), pool.query(countSql, [tsq, 'transport'])]),
          ),
        )
      const page = await ctx.repeat(() =>
        load({
          url: `${base}/consultations?q=${encodeURIComponent(q)}&topic=transport`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const api = await ctx.repeat(() =>
        load({
          url: `${base}/api/v1/consultations?q=${encodeURIComponent(q)}&topic=transport&pageSize=20`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const gaelic = await ctx.repeat(() =>
        load({
          url: `${base}/api/v1/consultations?q=${encodeURIComponent('bataichean')}&status=open`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const note = `${CONSULTATIONS.toLocaleString('en-GB')} consultations`
      ctx.summarise('Consultation list page searched and filtered by topic', page, limit, 'raw pg search + count', note)
      ctx.summarise(
        'GET /api/v1/consultations searched and filtered by topic',
        api,
        limit,
        'raw pg search + count',
        note,
      )
      ctx.summarise(
        'GET /api/v1/consultations searched in Gaelic, open only',
        gaelic,
        limit,
        'raw pg search + count',
        note,
      )

      ctx.log('The CSV of the whole list')
      const csvTimes: number[] = []
      for (let r = 0; r < ctx.runs; r++) {
        const t0 = performance.now()
        const res = await fetch(`${base}/api/v1/consultations.csv`)
        const text = await res.text()
        csvTimes.push(performance.now() - t0)
        if (text.split('\n').length < CONSULTATIONS)
          throw new Error(`the CSV is short (${res.status}): ${text.slice(0, 300)}\n${server.output().slice(-4000)}`)
      }
      const rawCsv: number[] = []
      for (let r = 0; r < ctx.runs; r++) {
        const t0 = performance.now()
        await pool.query(
          `select c.*, g.title, (select string_agg(topic, '; ') from consultations.consultation_topic t where t.consultation_id = c.id)
             from consultations.consultation c left join consultations.consultation_gaelic g on g.consultation_id = c.id
            where c.published_at is not null`,
        )
        rawCsv.push(performance.now() - t0)
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
      ctx.addRow({
        scenario: `CSV of every published consultation (${CONSULTATIONS.toLocaleString('en-GB')} rows)`,
        unit: 'ms',
        comhla: round(med(csvTimes), 0),
        limit: round(med(rawCsv), 0),
        limitName: 'raw pg select of the same rows',
        ratio: round(med(rawCsv) / med(csvTimes), 3),
        spread: 0,
      })

      // The server's job workers would take up the batches this process sends: stop it, and time the batches here.
      await server.stop()
      children.length = 0
      ctx.log(`Telling ${SUBSCRIBERS.toLocaleString('en-GB')} subscribers about a consultation that opens`)
      const target = await pool.query(
        `select c.id from consultations.consultation c join consultations.consultation_topic t on t.consultation_id = c.id
          where c.status = 'open' and t.topic = 'transport' order by c.closes_at desc limit 1`,
      )
      const consultationId = target.rows[0].id as string
      await pool.query(
        `insert into consultations.subscription (email, email_key, locale, topic, confirmed_at)
         select 'reader' || i || '@example.org', 'reader' || i || '@example.org', case when i % 4 = 0 then 'gd' else 'en' end, 'transport', now()
           from generate_series(1, ${SUBSCRIBERS}) i`,
      )
      await pool.query('insert into consultations.announcement (consultation_id) values ($1)', [consultationId])
      const t0 = performance.now()
      let sent = 0
      for (;;) {
        const n = await discovery.service.notifyBatch(consultationId)
        sent += n
        if (n === 0) break
      }
      const notifyMs = performance.now() - t0
      if (sent !== SUBSCRIBERS) throw new Error(`told ${sent} of ${SUBSCRIBERS} subscribers`)
      const other = (
        await pool.query('select id from consultations.consultation where id <> $1 limit 1', [consultationId])
      ).rows[0].id as string
      const t1 = performance.now()
      const client = await pool.connect()
      try {
        await client.query('begin')
        await client.query(
          `insert into core.email_outbox (to_address, template, locale, subject, body_text, status)
           select 'raw' || i || '@example.org', 'consultations.new-consultation', 'en', 'New consultation', repeat('x', 600), 'not-sent'
             from generate_series(1, ${SUBSCRIBERS}) i`,
        )
        await client.query(
          `insert into consultations.subscription_notice (consultation_id, recipient_hash)
           select $1, md5(i::text) from generate_series(1, ${SUBSCRIBERS}) i`,
          [other],
        )
        await client.query('rollback')
      } finally {
        client.release()
      }
      const rawMs = performance.now() - t1
      ctx.addRow({
        scenario: `Tell ${SUBSCRIBERS.toLocaleString('en-GB')} subscribers about one consultation (batches of 200: notices, emails into the outbox, audit)`,
        unit: 'emails/s',
        comhla: round(SUBSCRIBERS / (notifyMs / 1000), 0),
        limit: round(SUBSCRIBERS / (rawMs / 1000), 0),
        limitName: 'raw pg insert of the same outbox and notice rows in one statement each',
        ratio: round(rawMs / notifyMs, 3),
        spread: 0,
        note: 'one run',
      })
      await kernel.jobs.stop()
    } finally {
      for (const c of children) await c.stop()
      await pool.end()
      await database.close()
      await db.drop()
    }
  },
}

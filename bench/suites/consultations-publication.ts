// Publishing a large consultation's responses: 50,000 responses (a quarter "do not publish"), most
// free-text answers moderated (some with redactions). Measured: the public page of published
// responses (first and a deep page) and its JSON API, against PostgreSQL reading the same page and
// decisions itself; the CSV of every published response against a raw select of the same rows; and
// importing 5,000 paper responses from a CSV file (check, preview, one-transaction import) against
// inserting the same rows in raw SQL.
import pg from 'pg'
import { loadConfig } from '../../src/config/config.js'
import { createDatabase } from '../../src/platform/db/database.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'
import { createKernel } from '../../src/platform/kernel.js'
import { systemContext } from '../../src/platform/auth/principal.js'
import { createLogger } from '../../src/app.js'
import { ConsultationService } from '../../src/modules/consultations/consultation.service.js'
import { OfflineService } from '../../src/modules/consultations/offline/offline.service.js'
import { createBenchDatabase } from '../lib/database.js'
import { load, type LoadResult } from '../lib/load.js'
import { round } from '../lib/stats.js'
import { startComhla, type BenchSuite } from '../lib/suite.js'

const RESPONSES = 50_000
const IMPORT_ROWS = 5_000
const POOL = 10

function pct(sorted: number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0, 2)
}

/** Runs a query from `connections` workers for `seconds`: the database's own rate for it. */
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export const consultationsPublication: BenchSuite = {
  name: 'consultations-publication',
  run: async (ctx) => {
    const db = await createBenchDatabase()
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      SESSION_SECRET: 's'.repeat(40),
      LOG_LEVEL: 'warn',
    })
    const database = await createDatabase({ databaseUrl: db.url, dataDir: '', poolSize: POOL })
    const pool = new pg.Pool({ connectionString: db.url, max: 20 })
    const children: { stop: () => Promise<void> }[] = []
    try {
      ctx.log(`Seeding ${RESPONSES.toLocaleString('en-GB')} responses with moderation decisions…`)
      await migrateToLatest(database.db)
      const kernel = createKernel(config, database, createLogger(config), { runJobWorkers: false })
      await kernel.organisations.loadReferenceData()
      await kernel.jobs.start()
      const c = await pool.query<{ id: string }>(
        `insert into consultations.consultation (organisation_id, title, summary, body_markdown, opens_at, closes_at, published_at, status)
         select id, 'Road repairs', 'Which roads first?', '', now() - interval '30 days', now() + interval '30 days', now() - interval '31 days', 'open'
           from core.organisation where slug = 'highland-council' returning id`,
      )
      const id = c.rows[0]!.id
      const q = await pool.query<{ id: string }>(
        `insert into consultations.question (consultation_id, position, type, title, required, max_length, options)
         values ($1, 1, 'long-text', 'Which repairs matter most?', false, 5000, '[]'),
                ($1, 2, 'single-choice', 'Which road do you use most?', false, null, '["A82","A830","A861"]'),
                ($1, 3, 'short-text', 'Where do you live?', false, null, '[]')
         returning id`,
        [id],
      )
      const [q1, q2, q3] = q.rows.map((r) => r.id) as [string, string, string]
      await pool.query(
        `insert into consultations.response (consultation_id, reference, answers, respondent_type, respondent_name, respondent_organisation, email, publication, may_contact, submitted_at)
         select $1, 'CR-' || lpad(to_hex(i), 9, '0'),
                jsonb_build_object($2::text, 'The pothole near number ' || i || ' is dangerous; please repair the road before winter. Call me on 07700 ' || lpad(i::text, 6, '0'),
                                   $3::text, (array['A82','A830','A861'])[1 + i % 3],
                                   $4::text, (array['Fort William','Mallaig','Spean Bridge','Glencoe'])[1 + i % 4]),
                case when i % 10 = 0 then 'organisation' else 'individual' end,
                'Respondent ' || i, case when i % 10 = 0 then 'Community council ' || i end, 'r' || i || '@example.org',
                (array['publish-with-name','publish-without-name','publish-with-name','do-not-publish'])[1 + i % 4],
                false, now() - interval '20 days' + (i || ' seconds')::interval
           from generate_series(1, ${RESPONSES}) i`,
        [id, q1, q2, q3],
      )
      // Most free-text answers decided: a fifth of those redact the telephone number.
      for (const key of [q1, q3])
        await pool.query(
          `insert into consultations.answer_moderation (response_id, answer_key, status, redactions, revision)
           select r.id, $2, case when n % 5 = 0 and $2 = $3 then 'redacted' else 'approved' end,
                  case when n % 5 = 0 and $2 = $3
                       then jsonb_build_array(jsonb_build_object('start', position('07700' in r.answers ->> $2) - 1,
                              'end', length(r.answers ->> $2), 'reason', 'personal-data'))
                       else '[]'::jsonb end, 1
             from (select id, answers, row_number() over (order by submitted_at) n from consultations.response
                    where consultation_id = $1 and publication <> 'do-not-publish') r
            where n % 10 <> 9`,
          [id, key, q1],
        )
      await pool.query(
        `insert into consultations.response_publication (consultation_id, published) values ($1, true)`,
        [id],
      )
      await pool.query('analyze')

      const server = await startComhla(db.url)
      children.push(server)
      const base = `http://127.0.0.1:${server.port}`
      const probe = await fetch(`${base}/api/v1/consultations/${id}/published-responses?page=2`)
      if (probe.status !== 200)
        throw new Error(`the API answered ${probe.status}: ${(await probe.text()).slice(0, 500)}\n${server.output()}`)
      const deep = Math.floor((RESPONSES * 0.75) / 20 / 2)

      const pageSql = `select id, reference, channel, submitted_at, respondent_type, respondent_name, respondent_organisation, publication, answers
          from consultations.response where consultation_id = $1 and publication in ('publish-with-name','publish-without-name')
          order by submitted_at, id limit 20 offset $2`
      const decisionsSql = `select * from consultations.answer_moderation where response_id = any($1::uuid[])`
      const countSql = `select count(*) from consultations.response where consultation_id = $1 and publication in ('publish-with-name','publish-without-name')`
      const rawPage = (offset: number) => async () => {
        const rows = await pool.query<{ id: string }>(pageSql, [id, offset])
        await Promise.all([pool.query(decisionsSql, [rows.rows.map((r) => r.id)]), pool.query(countSql, [id])])
      }
      ctx.log('The published responses page and API, and the same reads in raw SQL')
      const limitFirst: LoadResult[] = []
      const limitDeep: LoadResult[] = []
      for (let r = 0; r < ctx.runs; r++) {
        limitFirst.push(await rawRate(ctx.durationSeconds, 20, rawPage(0)))
        limitDeep.push(await rawRate(ctx.durationSeconds, 20, rawPage((deep - 1) * 20)))
      }
      const first = await ctx.repeat(() =>
        load({
          url: `${base}/consultations/${id}/published-responses`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const deepPage = await ctx.repeat(() =>
        load({
          url: `${base}/consultations/${id}/published-responses?page=${deep}`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const api = await ctx.repeat(() =>
        load({
          url: `${base}/api/v1/consultations/${id}/published-responses?pageSize=20`,
          connections: 20,
          durationSeconds: ctx.durationSeconds,
        }),
      )
      const note = `${RESPONSES.toLocaleString('en-GB')} responses, 20 a page`
      ctx.summarise('Published responses page, first page', first, limitFirst, 'raw pg page + decisions + count', note)
      ctx.summarise(
        `Published responses page, page ${deep}`,
        deepPage,
        limitDeep,
        'raw pg page + decisions + count',
        note,
      )
      ctx.summarise(
        'GET /api/v1/consultations/{id}/published-responses',
        api,
        limitFirst,
        'raw pg page + decisions + count',
        note,
      )

      ctx.log('The CSV of every published response')
      const redacted = await pool.query<{ text: string }>(
        `select r.answers ->> $1 as text from consultations.answer_moderation m join consultations.response r on r.id = m.response_id
          where m.status = 'redacted' and m.answer_key = $1 limit 1`,
        [q1],
      )
      const redactedNumber = /07700 \d{6}/.exec(redacted.rows[0]?.text ?? '')?.[0] ?? 'no redacted answer'
      const csvTimes: number[] = []
      const rawTimes: number[] = []
      for (let r = 0; r < ctx.runs; r++) {
        const t0 = performance.now()
        const res = await fetch(`${base}/api/v1/consultations/${id}/published-responses.csv`)
        const text = await res.text()
        csvTimes.push(performance.now() - t0)
        if (text.split('\n').length < RESPONSES * 0.7)
          throw new Error(`the CSV is short (${res.status}): ${text.slice(0, 300)}`)
        if (text.includes(redactedNumber)) throw new Error(`the CSV leaks the redacted ${redactedNumber}`)
        const t1 = performance.now()
        await pool.query(
          `select r.*, (select jsonb_agg(m) from consultations.answer_moderation m where m.response_id = r.id)
             from consultations.response r where r.consultation_id = $1 and r.publication <> 'do-not-publish'
            order by r.submitted_at, r.id`,
          [id],
        )
        rawTimes.push(performance.now() - t1)
      }
      ctx.addRow({
        scenario: `CSV of every published response (${Math.round(RESPONSES * 0.75).toLocaleString('en-GB')} rows)`,
        unit: 'ms',
        comhla: round(median(csvTimes), 0),
        limit: round(median(rawTimes), 0),
        limitName: 'raw pg select of the same rows and decisions',
        ratio: round(median(rawTimes) / median(csvTimes), 3),
        spread: 0,
      })
      await server.stop()
      children.length = 0

      ctx.log(`Importing ${IMPORT_ROWS.toLocaleString('en-GB')} paper responses from a CSV file`)
      const offline = new OfflineService(kernel, new ConsultationService(kernel))
      const today = new Date().toISOString().slice(0, 10)
      const csv = [
        'channel,received_date,respondent_type,name,organisation_name,email,publication,may_contact,q1,q2,q3',
        ...Array.from(
          { length: IMPORT_ROWS },
          (_, i) =>
            `post,${today},individual,Letter writer ${i},,,publish-without-name,no,"Please mend the road, letter ${i}.",A82,Mallaig`,
        ),
      ].join('\n')
      const importTimes: number[] = []
      const rawImport: number[] = []
      for (let r = 0; r < ctx.runs; r++) {
        const t0 = performance.now()
        const preview = await offline.previewImport(systemContext('bench'), id, { filename: 'letters.csv', text: csv })
        if (!preview.importId) throw new Error(`the import was refused: ${JSON.stringify(preview.errors.slice(0, 3))}`)
        const n = await offline.confirmImport(systemContext('bench'), id, preview.importId)
        importTimes.push(performance.now() - t0)
        if (n !== IMPORT_ROWS) throw new Error(`imported ${n} of ${IMPORT_ROWS}`)
        const client = await pool.connect()
        try {
          const t1 = performance.now()
          await client.query('begin')
          await client.query(
            `with r as (
               insert into consultations.response (consultation_id, reference, channel, answers, respondent_type, respondent_name, publication, may_contact)
               select $1, 'RAW-' || ${r} || '-' || i, 'post', jsonb_build_object('q', 'Please mend the road'), 'individual', 'Letter writer ' || i, 'publish-without-name', false
                 from generate_series(1, ${IMPORT_ROWS}) i returning id)
             insert into consultations.offline_response (response_id, received_on, late) select id, current_date, false from r`,
            [id],
          )
          await client.query('rollback')
          rawImport.push(performance.now() - t1)
        } finally {
          client.release()
        }
      }
      ctx.addRow({
        scenario: `Import ${IMPORT_ROWS.toLocaleString('en-GB')} paper responses from CSV (check, preview, import)`,
        unit: 'ms',
        comhla: round(median(importTimes), 0),
        limit: round(median(rawImport), 0),
        limitName: 'raw pg insert of the same rows',
        ratio: round(median(rawImport) / median(importTimes), 3),
        spread: 0,
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

// `npm run bench`: measures Còmhla against the limits of the same machine, in the same run.
// Each scenario runs several times; the median and the spread are reported, with the ratio
// of Còmhla's figure to the limit's. Results go to bench/results/latest.{json,md}.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { cpus, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import argon2 from 'argon2'
import pg from 'pg'
import { createBenchDatabase, serverUrl } from './lib/database.js'
import { load, type LoadResult } from './lib/load.js'
import { startNode } from './lib/processes.js'
import { median, round, spread } from './lib/stats.js'
import { BENCH_PASSWORD, seed } from './seed.js'
import type { BenchContext, Row } from './lib/suite.js'
import { suites } from './suites/index.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const quick = process.argv.includes('--quick')
const RUNS = quick ? 1 : 3
const DURATION = quick ? 2 : 5
const CONNECTIONS = 20
const onlyArg = process.argv.find((a) => a.startsWith('--only='))
const only = onlyArg ? new Set(onlyArg.slice('--only='.length).split(',')) : null
const wanted = (name: string) => !only || only.has(name)

const rows: Row[] = []

function log(message: string) {
  process.stdout.write(`${message}\n`)
}

async function repeat(fn: () => Promise<LoadResult>): Promise<LoadResult[]> {
  const out: LoadResult[] = []
  for (let i = 0; i < RUNS; i++) out.push(await fn())
  return out
}

function summarise(
  scenario: string,
  results: LoadResult[],
  limit: LoadResult[] | null,
  limitName: string,
  note?: string,
): void {
  const rps = results.map((r) => r.rps)
  const failures = results.reduce((n, r) => n + r.errors + r.non2xx, 0)
  const limitRps = limit ? median(limit.map((r) => r.rps)) : null
  const row: Row = {
    scenario,
    unit: 'requests/s',
    comhla: round(median(rps)),
    limit: limitRps === null ? null : round(limitRps),
    limitName,
    ratio: limitRps ? round(median(rps) / limitRps, 3) : null,
    spread: round(spread(rps), 3),
    p50: median(results.map((r) => r.p50)),
    p95: median(results.map((r) => r.p95)),
    p99: median(results.map((r) => r.p99)),
    ...(failures || note
      ? { note: [note, failures ? `${failures} failed or unexpected responses` : ''].filter(Boolean).join('; ') }
      : {}),
  }
  rows.push(row)
  log(
    `  ${scenario}: ${row.comhla} req/s (p50 ${row.p50} ms, p95 ${row.p95} ms, p99 ${row.p99} ms)${row.ratio !== null ? `, ${row.ratio} of ${limitName}` : ''}`,
  )
}

async function csrfFor(base: string, pathName: string): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${base}${pathName}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? ''
  return { cookie, token }
}

async function rawAuditedWrites(url: string, seconds: number, concurrency: number): Promise<LoadResult> {
  const pool = new pg.Pool({ connectionString: url, max: concurrency })
  const latencies: number[] = []
  const stopAt = Date.now() + seconds * 1000
  let n = 0
  const worker = async () => {
    while (Date.now() < stopAt) {
      const started = performance.now()
      const client = await pool.connect()
      try {
        await client.query('begin')
        await client.query(
          `update core.organisation set website = $1, updated_at = now() where slug = 'fife-council'`,
          [`https://example.scot/${n++}`],
        )
        await client.query('select pg_advisory_xact_lock(7283001)')
        const last = await client.query<{ seq: number; hash: string }>(
          'select seq, hash from core.audit_event order by seq desc limit 1',
        )
        const seq = Number(last.rows[0]?.seq ?? 0) + 1
        await client.query(
          `insert into core.audit_event (seq, id, occurred_at, actor_label, action, target_type, target_id, details, prev_hash, hash)
           values ($1, gen_random_uuid(), now(), 'bench', 'organisation.updated', 'organisation', 'fife-council', '{}'::jsonb, $2, md5(random()::text))`,
          [seq, last.rows[0]?.hash ?? '0'],
        )
        await client.query('commit')
      } finally {
        client.release()
      }
      latencies.push(performance.now() - started)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  await pool.end()
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => round(latencies[Math.floor((p / 100) * (latencies.length - 1))] ?? 0, 2)
  return {
    rps: latencies.length / seconds,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    errors: 0,
    non2xx: 0,
    requests: latencies.length,
  }
}

async function main(): Promise<void> {
  if (wanted('core')) await core()
  const ctx: BenchContext = {
    runs: RUNS,
    durationSeconds: DURATION,
    quick,
    log,
    repeat,
    summarise,
    addRow: (r) => rows.push(r),
  }
  for (const suite of suites) {
    if (!wanted(suite.name)) continue
    log(`\nSuite: ${suite.name}`)
    await suite.run(ctx)
  }
  await report()
}

async function core(): Promise<void> {
  log(
    `Còmhla benchmarks: ${RUNS} run(s) of ${DURATION}s per scenario, ${CONNECTIONS} connections, on ${cpus().length} cores and ${Math.round(totalmem() / 2 ** 30)} GiB, PostgreSQL at ${new URL(serverUrl()).host}`,
  )
  const db = await createBenchDatabase()
  const children: Array<{ stop: () => Promise<void> }> = []
  try {
    log('Seeding…')
    const seeded = await seed(db.url)

    log('Starting the bare Fastify limit and Còmhla…')
    const hello = await startNode(path.join(root, 'bench/hello-server.ts'), {})
    children.push(hello)
    const app = await startNode(path.join(root, 'src/server.ts'), {
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      SESSION_SECRET: 's'.repeat(40),
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '100000000',
      HOST: '127.0.0.1',
    })
    children.push(app)
    const base = `http://127.0.0.1:${app.port}`
    const helloUrl = `http://127.0.0.1:${hello.port}/`

    log('HTTP limit: bare Fastify hello')
    const helloResults = await repeat(() =>
      load({ url: helloUrl, connections: CONNECTIONS, durationSeconds: DURATION }),
    )
    summarise('Bare Fastify "hello" (the HTTP limit)', helloResults, null, '')

    log('Public page: the directory of 58 bodies')
    summarise(
      'Public page /organisations',
      await repeat(() => load({ url: `${base}/organisations`, connections: CONNECTIONS, durationSeconds: DURATION })),
      helloResults,
      'bare Fastify',
    )

    log('Public API: councils as JSON')
    summarise(
      'Public API /api/v1/organisations?type=council',
      await repeat(() =>
        load({ url: `${base}/api/v1/organisations?type=council`, connections: CONNECTIONS, durationSeconds: DURATION }),
      ),
      helloResults,
      'bare Fastify',
    )

    log('Signed-in page: /account')
    const signInForm = await csrfFor(base, '/sign-in')
    const signIn = await fetch(`${base}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: signInForm.cookie },
      body: new URLSearchParams({
        _csrf: signInForm.token,
        email: seeded.publicEmail,
        password: BENCH_PASSWORD,
      }).toString(),
    })
    const session = signIn.headers
      .getSetCookie()
      .find((c) => c.startsWith('comhla_session='))
      ?.split(';')[0]
    if (!session) throw new Error(`sign-in for the benchmark failed: ${signIn.status}`)
    summarise(
      'Signed-in page /account',
      await repeat(() =>
        load({
          url: `${base}/account`,
          connections: CONNECTIONS,
          durationSeconds: DURATION,
          headers: { cookie: session },
        }),
      ),
      helloResults,
      'bare Fastify',
    )

    log('API read with a token: 41 members of a council')
    summarise(
      'API read with token /api/v1/organisations/{slug}/members',
      await repeat(() =>
        load({
          url: `${base}/api/v1/organisations/${seeded.organisationSlug}/members`,
          connections: CONNECTIONS,
          durationSeconds: DURATION,
          headers: { authorization: `Bearer ${seeded.token}` },
        }),
      ),
      helloResults,
      'bare Fastify',
    )

    log('Audited write through the API vs the same transaction in a raw pg loop')
    let w = 0
    const writes = await repeat(() =>
      load({
        url: `${base}/api/v1/organisations/${seeded.organisationSlug}`,
        method: 'PATCH',
        connections: 10,
        durationSeconds: DURATION,
        headers: { authorization: `Bearer ${seeded.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ website: `https://www.fife.gov.uk/?v=${w++}` }),
      }),
    )
    const raw: LoadResult[] = []
    for (let i = 0; i < RUNS; i++) raw.push(await rawAuditedWrites(db.url, DURATION, 10))
    summarise(
      'Audited write PATCH /api/v1/organisations/{slug}',
      writes,
      raw,
      'raw pg transaction (update + audit append)',
    )
    summarise('Raw pg transaction: update + audit append (the database limit)', raw, null, '')

    log('Sign-in (argon2id verify + new session), 4 connections')
    const form = await csrfFor(base, '/sign-in')
    const signIns = await repeat(() =>
      load({
        url: `${base}/sign-in`,
        method: 'POST',
        connections: 4,
        durationSeconds: DURATION,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
        body: new URLSearchParams({
          _csrf: form.token,
          email: seeded.publicEmail,
          password: BENCH_PASSWORD,
        }).toString(),
        expectStatus: 303,
      }),
    )
    const hashTimes: number[] = []
    const hash = await argon2.hash(BENCH_PASSWORD, {
      type: argon2.argon2id,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    })
    for (let i = 0; i < 20; i++) {
      const s = performance.now()
      await argon2.verify(hash, BENCH_PASSWORD)
      hashTimes.push(performance.now() - s)
    }
    const verifyMs = median(hashTimes)
    const argonLimit: LoadResult = {
      rps: (1000 / verifyMs) * cpus().length,
      p50: verifyMs,
      p95: verifyMs,
      p99: verifyMs,
      errors: 0,
      non2xx: 0,
      requests: 0,
    }
    summarise(
      'Sign-in POST /sign-in',
      signIns,
      [argonLimit],
      `argon2id verifies/s on ${cpus().length} cores (${round(verifyMs, 1)} ms each)`,
    )
    rows.push({
      scenario: 'argon2id verify (19 MiB, t=2, p=1)',
      unit: 'ms',
      comhla: round(verifyMs, 1),
      limit: null,
      limitName: '',
      ratio: null,
      spread: round(spread(hashTimes), 3),
    })

    await app.stop()
    await hello.stop()
    children.length = 0

    log('Embedded mode: cold start and first request')
    const coldReady: number[] = []
    const coldFirst: number[] = []
    const warmReady: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'comhla-bench-'))
      try {
        const env = { DATA_DIR: dir, DATABASE_URL: '', NODE_ENV: 'development', LOG_LEVEL: 'warn' }
        const cold = await startNode(path.join(root, 'src/server.ts'), env, { timeoutMs: 120_000 })
        coldReady.push(cold.readyAfterMs)
        const s = performance.now()
        await (await fetch(`http://127.0.0.1:${cold.port}/`)).text()
        coldFirst.push(performance.now() - s)
        await cold.stop()
        const warm = await startNode(path.join(root, 'src/server.ts'), env, { timeoutMs: 120_000 })
        warmReady.push(warm.readyAfterMs)
        await warm.stop()
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    }
    rows.push({
      scenario: 'Embedded cold start: empty data folder to ready (migrations, reference data)',
      unit: 'ms',
      comhla: round(median(coldReady), 0),
      limit: null,
      limitName: '',
      ratio: null,
      spread: round(spread(coldReady), 3),
    })
    rows.push({
      scenario: 'Embedded: first page after a cold start',
      unit: 'ms',
      comhla: round(median(coldFirst), 0),
      limit: null,
      limitName: '',
      ratio: null,
      spread: round(spread(coldFirst), 3),
    })
    rows.push({
      scenario: 'Embedded second start: existing data to ready',
      unit: 'ms',
      comhla: round(median(warmReady), 0),
      limit: null,
      limitName: '',
      ratio: null,
      spread: round(spread(warmReady), 3),
    })
    log(
      `  cold ${round(median(coldReady), 0)} ms, first page ${round(median(coldFirst), 0)} ms, second start ${round(median(warmReady), 0)} ms`,
    )
  } finally {
    for (const c of children) await c.stop()
    await db.drop()
  }
}

async function report(): Promise<void> {
  const meta = {
    date: new Date().toISOString(),
    runs: RUNS,
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    quick,
    suites: only ? [...only] : ['core', ...suites.map((s) => s.name)],
  }
  await mkdir(path.join(root, 'bench/results'), { recursive: true })
  await writeFile(path.join(root, 'bench/results/latest.json'), `${JSON.stringify({ meta, rows }, null, 2)}\n`)
  const md = [
    `# Còmhla benchmark results`,
    '',
    `${meta.date} · ${meta.runs} run(s) × ${meta.durationSeconds}s · ${meta.connections} connections · ${meta.cores} cores · ${meta.memoryGiB} GiB · Node ${meta.node}`,
    '',
    '| scenario | Còmhla (median) | limit measured in the same run | ratio | spread | p50 / p95 / p99 ms | note |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${r.comhla} ${r.unit} | ${r.limit !== null ? `${r.limit} (${r.limitName})` : '—'} | ${r.ratio ?? '—'} | ${r.spread} | ${r.p50 !== undefined ? `${r.p50} / ${r.p95} / ${r.p99}` : '—'} | ${r.note ?? ''} |`,
    ),
    '',
  ].join('\n')
  await writeFile(path.join(root, 'bench/results/latest.md'), md)
  log(`\n${md}`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})

// The consultations benchmark: complete responses submitted over HTTP through the public
// respondent journey (driven by the forms' own field names, so it follows the journey as it
// changes) against PostgreSQL's own rate of inserting the same responses into the same tables
// (with the same analysis triggers); then, over a consultation of 100,000 seeded responses, the
// p95 latency of the analysis page and of full-text search, the time to export every response
// to CSV and to Excel, and the time to detect duplicates and campaigns.
import * as cheerio from 'cheerio'
import pg from 'pg'
import { loadConfig } from '../../src/config/config.js'
import { createDatabase } from '../../src/platform/db/database.js'
import { createKernel } from '../../src/platform/kernel.js'
import { createLogger } from '../../src/app.js'
import { systemContext } from '../../src/platform/auth/principal.js'
import { registerScope } from '../../src/platform/accounts/scopes.js'
import { AnalysisService, ANALYSIS_SCOPE } from '../../src/modules/consultations/analysis/analysis.service.js'
import { enableTwoFactor, totpCode } from '../../test/support/two-factor.js'
import { createBenchDatabase } from '../lib/database.js'
import type { LoadResult } from '../lib/load.js'
import { median, spread } from '../lib/stats.js'
import { startComhla, type BenchSuite } from '../lib/suite.js'
import { seed, BENCH_PASSWORD } from '../seed.js'
import { createBenchConsultation, freeText, seedResponses } from '../consultations-seed.js'

const SECRET = 's'.repeat(40)

/** A browser stand-in: keeps cookies and fills in whatever form a page shows. */
class Journey {
  private cookies = new Map<string, string>()
  constructor(private readonly base: string) {}

  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name!.trim())
      else this.cookies.set(name!.trim(), value)
    }
  }

  cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async get(path: string): Promise<{ status: number; url: string; html: string }> {
    const res = await fetch(new URL(path, this.base), { headers: { cookie: this.cookieHeader() }, redirect: 'manual' })
    this.keep(res)
    return { status: res.status, url: path, html: await res.text() }
  }

  async post(path: string, fields: URLSearchParams): Promise<{ status: number; location: string | null }> {
    const res = await fetch(new URL(path, this.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    })
    this.keep(res)
    await res.arrayBuffer()
    return { status: res.status, location: res.headers.get('location') }
  }
}

/** Fills a page's main form as a respondent would: the first choice of each group, plausible text elsewhere. */
function fillForm(
  html: string,
  overrides: Record<string, string> = {},
): { action: string; fields: URLSearchParams } | null {
  const $ = cheerio.load(html)
  const form = $('main form[method="post"]')
    .filter((_, f) => !/\/(save|resume)\b/.test($(f).attr('action') ?? ''))
    .first()
  if (form.length === 0) return null
  const fields = new URLSearchParams()
  const chosen = new Set<string>()
  form.find('input, textarea, select').each((_, el) => {
    const e = $(el)
    const name = e.attr('name')
    if (!name) return
    const type = (e.attr('type') ?? (el.tagName === 'textarea' ? 'textarea' : el.tagName)).toLowerCase()
    // what the field is for, from its name or its label (question fields are named by id)
    const label = `${name} ${e.attr('id') ? $(`label[for="${e.attr('id')}"]`).text() : ''} ${e.attr('autocomplete') ?? ''}`
    if (name in overrides) {
      if (!chosen.has(name)) fields.set(name, overrides[name]!)
      chosen.add(name)
      return
    }
    if (type === 'hidden') fields.set(name, e.attr('value') ?? '')
    else if (type === 'radio' || type === 'checkbox') {
      if (!chosen.has(name)) fields.append(name, e.attr('value') ?? 'yes')
      chosen.add(name)
    } else if (type === 'select') {
      const option = e
        .find('option')
        .filter((__, o) => ($(o).attr('value') ?? '') !== '')
        .first()
      fields.set(name, option.attr('value') ?? '')
    } else if (type === 'email' || /email/i.test(label)) fields.set(name, 'respondent@example.org')
    else if (type === 'number') fields.set(name, '3')
    else if (type === 'date') fields.set(name, '2026-01-15')
    else if (/postcode/i.test(label)) fields.set(name, 'KY1 1AA')
    else if (/name/i.test(label)) fields.set(name, 'Bench Respondent')
    else if (type === 'textarea')
      fields.set(name, 'Broadband in rural areas needs more investment because families depend on it.')
    else if (type !== 'submit' && type !== 'button' && type !== 'file') fields.set(name, 'Better digital services')
  })
  const button = form.find('button[type="submit"][name]').first()
  if (button.length) fields.set(button.attr('name')!, button.attr('value') ?? '')
  return { action: form.attr('action') ?? '', fields }
}

/** One complete response through the journey; resolves true when a reference is shown. */
async function respondOnce(base: string, consultationId: string): Promise<boolean> {
  const j = new Journey(base)
  const start = await j.get(`/consultations/${consultationId}`)
  const link = cheerio.load(start.html)(`a[href*="/consultations/${consultationId}/respond"]`).first().attr('href')
  let page = await j.get(link ?? `/consultations/${consultationId}/respond`)
  for (let step = 0; step < 25; step++) {
    if (page.status === 303 || page.status === 302) return false
    if (/\/confirmation/.test(page.url)) return /CR-[A-Z0-9]{4}-[A-Z0-9]{4}/.test(page.html)
    const form = fillForm(page.html)
    if (!form) return false
    const sent = await j.post(form.action || page.url, form.fields)
    if (!sent.location) return false
    page = await j.get(sent.location)
  }
  return false
}

/** Runs journeys from `concurrency` workers for `seconds`; returns completed responses a second and their latencies. */
async function journeys(base: string, consultationId: string, seconds: number, concurrency: number) {
  const until = Date.now() + seconds * 1000
  const latencies: number[] = []
  let failures = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const t0 = performance.now()
        if (await respondOnce(base, consultationId)) latencies.push(performance.now() - t0)
        else failures++
      }
    }),
  )
  return { rate: latencies.length / seconds, latencies, failures }
}

/** PostgreSQL's own rate: the same responses inserted one statement each into the same table. */
async function rawInserts(
  url: string,
  consultationId: string,
  questions: Record<string, string>,
  seconds: number,
  concurrency: number,
) {
  const pool = new pg.Pool({ connectionString: url, max: concurrency })
  const until = Date.now() + seconds * 1000
  let n = 0
  let r = 1
  const random = () => (r = (r * 16807) % 2147483647) / 2147483647
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (Date.now() < until) {
        const answers = {
          [questions.choice!]: 'Agree',
          [questions.multiple!]: ['Skills', 'Data'],
          [questions.views!]: freeText(random),
          [questions.postcode!]: 'KY1 1AA',
        }
        await pool.query(
          `insert into consultations.response (consultation_id, reference, answers, respondent_type, respondent_name, email, publication, may_contact)
           values ($1, $2, $3, 'individual', 'Raw Insert', 'raw@example.org', 'publish-with-name', false)`,
          [consultationId, `CR-RAW-${w}-${n++}-${Date.now()}`, JSON.stringify(answers)],
        )
      }
    }),
  )
  await pool.end()
  return n / seconds
}

/** Requests a page `n` times from `concurrency` clients; latencies and the rate achieved. */
async function sample(url: string, cookie: string, n: number, concurrency: number): Promise<LoadResult> {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++
        const t0 = performance.now()
        const res = await fetch(url, { headers: { cookie }, redirect: 'manual' })
        await res.arrayBuffer()
        if (res.status !== 200) errors++
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const pct = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!)
  return {
    rps: latencies.length / seconds,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    errors: 0,
    non2xx: errors,
    requests: latencies.length,
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now()
  const value = await fn()
  return { seconds: (performance.now() - t0) / 1000, value }
}

export const consultationsSuite: BenchSuite = {
  name: 'consultations',
  run: async (ctx) => {
    const RESPONSES = Number(process.env.BENCH_CONSULTATION_RESPONSES ?? 100_000)
    const db = await createBenchDatabase()
    const seeded = await seed(db.url)
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: db.url, SESSION_SECRET: SECRET, LOG_LEVEL: 'warn' })
    const database = await createDatabase({ databaseUrl: db.url, dataDir: '', poolSize: 4 })
    const kernel = createKernel(config, database, createLogger(config))
    registerScope({ id: ANALYSIS_SCOPE, labelKey: 'consultations.analysis.scope' })
    const analysis = new AnalysisService(kernel)
    const pool = new pg.Pool({ connectionString: db.url, max: 4 })
    let server: Awaited<ReturnType<typeof startComhla>> | null = null
    try {
      const organisation = await kernel.organisations.getBySlug(seeded.organisationSlug)
      const analystEmail = 'bench-analyst@example.gov.scot'
      const { accountId } = await kernel.accounts.register(
        { email: analystEmail, displayName: 'Bench Analyst', password: BENCH_PASSWORD },
        { ...systemContext('bench'), principal: null },
        { emailVerified: true },
      )
      await kernel.staff.addMember(systemContext('bench'), organisation.id, accountId!, ['analyst'])
      await enableTwoFactor(kernel, accountId!)

      ctx.log(`Seeding a consultation with ${RESPONSES} responses`)
      const big = await createBenchConsultation(pool, organisation.id, 'Digital public services: seeking views')
      const seededBig = await timed(() => seedResponses(pool, big.consultationId, big.questions, RESPONSES))
      ctx.addRow({
        scenario: `Seed ${RESPONSES} responses (batched unnest inserts, analysis triggers included)`,
        unit: 's',
        comhla: Number(seededBig.seconds.toFixed(1)),
        limit: null,
        limitName: '',
        ratio: null,
        spread: 0,
        note: `${seededBig.value.campaignResponses} campaign, ${seededBig.value.duplicates} duplicate, ${seededBig.value.blanks} blank`,
      })
      const small = await createBenchConsultation(pool, organisation.id, 'Submission benchmark')

      server = await startComhla(db.url)
      const base = `http://127.0.0.1:${server.port}`
      const seconds = ctx.durationSeconds
      const concurrency = 8

      ctx.log('Submissions: complete responses through the respondent journey')
      if (!(await respondOnce(base, small.consultationId)))
        throw new Error('the respondent journey did not reach a confirmation page')
      const httpRates: number[] = []
      const rawRates: number[] = []
      const latencies: number[] = []
      let failures = 0
      for (let run = 0; run < ctx.runs; run++) {
        const h = await journeys(base, small.consultationId, seconds, concurrency)
        httpRates.push(h.rate)
        latencies.push(...h.latencies)
        failures += h.failures
        rawRates.push(await rawInserts(db.url, small.consultationId, small.questions, seconds, concurrency))
      }
      latencies.sort((a, b) => a - b)
      const pct = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0
      const http = { median: median(httpRates), spread: spread(httpRates) }
      const raw = { median: median(rawRates) }
      const lat = { p50: pct(50), p95: pct(95), p99: pct(99) }
      ctx.addRow({
        scenario: 'Complete responses submitted over HTTP (every page of the journey)',
        unit: 'responses/s',
        comhla: Number(http.median.toFixed(1)),
        limit: Number(raw.median.toFixed(1)),
        limitName: 'PostgreSQL single-row inserts of the same responses',
        ratio: Number((http.median / raw.median).toFixed(3)),
        spread: Number(http.spread.toFixed(3)),
        p50: Math.round(lat.p50),
        p95: Math.round(lat.p95),
        p99: Math.round(lat.p99),
        note: `${concurrency} concurrent respondents; latency is a whole journey${failures ? `; ${failures} journeys failed` : ''}`,
      })

      ctx.log('Signing the analyst in')
      const j = new Journey(base)
      const signInPage = await j.get('/sign-in')
      const signInForm = fillForm(signInPage.html, { email: analystEmail, password: BENCH_PASSWORD })!
      const signedIn = await j.post(signInForm.action || '/sign-in', signInForm.fields)
      if (signedIn.location?.startsWith('/sign-in/two-factor')) {
        const codePage = await j.get(signedIn.location)
        const codeForm = fillForm(codePage.html, { code: totpCode() })!
        await j.post(codeForm.action || signedIn.location, codeForm.fields)
      }
      const cookie = j.cookieHeader()
      const root = `${base}/manage/consultations/${big.consultationId}/analysis`
      const check = await fetch(root, { headers: { cookie }, redirect: 'manual' })
      if (check.status !== 200) throw new Error(`the analysis page answered ${check.status}`)

      const pages: [string, string][] = [
        [`Analysis page over ${RESPONSES} responses`, root],
        [
          `Analysis page filtered (organisations, by post) over ${RESPONSES}`,
          `${root}?respondentType=organisation&channel=online`,
        ],
        [
          `Full-text search of ${RESPONSES} answers ("broadband investment")`,
          `${root}/questions/${big.questions.views}/answers?q=${encodeURIComponent('broadband investment')}`,
        ],
        [
          `Full-text search of ${RESPONSES} answers, a common word ("pensioner", in about a quarter) for organisations`,
          `${root}/questions/${big.questions.views}/answers?q=pensioner&respondentType=organisation`,
        ],
      ]
      for (const [scenario, url] of pages) {
        ctx.log(scenario)
        // a fixed number of requests rather than a time: each takes a noticeable fraction of a second
        const results = await ctx.repeat(() => sample(url, cookie, ctx.quick ? 20 : 60, 2))
        ctx.summarise(scenario, results, null, '', '2 concurrent analysts; p95 is the figure that matters')
      }

      ctx.log('Data quality: duplicates, campaigns and blanks')
      const detected = await timed(() => analysis.detectNow(big.consultationId))
      ctx.addRow({
        scenario: `Detect duplicates, campaigns and blanks in ${RESPONSES} responses`,
        unit: 's',
        comhla: Number(detected.seconds.toFixed(2)),
        limit: null,
        limitName: '',
        ratio: null,
        spread: 0,
        note: `${detected.value.campaign} campaigns (${detected.value.campaignResponses} responses; ${seededBig.value.campaignResponses} seeded), ${detected.value['duplicate-identity']} same name and email, ${detected.value['duplicate-answers']} same answers, ${detected.value.blank} blank`,
      })

      for (const format of ['csv', 'xlsx'] as const) {
        ctx.log(`Export to ${format}`)
        const done = await timed(() => analysis.exportNow(big.consultationId, format))
        const finished = { export: done.value }
        ctx.addRow({
          scenario: `Export ${RESPONSES} responses to ${format === 'csv' ? 'CSV' : 'Excel (.xlsx, streamed)'}`,
          unit: 's',
          comhla: Number(done.seconds.toFixed(1)),
          limit: null,
          limitName: '',
          ratio: null,
          spread: 0,
          note: `${(finished.export.byteSize / 1024 / 1024).toFixed(1)} MB, ${finished.export.done} rows`,
        })
      }
    } finally {
      await server?.stop()
      await pool.end()
      await database.close()
      await db.drop()
    }
  },
}

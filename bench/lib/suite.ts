// A module's benchmarks are a suite in bench/suites/<module>.ts, listed in bench/suites/index.ts.
// Each suite makes its own database and servers, measures the machine's limit for what it does in
// the same run, and returns rows for the report. `npm run bench -- --only=<suite>` runs one suite
// (the kernel's own scenarios are the suite "core").
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadResult } from './load.js'
import { startNode, type Child } from './processes.js'

export type Row = {
  scenario: string
  unit: string
  comhla: number
  limit: number | null
  limitName: string
  ratio: number | null
  spread: number
  p50?: number
  p95?: number
  p99?: number
  note?: string
}

export type BenchContext = {
  /** repetitions of each scenario (1 with --quick) */
  runs: number
  /** seconds of load per repetition */
  durationSeconds: number
  quick: boolean
  log: (message: string) => void
  /** runs a load several times (ctx.runs) and returns every result */
  repeat: (fn: () => Promise<LoadResult>) => Promise<LoadResult[]>
  /** adds a row for a request-rate scenario, with the limit's results measured alongside */
  summarise: (
    scenario: string,
    results: LoadResult[],
    limit: LoadResult[] | null,
    limitName: string,
    note?: string,
  ) => void
  /** adds any other row (a duration, a rate computed by the suite) */
  addRow: (row: Row) => void
}

export type BenchSuite = { name: string; run: (ctx: BenchContext) => Promise<void> }

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** Starts Còmhla in production mode on the given database, as the benchmarks measure it. */
export function startComhla(databaseUrl: string, env: Record<string, string> = {}): Promise<Child> {
  return startNode(
    path.join(repoRoot, 'src/server.ts'),
    {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: 's'.repeat(40),
      BASE_URL: 'http://127.0.0.1',
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '100000000',
      HOST: '127.0.0.1',
      ...env,
    },
    { timeoutMs: 120_000 },
  )
}

import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'
import type { CoreDatabase } from './core.tables.js'
import { PgliteDialect, PgliteGate } from './pglite-dialect.js'
import { insideTransaction, UnitOfWorkDialect } from './transaction.js'

// int8 (counts, sequences) as numbers on both drivers; values stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10))

export type Db = Kysely<CoreDatabase>

/** Runs raw SQL for libraries that bring their own queries (the job queue). */
export type SqlExecutor = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>

export type Database = {
  db: Db
  kind: 'postgres' | 'pglite'
  /** a connection string for libraries with their own pool; null on the embedded database */
  connectionString: string | null
  executeSql: SqlExecutor
  ping: () => Promise<void>
  /** connections in use and waiting, for metrics; the embedded database has one session */
  poolStats: () => { total: number; idle: number; waiting: number; max: number }
  close: () => Promise<void>
}

export type DatabaseOptions = {
  databaseUrl: string | null
  dataDir: string
  poolSize?: number
  /** PGlite only: keep the database in memory (tests) */
  inMemory?: boolean
}

export async function createDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return createPostgres(options.databaseUrl, options.poolSize ?? 10)
  return createPglite(options)
}

function createPostgres(connectionString: string, max: number): Database {
  const pool = new pg.Pool({
    connectionString,
    max,
    // Fail fast when the server is away, so requests answer 503 rather than hang.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
    application_name: 'comhla',
  })
  // A client losing its server must not crash the process: idle clients report to the pool,
  // checked-out ones to themselves (their query fails too, and the pool discards them on release).
  pool.on('error', () => undefined)
  pool.on('connect', (client) => {
    client.on('error', () => undefined)
  })
  const db = new Kysely<CoreDatabase>({ dialect: new UnitOfWorkDialect(new PostgresDialect({ pool })) })
  return {
    db,
    kind: 'postgres',
    connectionString,
    executeSql: async (text, values) => pool.query(text, values as unknown[]),
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    close: async () => {
      await db.destroy()
    },
  }
}

async function createPglite(options: DatabaseOptions): Promise<Database> {
  let dataDir: string | undefined
  if (!options.inMemory) {
    dataDir = path.join(options.dataDir, 'pglite')
    await mkdir(dataDir, { recursive: true })
  }
  const pglite = await PGlite.create(dataDir ?? 'memory://', { parsers: { 20: (v: string) => Number.parseInt(v, 10) } })
  const gate = new PgliteGate()
  const db = new Kysely<CoreDatabase>({ dialect: new UnitOfWorkDialect(new PgliteDialect(pglite, gate)) })
  return {
    db,
    kind: 'pglite',
    connectionString: null,
    executeSql: (text, values) => {
      const run = async () => {
        if (values && values.length > 0) return pglite.query(text, values)
        const results = await pglite.exec(text)
        return results[results.length - 1] ?? { rows: [] }
      }
      return insideTransaction() ? run() : gate.run(run)
    },
    ping: async () => {
      await sql`select 1`.execute(db)
    },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    close: async () => {
      await db.destroy()
    },
  }
}

/** True for errors that mean the database cannot be reached, as opposed to a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const e = error as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true
  // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
  if (['57P01', '57P02', '57P03', '53300', '08000', '08003', '08006', '08001', '08004'].includes(code)) return true
  const message = typeof e.message === 'string' ? e.message : ''
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(
    message,
  )
}

// The data store's own connections to the data tables. On PostgreSQL it keeps a small pool of its
// own, without the kernel pool's 30-second statement timeout (a COPY of a large file or an index
// build takes longer), used for COPY in and out and for the read-only SQL endpoint. On the embedded
// database (PGlite) there is one session: rows are loaded by batched INSERTs and read in pages,
// and the SQL endpoint is refused, as PGlite has no roles to confine it.
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import type { Database } from '../../../platform/db/database.js'

export type Store = {
  kind: 'postgres' | 'pglite'
  query: <T = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<T[]>
  /** several statements on one session (PGlite: its only one) */
  withSession: <T>(
    fn: (run: <R = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<R[]>) => Promise<T>,
  ) => Promise<T>
  /** PostgreSQL only: COPY … FROM STDIN fed by a stream */
  copyIn: ((text: string, source: Readable) => Promise<void>) | null
  /** PostgreSQL only: COPY … TO STDOUT as a stream; the connection returns to the pool when the stream ends */
  copyOut: ((text: string, setup?: string[]) => Promise<Readable>) | null
  /** PostgreSQL only: a client for a transaction of its own (the SQL endpoint) */
  client: (() => Promise<pg.PoolClient>) | null
  close: () => Promise<void>
}

export function createStore(database: Database): Store {
  if (database.kind === 'pglite' || !database.connectionString) {
    const run = async <R>(text: string, values?: unknown[]): Promise<R[]> =>
      (await database.executeSql(text, values)).rows as R[]
    return {
      kind: 'pglite',
      query: run,
      withSession: (fn) => fn(run),
      copyIn: null,
      copyOut: null,
      client: null,
      close: async () => undefined,
    }
  }
  let pool: pg.Pool | null = null
  const getPool = () => {
    if (!pool) {
      pool = new pg.Pool({
        connectionString: database.connectionString!,
        max: 8,
        // downloads and loads queue for one of these connections rather than fail under load
        connectionTimeoutMillis: 60_000,
        idleTimeoutMillis: 30_000,
        application_name: 'comhla-datastore',
      })
      pool.on('error', () => undefined)
      pool.on('connect', (client) => {
        client.on('error', () => undefined)
      })
    }
    return pool
  }
  return {
    kind: 'postgres',
    query: async <R>(text: string, values?: unknown[]) => (await getPool().query(text, values)).rows as R[],
    withSession: async (fn) => {
      const client = await getPool().connect()
      try {
        return await fn(async <R>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as R[])
      } finally {
        client.release()
      }
    },
    copyIn: async (text, source) => {
      const client = await getPool().connect()
      try {
        await client.query(`set time zone 'Europe/London'`)
        await pipeline(source, client.query(copyFrom(text)))
      } finally {
        client.release()
      }
    },
    copyOut: async (text, setup = []) => {
      const client = await getPool().connect()
      let released = false
      const release = (error?: Error) => {
        if (released) return
        released = true
        client.release(error)
      }
      try {
        for (const s of setup) await client.query(s)
      } catch (error) {
        release(error as Error)
        throw error
      }
      const stream = client.query(copyTo(text))
      stream.on('end', () => release())
      stream.on('error', (e) => release(e))
      stream.on('close', () => release(new Error('closed early')))
      return stream
    },
    client: () => getPool().connect(),
    close: async () => {
      if (pool) await pool.end()
      pool = null
    },
  }
}

/** Quotes an identifier we made ourselves (t_…, c0, …); refuses anything else. */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unexpected identifier ${name}`)
  return `"${name}"`
}

export const ROWS_SCHEMA = 'open_data_rows'
export const qualified = (table: string) => `${ROWS_SCHEMA}.${ident(table)}`

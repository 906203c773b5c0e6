// A database of its own for each benchmark run, on the PostgreSQL named by BENCH_DATABASE_URL,
// DATABASE_URL, or the machine's local server.
import { randomBytes } from 'node:crypto'
import pg from 'pg'

export function serverUrl(): string {
  return process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
}

export async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = serverUrl()
  const name = `comhla_bench_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(server)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

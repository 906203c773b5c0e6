// Each test file gets a fresh, migrated database: a new PostgreSQL database on the server named
// by TEST_DATABASE_URL (CI), or an in-memory PGlite when none is configured.
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createDatabase, type Database } from '../../src/platform/db/database.js'
import { migrateToLatest } from '../../src/platform/db/migrate.js'

export type TestDatabase = Database & { url: string | null; drop: () => Promise<void> }

export function testServerUrl(): string | null {
  return process.env.TEST_DATABASE_URL && process.env.TEST_DATABASE_URL !== '' ? process.env.TEST_DATABASE_URL : null
}

export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const server = testServerUrl()
  let database: Database
  let url: string | null = null
  let drop = async () => undefined as void
  if (server) {
    const name = `comhla_test_${process.pid}_${randomBytes(4).toString('hex')}`
    const admin = new pg.Client({ connectionString: server })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const u = new URL(server)
    u.pathname = `/${name}`
    url = u.toString()
    database = await createDatabase({ databaseUrl: url, dataDir: '', poolSize: 5 })
    drop = async () => {
      const c = new pg.Client({ connectionString: server })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    }
  } else {
    database = await createDatabase({ databaseUrl: null, dataDir: '', inMemory: true })
  }
  if (options.migrate !== false) await migrateToLatest(database.db)
  return {
    ...database,
    url,
    drop: async () => {
      await database.close()
      await drop()
    },
  }
}

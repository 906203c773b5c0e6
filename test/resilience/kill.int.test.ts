// Nothing acknowledged is lost: under a steady stream of audited writes, the server is killed
// with SIGKILL and restarted; every write that got a 2xx is in the database, and clients that
// retried with the same Idempotency-Key made no duplicates.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { loadConfig } from '../../src/config/config.js'
import { createKernel } from '../../src/platform/kernel.js'
import { createLogger } from '../../src/app.js'
import { systemContext } from '../../src/platform/auth/principal.js'
import { freshDatabase, testServerUrl, type TestDatabase } from '../support/database.js'
import { startServer, type ServerProcess } from '../support/server-process.js'
import { makeStaff } from '../support/factories.js'

const server = testServerUrl()
const SLUG = 'west-lothian-council'

describe(
  'killing the server under load',
  { skip: server ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL)' },
  () => {
    let database: TestDatabase
    let token: string
    let running: ServerProcess | null = null

    before(async () => {
      database = await freshDatabase()
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url!, SESSION_SECRET: 'r'.repeat(40) })
      const kernel = createKernel(config, database, createLogger(config))
      await kernel.organisations.loadReferenceData()
      const { account } = await makeStaff(kernel, SLUG, ['org-admin'])
      const principal = await kernel.accounts.principalFor(kernel.db, account.id, 'session', null)
      token = (
        await kernel.apiTokens.create(
          { ...systemContext('test'), principal },
          { name: 'load', scopes: ['staff:write', 'staff:read'], expiresInDays: 7 },
        )
      ).token
    })

    after(async () => {
      await running?.kill('SIGKILL')
      await database.drop()
    })

    it('loses no acknowledged write and duplicates none', async () => {
      running = await startServer({ DATABASE_URL: database.url! })
      const port = running.port
      const acknowledged = new Set<string>()
      let attempts = 0
      let failures = 0
      let stop = false

      const send = async (email: string, key: string): Promise<void> => {
        // Retry the same request with the same key until it is acknowledged, as a careful client would.
        for (;;) {
          attempts++
          try {
            const res = await fetch(`http://127.0.0.1:${port}/api/v1/organisations/${SLUG}/invitations`, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
              body: JSON.stringify({ email, roles: ['analyst'] }),
              signal: AbortSignal.timeout(5000),
            })
            if (res.status === 201) {
              acknowledged.add(email)
              return
            }
            failures++
          } catch {
            failures++
          }
          await new Promise((r) => setTimeout(r, 100))
        }
      }

      const worker = async (n: number) => {
        for (let i = 0; !stop; i++) await send(`load-${n}-${i}@example.gov.scot`, randomUUID())
      }
      const workers = Array.from({ length: 6 }, (_, n) => worker(n))

      await new Promise((r) => setTimeout(r, 1500))
      const before = acknowledged.size
      await running.kill('SIGKILL')
      running = await startServer({ DATABASE_URL: database.url! }, port)
      await new Promise((r) => setTimeout(r, 1500))
      stop = true
      await Promise.all(workers)

      assert.ok(before > 0, 'writes were acknowledged before the kill')
      assert.ok(failures > 0, 'some requests failed while the server was down, and were retried')
      const rows = await database.db
        .selectFrom('core.invitation')
        .select('email')
        .where('email', 'like', 'load-%')
        .execute()
      const stored = rows.map((r) => r.email)
      const missing = [...acknowledged].filter((e) => !stored.includes(e))
      assert.deepEqual(missing, [], 'every acknowledged write is in the database')
      assert.equal(new Set(stored).size, stored.length, 'no write was made twice')
      const audited = await database.db
        .selectFrom('core.audit_event')
        .select('details')
        .where('action', '=', 'staff.invited')
        .execute()
      assert.equal(audited.length, stored.length, 'each write has exactly one audit entry')
      process.stdout.write(
        `# ${acknowledged.size} writes acknowledged, ${attempts} attempts, ${failures} failed attempts retried\n`,
      )
    })
  },
)

// Losing the database: readiness fails, requests answer 503 quickly instead of hanging,
// and the service recovers by itself when the database comes back.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadConfig } from '../../src/config/config.js'
import { buildApp, type App } from '../../src/app.js'
import { createDatabase, type Database } from '../../src/platform/db/database.js'
import { freshDatabase, testServerUrl, type TestDatabase } from '../support/database.js'
import { TcpProxy } from '../support/tcp-proxy.js'
import { TestClient, text } from '../support/client.js'

const server = testServerUrl()

describe(
  'a database outage',
  { skip: server ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL); the embedded database cannot go away' },
  () => {
    let fresh: TestDatabase
    let proxy: TcpProxy
    let proxied: Database
    let app: App

    before(async () => {
      fresh = await freshDatabase()
      const target = new URL(fresh.url!)
      proxy = new TcpProxy(target.hostname, Number(target.port || 5432))
      const port = await proxy.start()
      const viaProxy = new URL(fresh.url!)
      viaProxy.hostname = '127.0.0.1'
      viaProxy.port = String(port)
      proxied = await createDatabase({ databaseUrl: viaProxy.toString(), dataDir: '', poolSize: 4 })
      const config = loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: viaProxy.toString(),
        SESSION_SECRET: 'x'.repeat(40),
        BASE_URL: 'http://comhla.test',
      })
      app = await buildApp(config, { database: proxied, runJobWorkers: false })
      await app.ready()
    })

    after(async () => {
      await app.close()
      await proxied.close()
      await proxy.stop()
      await fresh.drop()
    })

    it('is reported by readiness, answered with 503 quickly, and recovered from without a restart', async () => {
      const client = new TestClient(app)
      assert.equal((await client.get('/health/ready')).status, 200)
      assert.equal((await client.get('/organisations')).status, 200)

      await proxy.cut()

      const started = Date.now()
      const ready = await client.get('/health/ready')
      assert.equal(ready.status, 503)
      const page = await client.get('/organisations')
      assert.equal(page.status, 503)
      assert.match(text(page.$, 'h1'), /service is unavailable/i)
      assert.equal(page.headers['retry-after'], '5')
      const api = await client.get('/api/v1/organisations')
      assert.equal(api.status, 503)
      assert.equal((JSON.parse(api.body) as { error: { code: string } }).error.code, 'SERVICE_UNAVAILABLE')
      assert.ok(Date.now() - started < 15_000, 'answers come back rather than hanging')
      assert.equal((await client.get('/health/live')).status, 200, 'the process itself is alive')

      await proxy.restore()

      let recovered = false
      for (let i = 0; i < 50 && !recovered; i++) {
        recovered = (await client.get('/health/ready')).status === 200
        if (!recovered) await new Promise((r) => setTimeout(r, 200))
      }
      assert.ok(recovered, 'readiness recovers by itself')
      assert.equal((await client.get('/organisations')).status, 200)
    })
  },
)

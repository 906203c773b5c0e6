import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import { createDatabase } from '../platform/db/database.js'

const bin = new URL('../../bin/comhla.js', import.meta.url).pathname

describe('the comhla command on the embedded database', () => {
  let dataDir: string
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'development' },
      encoding: 'utf8',
    })
    return { code: r.status, out: `${r.stdout}${r.stderr}` }
  }
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'comhla-cli-'))
  })
  after(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  it('migrates, creates an administrator, and verifies the audit trail, then catches tampering', async () => {
    const migrated = run('migrate')
    assert.equal(migrated.code, 0, migrated.out)
    assert.match(migrated.out, /core_init/)
    assert.match(run('migrate').out, /up to date/)

    const weak = run('create-admin', '--email', 'ops@example.gov.scot', '--name', 'Ops', '--password', 'short')
    assert.equal(weak.code, 65)
    assert.match(weak.out, /at least 10 characters/)
    const made = run(
      'create-admin',
      '--email',
      'ops@example.gov.scot',
      '--name',
      'Ops',
      '--password',
      'a long enough password',
    )
    assert.equal(made.code, 0, made.out)
    assert.match(run('setup-link').out, /already exists/)

    const intact = run('audit', 'verify')
    assert.equal(intact.code, 0, intact.out)
    assert.match(intact.out, /intact: 1 entries/)

    const database = await createDatabase({ databaseUrl: null, dataDir })
    await sql`update core.audit_event set actor_label = 'someone else'`.execute(database.db)
    await database.close()
    const tampered = run('audit', 'verify')
    assert.equal(tampered.code, 1)
    assert.match(tampered.out, /tampered with/)
    assert.match(tampered.out, /entry 1 has been changed/)
  })

  it('explains an unknown command', () => {
    const r = run('frobnicate')
    assert.equal(r.code, 64)
    assert.match(r.out, /Unknown command "frobnicate"/)
  })
})

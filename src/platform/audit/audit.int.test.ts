import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { AuditService } from './audit.service.js'
import { systemContext, type ActionContext } from '../auth/principal.js'

describe('the hash-chained audit log', () => {
  let database: TestDatabase
  let audit: AuditService
  const ctx: ActionContext = { ...systemContext('auditor@example.gov.scot'), requestId: 'req-1', ip: '127.0.0.1' }

  before(async () => {
    database = await freshDatabase()
    audit = new AuditService(database.db)
    for (let i = 0; i < 12; i++) {
      await database.db
        .transaction()
        .execute((trx) =>
          audit.record(trx, ctx, { action: `test.thing-${i}`, details: { i, nested: { b: 2, a: 1 }, list: [3, 1] } }),
        )
    }
  })
  after(async () => {
    await database.drop()
  })

  it('verifies an untouched chain', async () => {
    const result = await audit.verify()
    assert.equal(result.ok, true)
    assert.equal(result.entries, 12)
    if (result.ok) assert.equal(result.headSeq, 12)
  })

  it('numbers entries without gaps even when written concurrently', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.db
          .transaction()
          .execute((trx) => audit.record(trx, ctx, { action: 'test.concurrent', details: { i } })),
      ),
    )
    const result = await audit.verify()
    assert.equal(result.ok, true)
    assert.equal(result.entries, 32)
  })

  it('keeps nothing from a transaction that rolls back', async () => {
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await audit.record(trx, ctx, { action: 'test.rolled-back' })
        throw new Error('the change failed')
      }),
    )
    const found = await audit.search({ action: 'test.rolled-back' })
    assert.equal(found.total, 0)
    assert.equal((await audit.verify()).ok, true)
  })

  it('detects an edited entry', async () => {
    await sql`update core.audit_event set details = '{"i": 99}'::jsonb where seq = 5`.execute(database.db)
    const result = await audit.verify()
    assert.equal(result.ok, false)
    if (!result.ok) assert.ok(result.problems.some((p) => p.includes('entry 5 has been changed')))
    await sql`update core.audit_event set details = ${JSON.stringify({ i: 4, list: [3, 1], nested: { a: 1, b: 2 } })}::jsonb where seq = 5`.execute(
      database.db,
    )
    assert.equal((await audit.verify()).ok, true, 'restoring the original content restores the chain')
  })

  it('detects a deleted entry', async () => {
    const row = await database.db
      .selectFrom('core.audit_event')
      .selectAll()
      .where('seq', '=', 7)
      .executeTakeFirstOrThrow()
    await database.db.deleteFrom('core.audit_event').where('seq', '=', 7).execute()
    const result = await audit.verify()
    assert.equal(result.ok, false)
    if (!result.ok) assert.ok(result.problems.some((p) => p.includes('entry 7 is missing')))
    await database.db
      .insertInto('core.audit_event')
      .values({ ...row, details: JSON.stringify(row.details) })
      .execute()
    assert.equal((await audit.verify()).ok, true)
  })

  it('detects an entry whose hash was recomputed after an edit, because the next entry no longer follows it', async () => {
    await sql`update core.audit_event set action = 'test.forged', hash = ${'f'.repeat(64)} where seq = 3`.execute(
      database.db,
    )
    const result = await audit.verify()
    assert.equal(result.ok, false)
    if (!result.ok) {
      assert.ok(result.problems.some((p) => p.includes('entry 3 has been changed')))
      assert.ok(result.problems.some((p) => p.includes('entry 4 does not follow')))
    }
  })
})

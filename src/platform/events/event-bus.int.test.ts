import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import pino from 'pino'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { waitFor } from '../../../test/support/smtp.js'
import { inTransaction } from '../db/transaction.js'
import { JobQueue } from '../jobs/job-queue.js'
import { EventBus } from './event-bus.js'
import { DATASET_CHANGED, DatasetOutlet, type DatasetChanged } from '../datasets/dataset-outlet.js'

describe('events between modules', () => {
  let database: TestDatabase
  let jobs: JobQueue
  let bus: EventBus
  let outlet: DatasetOutlet
  const seenByA: string[] = []
  const seenByB: string[] = []
  const changes: DatasetChanged[] = []
  let failuresLeft = 2

  before(async () => {
    database = await freshDatabase({ migrate: true })
    jobs = new JobQueue(database, pino({ level: 'silent' }), { runWorkers: true, pollingIntervalSeconds: 0.5 })
    bus = new EventBus(jobs)
    outlet = new DatasetOutlet(bus)
    bus.subscribe<{ title: string }>('consultations.closed', 'module-a', async (p) => {
      seenByA.push(p.title)
    })
    bus.subscribe<{ title: string }>(
      'consultations.closed',
      'module-b',
      async (p) => {
        // B fails twice before it succeeds: A must not wait for it, and B must get it in the end.
        if (failuresLeft-- > 0) throw new Error('not yet')
        seenByB.push(p.title)
      },
      { retryLimit: 5 },
    )
    bus.subscribe<DatasetChanged>(DATASET_CHANGED, 'open-data', async (p) => {
      changes.push(p)
    })
    outlet.register({
      id: 'consultations.published-responses',
      describe: async () => null,
      rows: async function* () {},
    })
    await jobs.start()
  })
  after(async () => {
    await jobs.stop()
    await database.drop()
  })

  it('delivers an event to every subscriber once its transaction commits, retrying a failing one', async () => {
    const sent = await inTransaction(database.db, (trx) =>
      bus.publish(trx, 'consultations.closed', { title: 'Transforming Government' }),
    )
    assert.equal(sent, 2)
    await waitFor(() => (seenByA.length === 1 ? true : undefined))
    await waitFor(() => (seenByB.length === 1 ? true : undefined), 60_000)
    assert.deepEqual(seenByA, ['Transforming Government'])
    assert.deepEqual(seenByB, ['Transforming Government'])
  })

  it('drops the event when the change it describes rolls back', async () => {
    await assert.rejects(
      inTransaction(database.db, async (trx) => {
        await bus.publish(trx, 'consultations.closed', { title: 'Rolled back' })
        throw new Error('the change failed')
      }),
      /the change failed/,
    )
    await inTransaction(database.db, (trx) => bus.publish(trx, 'consultations.closed', { title: 'After' }))
    await waitFor(() => (seenByA.includes('After') ? true : undefined))
    assert.ok(!seenByA.includes('Rolled back'))
  })

  it('carries dataset announcements to the open-data outlet, and refuses an unknown provider', async () => {
    await inTransaction(database.db, (trx) => outlet.changed(trx, 'consultations.published-responses', 'c-1'))
    await waitFor(() => (changes.length === 1 ? true : undefined))
    assert.deepEqual(changes, [{ provider: 'consultations.published-responses', key: 'c-1' }])
    await assert.rejects(
      inTransaction(database.db, (trx) => outlet.changed(trx, 'nobody.nothing', 'x')),
      /No dataset provider/,
    )
  })

  it('refuses badly named events', () => {
    assert.throws(() => bus.subscribe('Closed', 'x', async () => {}), /Event names/)
  })
})

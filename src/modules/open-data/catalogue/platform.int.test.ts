import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { ProvidedDataset } from '../../../platform/datasets/dataset-outlet.js'
import type { CatalogueTables } from './dataset.tables.js'

type Ckan<T> = { success: boolean; result: T; error?: { __type: string } }

/** Waits for a condition that background jobs make true (not a timing assertion: it only waits). */
async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`Gave up waiting: ${what}`)
}

describe('open-data catalogue: datasets fed by the platform', () => {
  let t: TestApp
  let visitor: TestClient
  let offered: ProvidedDataset | null
  const rows = [
    { ward: 'Kirkcaldy North', votes: 120, passed: true, counted: new Date('2026-10-01T12:00:00Z') },
    { ward: 'Glenrothes West', votes: 87, passed: false, counted: new Date('2026-10-02T12:00:00Z') },
  ]
  const db = () => t.app.kernel.db.withTables<CatalogueTables>()

  before(async () => {
    t = await testApp({}, { runJobWorkers: true })
    visitor = new TestClient(t.app)
    const fife = await t.app.kernel.organisations.getBySlug('fife-council')
    offered = {
      key: 'process-1',
      organisationId: fife.id,
      title: 'Community choices 2026: results',
      description: 'Votes for each project in **Community choices 2026**.',
      keywords: ['Participatory budgeting', 'votes'],
      landingPage: '/participation/process-1/results',
      columns: [
        { name: 'ward', title: 'Ward', type: 'text' },
        { name: 'votes', title: 'Votes', type: 'integer' },
        { name: 'passed', title: 'Funded', type: 'boolean' },
        { name: 'counted', title: 'Counted at', type: 'datetime' },
      ],
      updatedAt: new Date(),
    }
    t.app.kernel.datasets.register({
      id: 'testing.results',
      describe: async (key) => (key === 'process-1' ? offered : null),
      rows: async function* () {
        yield* rows
      },
    })
  })
  after(async () => {
    await t.close()
  })

  const announce = () =>
    inTransaction(t.app.kernel.db, (trx) => t.app.kernel.datasets.changed(trx, 'testing.results', 'process-1'))

  let datasetId: string

  it('publishes an announced dataset by itself, with a link to where its data comes from', async () => {
    await announce()
    const row = await eventually(
      () =>
        db()
          .selectFrom('open_data.dataset')
          .selectAll()
          .where('provider', '=', 'testing.results')
          .where('status', '=', 'published')
          .executeTakeFirst(),
      'the dataset to be published',
    )
    assert.equal(row.origin, 'platform')
    assert.equal(row.name, 'community-choices-2026-results')
    assert.deepEqual(row.spatial, ['S12000047'])
    const page = await visitor.get('/datasets/community-choices-2026-results')
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'h1'), /Community choices 2026: results/)
    assert.match(text(page.$, '#resources ~ ul'), /Where the data comes from/)
    const link = page
      .$('a')
      .filter((_, a) => /Open the link/.test(page.$(a).text()))
      .attr('href')
    assert.equal(link, 'http://comhla.test/participation/process-1/results')
    datasetId = row.id
  })

  it('loads its rows through the data store, for the CKAN datastore_search to read', async () => {
    // the rows arrive once the data store's ingestion job has run
    const resources = await db()
      .selectFrom('open_data.resource')
      .selectAll()
      .where('dataset_id', '=', datasetId)
      .execute()
    const table = resources.find((r) => r.kind === 'datastore')!
    const search = await eventually(async () => {
      const res = await visitor.get(`/api/3/action/datastore_search?resource_id=${table.id}&sort=votes desc`)
      const body = JSON.parse(res.body) as Ckan<{
        total: number
        records: Record<string, unknown>[]
        fields: { id: string; type: string }[]
      }>
      return body.success && body.result.total === 2 ? body.result : null
    }, 'the rows to load')
    assert.deepEqual(
      search.records.map((r) => [r.ward, r.votes, r.passed]),
      [
        ['Kirkcaldy North', 120, true],
        ['Glenrothes West', 87, false],
      ],
    )
    assert.deepEqual(
      search.fields.map((f) => [f.id, f.type]),
      [
        ['ward', 'text'],
        ['votes', 'int'],
        ['passed', 'bool'],
        ['counted', 'timestamp'],
      ],
    )
    const filtered = JSON.parse(
      (
        await visitor.request('POST', '/api/3/action/datastore_search', {
          json: { resource_id: table.id, filters: { passed: false }, fields: 'ward' },
        })
      ).body,
    ) as Ckan<{ records: Record<string, unknown>[] }>
    assert.deepEqual(filtered.result.records, [{ ward: 'Glenrothes West' }])
    const badColumn = await visitor.request('POST', '/api/3/action/datastore_search', {
      json: { resource_id: table.id, filters: { nope: 1 } },
    })
    assert.equal(badColumn.status, 409)
    assert.equal((JSON.parse(badColumn.body) as Ckan<null>).error?.__type, 'Validation Error')
  })

  it('refreshes the dataset on a later announcement, and withdraws it when the provider stops offering it', async () => {
    offered = { ...offered!, title: 'Community choices 2026: final results' }
    await announce()
    await eventually(
      () =>
        db()
          .selectFrom('open_data.dataset')
          .select('id')
          .where('title', '=', 'Community choices 2026: final results')
          .executeTakeFirst(),
      'the new title',
    )
    const count = await db()
      .selectFrom('open_data.dataset')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 1)
    offered = null
    await announce()
    await eventually(
      () =>
        db()
          .selectFrom('open_data.dataset')
          .select('id')
          .where('provider', '=', 'testing.results')
          .where('status', '=', 'withdrawn')
          .executeTakeFirst(),
      'the withdrawal',
    )
    const page = await visitor.get('/datasets/community-choices-2026-results')
    assert.equal(page.status, 410)
    assert.match(text(page.$, 'main'), /Its source no longer publishes this data/)
  })
})

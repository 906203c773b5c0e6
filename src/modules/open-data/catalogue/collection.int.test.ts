import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { systemContext } from '../../../platform/auth/principal.js'

async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`Gave up waiting: ${what}`)
}

type Body = Record<string, unknown>

describe('open-data catalogue: national collections', () => {
  let t: TestApp
  const api = () => new TestClient(t.app)
  const clients: Record<string, TestClient> = {}
  const tokens: Record<string, string> = {}
  const tables: Record<string, { datasetId: string; resourceId: string }> = {}

  async function call(who: string, method: string, url: string, json?: unknown) {
    const res = await api().request(method, url, {
      ...(json === undefined ? {} : { json }),
      headers: { authorization: `Bearer ${tokens[who]!}` },
    })
    return { status: res.status, body: JSON.parse(res.body || 'null') as Body }
  }

  async function load(who: string, resourceId: string, records: Record<string, unknown>[]) {
    const res = await call(who, 'POST', `/api/v1/datastore/${resourceId}/records`, { records, mode: 'replace' })
    assert.equal(res.status, 202, JSON.stringify(res.body))
    const id = res.body.id as string
    await eventually(async () => {
      const upload = await call(who, 'GET', `/api/v1/datastore/uploads/${id}`)
      return upload.body.status === 'loaded' ? upload : null
    }, 'the upload to load')
  }

  async function publishedTable(who: string, slug: string, title: string, records: Record<string, unknown>[]) {
    const created = await call(who, 'POST', '/api/v1/datasets', {
      organisation: slug,
      title,
      description: `${title}, every payment over £500.`,
      theme: 'economy',
      contactEmail: 'finance@example.gov.scot',
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const datasetId = created.body.id as string
    const resource = await call(who, 'POST', `/api/v1/datasets/${datasetId}/resources`, {
      kind: 'datastore',
      name: 'Payments',
    })
    assert.equal(resource.status, 201, JSON.stringify(resource.body))
    const resourceId = resource.body.id as string
    await load(who, resourceId, records)
    assert.equal((await call(who, 'POST', `/api/v1/datasets/${datasetId}/publish`)).status, 200)
    return { datasetId, resourceId }
  }

  before(async () => {
    t = await testApp({}, { runJobWorkers: true })
    const { kernel } = t.app
    for (const [who, slug] of [
      ['fife', 'fife-council'],
      ['dundee', 'dundee-city-council'],
    ] as const) {
      const staff = await makeStaff(kernel, slug, ['data-publisher'])
      clients[who] = new TestClient(t.app)
      await signIn(clients[who], kernel, staff.account.email, PASSWORD)
      const principal = await kernel.accounts.principalFor(kernel.db, staff.account.id, 'session', null)
      tokens[who] = (
        await kernel.apiTokens.create(
          { ...systemContext('test'), principal },
          { name: `${who}-token`, scopes: ['open-data:publish'], expiresInDays: 30 },
        )
      ).token
    }
    const admin = await makeAccount(kernel, { platformAdmin: true })
    clients.admin = new TestClient(t.app)
    await signIn(clients.admin, kernel, admin.email, PASSWORD)
    tables.fife = await publishedTable('fife', 'fife-council', 'Fife spend over £500', [
      { supplier: 'Kingdom Buses', amount: 1200.5, paid: '2026-10-01' },
      { supplier: 'Tayside Paper', amount: 640, paid: '2026-10-03' },
    ])
    tables.dundee = await publishedTable('dundee', 'dundee-city-council', 'Dundee spend over £500', [
      { vendor: 'Discovery Print', total: 900 },
    ])
  })
  after(async () => {
    await t.close()
  })

  it('lets only platform administrators open a collection, with an error summary for a bad one', async () => {
    assert.equal((await clients.fife!.get('/manage/collections/new')).status, 403)
    const bad = await clients.admin!.submit('/manage/collections/new', { title: '', description: 'Spend' })
    assert.equal(bad.status, 422)
    assert.match(text(bad.$, '.ds_error-summary'), /Enter a title/)
    const made = await clients.admin!.submit('/manage/collections/new', {
      title: 'Spend over £500',
      description: 'Every council’s payments over **£500**.',
    })
    assert.equal(made.status, 303)
    assert.equal(made.location, '/collections/spend-over-500')
  })

  it('adds tables whose columns match, refusing one that does not', async () => {
    const add = (who: string) =>
      clients[who]!.submit(
        `/manage/datasets/${tables[who]!.datasetId}/resources/${tables[who]!.resourceId}/collection`,
        {
          collection: 'spend-over-500',
        },
      )
    assert.equal((await add('fife')).status, 303)
    const refused = await add('dundee')
    assert.equal(refused.status, 422)
    assert.match(text(refused.$, '.ds_error-summary'), /columns do not match/)
    // Fife's table cannot be added by Dundee
    const foreign = await clients.dundee!.request(
      'POST',
      `/manage/datasets/${tables.fife!.datasetId}/resources/${tables.fife!.resourceId}/collection`,
      { form: { collection: 'spend-over-500' } },
    )
    assert.ok(foreign.status === 403 || foreign.status === 404, String(foreign.status))
    await load('dundee', tables.dundee!.resourceId, [{ supplier: 'Discovery Print', amount: 900, paid: '2026-10-02' }])
    assert.equal((await add('dundee')).status, 303)
  })

  it('shows the members and downloads one national table with each row’s publisher', async () => {
    const page = await api().get('/collections/spend-over-500')
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), /Dundee City Council/)
    assert.match(text(page.$, 'main'), /Fife Council/)
    assert.match(text(page.$, 'main'), /3 rows in all/)
    const csv = await api().get('/api/v1/collections/spend-over-500/rows.csv')
    assert.equal(csv.status, 200)
    const lines = csv.body.trim().split('\n')
    assert.equal(lines[0], 'publisher,publisher_gss_code,supplier,amount,paid')
    assert.deepEqual(lines.slice(1).sort(), [
      'Dundee City Council,S12000042,Discovery Print,900,2026-10-02',
      'Fife Council,S12000047,Kingdom Buses,1200.5,2026-10-01',
      'Fife Council,S12000047,Tayside Paper,640,2026-10-03',
    ])
    const json = JSON.parse((await api().get('/api/v1/collections/spend-over-500')).body) as {
      columns: { name: string }[]
      members: unknown[]
    }
    assert.deepEqual(
      json.columns.map((c) => c.name),
      ['supplier', 'amount', 'paid'],
    )
    assert.equal(json.members.length, 2)
  })
})

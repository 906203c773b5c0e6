import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient } from '../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn } from '../../../test/support/two-factor.js'

describe('idempotent API writes', () => {
  let t: TestApp
  let auth: Record<string, string>
  before(async () => {
    t = await testApp()
    const { account } = await makeStaff(t.app.kernel, 'east-lothian-council', ['org-admin'])
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, account.email, PASSWORD)
    const created = await client.submit('/account/tokens', {
      name: 'retrying client',
      scopes: ['staff:write', 'staff:read'],
      expiresInDays: '7',
    })
    auth = { authorization: `Bearer ${created.$('#token-value').text().trim()}` }
  })
  after(async () => {
    await t.close()
  })

  async function invitationsFor(email: string): Promise<number> {
    const rows = await t.app.kernel.db.selectFrom('core.invitation').select('id').where('email', '=', email).execute()
    return rows.length
  }

  it('answers a retry with the first answer and makes the change once', async () => {
    const api = new TestClient(t.app)
    const headers = { ...auth, 'idempotency-key': 'retry-0001-abcdef' }
    const first = await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers,
      json: { email: 'once@example.gov.scot', roles: ['analyst'] },
    })
    assert.equal(first.status, 201)
    const second = await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers,
      json: { email: 'once@example.gov.scot', roles: ['analyst'] },
    })
    assert.equal(second.status, 201)
    assert.equal(second.headers['idempotent-replayed'], 'true')
    assert.deepEqual(JSON.parse(second.body), JSON.parse(first.body))
    assert.equal(await invitationsFor('once@example.gov.scot'), 1)
    const audit = await t.app.kernel.audit.search({ action: 'staff.invited' })
    assert.equal(audit.items.filter((e) => e.details.email === 'once@example.gov.scot').length, 1)
  })

  it('makes the change once when the same request arrives many times at once', async () => {
    const api = new TestClient(t.app)
    const headers = { ...auth, 'idempotency-key': 'burst-0002-abcdef' }
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
          headers,
          json: { email: 'burst@example.gov.scot', roles: [] },
        }),
      ),
    )
    assert.deepEqual(
      results.map((r) => r.status),
      Array(8).fill(201),
      results.map((r) => r.body).join('\n'),
    )
    assert.equal(new Set(results.map((r) => (JSON.parse(r.body) as { id: string }).id)).size, 1)
    assert.equal(await invitationsFor('burst@example.gov.scot'), 1)
  })

  it('refuses the same key for a different request, changing nothing', async () => {
    const api = new TestClient(t.app)
    const headers = { ...auth, 'idempotency-key': 'reuse-0003-abcdef' }
    await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers,
      json: { email: 'first@example.gov.scot', roles: [] },
    })
    const other = await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers,
      json: { email: 'second@example.gov.scot', roles: [] },
    })
    assert.equal(other.status, 409)
    assert.equal((JSON.parse(other.body) as { error: { code: string } }).error.code, 'IDEMPOTENCY_KEY_REUSED')
    assert.equal(await invitationsFor('second@example.gov.scot'), 0)
  })

  it('lets a request that failed be tried again with the same key', async () => {
    const api = new TestClient(t.app)
    const headers = { ...auth, 'idempotency-key': 'fails-0004-abcdef' }
    const bad = await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers,
      json: { email: 'nope', roles: [] },
    })
    assert.equal(bad.status, 422)
    const again = await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers,
      json: { email: 'nope', roles: [] },
    })
    assert.equal(again.status, 422, 'nothing was recorded for the failed attempt, so it is simply tried again')
    const badKey = await api.request('POST', '/api/v1/organisations/east-lothian-council/invitations', {
      headers: { ...auth, 'idempotency-key': 'x' },
      json: { email: 'k@example.gov.scot', roles: [] },
    })
    assert.equal(badKey.status, 422)
    assert.equal(await invitationsFor('k@example.gov.scot'), 0)
  })
})

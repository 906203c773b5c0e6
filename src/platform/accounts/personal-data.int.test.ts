import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn } from '../../../test/support/two-factor.js'

describe("a person's own data", () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(async () => {
    await t.close()
  })

  it('downloads everything held about the person as JSON, and records that it was downloaded', async () => {
    const account = await makeAccount(t.app.kernel, { email: 'subject@example.gov.scot', name: 'Data Subject' })
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    await client.submit('/account/tokens', { name: 'my script', scopes: ['account:read'], expiresInDays: '7' })
    const res = await client.get('/account/data.json')
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-disposition']), /attachment/)
    const data = JSON.parse(res.body) as {
      account: { email: string; name: string }
      sessions: unknown[]
      apiTokens: Array<{ name: string }>
      actionsYouTook: Array<{ action: string }>
      emailsToYou: unknown[]
    }
    assert.equal(data.account.email, 'subject@example.gov.scot')
    assert.equal(data.account.name, 'Data Subject')
    assert.equal(data.sessions.length, 1)
    assert.equal(data.apiTokens[0]!.name, 'my script')
    assert.ok(data.actionsYouTook.some((a) => a.action === 'api-token.created'))
    assert.ok(!res.body.includes('password_hash') && !res.body.includes('$argon2'), 'no secrets are in the download')
    assert.equal((await t.app.kernel.audit.search({ action: 'account.data-downloaded' })).total, 1)
  })

  it('deletes a public account after the password, explaining what is kept, and keeps the audit trail intact', async () => {
    const account = await makeAccount(t.app.kernel, { email: 'leaving@example.gov.scot' })
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    const page = await client.get('/account/delete')
    assert.match(text(page.$, 'main'), /What we keep, and why/)
    const wrong = await client.submit('/account/delete', { password: 'not it at all' })
    assert.equal(wrong.status, 422)
    const done = await client.submit('/account/delete', { password: PASSWORD })
    assert.equal(done.status, 303)
    assert.equal(await t.app.kernel.accounts.findByEmail('leaving@example.gov.scot'), null)
    assert.equal((await t.app.kernel.mail.list({ to: 'leaving@example.gov.scot' })).total, 0)
    assert.equal((await client.get('/account')).status, 303, 'signed out')
    const deleted = (await t.app.kernel.audit.search({ action: 'account.deleted' })).items[0]!
    assert.equal(deleted.targetId, account.id)
    assert.ok(!JSON.stringify(deleted.details).includes('leaving@'), 'the deletion record holds no new personal data')
    assert.equal((await t.app.kernel.audit.verify()).ok, true)
  })

  it('does not let staff delete their account while they hold a role', async () => {
    const { account } = await makeStaff(t.app.kernel, 'orkney-islands-council', ['analyst'])
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, account.email, PASSWORD)
    const page = await client.get('/account/delete')
    assert.match(text(page.$, 'main'), /Ask its administrator to remove you first/)
    const forced = await client.request('POST', '/account/delete', {
      form: { _csrf: page.$('input[name=_csrf]').first().attr('value') ?? '', password: PASSWORD },
    })
    assert.notEqual(forced.status, 303)
    assert.ok(await t.app.kernel.accounts.findByEmail(account.email))
  })
})

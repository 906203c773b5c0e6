// Security checks across the kernel: headers, cookies, CSRF, rate limits, session fixation.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from './support/app.js'
import { TestClient, text } from './support/client.js'
import { makeAccount, PASSWORD } from './support/factories.js'
import { signIn } from './support/two-factor.js'

describe('security of the kernel', () => {
  let t: TestApp
  before(async () => {
    // An https base address, as in production: cookies must then be Secure.
    t = await testApp({ BASE_URL: 'https://comhla.example.scot', RATE_LIMIT_MAX: '5' })
  })
  after(async () => {
    await t.close()
  })

  it('sends security headers with a nonce-based content security policy', async () => {
    const page = await new TestClient(t.app).get('/')
    const csp = String(page.headers['content-security-policy'])
    assert.match(csp, /default-src 'self'/)
    assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    const nonce = /'nonce-([^']+)'/.exec(csp)![1]
    page.$('script').each((_, el) => assert.equal(page.$(el).attr('nonce'), nonce, 'every script carries the nonce'))
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.match(String(page.headers['strict-transport-security']), /max-age=31536000/)
    assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN')
    assert.ok(!page.headers['x-powered-by'])
  })

  it('sets cookies Secure, HttpOnly and SameSite', async () => {
    const account = await makeAccount(t.app.kernel)
    const client = new TestClient(t.app)
    const form = await client.get('/sign-in')
    const csrfCookie = ([] as string[])
      .concat(form.headers['set-cookie'] as string[])
      .find((c) => c.startsWith('comhla_csrf='))!
    assert.match(csrfCookie, /HttpOnly/i)
    assert.match(csrfCookie, /Secure/i)
    assert.match(csrfCookie, /SameSite=Lax/i)
    const signedIn = await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    const session = ([] as string[])
      .concat(signedIn.headers['set-cookie'] as string[])
      .find((c) => c.startsWith('comhla_session='))!
    assert.match(session, /HttpOnly/i)
    assert.match(session, /Secure/i)
    assert.match(session, /SameSite=Lax/i)
  })

  it('refuses every form post without a valid CSRF token', async () => {
    const client = new TestClient(t.app)
    for (const url of [
      '/sign-in',
      '/register',
      '/forgotten-password',
      '/sign-out',
      '/account/password',
      '/account/tokens',
      '/admin/organisations/new',
    ]) {
      const missing = await client.request('POST', url, { form: { email: 'x@example.gov.scot' } })
      assert.equal(missing.status, 403, `${url} without a token`)
      const forged = await client.request('POST', url, { form: { _csrf: 'forged-token', email: 'x@example.gov.scot' } })
      assert.equal(forged.status, 403, `${url} with a forged token`)
    }
  })

  it('refuses a JSON API write from a browser session sent as a form (cross-site)', async () => {
    const account = await makeAccount(t.app.kernel, { platformAdmin: true })
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, account.email, PASSWORD)
    const res = await client.request('POST', '/api/v1/organisations', {
      form: { nameEn: 'Forged Body', type: 'other' },
    })
    assert.equal(res.status, 415)
    assert.equal((await t.app.kernel.organisations.list({ q: 'Forged Body' })).total, 0)
  })

  it('prevents session fixation: a session planted before sign-in is not the one used after', async () => {
    const account = await makeAccount(t.app.kernel)
    const victim = new TestClient(t.app)
    const planted = 'A'.repeat(43)
    await victim.request('GET', '/sign-in', { headers: { cookie: `comhla_session=${planted}` } })
    await victim.submit('/sign-in', { email: account.email, password: PASSWORD })
    const used = victim.cookie('comhla_session')
    assert.ok(used && used !== planted)
    const attacker = new TestClient(t.app)
    const res = await attacker.request('GET', '/account', { headers: { cookie: `comhla_session=${planted}` } })
    assert.equal(res.status, 303, 'the planted value grants nothing')
  })

  it('answers an unknown API route and a malformed JSON body with the error shape, never 500', async () => {
    const client = new TestClient(t.app)
    const unknown = await client.get('/api/v1/nothing-here')
    assert.equal(unknown.status, 404)
    assert.equal((JSON.parse(unknown.body) as { error: { code: string } }).error.code, 'NOT_FOUND')
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { 'content-type': 'application/json' },
      payload: '{"nameEn": ',
    })
    assert.equal(res.statusCode, 400)
    assert.ok((JSON.parse(res.body) as { error: { code: string } }).error.code)
    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: { 'content-type': 'application/json' },
      payload: `{"nameEn":"${'x'.repeat(2_000_000)}"}`,
    })
    assert.equal(huge.statusCode, 413)
  })
  // Last, because it spends this address's sign-in allowance.
  it('limits sign-in attempts from one address', async () => {
    const client = new TestClient(t.app)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++)
      statuses.push(
        (await client.submit('/sign-in', { email: `nobody${i}@example.gov.scot`, password: 'wrong password' })).status,
      )
    assert.ok(statuses.includes(429), `rate limited after 5 attempts: ${statuses.join(',')}`)
    const limited = await client
      .submit('/sign-in', { email: 'nobody@example.gov.scot', password: 'wrong password' })
      .catch(() => null)
    if (limited) assert.match(text(limited.$, 'main'), /Too many attempts/)
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeAccount, PASSWORD } from '../../../test/support/factories.js'

describe('accounts through the pages', () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(async () => {
    await t.close()
  })

  it('registers, emails a confirmation link, and signs in only once the address is confirmed', async () => {
    const client = new TestClient(t.app)
    const res = await client.submit('/register', {
      displayName: 'Morag Stewart',
      email: 'morag@example.gov.scot',
      password: 'heather hills of home',
      confirmPassword: 'heather hills of home',
    })
    assert.equal(res.status, 303)
    const check = await client.follow(res)
    assert.match(text(check.$, 'h1'), /Check your email/)

    const outbox = await t.app.kernel.mail.list({ to: 'morag@example.gov.scot' })
    assert.equal(outbox.items.length, 1)
    assert.equal(outbox.items[0]!.template, 'verify-email')
    const link = /\/verify-email\/[A-Za-z0-9_-]+/.exec(outbox.items[0]!.body)![0]

    const early = await client.submit('/sign-in', {
      email: 'morag@example.gov.scot',
      password: 'heather hills of home',
    })
    assert.match(text(early.$, 'h1'), /Check your email/)
    assert.equal(client.cookie('comhla_session'), undefined)

    const verified = await client.get(link)
    assert.equal(verified.status, 200)
    assert.match(text(verified.$, 'h1'), /confirmed/)
    const again = await client.get(link)
    assert.equal(again.status, 410)

    const signedIn = await client.submit('/sign-in', {
      email: 'MORAG@example.gov.scot ',
      password: 'heather hills of home',
    })
    assert.equal(signedIn.status, 303)
    assert.equal(signedIn.location, '/account')
    const account = await client.follow(signedIn)
    assert.match(account.body, /Morag Stewart/)
  })

  it('shows every problem with a registration at once and keeps what was typed', async () => {
    const client = new TestClient(t.app)
    const res = await client.submit('/register', {
      displayName: '',
      email: 'not-an-email',
      password: 'password1',
      confirmPassword: 'x',
    })
    assert.equal(res.status, 422)
    assert.match(text(res.$, 'title'), /^Error:/)
    const summary = text(res.$, '.ds_error-summary')
    assert.match(summary, /Enter your full name/)
    assert.match(summary, /correct format/)
    assert.match(summary, /at least 10 characters/)
    assert.equal(res.$('#email').attr('value'), 'not-an-email')
    assert.ok(!res.$('#password').attr('value'), 'passwords are never echoed back')
  })

  it('refuses a password found in breach lists', async () => {
    const client = new TestClient(t.app)
    const res = await client.submit('/register', {
      displayName: 'A',
      email: 'a@example.gov.scot',
      password: 'Password123',
      confirmPassword: 'Password123',
    })
    assert.equal(res.status, 422)
    assert.match(text(res.$, '#password-error'), /too common/)
  })

  it('does not reveal whether an address already has an account', async () => {
    await makeAccount(t.app.kernel, { email: 'taken@example.gov.scot' })
    const client = new TestClient(t.app)
    const res = await client.submit('/register', {
      displayName: 'Someone',
      email: 'taken@example.gov.scot',
      password: 'a fresh long password',
      confirmPassword: 'a fresh long password',
    })
    assert.equal(res.status, 303)
    assert.match(res.location!, /check-email/)
    const mails = await t.app.kernel.mail.list({ to: 'taken@example.gov.scot' })
    assert.equal(mails.items[0]!.template, 'account-exists')
  })

  it('locks an account after ten wrong passwords', async () => {
    const account = await makeAccount(t.app.kernel, { email: 'lock@example.gov.scot' })
    const client = new TestClient(t.app)
    for (let i = 0; i < 10; i++) {
      const res = await client.submit('/sign-in', { email: account.email, password: 'wrong password here' })
      assert.equal(res.status, 422)
      assert.match(text(res.$, '.ds_error-summary'), /correct email address and password/)
    }
    const locked = await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    assert.equal(locked.status, 429)
    assert.match(text(locked.$, '.ds_error-summary'), /too many failed attempts/)
  })

  it('resets a forgotten password with a single-use link, ending other sessions', async () => {
    const account = await makeAccount(t.app.kernel, { email: 'forgetful@example.gov.scot' })
    const other = new TestClient(t.app)
    await other.submit('/sign-in', { email: account.email, password: PASSWORD })
    assert.equal((await other.get('/account')).status, 200)

    const client = new TestClient(t.app)
    const sent = await client.submit('/forgotten-password', { email: account.email })
    assert.equal(sent.status, 303)
    const mail = (await t.app.kernel.mail.list({ to: account.email })).items.find(
      (m) => m.template === 'reset-password',
    )!
    const link = /\/reset-password\/[A-Za-z0-9_-]+/.exec(mail.body)![0]
    const mismatch = await client.submit(link, { password: 'a brand new password', confirmPassword: 'different' })
    assert.equal(mismatch.status, 422)
    const done = await client.submit(link, {
      password: 'a brand new password',
      confirmPassword: 'a brand new password',
    })
    assert.equal(done.status, 303)
    assert.equal((await client.get(link)).status, 410)

    const stale = await other.get('/account')
    assert.equal(stale.status, 303, 'the other session was ended')
    const signIn = await client.submit('/sign-in', { email: account.email, password: 'a brand new password' })
    assert.equal(signIn.status, 303)
  })

  it('changes a password, keeping this session and ending the others', async () => {
    const account = await makeAccount(t.app.kernel)
    const here = new TestClient(t.app)
    const elsewhere = new TestClient(t.app)
    await here.submit('/sign-in', { email: account.email, password: PASSWORD })
    await elsewhere.submit('/sign-in', { email: account.email, password: PASSWORD })
    const wrong = await here.submit('/account/password', {
      currentPassword: 'nope',
      password: 'another good password',
      confirmPassword: 'another good password',
    })
    assert.equal(wrong.status, 422)
    assert.match(text(wrong.$, '#currentPassword-error'), /not correct/)
    const ok = await here.submit('/account/password', {
      currentPassword: PASSWORD,
      password: 'another good password',
      confirmPassword: 'another good password',
    })
    assert.equal(ok.status, 303)
    assert.equal((await here.get('/account')).status, 200)
    assert.equal((await elsewhere.get('/account')).status, 303)
  })

  it('rotates the session at sign-in and ends it at sign-out', async () => {
    const account = await makeAccount(t.app.kernel)
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    const first = client.cookie('comhla_session')
    await client.submit('/sign-in', { email: account.email, password: PASSWORD }).catch(() => undefined)
    const page = await client.get('/sign-in')
    assert.equal(page.status, 302, 'a signed-in person is sent on from the sign-in page')
    const out = await client.submit('/account', {}, { formSelector: 'form[action="/sign-out"]' })
    assert.equal(out.status, 303)
    assert.equal(client.cookie('comhla_session'), undefined)
    assert.ok(first)
    const replay = new TestClient(t.app)
    const res = await replay.request('GET', '/account', { headers: { cookie: `comhla_session=${first}` } })
    assert.equal(res.status, 303, 'a signed-out session cannot be replayed')
  })

  it('rejects a form posted without its CSRF token', async () => {
    const client = new TestClient(t.app)
    const res = await client.request('POST', '/sign-in', { form: { email: 'a@b.scot', password: 'x' } })
    assert.equal(res.status, 403)
    assert.match(res.body, /form had expired/)
  })
})

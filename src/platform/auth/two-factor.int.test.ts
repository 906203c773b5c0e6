import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn, totpCode, TEST_TOTP_SECRET } from '../../../test/support/two-factor.js'

describe('two-factor sign-in', () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(async () => {
    await t.close()
  })

  it('sends staff without it to set it up before anything else, page or API', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['analyst'], { twoFactor: false })
    const client = new TestClient(t.app)
    const res = await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    assert.equal(res.location, '/account')
    const gated = await client.get('/account')
    assert.equal(gated.status, 303)
    assert.match(gated.location!, /^\/account\/two-factor\/setup/)
    const api = await client.get('/api/v1/me')
    assert.equal(api.status, 403)
    assert.equal((JSON.parse(api.body) as { error: { code: string } }).error.code, 'TWO_FACTOR_REQUIRED')
    assert.equal((await client.get('/accessibility')).status, 200, 'the statement pages stay open')
    const setup = await client.get('/account/two-factor/setup')
    assert.equal(setup.$('.comhla-qr svg').length, 1, 'a QR code is shown')
    assert.match(setup.$('.comhla-qr').attr('aria-label')!, /QR code/)
    const secret = setup.$('.comhla-code').first().text().replace('Key:', '').replace(/\s/g, '')
    assert.match(secret, /^[A-Z2-7]{32}$/, 'the key is also given as text')
    const done = await client.submit('/account/two-factor/setup', { code: totpCode(secret) })
    assert.equal(done.status, 200)
    assert.equal(done.headers['cache-control'], 'no-store')
    assert.equal((await client.get('/account')).status, 200)
    const audit = await t.app.kernel.audit.search({ action: 'account.two-factor-enabled' })
    assert.ok(audit.items.some((e) => e.targetId === account.id))
  })

  it('lets a member of the public sign in without it', async () => {
    const account = await makeAccount(t.app.kernel)
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    assert.equal((await client.get('/account')).status, 200)
  })

  it('asks for a code after the password, and the half-signed-in session opens nothing else', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['org-admin'])
    const client = new TestClient(t.app)
    const res = await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    assert.equal(res.location, '/sign-in/two-factor')
    const half = await client.get('/account')
    assert.equal(half.status, 303)
    assert.match(half.location!, /^\/sign-in\?return=/)
    const wrong = await client.submit('/sign-in/two-factor', { code: '123456' })
    assert.equal(wrong.status, 422)
    assert.match(text(wrong.$, '#code-error'), /not correct/)
    const ok = await client.submit('/sign-in/two-factor', { code: totpCode() })
    assert.equal(ok.status, 303)
    assert.equal((await client.get('/account')).status, 200)
  })

  it('refuses a code that has already been used', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['analyst'])
    const first = new TestClient(t.app)
    await first.submit('/sign-in', { email: account.email, password: PASSWORD })
    const code = totpCode()
    assert.equal((await first.submit('/sign-in/two-factor', { code })).status, 303)
    const second = new TestClient(t.app)
    await second.submit('/sign-in', { email: account.email, password: PASSWORD })
    const replay = await second.submit('/sign-in/two-factor', { code })
    assert.equal(replay.status, 422, 'the same code cannot open a second session')
  })

  it('ends the attempt after five wrong codes', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['analyst'])
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    let last = await client.submit('/sign-in/two-factor', { code: '000001' })
    for (let i = 0; i < 4; i++) last = await client.submit('/sign-in/two-factor', { code: '000001' }).catch(() => last)
    assert.equal(last.status, 429)
    assert.match(text(last.$, 'h1'), /Too many wrong codes/)
    const after = await client.get('/sign-in/two-factor')
    assert.equal(after.status, 303, 'the attempt is over')
    const failures = await t.app.kernel.audit.search({ action: 'account.two-factor-failed' })
    assert.ok(failures.items.filter((e) => e.targetId === account.id).length >= 5)
  })

  it('signs in once with each recovery code', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['analyst'], { twoFactor: false })
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    const setup = await client.get('/account/two-factor/setup')
    const secret = setup.$('.comhla-code').first().text().replace('Key:', '').replace(/\s/g, '')
    const codesPage = await client.submit('/account/two-factor/setup', { code: totpCode(secret) })
    const codes = codesPage
      .$('.comhla-codes li')
      .map((_, el) => codesPage.$(el).text().trim())
      .get()
    assert.equal(codes.length, 10)

    const phoneLost = new TestClient(t.app)
    await phoneLost.submit('/sign-in', { email: account.email, password: PASSWORD })
    const used = await phoneLost.submit('/sign-in/recovery-code', { recoveryCode: codes[0]!.toUpperCase() })
    assert.equal(used.status, 303)
    const status = await phoneLost.follow(used)
    assert.match(text(status.$, '.ds_notification-panel'), /9 recovery codes left/)

    const again = new TestClient(t.app)
    await again.submit('/sign-in', { email: account.email, password: PASSWORD })
    assert.equal(
      (await again.submit('/sign-in/recovery-code', { recoveryCode: codes[0]! })).status,
      422,
      'a recovery code works once',
    )
    const audit = await t.app.kernel.audit.search({ action: 'account.recovery-code-used' })
    assert.ok(audit.items.some((e) => e.targetId === account.id))
  })

  it('asks for the password and a code again before turning it off', async () => {
    const account = await makeAccount(t.app.kernel)
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: account.email, password: PASSWORD })
    const setup = await client.get('/account/two-factor/setup')
    const secret = setup.$('.comhla-code').first().text().replace('Key:', '').replace(/\s/g, '')
    await client.submit('/account/two-factor/setup', { code: totpCode(secret) })
    const refused = await client.submit('/account/two-factor/disable', { password: 'not my password', code: '000000' })
    assert.equal(refused.status, 422)
    assert.match(text(refused.$, '.ds_error-summary'), /current password is not correct/)
    const off = await client.submit('/account/two-factor/disable', { password: PASSWORD, code: totpCode(secret) })
    assert.equal(off.status, 303)
    assert.equal((await t.app.kernel.accounts.get(account.id))!.twoFactorEnabled, false)
  })

  it('shows where a person is signed in and ends another session', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['analyst'])
    const laptop = new TestClient(t.app)
    const phone = new TestClient(t.app)
    await signIn(laptop, t.app.kernel, account.email, PASSWORD, TEST_TOTP_SECRET)
    await signIn(phone, t.app.kernel, account.email, PASSWORD, TEST_TOTP_SECRET)
    const page = await laptop.get('/account/sessions')
    assert.equal(page.status, 200)
    assert.equal(page.$('tbody tr').length, 2)
    assert.match(text(page.$, 'tbody'), /This device/)
    const other = page.$('tbody tr form[action$="/end"]').first()
    const ended = await laptop.request('POST', other.attr('action')!, {
      form: { _csrf: other.find('input[name=_csrf]').attr('value')! },
    })
    assert.equal(ended.status, 303)
    assert.equal((await phone.get('/account')).status, 303, 'the other device is signed out')
    assert.equal((await laptop.get('/account')).status, 200)
  })

  it('tells an organisation administrator who has not set it up, and emails a reminder', async () => {
    const { account: admin, organisation } = await makeStaff(t.app.kernel, 'moray-council', ['org-admin'])
    const { account: member } = await makeStaff(t.app.kernel, 'moray-council', ['analyst'], {
      twoFactor: false,
      name: 'Niall Noauth',
    })
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, admin.email, PASSWORD)
    const page = await client.get(`/manage/organisations/${organisation.slug}`)
    assert.match(text(page.$, '.ds_warning-text'), /without two-factor sign-in: 1/)
    const row = page.$('tbody tr').filter((_, el) => page.$(el).text().includes('Niall Noauth'))
    assert.match(row.text(), /Not set up/)
    const form = row.find('form[action$="/remind-two-factor"]')
    const res = await client.request('POST', form.attr('action')!, {
      form: { _csrf: form.find('input[name=_csrf]').attr('value')! },
    })
    assert.equal(res.status, 303)
    const mail = (await t.app.kernel.mail.list({ to: member.email })).items[0]!
    assert.equal(mail.template, 'two-factor-reminder')
  })
})

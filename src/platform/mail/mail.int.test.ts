import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient } from '../../../test/support/client.js'
import { startSmtp, waitFor } from '../../../test/support/smtp.js'

describe('email delivery through SMTP', () => {
  const cleanups: Array<() => Promise<void>> = []
  after(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('delivers a registration email through a real SMTP server and marks it sent', async () => {
    const smtp = await startSmtp()
    cleanups.push(smtp.close)
    const t: TestApp = await testApp(
      { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), MAIL_FROM: 'Còmhla <no-reply@comhla.test>' },
      { runJobWorkers: true },
    )
    cleanups.push(t.close)
    const client = new TestClient(t.app)
    await client.submit('/register', {
      displayName: 'Iain Macleod',
      email: 'iain@example.gov.scot',
      password: 'machair and sea spray',
      confirmPassword: 'machair and sea spray',
    })

    const mail = await waitFor(() => smtp.received.find((m) => m.to.includes('iain@example.gov.scot')))
    assert.match(mail.raw, /Subject: (=\?UTF-8\?Q\?)?Confirm[ _]your[ _]email[ _]address/)
    assert.match(mail.raw, /verify-email\//)
    const row = await waitFor(async () => {
      const r = (await t.app.kernel.mail.list({ to: 'iain@example.gov.scot' })).items[0]
      return r?.status === 'sent' ? r : undefined
    })
    assert.ok(row.sentAt)
    assert.equal(row.attempts, 1)
  })

  it('retries when the server refuses for a while, and sends once in the end', async () => {
    const smtp = await startSmtp({ failFirst: 2 })
    cleanups.push(smtp.close)
    const t = await testApp({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port) }, { runJobWorkers: true })
    cleanups.push(t.close)
    const client = new TestClient(t.app)
    await client.submit('/forgotten-password', { email: 'nobody@example.gov.scot' })
    await client.submit('/register', {
      displayName: 'Ailsa',
      email: 'ailsa@example.gov.scot',
      password: 'rowan berries in autumn',
      confirmPassword: 'rowan berries in autumn',
    })
    const row = await waitFor(async () => {
      const r = (await t.app.kernel.mail.list({ to: 'ailsa@example.gov.scot' })).items[0]
      return r?.status === 'sent' ? r : undefined
    }, 60_000)
    assert.equal(row.attempts, 3)
    assert.equal(smtp.received.filter((m) => m.to.includes('ailsa@example.gov.scot')).length, 1)
  })

  it('sends each message once even when delivery is attempted twice at the same moment', async () => {
    const smtp = await startSmtp()
    cleanups.push(smtp.close)
    const t = await testApp({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port) })
    cleanups.push(t.close)
    const client = new TestClient(t.app)
    await client.submit('/register', {
      displayName: 'Calum',
      email: 'calum@example.gov.scot',
      password: 'a loch in the glen',
      confirmPassword: 'a loch in the glen',
    })
    const queued = (await t.app.kernel.mail.list({ to: 'calum@example.gov.scot' })).items[0]!
    assert.equal(queued.status, 'queued')
    await Promise.all([
      t.app.kernel.mail.deliver(queued.id),
      t.app.kernel.mail.deliver(queued.id),
      t.app.kernel.mail.deliver(queued.id),
    ])
    assert.equal(smtp.received.filter((m) => m.to.includes('calum@example.gov.scot')).length, 1)
  })

  it('keeps emails readable in the outbox when no SMTP server is configured', async () => {
    const t = await testApp()
    cleanups.push(t.close)
    const client = new TestClient(t.app)
    await client.submit('/register', {
      displayName: 'Eilidh',
      email: 'eilidh@example.gov.scot',
      password: 'the long walk home',
      confirmPassword: 'the long walk home',
    })
    const row = (await t.app.kernel.mail.list({ to: 'eilidh@example.gov.scot' })).items[0]!
    assert.equal(row.status, 'not-sent')
    assert.match(row.body, /verify-email/)
  })

  it('writes the email in Gaelic for someone using the site in Gaelic', async () => {
    const t = await testApp()
    cleanups.push(t.close)
    const client = new TestClient(t.app)
    await client.get('/language/gd?return=/register')
    await client.submit('/register', {
      displayName: 'Seonag',
      email: 'seonag@example.gov.scot',
      password: 'grian air a bheinn mhor',
      confirmPassword: 'grian air a bheinn mhor',
    })
    const row = (await t.app.kernel.mail.list({ to: 'seonag@example.gov.scot' })).items[0]!
    assert.equal(row.locale, 'gd')
    assert.match(row.subject, /Dearbhaich/)
  })
})

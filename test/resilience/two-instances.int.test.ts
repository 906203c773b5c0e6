// Two application processes against one PostgreSQL: a session made on one works on the other,
// and each email is sent once although both work the job queue.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { freshDatabase, testServerUrl, type TestDatabase } from '../support/database.js'
import { startServer, type ServerProcess } from '../support/server-process.js'
import { startSmtp, waitFor } from '../support/smtp.js'

const server = testServerUrl()

async function form(url: string, cookie = ''): Promise<{ cookie: string; token: string }> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} })
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? ''
  return { cookie: [cookie, set].filter(Boolean).join('; '), token }
}

describe('two instances on one database', { skip: server ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL)' }, () => {
  let database: TestDatabase
  let smtp: Awaited<ReturnType<typeof startSmtp>>
  let a: ServerProcess
  let b: ServerProcess

  before(async () => {
    database = await freshDatabase()
    smtp = await startSmtp()
    const env = { DATABASE_URL: database.url!, SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port) }
    a = await startServer(env)
    b = await startServer(env)
  })

  after(async () => {
    await a?.kill()
    await b?.kill()
    await smtp?.close()
    await database?.drop()
  })

  it('shares sessions and sends every email exactly once', async () => {
    const emails: string[] = []
    for (let i = 0; i < 12; i++) {
      const target = i % 2 ? b : a
      const email = `twin-${i}@example.gov.scot`
      emails.push(email)
      const f = await form(`${target.url}/register`)
      const res = await fetch(`${target.url}/register`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
        body: new URLSearchParams({ _csrf: f.token, displayName: `Twin ${i}`, email, password: 'two processes one truth', confirmPassword: 'two processes one truth' }).toString(),
      })
      assert.equal(res.status, 303)
    }
    await waitFor(() => emails.every((e) => smtp.received.some((m) => m.to.includes(e))), 45_000)
    await new Promise((r) => setTimeout(r, 2000))
    for (const e of emails) assert.equal(smtp.received.filter((m) => m.to.includes(e)).length, 1, `${e} was sent once`)

    // Confirm one account and sign in on A; the session works on B.
    const link = /\/verify-email\/[A-Za-z0-9_-]+/.exec(smtp.received.find((m) => m.to.includes('twin-0@example.gov.scot'))!.raw.replace(/=\r?\n/g, ''))![0]
    assert.equal((await fetch(`${b.url}${link}`)).status, 200)
    const f = await form(`${a.url}/sign-in`)
    const signIn = await fetch(`${a.url}/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      body: new URLSearchParams({ _csrf: f.token, email: 'twin-0@example.gov.scot', password: 'two processes one truth' }).toString(),
    })
    assert.equal(signIn.status, 303)
    const session = signIn.headers.getSetCookie().find((c) => c.startsWith('comhla_session='))!.split(';')[0]!
    const onB = await fetch(`${b.url}/account`, { headers: { cookie: session }, redirect: 'manual' })
    assert.equal(onB.status, 200)
    assert.match(await onB.text(), /Twin 0/)
  })
})

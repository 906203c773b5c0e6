// Two application processes against one PostgreSQL: a session made on one works on the other,
// each email is sent once although both work the job queue, and a scheduled job runs once a tick.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { freshDatabase, testServerUrl, type TestDatabase } from '../support/database.js'
import { startServer, type ServerProcess } from '../support/server-process.js'
import { startSmtp, waitFor } from '../support/smtp.js'

const server = testServerUrl()

async function form(url: string, cookie = ''): Promise<{ cookie: string; token: string }> {
  const res = await fetch(url, { headers: cookie ? { cookie } : {} })
  const set = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const token = /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? ''
  return { cookie: [cookie, set].filter(Boolean).join('; '), token }
}

describe(
  'two instances on one database',
  { skip: server ? false : 'needs a PostgreSQL server (TEST_DATABASE_URL)' },
  () => {
    let database: TestDatabase
    let smtp: Awaited<ReturnType<typeof startSmtp>>
    let a: ServerProcess
    let b: ServerProcess

    before(async () => {
      database = await freshDatabase()
      smtp = await startSmtp()
      // Every minute, so that a scheduled run happens within the test.
      const env = {
        DATABASE_URL: database.url!,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        JOB_SCHEDULES: 'sessions.purge=* * * * *',
      }
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
          body: new URLSearchParams({
            _csrf: f.token,
            displayName: `Twin ${i}`,
            email,
            password: 'two processes one truth',
            confirmPassword: 'two processes one truth',
          }).toString(),
        })
        assert.equal(res.status, 303)
      }
      await waitFor(() => emails.every((e) => smtp.received.some((m) => m.to.includes(e))), 45_000)
      await new Promise((r) => setTimeout(r, 2000))
      for (const e of emails)
        assert.equal(smtp.received.filter((m) => m.to.includes(e)).length, 1, `${e} was sent once`)

      // Confirm one account and sign in on A; the session works on B.
      const link = /\/verify-email\/[A-Za-z0-9_-]+/.exec(
        smtp.received.find((m) => m.to.includes('twin-0@example.gov.scot'))!.raw.replace(/=\r?\n/g, ''),
      )![0]
      assert.equal((await fetch(`${b.url}${link}`)).status, 200)
      const f = await form(`${a.url}/sign-in`)
      const signIn = await fetch(`${a.url}/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
        body: new URLSearchParams({
          _csrf: f.token,
          email: 'twin-0@example.gov.scot',
          password: 'two processes one truth',
        }).toString(),
      })
      assert.equal(signIn.status, 303)
      const session = signIn.headers
        .getSetCookie()
        .find((c) => c.startsWith('comhla_session='))!
        .split(';')[0]!
      const onB = await fetch(`${b.url}/account`, { headers: { cookie: session }, redirect: 'manual' })
      assert.equal(onB.status, 200)
      assert.match(await onB.text(), /Twin 0/)
    })

    it('runs a scheduled job once per tick, not once per instance', async () => {
      const runs = async () =>
        (
          await database.executeSql(
            `select date_trunc('minute', created_on) as minute, count(*)::int as n from (
             select created_on from pgboss.job where name = 'sessions.purge'
             union all select created_on from pgboss.archive where name = 'sessions.purge') j
           group by 1 order by 1`,
            [],
          )
        ).rows as Array<{ minute: Date; n: number }>
      const first = await waitFor(async () => {
        const r = await runs()
        return r.length > 0 ? r : undefined
      }, 150_000)
      // Give the other instance's clock every chance to add a second run for the same minute.
      await new Promise((r) => setTimeout(r, 8000))
      const after = await runs()
      const sameMinute = after.find((r) => new Date(r.minute).getTime() === new Date(first[0]!.minute).getTime())
      assert.equal(sameMinute?.n, 1, `one run for the minute: ${JSON.stringify(after)}`)
    })
  },
)

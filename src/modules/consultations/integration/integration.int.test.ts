import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { waitFor } from '../../../../test/support/smtp.js'
import { systemContext } from '../../../platform/auth/principal.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { addResponse, makeConsultation } from '../moderation/moderation.fixtures.js'
import { tables } from '../moderation/moderation.repository.js'
import { PUBLISHED_RESPONSES_PROVIDER } from '../publication/publication.service.js'
import { verify } from './signature.js'
import { MAX_ATTEMPTS, WebhookService } from './webhook.service.js'

const DAY = 86_400_000

type Received = { event: string; verified: boolean; body: { id: string; event: string; data: Record<string, unknown> } }

describe('integration: webhooks, the staff API, events and the open-data provider', () => {
  let t: TestApp
  let admin: TestClient
  let managerOnly: TestClient
  let otherAdmin: TestClient
  let fifeId: string
  let managerAccountId: string
  let receiver: Server
  let receiverUrl: string
  let secret = ''
  let webhookId: string
  const received: Received[] = []
  const attemptsByDelivery = new Map<string, number>()
  let failing = false

  async function tokenFor(accountId: string, scopes: string[]): Promise<string> {
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, accountId, 'session', null)
    const { token } = await t.app.kernel.apiTokens.create(
      { ...systemContext('test'), principal },
      { name: `t${Date.now()}${Math.random()}`, scopes, expiresInDays: 30 },
    )
    return token
  }

  before(async () => {
    // A receiver that checks each signature, and refuses the first attempt of every delivery.
    receiver = createServer((req, res) => {
      let raw = ''
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')))
      req.on('end', () => {
        const body = JSON.parse(raw) as Received['body']
        const n = (attemptsByDelivery.get(body.id) ?? 0) + 1
        attemptsByDelivery.set(body.id, n)
        if (failing || n === 1) {
          res.writeHead(503).end()
          return
        }
        received.push({
          event: String(req.headers['comhla-event']),
          verified: verify(secret, raw, req.headers['comhla-signature'] as string),
          body,
        })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/comhla`

    t = await testApp({}, { runJobWorkers: true })
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['org-admin', 'consultation-manager'], { name: 'Iona Admin' })
    fifeId = fife.organisation.id
    managerAccountId = fife.account.id
    admin = new TestClient(t.app)
    await signIn(admin, kernel, fife.account.email, PASSWORD)
    const m = await makeStaff(kernel, 'fife-council', ['consultation-manager'])
    managerOnly = new TestClient(t.app)
    await signIn(managerOnly, kernel, m.account.email, PASSWORD)
    const o = await makeStaff(kernel, 'dundee-city-council', ['org-admin'])
    otherAdmin = new TestClient(t.app)
    await signIn(otherAdmin, kernel, o.account.email, PASSWORD)
  })
  after(async () => {
    await t.close()
    await new Promise((resolve) => receiver.close(resolve))
  })

  it('lets an organisation administrator register a webhook, refusing a bad address, and shows the secret once', async () => {
    const bad = await admin.submit('/manage/consultations/webhooks', {
      organisationId: fifeId,
      url: 'ftp://example.com/hook',
      events: [],
    })
    assert.equal(bad.status, 422)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#events', '#url'],
    )
    assert.equal(bad.$('#url').attr('value'), 'ftp://example.com/hook')

    const created = await admin.submit('/manage/consultations/webhooks', {
      organisationId: fifeId,
      url: receiverUrl,
      events: ['consultation.opened', 'consultation.closed', 'response.submitted'],
    })
    assert.equal(created.status, 200)
    secret = text(created.$, '.comhla-secret')
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{20,}$/)
    webhookId = /\/manage\/consultations\/webhooks\/([0-9a-f-]{36})/.exec(created.body)![1]!
    const log = await admin.get(`/manage/consultations/webhooks/${webhookId}`)
    assert.equal(log.status, 200)
    assert.doesNotMatch(log.body, new RegExp(secret), 'the secret is never shown again')
    const row = await tables(t.app.kernel.db)
      .selectFrom('consultations.webhook')
      .select('secret_sealed')
      .executeTakeFirstOrThrow()
    assert.ok(!row.secret_sealed.includes(secret), 'the secret is stored sealed')
  })

  it('refuses webhooks to anyone but the administrators of the body', async () => {
    const page = await managerOnly.get('/manage/consultations/webhooks')
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), /Only an organisation's administrators/)
    const csrf = page.$('input[name="_csrf"]').first().attr('value')!
    const post = await managerOnly.request('POST', '/manage/consultations/webhooks', {
      form: { _csrf: csrf, organisationId: fifeId, url: 'https://example.com/x', events: 'response.submitted' },
    })
    assert.equal(post.status, 403)
    assert.equal((await otherAdmin.get(`/manage/consultations/webhooks/${webhookId}`)).status, 403)
  })

  it('delivers opened, closed and submitted events, signed, retried after a refusal, logged, and only once', async () => {
    const { kernel } = t.app
    const c = await makeConsultation(kernel, fifeId, {
      title: 'Ferries',
      opensIn: 10_000,
      closesIn: 20_000,
      questions: [{ type: 'short-text', title: 'Your views' }],
    })
    const response = await addResponse(kernel, c.id, {
      publication: 'do-not-publish',
      name: 'Secret Name',
      email: 'secret@example.com',
      answers: {},
    })
    const watcher = new WebhookService(kernel)
    // A minute from now, the consultation has opened and closed, and the response has settled.
    const queued = await watcher.watch(new Date(Date.now() + 60_000))
    assert.equal(queued, 3)
    assert.equal(await watcher.watch(new Date(Date.now() + 61_000)), 0, 'nothing is queued twice')

    await waitFor(() => (received.length >= 3 ? true : undefined), 60_000)
    assert.deepEqual(received.map((r) => r.event).sort(), [
      'consultation.closed',
      'consultation.opened',
      'response.submitted',
    ])
    assert.ok(
      received.every((r) => r.verified),
      'every delivery carries a valid signature',
    )
    const submitted = received.find((r) => r.event === 'response.submitted')!
    assert.equal((submitted.body.data.response as { reference: string }).reference, response.reference)
    assert.doesNotMatch(JSON.stringify(received), /Secret Name|secret@example\.com/, 'no personal data is sent')
    assert.ok(
      [...attemptsByDelivery.values()].every((n) => n >= 2),
      'each was refused once and retried',
    )

    const log = await admin.get(`/manage/consultations/webhooks/${webhookId}`)
    assert.match(text(log.$, 'main'), /3 deliveries/)
    assert.equal(log.$('tbody .ds_tag--green').length, 3)
    assert.match(text(log.$, 'tbody'), /2 \/ 6/)
  })

  it('gives up after the last attempt and keeps the failure in the log', async () => {
    failing = true
    const watcher = new WebhookService(t.app.kernel)
    const deliveryId = (await inTransaction(t.app.kernel.db, (trx) =>
      watcher.repo.addDelivery(trx, webhookId, 'ping', 'ping:manual', { message: 'hello' }),
    ))!
    for (let i = 1; i < MAX_ATTEMPTS; i++) await assert.rejects(watcher.deliver(deliveryId), /failed/)
    assert.equal(await watcher.deliver(deliveryId), 'failed')
    const log = await admin.get(`/manage/consultations/webhooks/${webhookId}`)
    assert.match(text(log.$, 'tbody'), /Failed.*6 \/ 6.*503/)
    failing = false
  })

  it('records a response through the staff API with the record scope, and lists the body’s consultations', async () => {
    const { kernel } = t.app
    const c = await makeConsultation(kernel, fifeId, {
      title: 'Libraries',
      questions: [{ type: 'single-choice', title: 'Do you use the library?', options: ['Yes', 'No'] }],
    })
    const token = await tokenFor(managerAccountId, ['consultations:record'])
    const body = {
      channel: 'post',
      receivedOn: new Date().toISOString().slice(0, 10),
      respondent: { type: 'individual', name: 'Api Person', publication: 'publish-with-name', mayContact: false },
      answers: { [c.questionIds[0]!]: 'Yes' },
    }
    const headers = { authorization: `Bearer ${token}`, 'idempotency-key': 'letter-42' }
    const first = await t.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/offline-responses`,
      headers,
      payload: body,
    })
    assert.equal(first.statusCode, 201, first.body)
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/offline-responses`,
      headers,
      payload: body,
    })
    assert.equal(again.json().reference, first.json().reference, 'a retry with the same key records one response')
    const stored = await tables(kernel.db)
      .selectFrom('consultations.response')
      .select(['channel'])
      .where('consultation_id', '=', c.id)
      .execute()
    assert.deepEqual(stored, [{ channel: 'post' }])

    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/offline-responses`,
      headers: { authorization: `Bearer ${token}` },
      payload: { ...body, answers: { [c.questionIds[0]!]: 'Maybe' } },
    })
    assert.equal(bad.statusCode, 422)
    assert.equal(bad.json().error.code, 'CONSULTATION_OFFLINE_INVALID')

    const readOnly = await tokenFor(managerAccountId, ['consultations:read'])
    const refused = await t.app.inject({
      method: 'POST',
      url: `/api/v1/consultations/${c.id}/offline-responses`,
      headers: { authorization: `Bearer ${readOnly}` },
      payload: body,
    })
    assert.equal(refused.statusCode, 403)
    assert.equal(refused.json().error.code, 'AUTH_SCOPE_MISSING')

    const list = await t.app.inject({
      url: '/api/v1/staff/consultations',
      headers: { authorization: `Bearer ${readOnly}` },
    })
    assert.equal(list.statusCode, 200)
    assert.ok(list.json().items.some((i: { title: string }) => i.title === 'Libraries'))
    const noScope = await t.app.inject({
      url: '/api/v1/staff/consultations',
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(noScope.statusCode, 403)
  })

  it('announces published responses to open data and publishes consultations.closed to other modules', async () => {
    const { kernel } = t.app
    const published: { name: string; payload: unknown }[] = []
    const original = kernel.events.publish.bind(kernel.events)
    kernel.events.publish = async (trx, name, payload) => {
      published.push({ name, payload })
      return original(trx, name, payload)
    }
    try {
      const c = await makeConsultation(kernel, fifeId, {
        title: 'Parks',
        opensIn: -DAY,
        closesIn: 5000,
        questions: [{ type: 'long-text', title: 'Your views' }],
      })
      await addResponse(kernel, c.id, {
        publication: 'publish-without-name',
        name: 'Hidden Name',
        answers: { [c.questionIds[0]!]: 'Lovely parks' },
      })
      await addResponse(kernel, c.id, { publication: 'do-not-publish', answers: { [c.questionIds[0]!]: 'PRIVATE' } })
      const watcher = new WebhookService(kernel)
      await watcher.publishClosed(new Date())
      await watcher.publishClosed(new Date(Date.now() + 60_000))
      await watcher.publishClosed(new Date(Date.now() + 61_000))
      const closed = published.filter((e) => e.name === 'consultations.closed')
      assert.equal(closed.filter((e) => (e.payload as { consultationId: string }).consultationId === c.id).length, 1)

      assert.equal((await admin.submit(`/manage/consultations/${c.id}/publication`, { publish: 'yes' })).status, 303)
      assert.ok(published.some((e) => e.name === 'consultations.responses-published'))
      assert.ok(
        published.some(
          (e) =>
            e.name === 'datasets.changed' &&
            JSON.stringify(e.payload) === JSON.stringify({ provider: PUBLISHED_RESPONSES_PROVIDER, key: c.id }),
        ),
      )
      const provider = kernel.datasets.provider(PUBLISHED_RESPONSES_PROVIDER)!
      const described = await provider.describe(c.id)
      assert.equal(described?.landingPage, `/consultations/${c.id}/published-responses`)
      const rows: Record<string, unknown>[] = []
      for await (const r of provider.rows(c.id)) rows.push(r)
      assert.equal(rows.length, 1, 'a do-not-publish response is not in the dataset')
      assert.equal(rows[0]!.name, null)
      assert.equal(rows[0]!.q1, null, 'an unmoderated answer is empty')
      assert.doesNotMatch(JSON.stringify(rows), /Hidden Name|PRIVATE|Lovely parks/)
    } finally {
      kernel.events.publish = original
    }
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { datasetForm } from './catalogue.fixtures.js'

async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 120; i++) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`Gave up waiting: ${what}`)
}

describe('open-data catalogue: email subscriptions to a dataset', () => {
  let t: TestApp
  let publisher: TestClient
  let visitor: TestClient
  let datasetId: string
  const email = 'Reader@Example.com'

  const mails = (template: string) =>
    t.app.kernel.db
      .selectFrom('core.email_outbox')
      .selectAll()
      .where('template', '=', template)
      .where('to_address', '=', email)
      .orderBy('created_at')
      .execute()

  const linkIn = (body: string, kind: 'confirm' | 'unsubscribe') => {
    const m = new RegExp(
      `http://comhla\\.test(/datasets/subscriptions/[0-9a-f-]{36}/${kind}\\?token=[A-Za-z0-9_-]+)`,
    ).exec(body)
    assert.ok(m, `no ${kind} link in ${body}`)
    return m[1]!
  }

  before(async () => {
    t = await testApp({}, { runJobWorkers: true })
    const fife = await makeStaff(t.app.kernel, 'fife-council', ['data-publisher'])
    publisher = new TestClient(t.app)
    await signIn(publisher, t.app.kernel, fife.account.email, PASSWORD)
    visitor = new TestClient(t.app)
    const created = await publisher.submit('/manage/datasets/new', datasetForm(fife.organisation.id, 'Library visits'))
    datasetId = /([0-9a-f-]{36})$/.exec(created.location!)![1]!
    await publisher.submit(`/manage/datasets/${datasetId}/resources/new`, {
      kind: 'link',
      name: 'Visits',
      url: 'https://data.example.scot/visits.csv',
      format: 'CSV',
    })
    const published = await publisher.submit(
      `/manage/datasets/${datasetId}`,
      {},
      { formSelector: `form[action="/manage/datasets/${datasetId}/publish"]` },
    )
    assert.equal(published.status, 303)
  })
  after(async () => {
    await t.close()
  })

  it('refuses a bad address with an error summary, keeping what was typed', async () => {
    const bad = await visitor.submit(
      '/datasets/library-visits',
      { email: 'not-an-address' },
      {
        formSelector: 'form[action="/datasets/library-visits/subscribe"]',
      },
    )
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    assert.match(text(bad.$, '.ds_error-summary'), /Enter an email address in the correct format/)
    assert.equal(bad.$('#email').attr('value'), 'not-an-address')
  })

  it('sends a confirmation link, and subscribes only once it is followed', async () => {
    const asked = await visitor.submit(
      '/datasets/library-visits',
      { email },
      {
        formSelector: 'form[action="/datasets/library-visits/subscribe"]',
      },
    )
    assert.equal(asked.status, 303)
    const sent = await visitor.follow(asked)
    assert.match(text(sent.$, 'main'), /Check your email/)
    const [confirmMail] = await mails('open-data.subscription-confirm')
    assert.ok(confirmMail)
    assert.match(confirmMail.subject, /Library visits/)
    const link = linkIn(confirmMail.body_text, 'confirm')
    // before confirming, a change sends nothing
    const tampered = await visitor.get(link.replace(/token=./, 'token=x'))
    assert.equal(tampered.status, 410)
    const page = await visitor.get(link)
    assert.equal(page.status, 200)
    const confirmed = await visitor.submit(link, {})
    assert.equal(confirmed.status, 200)
    assert.match(text(confirmed.$, 'main'), /You will get emails about changes/)
    // asking again once confirmed sends no second confirmation
    await visitor.submit(
      '/datasets/library-visits',
      { email: 'reader@example.com' },
      {
        formSelector: 'form[action="/datasets/library-visits/subscribe"]',
      },
    )
    assert.equal((await mails('open-data.subscription-confirm')).length, 1)
  })

  it('emails subscribers when the dataset is updated, with a link that unsubscribes', async () => {
    const fifeId = (await t.app.kernel.organisations.getBySlug('fife-council')).id
    const edited = await publisher.submit(
      `/manage/datasets/${datasetId}/edit`,
      datasetForm(fifeId, 'Library visits', { keywords: 'libraries, visits' }),
    )
    assert.equal(edited.status, 303)
    const [update] = await eventually(async () => {
      const found = await mails('open-data.dataset-updated')
      return found.length ? found : null
    }, 'the update email')
    assert.match(update!.body_text, /http:\/\/comhla\.test\/datasets\/library-visits/)
    const unsubscribe = linkIn(update!.body_text, 'unsubscribe')
    const done = await visitor.submit(unsubscribe, {})
    assert.match(text(done.$, 'main'), /You have unsubscribed/)
    // withdrawn now: nobody is left to tell
    await publisher.submit(
      `/manage/datasets/${datasetId}`,
      { reason: 'Replaced by a new series.' },
      { formSelector: `form[action="/manage/datasets/${datasetId}/withdraw"]` },
    )
    const audit = await t.app.kernel.audit.search({ organisationId: fifeId, page: 1, pageSize: 100 })
    const actions = audit.items.map((e) => e.action)
    for (const a of [
      'open-data.subscription-requested',
      'open-data.subscription-confirmed',
      'open-data.subscription-ended',
    ])
      assert.ok(actions.includes(a), a)
    const left = await t.app.kernel.db
      .selectFrom('open_data.subscription' as never)
      .select('id' as never)
      .execute()
    assert.equal(left.length, 0)
    const again = await visitor.get(unsubscribe)
    assert.equal(again.status, 410)
    assert.match(text(again.$, 'main'), /This link is not valid/)
  })
})

// Local polls and surveys: created by the community council's staff, answered once by signed-in
// people, results published after closing with a chart and a table, and as JSON and CSV.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { systemContext } from '../../../platform/auth/principal.js'
import { londonFields } from './community.text.js'
import type { CommunityTables } from './community.tables.js'

const HOUR = 3_600_000

describe('community council polls and surveys', () => {
  let t: TestApp
  let manager: TestClient
  let resident: TestClient
  let neighbour: TestClient
  let anonymous: TestClient
  let pollId: string
  const base = '/manage/community-councils/leith-community-council'

  before(async () => {
    t = await testApp()
    const kernel = t.app.kernel
    const edinburgh = await kernel.organisations.getBySlug('city-of-edinburgh-council')
    await kernel.organisations.createUnder(systemContext('test'), edinburgh.id, 'community-council', [], {
      nameEn: 'Leith Community Council',
      nameGd: '',
      website: '',
    })
    const m = await makeStaff(kernel, 'leith-community-council', ['participation-manager'])
    manager = new TestClient(t.app)
    await signIn(manager, kernel, m.account.email, PASSWORD)
    resident = new TestClient(t.app)
    await signIn(resident, kernel, (await makeAccount(kernel)).email, PASSWORD)
    neighbour = new TestClient(t.app)
    await signIn(neighbour, kernel, (await makeAccount(kernel)).email, PASSWORD)
    anonymous = new TestClient(t.app)
  })
  after(async () => {
    await t.close()
  })

  it('refuses a poll that closes before it opens, keeping what was typed', async () => {
    const opens = londonFields(new Date(Date.now() - HOUR))
    const res = await manager.submit(`${base}/polls/new`, {
      kind: 'poll',
      title: 'Where should the new bench go?',
      opensDate: opens.date,
      opensTime: opens.time,
      closesDate: '2001-01-01',
      closesTime: '10:00',
    })
    assert.equal(res.status, 422)
    assert.match(text(res.$, '.ds_error-summary'), /closing time must be after the opening time/)
    assert.equal(res.$('#title').val(), 'Where should the new bench go?')
  })

  it('creates a poll, refuses bad answers to choose from, and publishes it with its question', async () => {
    const opens = londonFields(new Date(Date.now() - HOUR))
    const closes = londonFields(new Date(Date.now() + 24 * HOUR))
    const res = await manager.submit(`${base}/polls/new`, {
      kind: 'poll',
      title: 'Where should the new bench go?',
      description: 'The council has one bench to place on the Shore.',
      opensDate: opens.date,
      opensTime: opens.time,
      closesDate: closes.date,
      closesTime: closes.time,
    })
    assert.equal(res.status, 303)
    pollId = /polls\/([0-9a-f-]{36})$/.exec(res.location!)![1]!
    const page = `${base}/polls/${pollId}`
    const noQuestion = await manager.submit(page, {}, { formSelector: 'form[action$="/publish"]' })
    assert.equal(noQuestion.status, 422)
    assert.match(text(noQuestion.$, '.ds_error-summary'), /Add a question before publishing/)
    const bad = await manager.submit(
      page,
      { questionTitle: 'Where?', options: 'Only one' },
      { formSelector: 'form[action$="/questions"]' },
    )
    assert.equal(bad.status, 422)
    assert.match(text(bad.$, '.ds_error-summary'), /between 2 and 10 different answers/)
    const ok = await manager.submit(
      page,
      {
        questionTitle: 'Where should the bench go?',
        options: 'By the Malmaison\nOutside the Ship on the Shore\nNear the bridge',
      },
      { formSelector: 'form[action$="/questions"]' },
    )
    assert.equal(ok.status, 303)
    assert.equal((await manager.submit(page, {}, { formSelector: 'form[action$="/publish"]' })).status, 303)
    const show = await anonymous.get('/community-councils/leith-community-council')
    assert.match(text(show.$, 'main'), /Have your say Where should the new bench go\?/)
  })

  it('takes one answer a signed-in person, and refuses an empty or second answer', async () => {
    const url = `/community-councils/leith-community-council/polls/${pollId}`
    const signedOut = await anonymous.get(url)
    assert.match(text(signedOut.$, 'main'), /Sign in to answer/)
    const empty = await resident.submit(url, {})
    assert.equal(empty.status, 422)
    assert.match(text(empty.$, '.ds_error-summary'), /Choose an answer/)
    const poll = await t.app.kernel.db
      .withTables<CommunityTables>()
      .selectFrom('participation.cc_poll_question')
      .select('id')
      .where('poll_id', '=', pollId)
      .executeTakeFirstOrThrow()
    const name = `q-${poll.id}`
    assert.equal((await resident.submit(url, { [name]: '1' })).status, 303)
    assert.equal((await neighbour.submit(url, { [name]: '1' })).status, 303)
    const page = await resident.get(url)
    assert.match(text(page.$, 'main'), /Your answer has been counted/)
    // The form is gone once answered; a replayed post changes nothing and shows the thanks again.
    const csrf = page.$('input[name="_csrf"]').first().attr('value') ?? ''
    const again = await resident.request('POST', url, { form: { _csrf: csrf, [name]: '0' } })
    assert.equal(again.status, 303)
    assert.match(text((await resident.follow(again)).$, 'main'), /Your answer has been counted/)
    const count = await t.app.kernel.db
      .withTables<CommunityTables>()
      .selectFrom('participation.cc_poll_response')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('poll_id', '=', pollId)
      .executeTakeFirstOrThrow()
    assert.equal(Number(count.n), 2)
  })

  it('keeps results private until the poll closes and they are published, then shows a chart, a table, JSON and CSV', async () => {
    const resultsUrl = `/community-councils/leith-community-council/polls/${pollId}/results`
    assert.equal(
      (await anonymous.get(`/api/v1/community-councils/leith-community-council/polls/${pollId}/results`)).status,
      401,
    )
    await t.app.kernel.db
      .withTables<CommunityTables>()
      .updateTable('participation.cc_poll')
      .set({ opens_at: new Date(Date.now() - 3 * HOUR), closes_at: new Date(Date.now() - HOUR) })
      .where('id', '=', pollId)
      .execute()
    const published = await manager.submit(
      `${base}/polls/${pollId}`,
      {},
      { formSelector: 'form[action$="/publish-results"]' },
    )
    assert.equal(published.status, 303)
    const page = await anonymous.get(resultsUrl)
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), /2 people answered/)
    assert.equal(page.$('svg[role="img"] title').first().text(), 'Where should the bench go?')
    const row = page.$('tbody tr').filter((_, el) => page.$(el).find('th').text() === 'Outside the Ship on the Shore')
    assert.equal(row.find('td').first().text(), '2')
    const json = JSON.parse(
      (await anonymous.get(`/api/v1/community-councils/leith-community-council/polls/${pollId}/results`)).body,
    )
    assert.equal(json.responses, 2)
    assert.deepEqual(
      json.questions[0].options.map((o: { count: number }) => o.count),
      [0, 2, 0],
    )
    const csv = await anonymous.get('/api/v1/poll-results.csv')
    assert.match(
      csv.body,
      /leith-community-council,[0-9a-f-]{36},Where should the new bench go\?,Where should the bench go\?,Outside the Ship on the Shore,2/,
    )
    const all = JSON.parse((await anonymous.get('/api/v1/poll-results')).body)
    assert.equal(all.items.length, 1)
    const provider = t.app.kernel.datasets.provider('participation.poll-results')!
    const described = await provider.describe(pollId)
    assert.equal(described?.landingPage, `/community-councils/leith-community-council/polls/${pollId}/results`)
    const rows = []
    for await (const r of provider.rows(pollId)) rows.push(r)
    assert.deepEqual(rows[1], {
      question: 'Where should the bench go?',
      option: 'Outside the Ship on the Shore',
      count: 2,
    })
  })
})

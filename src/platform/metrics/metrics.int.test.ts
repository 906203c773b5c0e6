import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'

describe('Prometheus metrics', () => {
  let t: TestApp
  before(async () => {
    t = await testApp({ METRICS_TOKEN: 'scrape-me-please' })
  })
  after(async () => {
    await t.close()
  })

  it('counts requests by route pattern and status, with durations, queue depth and pool use', async () => {
    await t.app.inject({ url: '/organisations' })
    await t.app.inject({ url: '/organisations/fife-council' })
    await t.app.inject({ url: '/organisations/no-such-body' })
    const res = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-me-please' } })
    assert.equal(res.statusCode, 200)
    assert.match(res.headers['content-type'] as string, /text\/plain/)
    assert.match(res.body, /comhla_http_requests_total\{method="GET",route="\/organisations\/:slug",status="200"\} 1/)
    assert.match(res.body, /comhla_http_requests_total\{method="GET",route="\/organisations\/:slug",status="404"\} 1/)
    assert.doesNotMatch(res.body, /no-such-body/, 'raw addresses never become labels')
    assert.match(
      res.body,
      /comhla_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/organisations"\}/,
    )
    assert.match(res.body, /comhla_jobs\{queue="mail.deliver",state="failed"\} 0/)
    assert.match(res.body, /comhla_db_pool_connections\{state="max"\} \d+/)
  })

  it('refuses a scrape without the token', async () => {
    assert.equal((await t.app.inject({ url: '/metrics' })).statusCode, 403)
    assert.equal((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode, 403)
  })
})

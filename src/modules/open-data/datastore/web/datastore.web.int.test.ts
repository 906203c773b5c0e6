import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../../test/support/app.js'
import { TestClient, text } from '../../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../../test/support/factories.js'
import { signIn } from '../../../../../test/support/two-factor.js'
import { systemContext } from '../../../../platform/auth/principal.js'
import { DatastoreServiceImpl } from '../datastore.service.js'

describe('open data store pages', () => {
  let t: TestApp
  let impl: DatastoreServiceImpl
  let publisher: TestClient
  let orgId: string
  let resourceId: string

  const CSV = [
    'ref,day,area,amount',
    ...Array.from(
      { length: 60 },
      (_, i) =>
        `R${String(i + 1).padStart(3, '0')},2025-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'S12000036' : 'S12000008'},${(i + 1) * 10}`,
    ),
  ].join('\n')

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    impl = new DatastoreServiceImpl(t.app.kernel)
    const staff = await makeStaff(t.app.kernel, 'fife-council', ['data-publisher'])
    orgId = staff.organisation.id
    publisher = new TestClient(t.app)
    await signIn(publisher, t.app.kernel, staff.account.email, PASSWORD)
  })
  after(async () => {
    await impl.store.close()
    await t.close()
  })

  it('creates a data table from the form, with an error summary when the name is missing', async () => {
    const bad = await publisher.submit('/manage/open-data/data-tables/new', { organisationId: orgId, title: '' })
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    assert.equal(text(bad.$, '.ds_error-summary a'), 'Enter a name for the data table')
    const ok = await publisher.submit('/manage/open-data/data-tables/new', { organisationId: orgId, title: 'Spend' })
    assert.equal(ok.status, 303)
    resourceId = /data-tables\/([0-9a-f-]{36})\/upload$/.exec(ok.location!)![1]!
    const form = await publisher.get(ok.location!)
    assert.equal(form.status, 200)
    assert.equal(form.$('input[type="file"][name="file"]').length, 1)
  })

  it('shows an upload’s progress, then its result, on pages that need no JavaScript', async () => {
    const ctx = { ...systemContext('test') }
    const principal = await t.app.kernel.accounts.principalFor(
      t.app.kernel.db,
      (
        await t.app.kernel.db
          .selectFrom('core.account')
          .select('id')
          .orderBy('created_at', 'desc')
          .executeTakeFirstOrThrow()
      ).id,
      'session',
      null,
    )
    const { Readable } = await import('node:stream')
    const id = await impl.uploadFile(
      { ...ctx, principal },
      resourceId,
      { stream: Readable.from([CSV]), fileName: 'spend.csv' },
      { mode: 'replace', keyColumn: null, onInvalid: 'ask', schema: null },
    )
    const waiting = await publisher.get(`/manage/open-data/data-tables/${resourceId}/uploads/${id}`)
    assert.equal(waiting.status, 200)
    assert.equal(waiting.headers.refresh, '3')
    assert.equal(waiting.$('progress').length, 1)
    await impl.runIngestion(id)
    const done = await publisher.get(`/manage/open-data/data-tables/${resourceId}/uploads/${id}`)
    assert.equal(done.headers.refresh, undefined)
    assert.match(text(done.$, 'main'), /60 rows are now version 1/)
    const show = await publisher.get(`/manage/open-data/data-tables/${resourceId}`)
    assert.match(text(show.$, 'main'), /Versions/)
    assert.equal(show.$('a[href$="rows.parquet?_version=1"]').length, 1)
  })

  it('edits the data dictionary, keeping what was typed when it is too long', async () => {
    const url = `/manage/open-data/data-tables/${resourceId}/dictionary`
    const bad = await publisher.submit(url, { 'title-3': 'x'.repeat(300), 'unit-3': '£' })
    assert.equal(bad.status, 422)
    assert.equal(bad.$('#unit-3').attr('value'), '£')
    const ok = await publisher.submit(url, { 'title-3': 'Amount paid', 'unit-3': '£', 'description-3': 'Before VAT' })
    assert.equal(ok.status, 303)
    const show = await publisher.get(`/manage/open-data/data-tables/${resourceId}`)
    assert.match(text(show.$, 'main'), /Amount paid/)
  })

  it('lets a visitor filter, sort, page and chart a published table without JavaScript', async () => {
    const visitor = new TestClient(t.app)
    const base = `/open-data/data-tables/${resourceId}`
    assert.equal((await visitor.get(base)).status, 404)
    await impl.setPublic(resourceId, true, systemContext('test'))
    const page = await visitor.get(base)
    assert.equal(page.status, 200)
    assert.match(text(page.$, '#preview-count'), /^60 rows$/)
    assert.equal(page.$('#preview-caption').length, 1)
    assert.equal(page.$('tbody tr', '.comhla-datastore-preview').length, 25)
    // sort by amount, descending (two clicks on the header link)
    const sortHref = page.$('th a:contains("Amount paid")').attr('href')!
    const asc = await visitor.get(sortHref)
    assert.equal(asc.$('th[aria-sort="ascending"]').length, 1)
    const desc = await visitor.get(asc.$('th a:contains("Amount paid")').attr('href')!)
    assert.equal(desc.$('th[aria-sort="descending"]').length, 1)
    assert.equal(desc.$('.comhla-datastore-preview tbody tr').first().find('td').eq(3).text(), '600')
    // the next page by its cursor
    const next = await visitor.get(desc.$('a[rel="next"]').attr('href')!)
    assert.equal(next.$('.comhla-datastore-preview tbody tr').first().find('td').eq(3).text(), '350')
    // a filter from the GET form
    const filtered = await visitor.get(`${base}?p_col=area&p_op=eq&p_val=S12000036`)
    assert.match(text(filtered.$, '#preview-count'), /^30 rows$/)
    assert.match(filtered.$('a:contains("CSV")').attr('href')!, /rows\.csv\?area=S12000036/)
    const badFilter = await visitor.get(`${base}?p_col=amount&p_op=gt&p_val=lots`)
    assert.equal(badFilter.status, 200)
    assert.match(text(badFilter.$, '.comhla-datastore-preview'), /lots is not a value of column amount/)
    // a chart with its data table
    const chart = await visitor.get(`${base}?c_kind=bar&c_x=area&c_agg=sum&c_y=amount`)
    assert.equal(chart.$('svg[role="img"] title').first().text(), 'Chart of total of Amount paid by area')
    assert.equal(chart.$('#chart-data-caption').closest('table').find('tbody tr').length, 2)
    const line = await visitor.get(`${base}?c_kind=line&c_x=day&c_agg=count`)
    assert.equal(line.$('svg path').length, 1)
    // a map of council areas, each named with its figure, the same figures in the table
    const map = await visitor.get(`${base}?c_kind=map&c_x=area&c_agg=sum&c_y=amount`)
    const tiles = map
      .$('svg.comhla-council-map g > title')
      .map((_, el) => map.$(el).text())
      .get()
    assert.equal(tiles.length, 32)
    assert.ok(tiles.includes('The City of Edinburgh Council: 9,300'), tiles.join('; '))
    assert.ok(tiles.includes('East Ayrshire Council: 9,000'))
    assert.ok(tiles.includes('Fife Council: No figure'))
    assert.match(text(map.$, '#chart-data-caption ~ tbody'), /The City of Edinburgh Council \(S12000036\)/)
    const noCodes = await visitor.get(`${base}?c_kind=map&c_x=ref&c_agg=count`)
    assert.match(text(noCodes.$, '.comhla-datastore-chart'), /A map needs a column of council area codes/)
  })
})

// The data store's journey: the first administrator, publishing for Fife Council, creates a data
// table (refusing an empty form first), uploads a spending CSV with one bad row, watches the page
// refresh itself while the file loads, reads the report of the rejected row and loads the rest;
// fixes a column's type in the data dictionary (the whole table is checked and loaded again) and
// describes another; publishes the data. A visitor with JavaScript switched off filters the
// preview, sorts it by a column both ways, pages through it, draws a bar chart with its data
// table, and downloads the filtered rows as CSV (formulas defused). Every page is checked with
// axe-core (WCAG 2.2 AA) and the common layout.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, openPage, screenshot } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { SetupPage } from './support/pages.js'
import {
  DataTablePublicPage,
  DataTablesPage,
  ManageDataTablePage,
  NewDataTablePage,
  UploadPage,
  UploadProgressPage,
} from './support/open-data-pages.js'

const administrator = {
  name: 'Catrìona NicLeòid',
  email: 'catriona.nicleoid@example.gov.scot',
  password: 'Lomond-Falkland-Ferry-2026',
}
const council = 'Fife Council'
const departments = ['Education', 'Roads', 'Housing']
const lines = ['invoice,paid_on,department,supplier,amount,council_code']
for (let i = 1; i <= 45; i++)
  lines.push(
    `${1000 + i},2025-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')},${departments[i % 3]},Supplier ${i} Ltd,${i * 100}.50,S12000047`,
  )
lines.push('1046,2025-06-30,Roads,"=HYPERLINK(""http://example.com"")",700,S12000047')
lines.push('1047,2025-07-01,Roads,Late Ltd,TBC,S12000047')
const csv = Buffer.from(lines.join('\n') + '\n')

describe(
  'open data store: upload, watch it load, fix the dictionary, publish; a visitor filters, sorts and charts without JavaScript',
  { timeout: 180_000 },
  () => {
    let server: RunningServer
    let browser: Browser
    let admin: Page
    let visitor: Page
    let tableHref = ''
    let publicPath = ''

    before(async () => {
      ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
      admin = (await openPage(browser, server.baseUrl)).page
    })
    after(async () => {
      await browser?.close()
      await server?.stop()
    })

    const step = journey()

    step('the first administrator is created', async () => {
      assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
      const setup = await SetupPage.open(admin, server.setupLink)
      await setup.createAdministrator(administrator)
    })

    step('creating a data table without a name shows an error summary; with one it goes on to the upload', async () => {
      const list = await DataTablesPage.open(admin)
      await list.expect('/manage/open-data/data-tables', 'Data tables')
      assert.deepEqual(await list.rows(), [])
      const form = await list.startNew()
      await form.create('', '')
      await form.expectErrors([
        { text: 'Choose the organisation that publishes the data', href: '#organisationId' },
        { text: 'Enter a name for the data table', href: '#title' },
      ])
      await new NewDataTablePage(admin).create(council, 'Spending over £500, 2025')
      await new UploadPage(admin).expect(
        /\/manage\/open-data\/data-tables\/[0-9a-f-]{36}\/upload$/,
        'Upload data to Spending over £500, 2025',
      )
      tableHref = new URL(admin.url()).pathname.replace(/\/upload$/, '')
    })

    step('the publisher uploads the CSV and watches the page refresh itself until the file has loaded', async () => {
      const progress = await new UploadPage(admin).upload({
        name: 'spending-2025.csv',
        mimeType: 'text/csv',
        buffer: csv,
      })
      await progress.expect(/\/uploads\/[0-9a-f-]{36}$/, 'Loading Spending over £500, 2025')
      const seen = await progress.watchUntilFinished()
      assert.equal(seen[seen.length - 1], 'Needs your decision', `statuses seen: ${seen.join(' → ')}`)
      assert.deepEqual(await progress.rejections(), [
        { row: '48', column: 'amount', value: 'TBC', reason: 'Not a number' },
      ])
      await screenshot(admin, 'open-data-01-rejected-row')
      await progress.decide('Load the 46 valid rows')
      assert.equal(await progress.status(), 'Loaded')
      assert.match(await admin.locator('main .ds_notification-panel').innerText(), /46 rows are now version 1/)
    })

    step('the table shows typed columns and its first version', async () => {
      const manage = await new UploadProgressPage(admin).backToTable()
      await manage.expect(tableHref, 'Spending over £500, 2025')
      assert.deepEqual(
        (await manage.columns()).map((c) => [c.column, c.type]),
        [
          ['invoice', 'Whole number'],
          ['paid_on', 'Date'],
          ['department', 'Text'],
          ['supplier', 'Text'],
          ['amount', 'Number'],
          ['council_code', 'Text (GSS code)'],
        ],
      )
      assert.deepEqual(await manage.versions(), [{ version: '1', rows: '46' }])
    })

    step(
      'the publisher fixes the invoice column to text and describes the amount; the table is checked and loaded again',
      async () => {
        const dictionary = await new ManageDataTablePage(admin).openDictionary()
        await dictionary.describe('invoice', { type: 'Text', title: 'Invoice number' })
        await dictionary.describe('amount', { title: 'Amount paid', unit: '£', description: 'Including VAT' })
        await dictionary.save()
        const progress = new UploadProgressPage(admin)
        const seen = await progress.watchUntilFinished()
        assert.equal(seen[seen.length - 1], 'Loaded', `statuses seen: ${seen.join(' → ')}`)
        const manage = await progress.backToTable()
        const columns = await manage.columns()
        assert.deepEqual(columns[0], { column: 'invoice', title: 'Invoice number', type: 'Text', unit: '' })
        assert.deepEqual(columns[4], { column: 'amount', title: 'Amount paid', type: 'Number', unit: '£' })
        assert.deepEqual(await manage.versions(), [
          { version: '2', rows: '46' },
          { version: '1', rows: '46' },
        ])
        await manage.publish()
        assert.match(await admin.locator('main .ds_summary-list').innerText(), /Anyone can read it/)
        publicPath = await manage.openPublicPage()
        await screenshot(admin, 'open-data-02-table')
      },
    )

    step('a visitor without JavaScript filters the preview and sorts it by a column, both ways', async () => {
      ;({ page: visitor } = await openPage(browser, server.baseUrl, { javaScriptEnabled: false }))
      const table = await DataTablePublicPage.open(visitor, publicPath)
      assert.equal(await table.count(), '46 rows')
      assert.deepEqual(await table.headers(), [
        'Invoice number',
        'paid_on',
        'department',
        'supplier',
        'Amount paid (£)',
        'council_code',
      ])
      await table.filter('department', 'is', 'Roads')
      assert.equal(await table.count(), '16 rows')
      assert.ok((await table.column(2)).every((d) => d === 'Roads'))
      await table.sortBy('Amount paid')
      assert.equal(await table.ariaSort('Amount paid'), 'ascending')
      const ascending = (await table.column(4)).map(Number)
      assert.deepEqual(
        ascending,
        [...ascending].sort((a, b) => a - b),
      )
      await table.sortBy('Amount paid')
      assert.equal(await table.ariaSort('Amount paid'), 'descending')
      assert.equal((await table.column(4))[0], '4300.5')
      await screenshot(visitor, 'open-data-03-filtered-sorted')
    })

    step('the visitor pages through all rows with the next-page link', async () => {
      const table = await DataTablePublicPage.open(visitor, publicPath)
      const first = await table.column(0)
      assert.equal(first.length, 25)
      await table.nextPage()
      const second = await table.column(0)
      assert.equal(second.length, 21)
      assert.equal(new Set([...first, ...second]).size, 46)
      assert.equal(await visitor.getByRole('link', { name: 'Next page' }).count(), 0)
    })

    step('the visitor draws a bar chart of the total paid by department, with its data table', async () => {
      const table = new DataTablePublicPage(visitor)
      await table.drawChart('Bar chart', 'department', 'Total', 'Amount paid')
      assert.equal(await table.chartTitle(), 'Chart of total of Amount paid by department')
      const data = await table.chartData()
      assert.deepEqual(
        data.map((r) => r[0]),
        ['Education', 'Housing', 'Roads'],
      )
      await screenshot(visitor, 'open-data-04-chart')
    })

    step('the filtered CSV download has the rows shown, with formulas defused', async () => {
      const table = await DataTablePublicPage.open(visitor, `${publicPath}?p_col=department&p_op=eq&p_val=Roads`)
      const href = await table.downloadHref(/^CSV/)
      const response = await visitor.request.get(new URL(href, server.baseUrl).toString())
      assert.equal(response.status(), 200)
      const text = await response.text()
      assert.equal(text.trim().split('\n').length, 17)
      assert.ok(text.includes(`'=HYPERLINK`), 'a cell starting with = is prefixed with an apostrophe')
    })

    step('every page visited was checked', async () => {
      assertEveryPageChecked(admin)
      assertEveryPageChecked(visitor)
    })
  },
)

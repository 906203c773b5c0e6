// The open-data catalogue: the first administrator, publishing for Fife Council, creates a dataset
// with JavaScript off (recovering from an empty form through the error summary), adds a data table and loads a CSV
// into it through the data store, and publishes; a visitor on a phone-sized screen finds it by
// facets in the catalogue, opens it, reads its metadata and preview, and follows its download
// links. Every page is checked with axe-core (WCAG 2.2 AA) and the common layout.
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, navigate, openPage, visit } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { BasePage, SetupPage } from './support/pages.js'
import {
  CatalogueSearchPage,
  DatasetFormPage,
  ManageDatasetPage,
  PublicDatasetPage,
  type DatasetDetails,
} from './support/open-data-catalogue-pages.js'

const administrator = {
  name: 'Ailsa Rennie',
  email: 'ailsa.rennie@example.gov.scot',
  password: 'Lomond-Hills-Falkland-2026',
}

const dataset: DatasetDetails = {
  organisation: 'Fife Council',
  title: 'Household waste collected in Fife',
  description: 'Tonnes of household waste collected **each month**, by kind of waste.',
  keywords: 'waste, recycling',
  theme: 'Environment',
  frequency: 'Monthly',
  areas: ['Fife Council'],
  contactEmail: 'opendata@fife.example.gov.scot',
}

const csv = 'month,kind,tonnes\n2026-01-01,landfill,812.5\n2026-01-01,recycling,1040.25\n2026-02-01,landfill,790\n'

describe('open data: publish a dataset, find it by facet, download it', { timeout: 300_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let admin: Page
  let visitor: Page
  let csvFile = ''
  let pdfFile = ''

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    // The publisher works without JavaScript, as every page must allow.
    admin = (await openPage(browser, server.baseUrl, { javaScriptEnabled: false })).page
    visitor = (await openPage(browser, server.baseUrl, { viewport: { width: 390, height: 844 } })).page
    csvFile = path.join(await mkdtemp(path.join(tmpdir(), 'comhla-od-')), 'waste.csv')
    await writeFile(csvFile, csv)
    pdfFile = path.join(path.dirname(csvFile), 'method.pdf')
    await writeFile(pdfFile, '%PDF-1.4\n% How the tonnes are counted\n')
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const step = journey()

  step('the publisher is told what is missing from an empty dataset form, then creates a draft', async () => {
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    await (await SetupPage.open(admin, server.setupLink)).createAdministrator(administrator)
    await visit(admin, '/manage/datasets/new')
    const form = new DatasetFormPage(admin)
    await form.save()
    const errors = (await form.errorSummaryItems()).map((e) => e.text)
    assert.deepEqual(errors, ['Choose the publishing body', 'Enter a title', 'Choose a theme'])
    assert.equal(await form.fieldError('title'), 'Enter a title')
    await form.fill(dataset)
    await form.save()
    const manage = await new ManageDatasetPage(admin).expect(/^\/manage\/datasets\/[0-9a-f-]{36}$/, dataset.title)
    assert.equal(await manage.status(), 'Draft')
    assert.match(await admin.locator('#publish ~ ul').innerText(), /add at least one resource/)
  })

  step('adds a data table and loads a CSV file into it through the data store', async () => {
    const manage = new ManageDatasetPage(admin)
    await manage.addDataTable('Tonnes by month')
    await manage.manageTable('Tonnes by month')
    await navigate(admin, () =>
      admin.locator('main').getByRole('link', { name: 'Upload new data', exact: true }).click(),
    )
    await admin.locator('main').getByLabel('Upload a file', { exact: true }).setInputFiles(csvFile)
    await navigate(admin, () =>
      admin.locator('main').getByRole('button', { name: 'Upload and load', exact: true }).click(),
    )
    // the progress page refreshes itself until the load is done; each refresh is checked too
    for (let i = 0; i < 60 && !(await admin.locator('main .ds_notification-panel').count()); i++)
      await navigate(admin, () => Promise.resolve())
    assert.match(await new BasePage(admin).notification.innerText(), /Loaded/)
  })

  step('adds a method note as a file resource', async () => {
    await visit(admin, '/manage/datasets')
    await navigate(admin, () => admin.locator('main').getByRole('link', { name: dataset.title, exact: true }).click())
    const manage = new ManageDatasetPage(admin)
    await manage.addFile('Method note', pdfFile)
    assert.match(await admin.locator('main #resources ~ div table').innerText(), /Method note/)
  })

  step('publishes the dataset', async () => {
    await visit(admin, '/manage/datasets')
    await navigate(admin, () => admin.locator('main').getByRole('link', { name: dataset.title, exact: true }).click())
    const manage = new ManageDatasetPage(admin)
    await manage.publish()
    assert.equal(await manage.status(), 'Published')
    assertEveryPageChecked(admin)
  })

  step('a visitor on a phone finds the dataset by its publisher and theme in the catalogue', async () => {
    await visit(visitor, '/')
    await new BasePage(visitor).followMainNav('Open data')
    const search = new CatalogueSearchPage(visitor)
    await search.expect('/datasets', 'Open data')
    await search.chooseFacet('Publisher', 'Fife Council')
    await search.chooseFacet('Theme', 'Environment')
    assert.deepEqual(await search.titles(), [dataset.title])
    assert.equal(await search.count(), '1 dataset')
    await search.open(dataset.title)
  })

  step('reads its metadata and preview, and follows its download links', async () => {
    const page = await new PublicDatasetPage(visitor).expect(
      '/datasets/household-waste-collected-in-fife',
      dataset.title,
    )
    assert.equal(await page.summaryValue('Licence'), 'Open Government Licence v3.0')
    assert.equal(await page.summaryValue('Areas covered'), 'Fife Council')
    assert.match(await visitor.locator('main').innerText(), /each month/)
    const jsonLd = await page.jsonLd()
    assert.equal(jsonLd['@type'], 'Dataset')
    assert.equal(jsonLd.name, dataset.title)
    assert.match(await visitor.locator('main #preview').innerText(), /Tonnes by month/)
    const downloads = await page.downloads('Tonnes by month')
    assert.deepEqual(
      downloads.map((d) => d.text),
      ['Download CSV Tonnes by month', 'Download JSON Tonnes by month', 'Download Parquet Tonnes by month'],
    )
    const csvDownload = await visitor.request.get(new URL(downloads[0]!.href, server.baseUrl).toString())
    assert.equal(csvDownload.status(), 200)
    const body = await csvDownload.text()
    assert.match(body, /month,kind,tonnes/)
    assert.match(body, /recycling,1040.25/)
    const jsonDownload = await visitor.request.get(new URL(downloads[1]!.href, server.baseUrl).toString())
    assert.equal(jsonDownload.status(), 200)
    assert.equal(((await jsonDownload.json()) as unknown[]).length, 3)
    const parquet = await visitor.request.get(new URL(downloads[2]!.href, server.baseUrl).toString())
    assert.equal(parquet.status(), 200)
    assert.equal((await parquet.body()).subarray(0, 4).toString(), 'PAR1')
    const [note] = await page.downloads('Method note')
    assert.equal(note?.text, 'Download PDF Method note')
    const pdf = await visitor.request.get(new URL(note.href, server.baseUrl).toString())
    assert.equal(pdf.status(), 200)
    assert.equal(pdf.headers()['content-type'], 'application/pdf')
    await page.openResource('Tonnes by month')
    await page.expect(/^\/datasets\/household-waste-collected-in-fife\/resources\/[0-9a-f-]{36}$/, 'Tonnes by month')
    assertEveryPageChecked(visitor)
  })

  step('reads the dataset in Gaelic, and the list of national collections', async () => {
    await visit(visitor, '/datasets/household-waste-collected-in-fife')
    const page = new PublicDatasetPage(visitor)
    await page.switchLanguage()
    assert.equal(await page.htmlLang(), 'gd')
    assert.equal(await page.headingText(), dataset.title)
    assert.equal(await page.summaryValue('Cuspair'), 'Àrainneachd')
    await page.switchLanguage()
    await visit(visitor, '/collections')
    await page.expect('/collections', 'National collections')
    assertEveryPageChecked(visitor)
  })
})

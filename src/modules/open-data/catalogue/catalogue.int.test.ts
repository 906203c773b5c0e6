import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { systemContext } from '../../../platform/auth/principal.js'
import type { CatalogueTables } from './dataset.tables.js'
import { DUNDEE_GSS, FIFE_GSS, datasetForm } from './catalogue.fixtures.js'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { CatalogueService, type DatasetInput } from './dataset.service.js'
import type { DatastoreService } from '../datastore/datastore.public.js'

const noDatastore: DatastoreService = {
  attachTable: async () => undefined,
  setPublic: async () => undefined,
  detachTable: async () => undefined,
  summary: async () => null,
  summaries: async () => new Map(),
  query: async () => {
    throw new Error('not used')
  },
  parseQuery: () => ({}),
  preview: async () => null,
  chart: async () => null,
  partials: { preview: '', chart: '' },
}

const datasetFormInput = (organisationId: string, title: string): DatasetInput => {
  const f = datasetForm(organisationId, title)
  return { ...f, spatial: f.spatial }
}

describe('open-data catalogue: publishing', () => {
  let t: TestApp
  let publisher: TestClient
  let otherPublisher: TestClient
  let visitor: TestClient
  let fifeId: string
  let dundeeId: string
  let datasetId: string
  let publisherAccountId: string
  const db = () => t.app.kernel.db.withTables<CatalogueTables>()

  async function tokenFor(accountId: string, scopes: string[]): Promise<string> {
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, accountId, 'session', null)
    const { token } = await t.app.kernel.apiTokens.create(
      { ...systemContext('test'), principal },
      { name: `t${Date.now()}${Math.random()}`, scopes, expiresInDays: 30 },
    )
    return token
  }

  before(async () => {
    t = await testApp({}, { runJobWorkers: true })
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['data-publisher'], { name: 'Pat Publisher' })
    fifeId = fife.organisation.id
    publisherAccountId = fife.account.id
    const dundee = await makeStaff(kernel, 'dundee-city-council', ['data-publisher'], { name: 'Dee Publisher' })
    dundeeId = dundee.organisation.id
    publisher = new TestClient(t.app)
    await signIn(publisher, kernel, fife.account.email, PASSWORD)
    otherPublisher = new TestClient(t.app)
    await signIn(otherPublisher, kernel, dundee.account.email, PASSWORD)
    visitor = new TestClient(t.app)
  })
  after(async () => {
    await t.close()
  })

  it('refuses bad details with an error summary, keeping what was typed, then creates a draft', async () => {
    const bad = await publisher.submit(
      '/manage/datasets/new',
      datasetForm(fifeId, '', {
        theme: 'astrology',
        temporalStart: '2026-02-30',
        contactEmail: 'not an email',
        spatial: ['S12999999'],
      }),
    )
    assert.equal(bad.status, 422)
    assert.match(bad.$('title').text(), /^Error:/)
    const links = bad
      .$('.ds_error-summary a')
      .map((_, a) => bad.$(a).attr('href'))
      .get()
      .sort()
    assert.deepEqual(links, ['#contactEmail', '#spatial', '#temporalStart', '#theme', '#title'])
    assert.match(text(bad.$, '#title-error'), /Enter a title/)
    assert.match(bad.$('#description').text(), /for \*\*everyone\*\*/)
    assert.equal(bad.$('#keywords').attr('value'), 'waste, Recycling, bins')

    const created = await publisher.submit('/manage/datasets/new', datasetForm(fifeId, 'Household waste collected'))
    assert.equal(created.status, 303)
    datasetId = /\/manage\/datasets\/([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const page = await publisher.follow(created)
    assert.match(text(page.$, 'h1'), /Household waste collected/)
    assert.match(text(page.$, 'main'), /Draft/)
    assert.match(text(page.$, '#publish ~ ul'), /add at least one resource/)
    const row = await db().selectFrom('open_data.dataset').selectAll().where('id', '=', datasetId).executeTakeFirst()
    assert.equal(row?.name, 'household-waste-collected')
    assert.deepEqual(row?.keywords, ['waste', 'recycling', 'bins'])
  })

  it('keeps drafts from the public and from other bodies', async () => {
    assert.equal((await visitor.get('/datasets/household-waste-collected')).status, 404)
    assert.equal((await visitor.get('/api/v1/datasets/household-waste-collected')).status, 404)
    assert.equal((await otherPublisher.get(`/manage/datasets/${datasetId}`)).status, 403)
    const refused = await otherPublisher.request('POST', `/manage/datasets/${datasetId}/publish`, { form: {} })
    assert.ok([403].includes(refused.status) || refused.status === 403 || refused.status >= 400)
    const list = await visitor.get('/datasets')
    assert.doesNotMatch(text(list.$, 'main'), /Household waste collected/)
  })

  it('adds a link resource, refuses a bad one, and publishes with an audit entry', async () => {
    const bad = await publisher.submit(`/manage/datasets/${datasetId}/resources/new`, {
      kind: 'link',
      name: '',
      url: 'javascript:alert(1)',
    })
    assert.equal(bad.status, 422)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#name', '#url'],
    )
    const added = await publisher.submit(`/manage/datasets/${datasetId}/resources/new`, {
      kind: 'link',
      name: 'Tonnage by month',
      url: 'https://data.example.scot/waste.csv',
      format: 'csv',
    })
    assert.equal(added.status, 303)
    const published = await publisher.submit(
      `/manage/datasets/${datasetId}`,
      {},
      { formSelector: `form[action="/manage/datasets/${datasetId}/publish"]` },
    )
    assert.equal(published.status, 303)
    const page = await publisher.follow(published)
    assert.match(text(page.$, 'main'), /Published/)
    const audit = await t.app.kernel.audit.search({ organisationId: fifeId, page: 1, pageSize: 50 })
    const actions = audit.items.map((e) => e.action)
    assert.ok(actions.includes('open-data.dataset-created'))
    assert.ok(actions.includes('open-data.resource-added'))
    assert.ok(actions.includes('open-data.dataset-published'))
  })

  it('shows the published dataset with sanitised Markdown, metadata and schema.org JSON-LD', async () => {
    const page = await visitor.get('/datasets/household-waste-collected')
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'h1'), /Household waste collected/)
    const html = page.$('.comhla-prose').html() ?? ''
    assert.match(html, /<strong>everyone<\/strong>/)
    assert.doesNotMatch(html, /<script|javascript:/)
    assert.match(text(page.$, 'main'), /Fife/)
    assert.match(text(page.$, 'main'), /Open Government Licence v3.0/)
    assert.match(text(page.$, 'main'), /Monthly/)
    assert.match(text(page.$, 'main'), /1 April 2025 to 31 March 2026/)
    const script = page.$('script[type="application/ld+json"]')
    assert.equal(script.length, 1)
    const jsonLd = JSON.parse(script.text()) as Record<string, unknown>
    assert.equal(jsonLd['@type'], 'Dataset')
    assert.equal(jsonLd.name, 'Household waste collected')
    assert.equal(jsonLd.license, 'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/')
    assert.deepEqual(jsonLd.keywords, ['waste', 'recycling', 'bins'])
    assert.equal(
      (jsonLd.distribution as { contentUrl: string }[])[0]?.contentUrl,
      'https://data.example.scot/waste.csv',
    )
    // a data block, not a script: the page's CSP does not need to allow it, but it carries the nonce anyway
    const csp = String(page.headers['content-security-policy'])
    const nonce = script.attr('nonce')
    assert.ok(nonce && csp.includes(`'nonce-${nonce}'`))
  })

  it('lets a publisher update a published dataset and withdraw it with a reason; the public sees why', async () => {
    const edited = await publisher.submit(
      `/manage/datasets/${datasetId}/edit`,
      datasetForm(fifeId, 'Household waste collected', { keywords: 'waste, landfill' }),
    )
    assert.equal(edited.status, 303)
    const noReason = await publisher.submit(
      `/manage/datasets/${datasetId}`,
      { reason: ' ' },
      { formSelector: `form[action="/manage/datasets/${datasetId}/withdraw"]` },
    )
    assert.equal(noReason.status, 422)
    assert.match(text(noReason.$, '.ds_error-summary'), /Enter why the dataset is being withdrawn/)
    const withdrawn = await publisher.submit(
      `/manage/datasets/${datasetId}`,
      { reason: 'The figures were double counted.' },
      { formSelector: `form[action="/manage/datasets/${datasetId}/withdraw"]` },
    )
    assert.equal(withdrawn.status, 303)
    const page = await visitor.get('/datasets/household-waste-collected')
    assert.equal(page.status, 410)
    assert.match(text(page.$, 'main'), /The figures were double counted\./)
    const api = await visitor.get('/api/v1/datasets/household-waste-collected')
    assert.equal(api.status, 410)
    assert.equal((JSON.parse(api.body) as { error: { code: string } }).error.code, 'DATASET_WITHDRAWN')
    const audit = await t.app.kernel.audit.search({
      organisationId: fifeId,
      action: 'open-data.dataset-withdrawn',
      page: 1,
      pageSize: 5,
    })
    assert.equal(audit.items[0]?.details.reason, 'The figures were double counted.')
    // published again
    const again = await publisher.submit(
      `/manage/datasets/${datasetId}`,
      {},
      { formSelector: `form[action="/manage/datasets/${datasetId}/publish"]` },
    )
    assert.equal(again.status, 303)
    assert.equal((await visitor.get('/datasets/household-waste-collected')).status, 200)
  })

  it('keeps a file resource in the platform file store, served once the dataset is published', async () => {
    const kernel = t.app.kernel
    const principal = await kernel.accounts.principalFor(kernel.db, publisherAccountId, 'session', null)
    const ctx = { ...systemContext('test'), principal }
    const service = new CatalogueService(kernel, noDatastore)
    const dir = await mkdtemp(path.join(tmpdir(), 'od-file-'))
    const pdf = path.join(dir, 'method.pdf')
    await writeFile(pdf, '%PDF-1.4\n% a short method note\n')
    const exe = path.join(dir, 'tool.exe')
    await writeFile(exe, 'MZ')
    const created = await service.create(ctx, datasetFormInput(fifeId, 'Methodology notes'))
    const input = { kind: 'file', name: 'How we count', description: '', format: '', url: '' }
    await assert.rejects(
      service.addFileResource(ctx, created.id, input, {
        filename: 'tool.exe',
        mimetype: 'application/octet-stream',
        path: exe,
        size: 2,
      }),
      (e: { fields?: Record<string, string> }) => e.fields?.file === 'validation.file.type',
    )
    await assert.rejects(
      service.addFileResource(ctx, created.id, input, undefined),
      (e: { fields?: Record<string, string> }) => e.fields?.file === 'open-data.resource.error.file',
    )
    const resource = await service.addFileResource(ctx, created.id, input, {
      filename: 'method.pdf',
      mimetype: 'application/pdf',
      path: pdf,
      size: 30,
    })
    assert.equal(resource.format, 'PDF')
    assert.equal((await visitor.get(`/open-data/files/${resource.id}`)).status, 404)
    assert.equal((await publisher.get(`/open-data/files/${resource.id}`)).status, 200)
    await service.publish(ctx, created.id)
    const file = await visitor.get(`/open-data/files/${resource.id}`)
    assert.equal(file.status, 200)
    assert.equal(file.headers['content-type'], 'application/pdf')
    assert.match(file.body, /a short method note/)
    const page = await visitor.get('/datasets/methodology-notes')
    assert.equal(page.$(`a[href="/open-data/files/${resource.id}"]`).length, 1)
  })

  it('deletes a never-published draft but never a published dataset', async () => {
    const created = await publisher.submit('/manage/datasets/new', datasetForm(fifeId, 'A mistaken draft'))
    const id = /([0-9a-f-]{36})$/.exec(created.location!)![1]!
    const deleted = await publisher.submit(
      `/manage/datasets/${id}`,
      {},
      { formSelector: `form[action="/manage/datasets/${id}/delete"]` },
    )
    assert.equal(deleted.status, 303)
    assert.equal((await publisher.get(`/manage/datasets/${id}`)).status, 404)
    const refused = await publisher.request('POST', `/manage/datasets/${datasetId}/delete`, { form: {} })
    assert.notEqual(refused.status, 303)
  })

  it('offers the same through the API with the open-data:publish scope, and refuses without it', async () => {
    const token = await tokenFor(publisherAccountId, ['open-data:publish'])
    const readOnly = await tokenFor(publisherAccountId, ['account:read'])
    const body = {
      organisation: 'fife-council',
      title: 'Street lights',
      description: 'Every street light in Fife.',
      keywords: ['lighting'],
      theme: 'regions',
      spatial: [FIFE_GSS],
      contactEmail: 'lights@fife.example.gov.scot',
    }
    const refused = await visitor.request('POST', '/api/v1/datasets', {
      json: body,
      headers: { authorization: `Bearer ${readOnly}` },
    })
    assert.equal(refused.status, 403)
    const created = await visitor.request('POST', '/api/v1/datasets', {
      json: body,
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(created.status, 201, created.body)
    const dataset = JSON.parse(created.body) as { id: string; name: string; status: string; licence: { id: string } }
    assert.equal(dataset.status, 'draft')
    assert.equal(dataset.licence.id, 'OGL-UK-3.0')
    const notYet = await visitor.request('POST', `/api/v1/datasets/${dataset.id}/publish`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(notYet.status, 409)
    const resource = await visitor.request('POST', `/api/v1/datasets/${dataset.id}/resources`, {
      json: { kind: 'link', name: 'Map', url: 'https://maps.example.scot/lights', format: 'HTML' },
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(resource.status, 201, resource.body)
    const published = await visitor.request('POST', `/api/v1/datasets/${dataset.id}/publish`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(published.status, 200)
    assert.equal((JSON.parse(published.body) as { status: string }).status, 'published')
    const otherToken = await tokenFor(
      (await makeStaff(t.app.kernel, 'dundee-city-council', ['data-publisher'])).account.id,
      ['open-data:publish'],
    )
    const foreign = await visitor.request('POST', `/api/v1/datasets/${dataset.id}/withdraw`, {
      json: { reason: 'Not yours' },
      headers: { authorization: `Bearer ${otherToken}` },
    })
    assert.equal(foreign.status, 403)
    void dundeeId
    void DUNDEE_GSS
    void makeAccount
  })
})

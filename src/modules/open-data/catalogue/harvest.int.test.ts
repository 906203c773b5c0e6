import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { makeStaff, PASSWORD } from '../../../../test/support/factories.js'
import { signIn } from '../../../../test/support/two-factor.js'
import { CatalogueService } from './dataset.service.js'
import { HarvestService } from './harvest.service.js'
import type { CatalogueTables } from './dataset.tables.js'

/** A CKAN package as a CKAN portal's package_search returns it. */
const ckanPackage = (id: string, name: string, title: string, licence = 'OGL-UK-3.0') => ({
  id,
  name,
  title,
  notes: `All about ${title.toLowerCase()}.`,
  license_id: licence,
  maintainer: 'Open data team',
  maintainer_email: 'opendata@peer.example',
  tags: [{ name: 'Transport' }, { name: 'roads' }],
  groups: [{ name: 'transport' }],
  extras: [{ key: 'frequency', value: 'http://publications.europa.eu/resource/authority/frequency/MONTHLY' }],
  resources: [{ id: `${id}-r`, name: `${title} (CSV)`, format: 'csv', url: `https://files.peer.example/${name}.csv` }],
})

const dcatCatalogue = {
  '@context': {
    dcat: 'http://www.w3.org/ns/dcat#',
    dct: 'http://purl.org/dc/terms/',
    title: 'dct:title',
    dataset: 'dcat:dataset',
    distribution: 'dcat:distribution',
    downloadURL: { '@id': 'dcat:downloadURL', '@type': '@id' },
    license: { '@id': 'dct:license', '@type': '@id' },
    keyword: 'dcat:keyword',
  },
  '@id': 'https://peer.example/catalog',
  '@type': 'dcat:Catalog',
  dataset: [
    {
      '@id': 'https://peer.example/datasets/air-quality',
      '@type': 'dcat:Dataset',
      title: { '@value': 'Air quality readings', '@language': 'en' },
      'dct:description': 'Hourly readings from roadside monitors.',
      keyword: ['air', 'pollution'],
      'dcat:theme': { '@id': 'http://publications.europa.eu/resource/authority/data-theme/ENVI' },
      'dcat:landingPage': { '@id': 'https://peer.example/datasets/air-quality' },
      distribution: [
        {
          '@type': 'dcat:Distribution',
          title: 'Readings',
          downloadURL: 'https://files.peer.example/air.csv',
          license: 'https://creativecommons.org/licenses/by/4.0/',
          'dct:format': { '@id': 'http://publications.europa.eu/resource/authority/file-type/CSV' },
        },
      ],
    },
  ],
}

describe('open-data catalogue: harvesting from another portal', () => {
  let t: TestApp
  let peer: Server
  let peerUrl: string
  let publisher: TestClient
  let harvests: HarvestService
  let packages: Record<string, unknown>[]
  const requests: string[] = []
  const db = () => t.app.kernel.db.withTables<CatalogueTables>()

  before(async () => {
    packages = [
      ckanPackage('11111111-1111-1111-1111-111111111111', 'road-works', 'Road works'),
      ckanPackage('22222222-2222-2222-2222-222222222222', 'gritting-routes', 'Gritting routes'),
      ckanPackage(
        '33333333-3333-3333-3333-333333333333',
        'secret-licence',
        'Strangely licensed',
        'all-rights-reserved',
      ),
    ]
    // the fake peer: a CKAN Action API and a DCAT catalogue, on a port of its own
    peer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://peer')
      requests.push(url.pathname + url.search)
      if (url.pathname === '/api/3/action/package_search') {
        const start = Number(url.searchParams.get('start') ?? '0')
        const rows = Number(url.searchParams.get('rows') ?? '10')
        res.setHeader('content-type', 'application/json')
        res.end(
          JSON.stringify({
            help: 'http://peer/api/3/action/help_show?name=package_search',
            success: true,
            result: { count: packages.length, results: packages.slice(start, start + rows) },
          }),
        )
      } else if (url.pathname === '/catalog.jsonld') {
        res.setHeader('content-type', 'application/ld+json')
        res.end(JSON.stringify(dcatCatalogue))
      } else {
        res.statusCode = 404
        res.end('not found')
      }
    })
    await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve))
    peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`

    t = await testApp()
    const { kernel } = t.app
    const fife = await makeStaff(kernel, 'fife-council', ['data-publisher'])
    fifeId = fife.organisation.id
    publisher = new TestClient(t.app)
    await signIn(publisher, kernel, fife.account.email, PASSWORD)
    const catalogue = new CatalogueService(kernel, {
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
    })
    harvests = new HarvestService(kernel, catalogue)
  })
  after(async () => {
    await t.close()
    await new Promise<void>((resolve) => peer.close(() => resolve()))
  })

  let ckanSourceId: string
  let fifeId: string

  it('adds a CKAN source through its page, refusing a bad one with an error summary', async () => {
    const bad = await publisher.submit('/manage/datasets/harvest', {
      organisationId: fifeId,
      title: '',
      url: 'ftp://peer.example',
      kind: 'ckan',
      frequency: 'daily',
    })
    assert.equal(bad.status, 422)
    assert.deepEqual(
      bad
        .$('.ds_error-summary a')
        .map((_, a) => bad.$(a).attr('href'))
        .get()
        .sort(),
      ['#title', '#url'],
    )
    assert.equal(bad.$('#url').attr('value'), 'ftp://peer.example')
    const added = await publisher.submit('/manage/datasets/harvest', {
      organisationId: fifeId,
      title: 'Peer portal',
      url: peerUrl,
      kind: 'ckan',
      frequency: 'daily',
    })
    assert.equal(added.status, 303)
    const page = await publisher.follow(added)
    assert.match(text(page.$, 'main'), /Peer portal/)
    assert.match(text(page.$, 'main'), /Not run yet/)
    const row = await db().selectFrom('open_data.harvest_source').selectAll().executeTakeFirstOrThrow()
    ckanSourceId = row.id
  })

  it("harvests the peer's CKAN API, publishing its datasets under the body with links to the originals", async () => {
    const counts = await harvests.harvest(ckanSourceId)
    assert.deepEqual(counts, { created: 2, updated: 0, withdrawn: 0, failed: 1 })
    assert.ok(requests.some((r) => r.startsWith('/api/3/action/package_search?rows=100&start=0')))
    const page = await publisher.get('/datasets/road-works')
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), /All about road works\./)
    assert.match(text(page.$, 'main'), new RegExp(`${peerUrl}/dataset/road-works`))
    assert.match(text(page.$, 'main'), /Transport/)
    assert.match(text(page.$, 'main'), /Monthly/)
    const link = page
      .$('a')
      .filter((_, a) => /Open the link/.test(page.$(a).text()))
      .attr('href')
    assert.equal(link, 'https://files.peer.example/road-works.csv')
    assert.equal((await publisher.get('/datasets/strangely-licensed')).status, 404)
    const status = await publisher.get('/manage/datasets/harvest')
    assert.match(text(status.$, 'main'), /Some datasets could not be read/)
    assert.match(text(status.$, 'main'), /2 new, 0 updated, 0 withdrawn, 1 not read/)
    // harvested datasets are changed at their source, not here
    const id = (
      await db().selectFrom('open_data.dataset').select('id').where('name', '=', 'road-works').executeTakeFirstOrThrow()
    ).id
    const manage = await publisher.get(`/manage/datasets/${id}`)
    assert.match(text(manage.$, 'main'), /Harvested from another portal/)
    assert.equal(manage.$(`a[href="/manage/datasets/${id}/edit"]`).length, 0)
  })

  it('updates changed datasets and withdraws those gone from the peer on the next run', async () => {
    packages = [{ ...ckanPackage('11111111-1111-1111-1111-111111111111', 'road-works', 'Road works and closures') }]
    const counts = await harvests.harvest(ckanSourceId)
    assert.deepEqual(counts, { created: 0, updated: 1, withdrawn: 1, failed: 0 })
    const renamed = await publisher.get('/datasets/road-works')
    assert.match(text(renamed.$, 'h1'), /Road works and closures/)
    const gone = await publisher.get('/datasets/gritting-routes')
    assert.equal(gone.status, 410)
    assert.match(text(gone.$, 'main'), /no longer in the catalogue it was harvested from/)
    const again = await harvests.harvest(ckanSourceId)
    assert.deepEqual(again, { created: 0, updated: 0, withdrawn: 0, failed: 0 })
  })

  it('harvests a DCAT catalogue in JSON-LD', async () => {
    const fife = await t.app.kernel.organisations.getBySlug('fife-council')
    const source = await harvests.create(
      { ...(await import('../../../platform/auth/principal.js')).systemContext('test') },
      {
        organisationId: fife.id,
        title: 'Peer DCAT',
        url: `${peerUrl}/catalog.jsonld`,
        kind: 'dcat',
        frequency: 'weekly',
      },
    )
    const counts = await harvests.harvest(source.id)
    assert.deepEqual(counts, { created: 1, updated: 0, withdrawn: 0, failed: 0 })
    const page = await publisher.get('/datasets/air-quality-readings')
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'main'), /Hourly readings from roadside monitors/)
    assert.match(text(page.$, 'main'), /Creative Commons Attribution 4.0/)
    assert.match(text(page.$, 'main'), /Environment/)
    assert.equal(
      page
        .$('a')
        .filter((_, a) => /Open the link/.test(page.$(a).text()))
        .attr('href'),
      'https://files.peer.example/air.csv',
    )
  })

  it('sends each due source to be harvested once per tick, on its own schedule', async () => {
    await db()
      .updateTable('open_data.harvest_source')
      .set({ next_run_at: new Date(Date.now() - 60_000) })
      .execute()
    assert.equal(await harvests.sendDue(), 2)
    assert.equal(await harvests.sendDue(), 0)
    const next = await db().selectFrom('open_data.harvest_source').select(['frequency', 'next_run_at']).execute()
    for (const s of next) assert.ok(s.next_run_at.getTime() > Date.now() + 3_000_000)
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import N3 from 'n3'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { TestClient, text } from '../../../../test/support/client.js'
import { systemContext } from '../../../platform/auth/principal.js'
import { CatalogueService, type DatasetInput } from './dataset.service.js'

type Ckan<T> = { help: string; success: boolean; result: T; error?: { __type: string; message: string } }

const input = (organisationId: string, title: string, extra: Partial<DatasetInput> = {}): DatasetInput => ({
  organisationId,
  title,
  description: `${title}: figures published every month by the council.`,
  keywords: 'waste',
  theme: 'environment',
  licence: 'OGL-UK-3.0',
  frequency: 'monthly',
  temporalStart: '',
  temporalEnd: '',
  spatial: [],
  contactName: 'Data team',
  contactEmail: 'data@example.gov.scot',
  ...extra,
})

describe('open-data catalogue: search, metadata and the CKAN API', () => {
  let t: TestApp
  let visitor: TestClient
  let service: CatalogueService
  const ids: Record<string, string> = {}
  const ctx = systemContext('test')

  async function publish(
    organisationSlug: string,
    title: string,
    extra: Partial<DatasetInput>,
    resource: { format: string; url: string },
  ) {
    const organisation = await t.app.kernel.organisations.getBySlug(organisationSlug)
    const d = await service.create(ctx, input(organisation.id, title, extra))
    await service.addResource(ctx, d.id, { kind: 'link', name: `${title} data`, description: '', ...resource })
    await service.publish(ctx, d.id)
    ids[title] = d.id
    return d
  }

  before(async () => {
    t = await testApp()
    // a second service on the same kernel: what the module's own does, for setting up data
    service = new CatalogueService(t.app.kernel, {
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
    visitor = new TestClient(t.app)
    await publish(
      'fife-council',
      'Household waste collected',
      { keywords: 'waste, recycling', spatial: ['S12000047'], temporalStart: '2025-04-01', temporalEnd: '2026-03-31' },
      { format: 'CSV', url: 'https://data.fife.example/waste.csv' },
    )
    await publish(
      'fife-council',
      'Road casualties',
      { theme: 'transport', keywords: 'road safety', licence: 'cc-by' },
      { format: 'XLSX', url: 'https://data.fife.example/roads.xlsx' },
    )
    await publish(
      'dundee-city-council',
      'Recycling centres',
      { keywords: 'recycling', frequency: 'annual' },
      { format: 'CSV', url: 'https://data.dundee.example/centres.csv' },
    )
    await publish(
      'dundee-city-council',
      'Bus stops',
      { theme: 'transport', keywords: 'buses', description: 'Every bus stop & shelter in Dundee, < 400 m apart.' },
      { format: 'JSON', url: 'https://data.dundee.example/stops.json' },
    )
    // a draft, which nothing public may show
    const dundee = await t.app.kernel.organisations.getBySlug('dundee-city-council')
    await service.create(ctx, input(dundee.id, 'Secret recycling draft'))
  })
  after(async () => {
    await t.close()
  })

  it('finds datasets by words, with facets that narrow the search when followed', async () => {
    const page = await visitor.get('/datasets?q=recycling')
    assert.equal(page.status, 200)
    const titles = page
      .$('.ds_search-result__title')
      .map((_, e) => page.$(e).text().trim())
      .get()
    assert.deepEqual(titles.sort(), ['Household waste collected', 'Recycling centres'])
    assert.match(text(page.$, '[role="status"]'), /2 datasets/)
    const publisherFacet = page.$('#facet-organisation').parent()
    assert.match(text(page.$, '#facet-organisation + ul'), /Fife Council \(1\)/)
    assert.equal(publisherFacet.length, 1)
    const dundeeLink = page
      .$('#facet-organisation + ul a')
      .filter((_, a) => /Dundee/.test(page.$(a).text()))
      .attr('href')!
    const narrowed = await visitor.get(dundeeLink)
    const narrowedTitles = narrowed
      .$('.ds_search-result__title')
      .map((_, e) => narrowed.$(e).text().trim())
      .get()
    assert.deepEqual(narrowedTitles, ['Recycling centres'])
    assert.match(text(narrowed.$, 'main'), /Remove filter: Dundee City Council/)
    assert.doesNotMatch(text(narrowed.$, 'main'), /Secret recycling draft/)
  })

  it('filters by theme, format, licence and keyword, and sorts by title', async () => {
    const byTheme = await visitor.get('/api/v1/datasets?theme=transport&sort=title')
    const body = JSON.parse(byTheme.body) as {
      items: { title: string }[]
      total: number
      facets: Record<string, { value: string; count: number }[]>
    }
    assert.deepEqual(
      body.items.map((i) => i.title),
      ['Bus stops', 'Road casualties'],
    )
    assert.deepEqual(body.facets.format!.map((f) => f.value).sort(), ['JSON', 'XLSX'])
    const byFormat = JSON.parse((await visitor.get('/api/v1/datasets?format=csv')).body) as { total: number }
    assert.equal(byFormat.total, 2)
    const byLicence = JSON.parse((await visitor.get('/api/v1/datasets?licence=cc-by')).body) as {
      items: { title: string }[]
    }
    assert.deepEqual(
      byLicence.items.map((i) => i.title),
      ['Road casualties'],
    )
    const byKeywords = JSON.parse((await visitor.get('/api/v1/datasets?keyword=recycling&keyword=waste')).body) as {
      items: { title: string }[]
    }
    assert.deepEqual(
      byKeywords.items.map((i) => i.title),
      ['Household waste collected'],
    )
    assert.equal((await visitor.get('/api/v1/datasets?page=0')).status, 400)
    const tooDeep = await visitor.get('/api/v1/datasets?page=5000&pageSize=100')
    assert.equal(tooDeep.status, 422)
  })

  it('downloads the list as CSV with the same filters, escaping formulas', async () => {
    const res = await visitor.get('/api/v1/datasets.csv?organisation=dundee-city-council')
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /text\/csv/)
    const lines = res.body.trim().split('\n')
    assert.match(lines[0]!, /^id,name,title,organisation/)
    assert.equal(lines.length, 3)
    assert.match(res.body, /Bus stops/)
    assert.doesNotMatch(res.body, /Road casualties/)
  })

  it('writes DCAT-AP Turtle that parses back, for a dataset and the whole catalogue', async () => {
    const res = await visitor.get('/api/v1/datasets/household-waste-collected/dcat.ttl')
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /text\/turtle/)
    const store = new N3.Store(new N3.Parser().parse(res.body))
    const DCAT = 'http://www.w3.org/ns/dcat#'
    const DCT = 'http://purl.org/dc/terms/'
    const dataset = 'http://comhla.test/datasets/household-waste-collected#dataset'
    const typeOf = store
      .getObjects(dataset, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type', null)
      .map((o) => o.value)
    assert.deepEqual(typeOf, [`${DCAT}Dataset`])
    assert.equal(store.getObjects(dataset, `${DCT}title`, null)[0]?.value, 'Household waste collected')
    assert.deepEqual(
      store
        .getObjects(dataset, `${DCAT}keyword`, null)
        .map((o) => o.value)
        .sort(),
      ['recycling', 'waste'],
    )
    assert.equal(
      store.getObjects(dataset, `${DCAT}theme`, null)[0]?.value,
      'http://publications.europa.eu/resource/authority/data-theme/ENVI',
    )
    assert.equal(
      store.getObjects(dataset, `${DCT}spatial`, null)[0]?.value,
      'http://statistics.data.gov.uk/id/statistical-geography/S12000047',
    )
    const period = store.getObjects(dataset, `${DCT}temporal`, null)[0]!
    assert.equal(store.getObjects(period, `${DCAT}startDate`, null)[0]?.value, '2025-04-01')
    const dist = store.getObjects(dataset, `${DCAT}distribution`, null)[0]!
    assert.equal(store.getObjects(dist, `${DCAT}downloadURL`, null)[0]?.value, 'https://data.fife.example/waste.csv')
    assert.equal(
      store.getObjects(dist, `${DCT}license`, null)[0]?.value,
      'https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/',
    )

    const jsonld = JSON.parse((await visitor.get('/api/v1/datasets/household-waste-collected/dcat.jsonld')).body) as {
      '@graph': { '@id': string; '@type'?: string[]; 'dct:title'?: { '@value': string }[] }[]
    }
    const node = jsonld['@graph'].find((n) => n['@type']?.includes('dcat:Dataset'))
    assert.equal(node?.['dct:title']?.[0]?.['@value'], 'Household waste collected')

    const whole = await visitor.get('/api/v1/catalog.ttl')
    const all = new N3.Store(new N3.Parser().parse(whole.body))
    const catalogue = 'http://comhla.test/datasets#catalogue'
    assert.equal(all.getObjects(catalogue, `${DCAT}dataset`, null).length, 4)
    assert.ok(!whole.body.includes('Secret recycling draft'))
    const catalogueJson = JSON.parse((await visitor.get('/api/v1/catalog.jsonld')).body) as { '@graph': unknown[] }
    assert.ok(catalogueJson['@graph'].length > 4)
  })

  it('publishes data.json (Project Open Data 1.1)', async () => {
    const res = await visitor.get('/api/v1/data.json')
    const body = JSON.parse(res.body) as {
      conformsTo: string
      dataset: { title: string; keyword: string[]; accessLevel: string; distribution: { downloadURL?: string }[] }[]
    }
    assert.equal(body.conformsTo, 'https://project-open-data.cio.gov/v1.1/schema')
    assert.equal(body.dataset.length, 4)
    const bus = body.dataset.find((d) => d.title === 'Bus stops')!
    assert.equal(bus.accessLevel, 'public')
    assert.deepEqual(bus.keyword, ['buses'])
    assert.equal(bus.distribution[0]?.downloadURL, 'https://data.dundee.example/stops.json')
  })

  it('publishes Atom and JSON feeds of new and updated datasets, newest first, escaped', async () => {
    const atom = await visitor.get('/api/v1/datasets/feed.atom')
    assert.match(String(atom.headers['content-type']), /application\/atom\+xml/)
    const $ = (await import('cheerio')).load(atom.body, { xml: true })
    assert.equal($('feed > entry').length, 4)
    assert.equal($('feed > entry').first().find('title').text(), 'Bus stops')
    assert.match(atom.body, /Every bus stop &amp; shelter in Dundee, &lt; 400 m apart\./)
    const feed = JSON.parse((await visitor.get('/api/v1/datasets/feed.json')).body) as {
      version: string
      items: { title: string; url: string }[]
    }
    assert.equal(feed.version, 'https://jsonfeed.org/version/1.1')
    assert.equal(feed.items[0]?.url, 'http://comhla.test/datasets/bus-stops')
  })

  describe('the CKAN-compatible Action API, called as CKAN clients call it', () => {
    it('answers package_search as ckanext-harvest asks (GET, fq, rows, start, sort)', async () => {
      const res = await visitor.get(
        '/api/action/package_search?' +
          new URLSearchParams({ fq: '+dataset_type:dataset', rows: '2', start: '0', sort: 'id asc' }).toString(),
      )
      assert.equal(res.status, 200)
      const body = JSON.parse(res.body) as Ckan<{ count: number; results: { name: string; state: string }[] }>
      assert.equal(body.success, true)
      assert.equal(body.help, 'http://comhla.test/api/3/action/help_show?name=package_search')
      assert.equal(body.result.count, 4)
      assert.equal(body.result.results.length, 2)
      const rest = JSON.parse(
        (await visitor.get('/api/action/package_search?fq=%2Bdataset_type%3Adataset&rows=2&start=2&sort=id+asc')).body,
      ) as Ckan<{ results: { name: string }[] }>
      const names = [...body.result.results, ...rest.result.results].map((r) => r.name).sort()
      assert.deepEqual(names, ['bus-stops', 'household-waste-collected', 'recycling-centres', 'road-casualties'])
      const since = JSON.parse(
        (
          await visitor.get(
            '/api/action/package_search?' +
              new URLSearchParams({ fq: 'metadata_modified:[2999-01-01T00:00:00.000000Z TO *]' }).toString(),
          )
        ).body,
      ) as Ckan<{ count: number }>
      assert.equal(since.result.count, 0)
    })

    it('answers package_search with q, fq on organisation and tags, and facets (POST JSON, as ckanapi)', async () => {
      const res = await visitor.request('POST', '/api/3/action/package_search', {
        json: {
          q: 'recycling',
          fq: 'organization:dundee-city-council tags:"recycling"',
          rows: 10,
          'facet.field': ['organization', 'tags', 'res_format'],
        },
      })
      const body = JSON.parse(res.body) as Ckan<{
        count: number
        results: {
          name: string
          organization: { name: string }
          tags: { name: string }[]
          resources: { format: string; url: string }[]
        }[]
        facets: Record<string, Record<string, number>>
        search_facets: Record<string, { items: { name: string; count: number }[] }>
      }>
      assert.equal(body.success, true)
      assert.equal(body.result.count, 1)
      const pkg = body.result.results[0]!
      assert.equal(pkg.name, 'recycling-centres')
      assert.equal(pkg.organization.name, 'dundee-city-council')
      assert.deepEqual(
        pkg.tags.map((tg) => tg.name),
        ['recycling'],
      )
      assert.equal(pkg.resources[0]?.url, 'https://data.dundee.example/centres.csv')
      assert.deepEqual(body.result.facets.organization, { 'dundee-city-council': 1 })
      assert.equal(body.result.search_facets.res_format?.items[0]?.name, 'CSV')
    })

    it('answers package_show by name and by id, and 404s drafts and unknown names in the envelope', async () => {
      const byName = JSON.parse((await visitor.get('/api/3/action/package_show?id=road-casualties')).body) as Ckan<{
        id: string
        license_id: string
        license_title: string
        num_resources: number
        metadata_modified: string
      }>
      assert.equal(byName.success, true)
      assert.equal(byName.result.license_id, 'cc-by')
      assert.equal(byName.result.license_title, 'Creative Commons Attribution 4.0')
      assert.equal(byName.result.num_resources, 1)
      assert.doesNotMatch(byName.result.metadata_modified, /Z$/)
      const byId = JSON.parse((await visitor.get(`/api/3/action/package_show?id=${byName.result.id}`)).body) as Ckan<{
        name: string
      }>
      assert.equal(byId.result.name, 'road-casualties')
      const missing = await visitor.get('/api/3/action/package_show?id=secret-recycling-draft')
      assert.equal(missing.status, 404)
      assert.deepEqual(JSON.parse(missing.body), {
        help: 'http://comhla.test/api/3/action/help_show?name=package_show',
        success: false,
        error: { __type: 'Not Found Error', message: 'Not found' },
      })
      const noId = await visitor.get('/api/3/action/package_show')
      assert.equal(noId.status, 409)
      assert.equal((JSON.parse(noId.body) as Ckan<null>).error?.__type, 'Validation Error')
    })

    it('answers organization_list as names, and with all fields', async () => {
      const names = JSON.parse((await visitor.get('/api/3/action/organization_list')).body) as Ckan<string[]>
      assert.ok(names.result.includes('fife-council'))
      assert.ok(names.result.includes('dundee-city-council'))
      const full = JSON.parse(
        (await visitor.get('/api/3/action/organization_list?all_fields=true&sort=package_count+desc&limit=2')).body,
      ) as Ckan<{ name: string; package_count: number; is_organization: boolean }[]>
      assert.equal(full.result.length, 2)
      assert.equal(full.result[0]?.package_count, 2)
      assert.equal(full.result[0]?.is_organization, true)
    })

    it('refuses unknown actions and unsupported search fields in the envelope', async () => {
      const unknown = await visitor.get('/api/3/action/package_create')
      assert.equal(unknown.status, 400)
      assert.equal((JSON.parse(unknown.body) as Ckan<null>).success, false)
      const badField = await visitor.get('/api/3/action/package_search?fq=secret_field:1')
      assert.equal(badField.status, 409)
      assert.equal((JSON.parse(badField.body) as Ckan<null>).error?.__type, 'Search Query Error')
      const badRows = await visitor.get('/api/3/action/package_search?rows=lots')
      assert.equal(badRows.status, 409)
      const noResource = await visitor.get(
        '/api/3/action/datastore_search?resource_id=00000000-0000-0000-0000-000000000000',
      )
      assert.equal(noResource.status, 404)
      assert.equal((JSON.parse(noResource.body) as Ckan<null>).error?.__type, 'Not Found Error')
      assert.deepEqual(JSON.parse((await visitor.get('/api/3')).body), { version: 3 })
    })
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn } from '../../../test/support/two-factor.js'

describe('the directory of public bodies', () => {
  let t: TestApp
  let admin: TestClient
  before(async () => {
    t = await testApp()
    const account = await makeAccount(t.app.kernel, { platformAdmin: true, email: 'platform@example.gov.scot' })
    admin = new TestClient(t.app)
    await signIn(admin, t.app.kernel, account.email, PASSWORD)
  })
  after(async () => {
    await t.close()
  })

  it('lists the 32 councils with their GSS codes, in English and Gaelic', async () => {
    const client = new TestClient(t.app)
    const page = await client.get('/organisations?type=council')
    assert.equal(page.status, 200)
    assert.match(text(page.$, '[role=status]'), /32 organisations/)
    assert.equal(page.$('tbody tr').length, 32)
    assert.match(page.body, /S12000036/)
    await client.get('/language/gd?return=/organisations')
    const gd = await client.get('/organisations?q=Highland')
    assert.equal(gd.$('html').attr('lang'), 'gd')
    assert.match(text(gd.$, 'tbody'), /Comhairle na Gàidhealtachd/)
  })

  it('finds a body by name or code', async () => {
    const page = await new TestClient(t.app).get('/organisations?q=S12000013')
    assert.match(text(page.$, 'tbody'), /Comhairle nan Eilean Siar/)
  })

  it('offers the directory as JSON and as CSV', async () => {
    const client = new TestClient(t.app)
    const json = await client.get('/api/v1/organisations?type=health-board')
    assert.equal(json.status, 200)
    const body = JSON.parse(json.body) as { items: Array<{ gssCode: string; nameEn: string }>; total: number }
    assert.equal(body.total, 14)
    assert.ok(body.items.every((o) => /^S08000\d{3}$/.test(o.gssCode)))
    const csv = await client.get('/api/v1/organisations.csv?type=council')
    assert.equal(csv.status, 200)
    assert.match(String(csv.headers['content-type']), /text\/csv/)
    const lines = csv.body.trim().split('\n')
    assert.equal(lines[0], 'slug,name_en,name_gd,type,gss_code,website,updated_at')
    assert.equal(lines.length, 33)
  })

  it('shows a body on its own page and as JSON', async () => {
    const slug = (await t.app.kernel.organisations.list({ q: 'Police' })).items[0]!.slug
    const page = await new TestClient(t.app).get(`/organisations/${slug}`)
    assert.equal(page.status, 200)
    assert.match(text(page.$, 'h1'), /Police Scotland/)
    const missing = await new TestClient(t.app).get('/organisations/no-such-body')
    assert.equal(missing.status, 404)
    assert.match(text(missing.$, 'h1'), /Page not found/)
    const apiMissing = await new TestClient(t.app).get('/api/v1/organisations/no-such-body')
    assert.equal(apiMissing.status, 404)
    assert.equal((JSON.parse(apiMissing.body) as { error: { code: string } }).error.code, 'ORGANISATION_NOT_FOUND')
  })

  it('lets a platform administrator add a community council under its council, audited', async () => {
    const council = (await t.app.kernel.organisations.list({ q: 'Highland', type: 'council' })).items[0]!
    const res = await admin.submit('/admin/organisations/new', {
      nameEn: 'Kinlochbervie Community Council',
      nameGd: 'Comhairle Coimhearsnachd Cheann Loch Biorbhaidh',
      type: 'community-council',
      slug: '',
      gssCode: '',
      website: 'https://kinlochbervie.example.scot',
      parentSlug: council.slug,
    })
    assert.equal(res.status, 303)
    const page = await admin.follow(res)
    assert.match(text(page.$, 'h1'), /Kinlochbervie Community Council/)
    assert.match(text(page.$, '.ds_summary-list'), new RegExp(council.nameEn))
    const audit = await t.app.kernel.audit.search({ action: 'organisation.created' })
    assert.equal(audit.items[0]!.details.nameEn, 'Kinlochbervie Community Council')
  })

  it('re-shows the new-body form with every problem and what was typed', async () => {
    const res = await admin.submit('/admin/organisations/new', {
      nameEn: '',
      nameGd: 'Ainm',
      type: 'spaceship',
      slug: 'Not A Slug!',
      gssCode: '12345',
      website: 'javascript:alert(1)',
      parentSlug: '',
    })
    assert.equal(res.status, 422)
    const summary = text(res.$, '.ds_error-summary')
    assert.match(summary, /Enter the organisation's name/)
    assert.match(summary, /Select the type/)
    assert.match(summary, /GSS code like S12000036/)
    assert.match(summary, /https:\/\//)
    assert.equal(res.$('#nameGd').attr('value'), 'Ainm')
    assert.equal(res.$('#website').attr('value'), 'javascript:alert(1)')
  })

  it('refuses a second body with the same GSS code', async () => {
    const res = await admin.submit('/admin/organisations/new', {
      nameEn: 'Another Highland',
      nameGd: '',
      type: 'council',
      slug: '',
      gssCode: 'S12000017',
      website: '',
      parentSlug: '',
    })
    assert.equal(res.status, 422)
    assert.match(text(res.$, '#gssCode-error'), /already has this GSS code/)
  })

  it("lets a body's own administrator correct its Gaelic name, and records before and after", async () => {
    const { account, organisation } = await makeStaff(t.app.kernel, 'fife-council', ['org-admin'])
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, account.email, PASSWORD)
    const form = await client.get(`/manage/organisations/${organisation.slug}/edit`)
    assert.equal(form.$('#gssCode').length, 0, 'only platform administrators change codes and types')
    const res = await client.submit(`/manage/organisations/${organisation.slug}/edit`, {
      nameEn: organisation.nameEn,
      nameGd: 'Comhairle Fhìobha (ceartaichte)',
      website: organisation.website ?? '',
    })
    assert.equal(res.status, 303)
    const after = await t.app.kernel.organisations.getBySlug(organisation.slug)
    assert.equal(after.nameGd, 'Comhairle Fhìobha (ceartaichte)')
    assert.equal(after.gssCode, organisation.gssCode)
    const entry = (await t.app.kernel.audit.search({ organisationId: organisation.id, action: 'organisation.updated' }))
      .items[0]!
    assert.deepEqual((entry.details.after as Record<string, unknown>).name_gd, 'Comhairle Fhìobha (ceartaichte)')
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sql } from 'kysely'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn, totpCode } from '../../../test/support/two-factor.js'

async function invitationLink(t: TestApp, email: string): Promise<string> {
  const mail = (await t.app.kernel.mail.list({ to: email })).items.find((m) => m.template === 'invitation')
  assert.ok(mail, `an invitation was emailed to ${email}`)
  return /\/invitations\/[A-Za-z0-9_-]+/.exec(mail.body)![0]
}

describe('staff of a body', () => {
  let t: TestApp
  let admin: TestClient
  let slug: string
  before(async () => {
    t = await testApp()
    const { account, organisation } = await makeStaff(t.app.kernel, 'dundee-city-council', ['org-admin'], {
      name: 'Fiona Admin',
    })
    slug = organisation.slug
    admin = new TestClient(t.app)
    await signIn(admin, t.app.kernel, account.email, PASSWORD)
  })
  after(async () => {
    await t.close()
  })

  it('invites a colleague who creates an account from the link, joins and can sign in', async () => {
    const sent = await admin.submit(`/manage/organisations/${slug}/invite`, {
      email: 'Colleague@Example.gov.scot',
      roles: ['consultation-manager', 'analyst'],
    })
    assert.equal(sent.status, 303)
    const overview = await admin.follow(sent)
    assert.match(text(overview.$, '.ds_notification-panel'), /Invitation sent to Colleague@Example.gov.scot/)
    assert.match(text(overview.$, 'main'), /Consultation manager, Analyst/)

    const link = await invitationLink(t, 'Colleague@Example.gov.scot')
    const colleague = new TestClient(t.app)
    const landing = await colleague.get(link)
    assert.equal(landing.status, 200)
    assert.match(text(landing.$, 'main'), /Dundee/)
    const registerHref = landing.$('a[href^="/register?invitation="]').attr('href')!
    const form = await colleague.get(registerHref)
    assert.equal(form.$('#email').attr('value'), 'Colleague@Example.gov.scot')
    const wrongEmail = await colleague.submit(registerHref, {
      displayName: 'Colin Colleague',
      email: 'someone.else@example.gov.scot',
      password: 'tay bridge at dawn',
      confirmPassword: 'tay bridge at dawn',
    })
    assert.equal(wrongEmail.status, 422)
    assert.match(text(wrongEmail.$, '#email-error'), /invitation was sent to/)
    const registered = await colleague.submit(registerHref, {
      displayName: 'Colin Colleague',
      email: 'colleague@example.gov.scot',
      password: 'tay bridge at dawn',
      confirmPassword: 'tay bridge at dawn',
    })
    assert.equal(registered.status, 303)
    const accept = await colleague.submit(registered.location!, {})
    assert.equal(accept.status, 303)
    // Now staff, the colleague must set up two-factor sign-in before anything else.
    const gated = await colleague.follow(accept)
    assert.equal(gated.status, 303)
    assert.match(gated.location!, /^\/account\/two-factor\/setup\?return=/)
    const setup = await colleague.follow(gated)
    assert.match(text(setup.$, 'main'), /You have a staff role/)
    const secret = setup.$('.comhla-code').first().text().replace('Key:', '').replace(/\s/g, '')
    const wrong = await colleague.submit(gated.location!, { code: '000000' })
    assert.equal(wrong.status, 422)
    const codes = await colleague.submit(gated.location!, { code: totpCode(secret) })
    assert.equal(codes.status, 200)
    assert.equal(codes.$('.comhla-codes li').length, 10)
    const joined = await colleague.get(codes.$('a.ds_button').attr('href')!)
    assert.match(text(joined.$, '.ds_notification-panel'), /You have joined/)

    const again = new TestClient(t.app)
    const passwordStep = await again.submit('/sign-in', {
      email: 'colleague@example.gov.scot',
      password: 'tay bridge at dawn',
    })
    assert.equal(passwordStep.status, 303, 'registering through an invitation confirms the email address')
    assert.match(passwordStep.location!, /^\/sign-in\/two-factor/)
    const signedIn = await signIn(again, t.app.kernel, 'colleague@example.gov.scot', 'tay bridge at dawn', secret)
    const account = await again.follow(signedIn)
    assert.match(text(account.$, 'main'), /Dundee/)

    const used = await new TestClient(t.app).get(link)
    assert.equal(used.status, 410)

    const organisation = await t.app.kernel.organisations.getBySlug(slug)
    const actions = (await t.app.kernel.audit.search({ organisationId: organisation.id })).items.map((e) => e.action)
    assert.ok(actions.includes('staff.invited'))
    assert.ok(actions.includes('staff.invitation-accepted'))
    const auditPage = await admin.get(`/manage/organisations/${slug}/audit`)
    assert.match(text(auditPage.$, 'tbody'), /staff\.invitation-accepted/)
    const csv = await admin.get(`/manage/organisations/${slug}/audit.csv`)
    assert.match(csv.body, /staff\.invited/)
  })

  it('will not let an invitation be accepted by a different account', async () => {
    await admin.submit(`/manage/organisations/${slug}/invite`, { email: 'intended@example.gov.scot', roles: [] })
    const link = await invitationLink(t, 'intended@example.gov.scot')
    const other = await makeAccount(t.app.kernel, { email: 'interloper@example.gov.scot' })
    const client = new TestClient(t.app)
    await client.submit('/sign-in', { email: other.email, password: PASSWORD })
    const page = await client.get(link)
    assert.equal(page.$(`form[action="${link}"]`).length, 0, 'no accept button is offered')
    const forced = await client.request('POST', link, {
      form: { _csrf: page.$('input[name=_csrf]').first().attr('value') ?? '' },
    })
    assert.equal(forced.status, 403)
    const organisation = await t.app.kernel.organisations.getBySlug(slug)
    const members = await t.app.kernel.db
      .selectFrom('core.membership')
      .select('account_id')
      .where('organisation_id', '=', organisation.id)
      .execute()
    assert.ok(!members.some((m) => m.account_id === other.id))
  })

  it('changes roles and removes people, but never the last administrator', async () => {
    const organisation = await t.app.kernel.organisations.getBySlug(slug)
    const { account: member } = await makeStaff(t.app.kernel, slug, ['analyst'], { name: 'Moira Member' })
    const changed = await admin.submit(`/manage/organisations/${slug}/members/${member.id}`, {
      roles: ['analyst', 'data-publisher'],
    })
    assert.equal(changed.status, 303)
    const overview = await admin.follow(changed)
    assert.match(text(overview.$, 'main'), /Analyst, Data publisher/)

    const adminRow = await t.app.kernel.db
      .selectFrom('core.membership')
      .select('account_id')
      .where('organisation_id', '=', organisation.id)
      .where(sql<boolean>`'org-admin' = any(roles)`)
      .execute()
    assert.equal(adminRow.length, 1)
    const self = adminRow[0]!.account_id
    const demote = await admin.submit(`/manage/organisations/${slug}/members/${self}`, { roles: ['analyst'] })
    assert.equal(demote.status, 422)
    assert.match(text(demote.$, '.ds_error-summary'), /at least one administrator/)
    const removeSelf = await admin.submit(`/manage/organisations/${slug}/members/${self}/remove`, {})
    assert.equal(removeSelf.status, 409)

    const removed = await admin.submit(`/manage/organisations/${slug}/members/${member.id}/remove`, {})
    assert.equal(removed.status, 303)
    const entry = (await t.app.kernel.audit.search({ organisationId: organisation.id, action: 'staff.removed' }))
      .items[0]!
    assert.equal(entry.details.email, member.email)
  })

  it('withdraws an invitation so its link no longer works', async () => {
    await admin.submit(`/manage/organisations/${slug}/invite`, { email: 'withdrawn@example.gov.scot', roles: [] })
    const link = await invitationLink(t, 'withdrawn@example.gov.scot')
    const page = await admin.get(`/manage/organisations/${slug}`)
    const row = page.$('tr').filter((_, el) => page.$(el).text().includes('withdrawn@example.gov.scot'))
    const action = row.find('form[action$="/revoke"]').attr('action')!
    const res = await admin.request('POST', action, { form: { _csrf: row.find('input[name=_csrf]').attr('value')! } })
    assert.equal(res.status, 303)
    assert.equal((await new TestClient(t.app).get(link)).status, 410)
  })

  it('shows the invite form again with the problem when the address is wrong', async () => {
    const res = await admin.submit(`/manage/organisations/${slug}/invite`, {
      email: 'not an email',
      roles: ['made-up-role'],
    })
    assert.equal(res.status, 422)
    assert.match(text(res.$, '.ds_error-summary'), /correct format/)
    assert.equal(res.$('#email').attr('value'), 'not an email')
  })
})

describe('API tokens', () => {
  let t: TestApp
  before(async () => {
    t = await testApp()
  })
  after(async () => {
    await t.close()
  })

  it('are created on a page, shown once, work with their scopes only, and stop working when revoked', async () => {
    const { account } = await makeStaff(t.app.kernel, 'angus-council', ['org-admin'])
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, account.email, PASSWORD)
    const created = await client.submit('/account/tokens', {
      name: 'Reporting script',
      scopes: ['account:read', 'staff:read'],
      expiresInDays: '30',
    })
    assert.equal(created.status, 200)
    const token = text(created.$, '#token-value')
    assert.match(token, /^chl_/)
    const list = await client.get('/account/tokens')
    assert.ok(!list.body.includes(token), 'the secret is never shown again')
    const stored = await t.app.kernel.db.selectFrom('core.api_token').select('token_hash').execute()
    assert.ok(
      stored.every((r) => r.token_hash !== token),
      'only a hash is stored',
    )

    const api = new TestClient(t.app)
    const auth = { authorization: `Bearer ${token}` }
    const me = await api.request('GET', '/api/v1/me', { headers: auth })
    assert.equal(me.status, 200)
    assert.equal((JSON.parse(me.body) as { email: string }).email, account.email)
    const members = await api.request('GET', '/api/v1/organisations/angus-council/members', { headers: auth })
    assert.equal(members.status, 200)
    const audit = await api.request('GET', '/api/v1/organisations/angus-council/audit', { headers: auth })
    assert.equal(audit.status, 403)
    assert.equal((JSON.parse(audit.body) as { error: { code: string } }).error.code, 'AUTH_SCOPE_MISSING')
    const invite = await api.request('POST', '/api/v1/organisations/angus-council/invitations', {
      headers: auth,
      json: { email: 'x@example.gov.scot', roles: [] },
    })
    assert.equal(invite.status, 403)

    const page = await client.get('/account/tokens')
    const action = page.$('form[action$="/revoke"]').attr('action')!
    await client.request('POST', action, {
      form: { _csrf: page.$('form[action$="/revoke"] input[name=_csrf]').attr('value')! },
    })
    const after = await api.request('GET', '/api/v1/me', { headers: auth })
    assert.equal(after.status, 401)
    const actions = (await t.app.kernel.audit.search({ action: 'api-token.' })).items.map((e) => e.action)
    assert.deepEqual(actions.sort(), ['api-token.created', 'api-token.revoked'])
  })

  it('are refused with a clear message when no token or a bad one is sent', async () => {
    const api = new TestClient(t.app)
    const none = await api.get('/api/v1/me')
    assert.equal(none.status, 401)
    assert.deepEqual(Object.keys(JSON.parse(none.body) as object), ['error'])
    const bad = await api.request('GET', '/api/v1/me', { headers: { authorization: 'Bearer chl_not-a-real-token' } })
    assert.equal(bad.status, 401)
  })

  it('describes every API route in the OpenAPI document', async () => {
    const doc = JSON.parse((await new TestClient(t.app).get('/api/openapi.json')).body) as {
      openapi: string
      paths: Record<string, Record<string, unknown>>
    }
    assert.match(doc.openapi, /^3\./)
    for (const path of [
      '/api/v1/organisations',
      '/api/v1/organisations/{slug}',
      '/api/v1/me',
      '/api/v1/organisations/{slug}/members',
      '/api/v1/organisations/{slug}/invitations',
      '/api/v1/organisations/{slug}/audit',
    ]) {
      assert.ok(doc.paths[path], `${path} is documented`)
    }
    assert.ok(
      !Object.keys(doc.paths).some((p) => p.startsWith('/manage') || p.startsWith('/admin')),
      'pages are not in the API document',
    )
    const docs = await new TestClient(t.app).get('/api/docs')
    assert.match(text(docs.$, 'main'), /\/api\/v1\/organisations\/\{slug\}\/members/)
  })
})

import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from '../../../test/support/app.js'
import { TestClient, text } from '../../../test/support/client.js'
import { makeAccount, makeStaff, PASSWORD } from '../../../test/support/factories.js'
import { signIn } from '../../../test/support/two-factor.js'
import {
  Browser,
  freePort,
  startIdpServer,
  type Person,
  type Step,
  type TestIdp,
} from '../../../test/support/oidc-provider.js'
import { systemContext } from '../auth/principal.js'
import { attributeRequestPath, registerAttributeService } from './attributes.js'
import { rotateSigningKeys } from './oidc.service.js'
import type { OidcTables } from './oidc.tables.js'

const people: Record<string, Person> = {
  alice: { email: 'alice@fife.gov.uk', name: 'Alice Anderson' },
  bob: { email: 'bob@elsewhere.gov.uk', name: 'Bob Brown' },
  carol: { email: 'carol@fife.gov.uk', name: 'Carol Campbell' },
  'citizen-1': {
    name: 'Morag MacLeod',
    address: { street_address: '1 Cromwell Street', locality: 'Stornoway', postal_code: 'HS1 2DB' },
    verifiedEmail: 'morag@example.scot',
  },
  'citizen-2': { name: 'Iain Morrison' },
}

const atCallback = (url: string) => url.includes('/callback?')

describe('OpenID Connect sign-in', () => {
  let t: TestApp
  let idp: TestIdp
  let base: string

  before(async () => {
    const server = await startIdpServer()
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    t = await testApp({
      BASE_URL: base,
      OIDC_PROVIDERS: JSON.stringify([
        {
          id: 'staff-idp',
          name: 'Council Entra ID',
          issuer: server.issuer,
          clientId: 'comhla-staff',
          clientSecret: 'staff-client-secret',
          auth: 'client_secret_basic',
          profile: 'staff',
        },
        {
          id: 'scotaccount',
          name: 'ScotAccount',
          issuer: server.issuer,
          clientId: 'comhla-scotaccount',
          auth: 'private_key_jwt',
          profile: 'scotaccount',
          attributesEndpoint: `${server.issuer}/attributes`,
        },
      ]),
    })
    // Listening too, so the provider can fetch Còmhla's JWKS to check its private_key_jwt assertions.
    await t.app.listen({ port, host: '127.0.0.1' })
    idp = server.start(base, people)
    registerAttributeService({
      id: 'blue-badge',
      labelKey: 'nav.organisations',
      attributes: ['name', 'address', 'email'],
    })
  })

  after(async () => {
    await idp.close()
    await t.close()
  })

  const browser = () => new Browser(new TestClient(t.app), base, idp.issuer)
  const db = () => t.app.kernel.db.withTables<OidcTables>()

  /** Presses "Sign in with …" on the sign-in page: the browser arrives at the provider. */
  async function startSignIn(b: Browser, providerId: string, stop?: (url: string) => boolean): Promise<Step> {
    const pressed = await b.comhla.submit(
      '/sign-in',
      {},
      { formSelector: `form[action="/sign-in/oidc/${providerId}"]` },
    )
    assert.equal(pressed.status, 303)
    assert.ok(pressed.location!.startsWith(`${idp.issuer}/auth?`), 'sent to the provider')
    return b.from(pressed, stop)
  }

  /** A whole sign-in up to the callback, which is returned unopened. */
  async function callbackUrl(b: Browser, providerId: string, login: string): Promise<string> {
    const step = await b.signInAtIdp(await startSignIn(b, providerId, atCallback), login, atCallback)
    assert.ok(atCallback(step.url), `expected to reach the callback, got ${step.url}`)
    return step.url
  }

  function assertRefused(step: { status: number; $: Step['$'] }, status: number, heading: RegExp) {
    assert.equal(step.status, status)
    assert.match(text(step.$, 'h1.ds_page-header__title'), heading)
    assert.equal(step.$('a.ds_button').first().text().trim(), 'Try again')
  }

  async function linkDomain(slug: string, adminEmail: string, domain: string) {
    const { account } = await makeStaff(t.app.kernel, slug, ['org-admin'], { email: adminEmail })
    const admin = new TestClient(t.app)
    await signIn(admin, t.app.kernel, account.email, PASSWORD)
    const res = await admin.submit(`/manage/organisations/${slug}/sign-in-domains`, { providerId: 'staff-idp', domain })
    assert.equal(res.status, 303)
    return admin
  }

  it('offers each configured provider on the sign-in page', async () => {
    const page = await new TestClient(t.app).get('/sign-in')
    const buttons = page
      .$('form[action^="/sign-in/oidc/"] button')
      .map((_, el) => page.$(el).text().trim())
      .get()
    assert.deepEqual(buttons, ['Sign in with Council Entra ID', 'Sign in with ScotAccount'])
  })

  it('lets an organisation administrator link a provider and their own email domain, and no other', async () => {
    const { account } = await makeStaff(t.app.kernel, 'falkirk-council', ['org-admin'], {
      email: 'head.of.digital@falkirk.gov.uk',
    })
    const admin = new TestClient(t.app)
    await signIn(admin, t.app.kernel, account.email, PASSWORD)
    const manage = await admin.get('/manage/organisations/falkirk-council')
    assert.equal(manage.$('a[href="/manage/organisations/falkirk-council/sign-in-domains"]').length, 1)
    const notTheirs = await admin.submit('/manage/organisations/falkirk-council/sign-in-domains', {
      providerId: 'staff-idp',
      domain: 'gmail.com',
    })
    assert.equal(notTheirs.status, 422)
    assert.match(text(notTheirs.$, '.ds_error-summary'), /only link the domain of your own email address/)
    assert.equal(notTheirs.$('#domain').attr('value'), 'gmail.com', 'what was typed is kept')
    const noProvider = await admin.submit('/manage/organisations/falkirk-council/sign-in-domains', {
      providerId: '',
      domain: 'falkirk.gov.uk',
    })
    assert.match(text(noProvider.$, '#providerId-error'), /Choose a staff sign-in provider/)
    const linked = await admin.submit('/manage/organisations/falkirk-council/sign-in-domains', {
      providerId: 'staff-idp',
      domain: 'falkirk.gov.uk',
    })
    assert.equal(linked.status, 303)
    const page = await admin.follow(linked)
    assert.deepEqual(
      page
        .$('tbody tr td')
        .slice(0, 2)
        .map((_, el) => page.$(el).text().trim())
        .get(),
      ['Council Entra ID', 'falkirk.gov.uk'],
    )
    const audit = await t.app.kernel.audit.search({ action: 'oidc.domain-linked' })
    assert.ok(audit.items.some((e) => e.details.domain === 'falkirk.gov.uk'))
    const analyst = await makeStaff(t.app.kernel, 'falkirk-council', ['analyst'])
    const staff = new TestClient(t.app)
    await signIn(staff, t.app.kernel, analyst.account.email, PASSWORD)
    assert.equal(
      (await staff.get('/manage/organisations/falkirk-council/sign-in-domains')).status,
      403,
      'only its administrators',
    )
  })

  it('signs in new staff from a linked domain, who join the body with no role and must then set up two-factor sign-in', async () => {
    await linkDomain('fife-council', 'admin@fife.gov.uk', 'fife.gov.uk')
    const b = browser()
    const login = await startSignIn(b, 'staff-idp')
    assert.equal(login.site, 'idp')
    assert.equal(login.$('input[name="login"]').length, 1, "the provider's sign-in form")
    const landed = await b.signInAtIdp(login, 'alice')
    assert.equal(landed.site, 'comhla')
    assert.equal(landed.status, 200)
    assert.match(
      landed.url,
      /\/account\/two-factor\/setup\?return=%2Fmanage%2Forganisations%2Ffife-council/,
      'staff are sent to set up two-factor sign-in first',
    )
    const fife = await t.app.kernel.organisations.getBySlug('fife-council')
    const alice = (await t.app.kernel.staff.members(systemContext('test'), fife.id)).find(
      (m) => m.email === 'alice@fife.gov.uk',
    )
    assert.ok(alice, 'joined the organisation')
    assert.deepEqual(alice.roles, [], 'with no role until given one')
    assert.equal(alice.displayName, 'Alice Anderson')
    const joined = await t.app.kernel.audit.search({ action: 'staff.joined-by-domain' })
    assert.ok(joined.items.some((e) => e.targetId === alice.accountId && e.organisationId === fife.id))
    const session = await t.app.kernel.db
      .selectFrom('core.session')
      .select('method')
      .where('account_id', '=', alice.accountId)
      .executeTakeFirstOrThrow()
    assert.equal(session.method, 'oidc:staff-idp')

    // Signing in again finds the same account through the linked identity.
    const again = browser()
    const second = await again.signInAtIdp(await startSignIn(again, 'staff-idp'), 'alice')
    assert.match(second.url, /\/account\/two-factor\/setup/)
    const accounts = await t.app.kernel.db
      .selectFrom('core.account')
      .select('id')
      .where('email_normalised', '=', 'alice@fife.gov.uk')
      .execute()
    assert.equal(accounts.length, 1)
  })

  it('refuses staff whose email domain no organisation has linked', async () => {
    const b = browser()
    const landed = await b.signInAtIdp(await startSignIn(b, 'staff-idp'), 'bob')
    assertRefused(landed, 403, /Your organisation does not use this sign-in yet/)
    const made = await t.app.kernel.db
      .selectFrom('core.account')
      .select('id')
      .where('email_normalised', '=', 'bob@elsewhere.gov.uk')
      .execute()
    assert.equal(made.length, 0)
  })

  it('signs in with ScotAccount keeping only the subject, and fetches verified attributes only after consent', async () => {
    const b = browser()
    const login = await startSignIn(b, 'scotaccount')
    const landed = await b.signInAtIdp(login, 'citizen-1')
    assert.equal(landed.url, `${base}/account`)
    assert.equal(landed.status, 200)
    const identity = await db()
      .selectFrom('core.account_identity')
      .selectAll()
      .where('provider_id', '=', 'scotaccount')
      .where('subject', '=', 'citizen-1')
      .executeTakeFirstOrThrow()
    const account = await t.app.kernel.db
      .selectFrom('core.account')
      .selectAll()
      .where('id', '=', identity.account_id)
      .executeTakeFirstOrThrow()
    assert.equal(account.email, '', 'no email address is kept')
    assert.equal(account.display_name, '', 'no name is kept')
    assert.equal(identity.email, null)
    assert.equal(account.password_hash, null)
    assert.equal(idp.attributeRequests.length, 0, 'nothing is fetched at sign-in')

    // A service asks for the name and address.
    const path = attributeRequestPath('blue-badge', ['name', 'address'], '/account')
    const consent = await b.comhla.get(path)
    assert.equal(consent.status, 200)
    assert.equal(text(consent.$, 'h1'), 'Share your verified details')
    assert.deepEqual(
      consent
        .$('main ul.ds_bulleted-list li')
        .map((_, el) => consent.$(el).text().trim())
        .get(),
      ['Your verified name', 'Your verified address'],
    )
    assert.equal(idp.attributeRequests.length, 0, 'nothing is fetched before consent')
    const undecided = await b.comhla.submit(path, {})
    assert.equal(undecided.status, 422)
    assert.match(text(undecided.$, '.ds_error-summary'), /Choose whether to share these details/)
    const declined = await b.comhla.submit(path, { decision: 'decline' })
    assert.equal(declined.location, '/account')
    assert.equal(idp.attributeRequests.length, 0, 'nothing is fetched when the person says no')

    const agreed = await b.comhla.submit(path, { decision: 'share' })
    assert.equal(agreed.status, 303)
    assert.match(agreed.location!, /scope=openid(\+|%20)scotaccount\.gpg45\.medium(\+|%20)scotaccount\.address/)
    const back = await b.signInAtIdp(await b.from(agreed), 'citizen-1')
    assert.equal(back.url, `${base}/account`)
    assert.equal(idp.attributeRequests.length, 1)
    assert.deepEqual(idp.attributeRequests[0]!.scopes.sort(), [
      'openid',
      'scotaccount.address',
      'scotaccount.gpg45.medium',
    ])
    const shared = await t.app.kernel.oidc.sharedAttributes(account.id, 'blue-badge')
    assert.deepEqual(
      shared,
      { name: 'Morag MacLeod', address: '1 Cromwell Street, Stornoway, HS1 2DB' },
      'only what the service asked for, not the email the endpoint also sent',
    )
    const stored = await db()
      .selectFrom('core.attribute_consent')
      .selectAll()
      .where('account_id', '=', account.id)
      .executeTakeFirstOrThrow()
    assert.doesNotMatch(stored.attribute_values, /Stornoway/, 'sealed at rest')
    const mine = await b.comhla.get('/account/verified-attributes')
    assert.match(text(mine.$, 'main'), /Morag MacLeod.*Stornoway/)
    assert.doesNotMatch(text(mine.$, 'main'), /morag@example\.scot/)
    const audit = await t.app.kernel.audit.search({ action: 'account.attributes-shared' })
    assert.ok(
      audit.items.some(
        (e) => e.targetId === account.id && JSON.stringify(e.details.attributes) === '["name","address"]',
      ),
    )

    const withdrawn = await b.comhla.submit('/account/verified-attributes', {})
    assert.equal(withdrawn.status, 303)
    assert.equal(await t.app.kernel.oidc.sharedAttributes(account.id, 'blue-badge'), null, 'withdrawing deletes them')
  })

  it("authenticates with private_key_jwt using the keys published at Còmhla's JWKS, through a rotation", async () => {
    const jwks = JSON.parse((await new TestClient(t.app).get('/.well-known/jwks.json')).body) as {
      keys: Array<Record<string, unknown>>
    }
    assert.ok(jwks.keys.length >= 1)
    for (const k of jwks.keys) {
      assert.equal(k.d, undefined, 'no private part is published')
      assert.equal(k.alg, 'RS256')
    }
    const inUse = (await t.app.kernel.oidc.keys.current(systemContext('test'))).kid
    const rotation = await rotateSigningKeys(t.app.kernel, systemContext('test'))
    const after = JSON.parse((await new TestClient(t.app).get('/.well-known/jwks.json')).body) as {
      keys: Array<{ kid: string }>
    }
    assert.ok(
      after.keys.some((k) => k.kid === rotation.kid),
      'the new key is published at once',
    )
    assert.ok(
      after.keys.some((k) => k.kid === inUse),
      'the key in use stays published',
    )
    assert.equal(
      (await t.app.kernel.oidc.keys.current(systemContext('test'))).kid,
      inUse,
      'and is used until the new one activates',
    )
    const b = browser()
    const landed = await b.signInAtIdp(await startSignIn(b, 'scotaccount'), 'citizen-2')
    assert.equal(landed.url, `${base}/account`, 'the provider accepted the signed client assertion')
    const created = await t.app.kernel.audit.search({ action: 'oidc.signing-keys-rotated' })
    assert.ok(created.items.some((e) => e.targetId === rotation.kid))

    // An hour on: the provider has fetched the set again, and the new key signs.
    await db()
      .updateTable('core.signing_key')
      .set({ activates_at: new Date() })
      .where('kid', '=', rotation.kid)
      .execute()
    await idp.expireClientKeys('comhla-scotaccount')
    assert.equal((await t.app.kernel.oidc.keys.current(systemContext('test'))).kid, rotation.kid)
    const later = browser()
    assert.equal(
      (await later.signInAtIdp(await startSignIn(later, 'scotaccount'), 'citizen-2')).url,
      `${base}/account`,
      'signed with the new key',
    )
  })

  it('links an OpenID Connect identity to a password account, and never merges silently on an email clash', async () => {
    const carol = await makeAccount(t.app.kernel, { email: 'carol@fife.gov.uk', name: 'Carol Campbell' })
    const stranger = browser()
    const clash = await stranger.signInAtIdp(await startSignIn(stranger, 'staff-idp'), 'carol')
    assertRefused(clash, 409, /You already have a Còmhla account/)
    assert.match(text(clash.$, 'main'), /Sign in with your email address and password, then link/)
    assert.equal(
      (await db().selectFrom('core.account_identity').select('id').where('subject', '=', 'carol').execute()).length,
      0,
      'nothing was linked',
    )
    assert.equal(
      (
        await t.app.kernel.db
          .selectFrom('core.account')
          .select('id')
          .where('email_normalised', '=', 'carol@fife.gov.uk')
          .execute()
      ).length,
      1,
    )

    // Carol signs in with her password and links the identity herself.
    const b = browser()
    await b.comhla.submit('/sign-in', { email: carol.email, password: PASSWORD })
    const overview = await b.comhla.get('/account')
    assert.equal(overview.$('a[href="/account/sign-in-methods"]').text().trim(), 'Linked sign-in methods')
    const methods = await b.comhla.get('/account/sign-in-methods')
    assert.match(text(methods.$, 'main'), /No services are linked to your account/)
    const pressed = await b.comhla.submit(
      '/account/sign-in-methods',
      {},
      { formSelector: 'form[action="/account/sign-in-methods/staff-idp/link"]' },
    )
    assert.equal(pressed.status, 303)
    const linked = await b.signInAtIdp(await b.from(pressed), 'carol')
    assert.equal(linked.url, `${base}/account/sign-in-methods?linked=staff-idp`)
    assert.match(text(linked.$, '.ds_notification-panel'), /Council Entra ID is linked to your account/)
    assert.deepEqual(
      linked
        .$('tbody tr td')
        .slice(0, 2)
        .map((_, el) => linked.$(el).text().trim())
        .get(),
      ['Council Entra ID', 'carol@fife.gov.uk'],
    )

    // Now she can sign in either way, to the same account.
    const viaProvider = browser()
    const signedIn = await viaProvider.signInAtIdp(await startSignIn(viaProvider, 'staff-idp'), 'carol')
    assert.equal(signedIn.url, `${base}/account`)
    assert.match(text(signedIn.$, 'main'), /carol@fife\.gov\.uk/)
    const viaPassword = new TestClient(t.app)
    assert.equal(
      (await viaPassword.submit('/sign-in', { email: carol.email, password: PASSWORD })).location,
      '/account',
    )

    // Someone else cannot link the same identity to their account.
    const dave = await makeAccount(t.app.kernel)
    const other = browser()
    await other.comhla.submit('/sign-in', { email: dave.email, password: PASSWORD })
    const tried = await other.comhla.submit(
      '/account/sign-in-methods',
      {},
      { formSelector: 'form[action="/account/sign-in-methods/staff-idp/link"]' },
    )
    const taken = await other.signInAtIdp(await other.from(tried), 'carol')
    assertRefused(taken, 409, /This sign-in is linked to another account/)

    // Carol has a password too, so she may unlink the provider again.
    const removedOwn = await b.comhla.submit(
      '/account/sign-in-methods',
      {},
      { formSelector: 'form[action$="/remove"]' },
    )
    assert.equal(removedOwn.status, 303)
    assert.equal(
      (await db().selectFrom('core.account_identity').select('id').where('subject', '=', 'carol').execute()).length,
      0,
    )
    const audit = await t.app.kernel.audit.search({ action: 'account.identity-unlinked' })
    assert.ok(audit.items.some((e) => e.targetId === carol.id))
  })

  it('refuses to remove the only way a person can sign in', async () => {
    const b = browser()
    await b.signInAtIdp(await startSignIn(b, 'scotaccount'), 'citizen-1')
    const refused = await b.comhla.submit('/account/sign-in-methods', {}, { formSelector: 'form[action$="/remove"]' })
    assert.equal(refused.status, 409)
    assert.match(text(refused.$, '.ds_error-summary'), /cannot remove your only way to sign in/)
  })

  it('signs out at the provider too (RP-initiated logout)', async () => {
    const b = browser()
    await b.signInAtIdp(await startSignIn(b, 'scotaccount'), 'citizen-2')
    const out = await b.comhla.submit('/account', {}, { formSelector: 'form[action="/sign-out"]' })
    assert.equal(out.status, 303)
    const endSession = new URL(out.location!)
    assert.equal(endSession.origin + endSession.pathname, `${idp.issuer}/session/end`)
    assert.equal(endSession.searchParams.get('post_logout_redirect_uri'), `${base}/signed-out`)
    assert.ok(endSession.searchParams.get('id_token_hint'), 'the ID token is sent as a hint')
    assert.equal((await b.comhla.get('/account')).status, 303, 'signed out of Còmhla at once')
    const confirm = await b.from(out)
    assert.equal(confirm.site, 'idp')
    const done = await b.submitIdp(confirm, { logout: 'yes' })
    assert.equal(done.url, `${base}/signed-out`)
    assert.equal(text(done.$, 'h1'), 'You have signed out')
    // The provider's session has ended: signing in again asks for the login.
    const again = await startSignIn(b, 'scotaccount')
    assert.equal(again.$('input[name="prompt"]').attr('value'), 'login')
  })

  describe('refusals, each with a clear page', () => {
    it('refuses a forged state', async () => {
      const b = browser()
      const forged = await b.comhla.get(
        `/sign-in/oidc/staff-idp/callback?code=made-up&state=forged-state&iss=${encodeURIComponent(idp.issuer)}`,
      )
      assertRefused(forged, 400, /Sign-in could not be completed/)
      assert.match(text(forged.$, 'main'), /not started in this browser/)
      const audit = await t.app.kernel.audit.search({ action: 'oidc.sign-in-refused' })
      assert.ok(audit.items.some((e) => e.details.code === 'OIDC_STATE_INVALID'))
    })

    it("refuses a real state from another person's browser (login CSRF)", async () => {
      const attacker = browser()
      const url = await callbackUrl(attacker, 'scotaccount', 'citizen-2')
      const victim = browser()
      await victim.comhla.get('/sign-in')
      const refused = await victim.go(url)
      assertRefused(refused, 400, /Sign-in could not be completed/)
      assert.equal((await victim.comhla.get('/account')).status, 303, 'the victim is not signed in as the attacker')
    })

    it('refuses a replayed nonce', async () => {
      const first = browser()
      const pressedFirst = await first.comhla.submit(
        '/sign-in',
        {},
        { formSelector: 'form[action="/sign-in/oidc/scotaccount"]' },
      )
      const oldNonce = new URL(pressedFirst.location!).searchParams.get('nonce')!
      const done = await first.signInAtIdp(await first.from(pressedFirst), 'citizen-2')
      assert.equal(done.url, `${base}/account`)

      // A second sign-in whose authorization request carries the first one's nonce.
      const b = browser()
      const pressed = await b.comhla.submit(
        '/sign-in',
        {},
        { formSelector: 'form[action="/sign-in/oidc/scotaccount"]' },
      )
      const tampered = new URL(pressed.location!)
      assert.notEqual(tampered.searchParams.get('nonce'), oldNonce)
      tampered.searchParams.set('nonce', oldNonce)
      const landed = await b.signInAtIdp(await b.go(tampered.href), 'citizen-2')
      assertRefused(landed, 400, /Sign-in could not be completed/)
      assert.match(text(landed.$, 'main'), /did not belong to this sign-in/)
      assert.equal((await b.comhla.get('/account')).status, 303)
    })

    it('refuses a code that has been used, and a callback opened twice', async () => {
      const first = browser()
      const firstUrl = await callbackUrl(first, 'scotaccount', 'citizen-2')
      assert.equal((await first.go(firstUrl)).url, `${base}/account`)
      const usedCode = new URL(firstUrl).searchParams.get('code')!

      const replayed = await first.go(firstUrl)
      assertRefused(replayed, 400, /Sign-in could not be completed/)
      assert.match(text(replayed.$, 'main'), /has been used already/)

      const b = browser()
      const url = new URL(await callbackUrl(b, 'scotaccount', 'citizen-2'))
      url.searchParams.set('code', usedCode)
      const refused = await b.go(url.href)
      assertRefused(refused, 400, /Sign-in could not be completed/)
      assert.match(text(refused.$, 'main'), /expired or has been used already/)
    })

    it('refuses an expired code', async () => {
      idp.setCodeTtl(1)
      try {
        const b = browser()
        const url = await callbackUrl(b, 'staff-idp', 'alice')
        await new Promise((resolve) => setTimeout(resolve, 2100))
        const refused = await b.go(url)
        assertRefused(refused, 400, /Sign-in could not be completed/)
        assert.match(text(refused.$, 'main'), /expired or has been used already/)
      } finally {
        idp.setCodeTtl(60)
      }
    })

    it('refuses an answer from the wrong issuer', async () => {
      const b = browser()
      const url = new URL(await callbackUrl(b, 'scotaccount', 'citizen-2'))
      assert.equal(url.searchParams.get('iss'), idp.issuer)
      url.searchParams.set('iss', 'https://impostor.example')
      const refused = await b.go(url.href)
      assertRefused(refused, 400, /Sign-in could not be completed/)
      assert.match(text(refused.$, 'main'), /did not come from the service you chose/)
      const audit = await t.app.kernel.audit.search({ action: 'oidc.sign-in-refused' })
      assert.ok(audit.items.some((e) => e.details.code === 'OIDC_ISSUER_INVALID'))
    })

    it('tells the person when they cancel at the provider', async () => {
      const b = browser()
      const login = await startSignIn(b, 'staff-idp')
      const abort = login.$('a[href*="/abort"]').attr('href')
      assert.ok(abort, 'the provider offers to cancel')
      const refused = await b.go(new URL(abort, login.url).href)
      assertRefused(refused, 401, /You were not signed in/)
    })
  })

  it('lets a platform administrator add a provider, checking its discovery document', async () => {
    const admin = await makeAccount(t.app.kernel, { platformAdmin: true })
    const client = new TestClient(t.app)
    await signIn(client, t.app.kernel, admin.email, PASSWORD)
    const list = await client.get('/admin/identity-providers')
    assert.equal(list.status, 200)
    assert.match(text(list.$, 'main'), new RegExp(`${base}/.well-known/jwks.json`.replace(/[./]/g, '\\$&')))
    const empty = await client.submit('/admin/identity-providers/new', { auth: '', profile: '' })
    assert.equal(empty.status, 422)
    assert.equal(empty.$('.ds_error-summary li').length, 6)
    const unreachable = await client.submit('/admin/identity-providers/new', {
      id: 'dundee',
      name: 'Dundee Entra ID',
      issuer: 'http://127.0.0.1:9/nowhere',
      clientId: 'x',
      auth: 'client_secret_basic',
      clientSecret: 's3cret',
      profile: 'staff',
    })
    assert.equal(unreachable.status, 422)
    assert.match(text(unreachable.$, '#issuer-error'), /could not read a discovery document/)
    assert.equal(unreachable.$('#clientSecret').attr('value'), '', 'the secret is not sent back')
    const taken = await client.submit('/admin/identity-providers/new', {
      id: 'scotaccount',
      name: 'Again',
      issuer: idp.issuer,
      clientId: 'x',
      auth: 'private_key_jwt',
      profile: 'scotaccount',
    })
    assert.match(text(taken.$, '#id-error'), /already has this short name/)
    const added = await client.submit('/admin/identity-providers/new', {
      id: 'dundee',
      name: 'Dundee Entra ID',
      issuer: idp.issuer,
      clientId: 'comhla-staff',
      auth: 'client_secret_basic',
      clientSecret: 'staff-client-secret',
      profile: 'staff',
      scopes: 'openid email profile',
    })
    assert.equal(added.status, 303)
    const row = await db()
      .selectFrom('core.oidc_provider')
      .selectAll()
      .where('id', '=', 'dundee')
      .executeTakeFirstOrThrow()
    assert.ok(row.client_secret && !row.client_secret.includes('staff-client-secret'), 'the secret is sealed')
    const page = await new TestClient(t.app).get('/sign-in')
    assert.ok(page.$('form[action="/sign-in/oidc/dundee"]').length, 'offered on the sign-in page')
    const removed = await client.submit(
      '/admin/identity-providers',
      {},
      { formSelector: 'form[action="/admin/identity-providers/dundee/remove"]' },
    )
    assert.equal(removed.status, 303)
    assert.equal(await t.app.kernel.oidc.provider('dundee'), null)
    const member = new TestClient(t.app)
    const someone = await makeAccount(t.app.kernel)
    await member.submit('/sign-in', { email: someone.email, password: PASSWORD })
    assert.equal((await member.get('/admin/identity-providers')).status, 403)
  })
})

// A locally started OpenID Connect provider for the browser journeys, and what a person does on its
// pages. The provider is test/support/oidc-provider.ts (oidc-provider with its development login and
// consent pages, and a ScotAccount-style attributes endpoint); here it also gets a staff client that
// authenticates with private_key_jwt, and Còmhla's OIDC_PROVIDERS is made to point at it.
//
// The provider's pages are not Còmhla's: they are not checked for layout or with axe, and they are
// left out of the rule that every page visited must be checked (assertEveryComhlaPageChecked).
import assert from 'node:assert/strict'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Browser, BrowserContextOptions, ConsoleMessage, Page } from 'playwright-core'
import { assertEveryPageChecked, checkPage, openPage } from './browser.js'
import { freePort, startIdpServer, type Person, type TestIdp } from '../../test/support/oidc-provider.js'
import type { AttributeService } from '../../src/platform/oidc/attributes.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export type LocalIdp = TestIdp & {
  /** Còmhla's address, chosen before it starts: the provider's clients name their redirect URIs on it */
  comhlaBase: string
  comhlaPort: number
  staff: { id: string; name: string; clientId: string }
  scotAccount: { id: string; name: string; clientId: string }
  /** OIDC_PROVIDERS for Còmhla */
  oidcProviders: string
}

/**
 * Starts the provider on a loopback port, with a staff client (private_key_jwt, verified with the
 * keys Còmhla publishes at /.well-known/jwks.json) and the ScotAccount-style client of
 * test/support/oidc-provider.ts (private_key_jwt too, with the attributes endpoint beside it).
 * Còmhla must be started on `comhlaPort` with `OIDC_PROVIDERS: oidcProviders`.
 */
export async function startLocalIdp(people: Record<string, Person>): Promise<LocalIdp> {
  const server = await startIdpServer()
  const comhlaPort = await freePort()
  // Còmhla's default address (localhost): its origin differs from the provider's (127.0.0.1), so no
  // address of one is a prefix of the other's.
  const comhlaBase = `http://localhost:${comhlaPort}`
  const idp = server.start(comhlaBase, people)
  const staff = { id: 'highland-staff', name: 'Highland Council staff account', clientId: 'comhla-highland-staff' }
  const scotAccount = { id: 'scotaccount', name: 'ScotAccount', clientId: 'comhla-scotaccount' }
  // A client kept in the provider's storage adapter, which oidc-provider consults for any client
  // not in its static configuration (the ones test/support/oidc-provider.ts sets are fixed there).
  const clients = (
    idp.provider.Client as unknown as { adapter: { upsert: (id: string, payload: object) => Promise<void> } }
  ).adapter
  await clients.upsert(staff.clientId, {
    client_id: staff.clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    jwks_uri: `${comhlaBase}/.well-known/jwks.json`,
    redirect_uris: [`${comhlaBase}/sign-in/oidc/${staff.id}/callback`],
    post_logout_redirect_uris: [`${comhlaBase}/signed-out`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  })
  assert.ok(await idp.provider.Client.find(staff.clientId), 'the provider knows the staff client')
  const oidcProviders = JSON.stringify([
    {
      id: staff.id,
      name: staff.name,
      issuer: idp.issuer,
      clientId: staff.clientId,
      auth: 'private_key_jwt',
      profile: 'staff',
    },
    {
      id: scotAccount.id,
      name: scotAccount.name,
      issuer: idp.issuer,
      clientId: scotAccount.clientId,
      auth: 'private_key_jwt',
      profile: 'scotaccount',
      attributesEndpoint: idp.attributesUrl,
    },
  ])
  return Object.assign(idp, { comhlaBase, comhlaPort, staff, scotAccount, oidcProviders })
}

/**
 * A module for the server child's `--import`: registers a service that may ask for verified
 * attributes, as a Còmhla module would at start-up (the registry lives in the server's process,
 * and nothing in src/ registers one yet).
 */
export function attributeServiceModule(service: AttributeService): string {
  const registry = pathToFileURL(path.join(root, 'src/platform/oidc/attributes.ts')).href
  const source =
    `import { registerAttributeService } from ${JSON.stringify(registry)};\n` +
    `registerAttributeService(${JSON.stringify(service)});\n`
  return `data:text/javascript,${encodeURIComponent(source)}`
}

const atProvider = (idp: { issuer: string }, url: string) => url.startsWith(`${idp.issuer}/`)

/**
 * A person's browser (openPage), which may visit the provider. Its pages load a web font from
 * Google; the journeys do not reach the internet, so that request is answered here with nothing.
 */
export async function openPersonPage(
  browser: Browser,
  baseUrl: string,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const { context, page } = await openPage(browser, baseUrl, options)
  await context.route(
    (url) => url.hostname === 'fonts.googleapis.com',
    (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }),
  )
  return page
}

/**
 * Does something on a Còmhla page that should take the browser to the provider (a form whose answer
 * is a redirect there), and waits until it arrives. A Content-Security-Policy that forbids the
 * redirect is reported as what it is, rather than as a timeout.
 */
export async function goToProvider(page: Page, idp: LocalIdp, action: () => Promise<unknown>): Promise<void> {
  const from = page.url()
  const csp: { blocked: string | null } = { blocked: null }
  const onConsole = (message: ConsoleMessage) => {
    if (message.type() === 'error' && /Content Security Policy/.test(message.text())) csp.blocked = message.text()
  }
  page.on('console', onConsole)
  try {
    const loaded = page.waitForEvent('load')
    loaded.catch(() => undefined)
    await action()
    const started = Date.now()
    while (!csp.blocked && !atProvider(idp, page.url()) && Date.now() - started < 15_000) await page.waitForTimeout(100)
    if (csp.blocked)
      assert.fail(
        `the browser refused to follow Còmhla's redirect from ${from} to the provider ${idp.issuer}:\n${csp.blocked}`,
      )
    await loaded
  } finally {
    page.off('console', onConsole)
  }
  assert.ok(atProvider(idp, page.url()), `expected to be at the provider, but at ${page.url()}`)
}

/** Presses "Sign in with <name>" on Còmhla's sign-in page: the browser arrives at the provider. */
export async function pressSignInWith(page: Page, idp: LocalIdp, name: string): Promise<void> {
  await goToProvider(page, idp, () =>
    page
      .locator('main')
      .getByRole('button', { name: `Sign in with ${name}`, exact: true })
      .click(),
  )
}

/**
 * At the provider: signs in as `login` when asked, and agrees when asked, until the browser is back
 * at Còmhla, whose page is then checked (layout, axe, browser errors). The provider's pages are not.
 * Returns the prompts the provider showed, in order.
 */
export async function continueAtProvider(page: Page, idp: LocalIdp, login: string): Promise<string[]> {
  const prompts: string[] = []
  for (let i = 0; i < 5 && atProvider(idp, page.url()); i++) {
    const prompt = (await page.locator('input[name="prompt"]').getAttribute('value')) ?? '(none)'
    prompts.push(prompt)
    const loaded = page.waitForEvent('load')
    if (prompt === 'login') {
      await page.locator('input[name="login"]').fill(login)
      await page.locator('input[name="password"]').fill('any password')
      await page.getByRole('button', { name: 'Sign-in' }).click()
    } else if (prompt === 'consent') {
      await page.getByRole('button', { name: 'Continue' }).click()
    } else {
      assert.fail(`unexpected provider page ${page.url()}: ${(await page.locator('body').innerText()).slice(0, 300)}`)
    }
    await loaded
  }
  assert.ok(page.url().startsWith(`${idp.comhlaBase}/`), `expected to be back at Còmhla, but at ${page.url()}`)
  await checkPage(page)
  return prompts
}

/**
 * Every Còmhla page the browser loaded was checked with axe; the provider's pages, which are not
 * Còmhla's, are the only ones allowed to go unchecked.
 */
export function assertEveryComhlaPageChecked(page: Page, idp: LocalIdp): void {
  try {
    assertEveryPageChecked(page)
  } catch (error) {
    if (!(error instanceof assert.AssertionError) || !Array.isArray(error.actual)) throw error
    const unchecked = (error.actual as string[]).filter((url) => !atProvider(idp, url))
    assert.deepEqual(unchecked, [], 'Còmhla pages were visited without an accessibility check')
  }
}

// A real OpenID Connect provider (oidc-provider) on a loopback port for the sign-in tests, with an
// attributes endpoint of the ScotAccount kind beside it, and a browser that follows redirects
// between the provider (over HTTP, with its own cookies) and Còmhla (through TestClient).
import http from 'node:http'
import net from 'node:net'
import { generateKeyPairSync } from 'node:crypto'
import * as cheerio from 'cheerio'
import Provider, { type KoaContextWithOIDC } from 'oidc-provider'
import type { TestClient, Page } from './client.js'

export type Person = {
  email?: string
  email_verified?: boolean
  name?: string
  address?: Record<string, string>
  verifiedEmail?: string
}

export type TestIdp = {
  issuer: string
  provider: Provider
  attributesUrl: string
  /** requests the attributes endpoint has answered, with the scopes of the token presented */
  attributeRequests: Array<{ accountId: string; scopes: string[] }>
  setCodeTtl: (seconds: number) => void
  /** As if the provider's cached copy of a client's JWKS had run out, so it fetches the set again. */
  expireClientKeys: (clientId: string) => Promise<void>
  close: () => Promise<void>
}

async function listen(server: http.Server | net.Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return (server.address() as net.AddressInfo).port
}

/** A free loopback port, for an app whose address must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Starts the server first (so the issuer is known), and the provider once Còmhla's address is known. */
export async function startIdpServer(): Promise<{
  issuer: string
  start: (comhlaBase: string, people: Record<string, Person>) => TestIdp
}> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503
    res.end()
  }
  const server = http.createServer((req, res) => handler(req, res))
  const port = await listen(server)
  const issuer = `http://127.0.0.1:${port}`

  const start = (comhlaBase: string, people: Record<string, Person>): TestIdp => {
    let codeTtl = 60
    const attributeRequests: TestIdp['attributeRequests'] = []
    const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'comhla-staff',
          client_secret: 'staff-client-secret',
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [`${comhlaBase}/sign-in/oidc/staff-idp/callback`],
          post_logout_redirect_uris: [`${comhlaBase}/signed-out`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
        {
          client_id: 'comhla-scotaccount',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'RS256',
          jwks_uri: `${comhlaBase}/.well-known/jwks.json`,
          redirect_uris: [`${comhlaBase}/sign-in/oidc/scotaccount/callback`],
          post_logout_redirect_uris: [`${comhlaBase}/signed-out`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      jwks: { keys: [{ ...signingKey, kid: 'test-idp', alg: 'RS256', use: 'sig' }] },
      cookies: { keys: ['a test cookie key that is long enough'] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      scopes: ['openid', 'email', 'profile', 'scotaccount.address', 'scotaccount.email', 'scotaccount.gpg45.medium'],
      findAccount: (_ctx: KoaContextWithOIDC, sub: string) => ({
        accountId: sub,
        claims: () => {
          const p = people[sub] ?? {}
          return {
            sub,
            ...(p.email ? { email: p.email, email_verified: p.email_verified ?? true } : {}),
            ...(p.name ? { name: p.name } : {}),
          }
        },
      }),
      features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
      ttl: { AuthorizationCode: () => codeTtl },
      // Còmhla listens on the loopback interface here, which the provider's SSRF guard would refuse.
      fetch: (url: string | URL | Request, options?: RequestInit) => {
        const { dispatcher: _guard, ...rest } = (options ?? {}) as RequestInit & { dispatcher?: unknown }
        return globalThis.fetch(url, rest)
      },
    })
    provider.on('server_error', (_ctx: unknown, error: Error) => {
      process.stderr.write(`oidc-provider server_error: ${error.stack ?? error.message}\n`)
    })
    const callback = provider.callback()
    // The attributes endpoint: answers only to an access token this provider issued, with the
    // attributes that token's scopes allow.
    handler = (req, res) => {
      if (!req.url?.startsWith('/attributes')) {
        void callback(req, res)
        return
      }
      void (async () => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
        const found = token ? await provider.AccessToken.find(token) : undefined
        if (!found || found.isExpired || !found.accountId) {
          res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
          return
        }
        const scopes = [...(found.scope?.split(' ') ?? [])]
        attributeRequests.push({ accountId: found.accountId, scopes })
        const p = people[found.accountId] ?? {}
        // Everything it holds, whatever was asked: keeping only what the service asked for is Còmhla's job.
        const body: Record<string, unknown> = {}
        if (p.name)
          body.verified_claims = {
            claims: { given_name: p.name.split(' ')[0], family_name: p.name.split(' ').slice(1).join(' ') },
          }
        if (p.address) body.address = p.address
        if (p.verifiedEmail) body.email = p.verifiedEmail
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      })()
    }
    return {
      issuer,
      provider,
      attributesUrl: `${issuer}/attributes`,
      attributeRequests,
      setCodeTtl: (seconds) => {
        codeTtl = seconds
      },
      expireClientKeys: async (clientId) => {
        const found = await provider.Client.find(clientId)
        const keystore = (found as unknown as { asymmetricKeyStore?: { freshUntil?: number } } | undefined)
          ?.asymmetricKeyStore
        if (!keystore) throw new Error(`no key store for ${clientId}`)
        keystore.freshUntil = 0
      },
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
    }
  }
  return { issuer, start }
}

export type Step = {
  site: 'comhla' | 'idp'
  url: string
  status: number
  body: string
  $: cheerio.CheerioAPI
  location?: string
}

/** A person's browser: Còmhla through its TestClient, the provider over HTTP with a cookie jar of its own. */
export class Browser {
  private readonly jar = new Map<string, string>()

  constructor(
    readonly comhla: TestClient,
    private readonly comhlaBase: string,
    private readonly issuer: string,
  ) {}

  private async idp(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Step> {
    const headers: Record<string, string> = {}
    if (this.jar.size) headers.cookie = [...this.jar.entries()].map(([k, v]) => `${k}=${v}`).join('; ')
    let body: string | undefined
    if (form) {
      body = new URLSearchParams(form).toString()
      headers['content-type'] = 'application/x-www-form-urlencoded'
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' })
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      if (value === '' || attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a))) this.jar.delete(name!.trim())
      else this.jar.set(name!.trim(), value)
    }
    const text = await res.text()
    const location = res.headers.get('location')
    return {
      site: 'idp',
      url,
      status: res.status,
      body: text,
      $: cheerio.load(text),
      ...(location ? { location: new URL(location, url).href } : {}),
    }
  }

  private fromPage(url: string, page: Page): Step {
    return {
      site: 'comhla',
      url,
      status: page.status,
      body: page.body,
      $: page.$,
      ...(page.location ? { location: new URL(page.location, `${this.comhlaBase}/`).href } : {}),
    }
  }

  /** Opens an address on either site and follows redirects, stopping early where `stop` says. */
  async go(url: string, stop: (url: string) => boolean = () => false): Promise<Step> {
    let next = url
    for (let hops = 0; hops < 20; hops++) {
      if (stop(next))
        return {
          site: next.startsWith(this.issuer) ? 'idp' : 'comhla',
          url: next,
          status: 0,
          body: '',
          $: cheerio.load(''),
        }
      const step = next.startsWith(this.comhlaBase)
        ? this.fromPage(next, await this.comhla.get(next.slice(this.comhlaBase.length) || '/'))
        : await this.idp('GET', next)
      if (step.status >= 300 && step.status < 400 && step.location) {
        next = step.location
        continue
      }
      return step
    }
    throw new Error(`too many redirects from ${url}`)
  }

  /** Continues from a Còmhla response (a redirect to the provider, usually). */
  async from(page: Page, stop?: (url: string) => boolean): Promise<Step> {
    if (!page.location) throw new Error(`expected a redirect, got ${page.status}`)
    return this.go(new URL(page.location, `${this.comhlaBase}/`).href, stop)
  }

  /** Submits the form on a provider page (login or consent) and follows where it leads. */
  async submitIdp(step: Step, fields: Record<string, string> = {}, stop?: (url: string) => boolean): Promise<Step> {
    const form = step.$('form[method="post"]').first()
    if (form.length === 0) throw new Error(`no form on the provider page ${step.url}: ${step.body.slice(0, 300)}`)
    const hidden: Record<string, string> = {}
    form.find('input[type="hidden"]').each((_, el) => {
      const name = step.$(el).attr('name')
      if (name) hidden[name] = step.$(el).attr('value') ?? ''
    })
    const res = await this.idp('POST', new URL(form.attr('action') ?? step.url, step.url).href, {
      ...hidden,
      ...fields,
    })
    if (res.status >= 300 && res.status < 400 && res.location) return this.go(res.location, stop)
    return res
  }

  /** At the provider: signs in as `login` when asked, and consents when asked, until back at Còmhla (or at `stop`). */
  async signInAtIdp(step: Step, login: string, stop?: (url: string) => boolean): Promise<Step> {
    let current = step
    for (let i = 0; i < 4 && current.site === 'idp' && current.status === 200; i++) {
      const prompt = current.$('input[name="prompt"]').attr('value')
      if (prompt === 'login') current = await this.submitIdp(current, { login, password: 'any password' }, stop)
      else if (prompt === 'consent') current = await this.submitIdp(current, {}, stop)
      else break
    }
    return current
  }
}

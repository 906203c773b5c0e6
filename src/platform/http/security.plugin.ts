// Security headers with a nonce-based CSP, cookies, CSRF on every form, rate limits, form bodies.
import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import { parse as parseQuery } from 'node:querystring'
import type { Config } from '../../config/config.js'

/** False when any string inside holds a NUL or is not well-formed Unicode. */
export function isCleanText(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && value.isWellFormed()
  if (value === null || typeof value !== 'object' || depth > 20) return true
  if (Array.isArray(value)) return value.every((v) => isCleanText(v, depth + 1))
  // Parsed forms, queries and JSON are walked; a raw body (a stream or bytes) is the route's to check.
  if (ArrayBuffer.isView(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return true
  return Object.entries(value as Record<string, unknown>).every(
    ([k, v]) => isCleanText(k, depth + 1) && isCleanText(v, depth + 1),
  )
}

export const securityPlugin = fp(
  async (app, opts: { config: Config; formActionOrigins?: () => string[] }) => {
    const secure = opts.config.baseUrl.startsWith('https://')
    await app.register(helmet, {
      enableCSPNonces: true,
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          // Forms may also lead, through a redirect, to the identity providers Còmhla knows.
          formAction: ["'self'", () => (opts.formActionOrigins?.() ?? []).join(' ')],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          upgradeInsecureRequests: secure ? [] : null,
        },
      },
      strictTransportSecurity: secure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    })
    await app.register(cookie, { secret: opts.config.sessionSecret })
    await app.register(csrf, {
      cookieKey: 'comhla_csrf',
      cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true },
      getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf,
    })
    await app.register(formbody, { parser: (body) => parseQuery(body), bodyLimit: 1_048_576 })
    await app.register(rateLimit, { global: false })

    // Text that no person can type and PostgreSQL cannot store (NUL, unpaired surrogates) is refused
    // at the door with a 400, rather than failing deep inside a query.
    app.addHook('preValidation', async (request) => {
      if (!isCleanText(request.query) || !isCleanText(request.params) || !isCleanText(request.body)) {
        throw Object.assign(
          new Error('The request contains characters that cannot be used (such as a null character)'),
          {
            statusCode: 400,
            code: 'INVALID_CHARACTERS',
          },
        )
      }
    })

    // Every form post carries the CSRF token; API calls authenticate with a bearer token or send JSON.
    app.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return
      if (request.url.startsWith('/api/')) {
        // A browser session may call the API only with JSON, which other sites cannot send without CORS.
        const json = (request.headers['content-type'] ?? '').startsWith('application/json')
        if (
          !request.headers.authorization &&
          !json &&
          request.headers['content-length'] !== undefined &&
          request.headers['content-length'] !== '0'
        ) {
          throw Object.assign(
            new Error('Send JSON (Content-Type: application/json) or authenticate with a bearer token'),
            { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
          )
        }
        return
      }
      await new Promise<void>((resolve, reject) => {
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve()))
      })
    })
  },
  { name: 'comhla-security' },
)

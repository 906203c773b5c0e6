// Per-request context: who is signed in (session cookie or API token), which language,
// and reply.render() for pages with the layout's shared data.
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kernel } from '../kernel.js'
import { requiresTwoFactor, type ActionContext, type Principal } from '../auth/principal.js'
import type { SessionInfo } from '../auth/session.service.js'
import { isLocale, type Locale, type Translate } from '../i18n/i18n.js'

export const SESSION_COOKIE = 'comhla_session'
export const LANG_COOKIE = 'comhla_lang'

export type NavModule = { href: string; section: string; labelKey: string }

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale
    principal: Principal | null
    sessionToken: string | null
    /** a session that has passed the password but still owes its second factor */
    pendingSession: SessionInfo | null
    t: Translate
    ctx: () => ActionContext
  }
  interface FastifyReply {
    render: (template: string, data?: Record<string, unknown>, status?: number) => FastifyReply
  }
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match ? (match[1] ?? null) : null
}

/** What the layout needs on every page: language, who is signed in, the form token, the navigation. */
export function layoutContext(c: {
  t: Translate
  locale: Locale
  principal: Principal | null
  csrfToken: string
  nonce: string
  currentPath: string
  navModules: NavModule[]
  baseUrl: string
}): Record<string, unknown> {
  return { ...c, otherLocale: c.locale === 'en' ? 'gd' : 'en' }
}

export const contextPlugin = fp(
  async (app, opts: { kernel: Kernel; navModules: NavModule[] }) => {
    const { kernel } = opts
    app.decorateRequest('locale', 'en')
    app.decorateRequest('principal', null)
    app.decorateRequest('sessionToken', null)
    app.decorateRequest('pendingSession', null)
    app.decorateRequest('t', null as unknown as Translate)
    app.decorateRequest('ctx', function (this: FastifyRequest): ActionContext {
      return { principal: this.principal, requestId: this.id, ip: this.ip, locale: this.locale }
    })

    app.addHook('onRequest', async (request) => {
      const cookieLang = request.cookies[LANG_COOKIE]
      request.locale = isLocale(cookieLang) ? cookieLang : 'en'
      request.t = kernel.i18n.translator(request.locale)
      if (request.url.startsWith('/assets/') || request.url.startsWith('/health/')) return
      const token = bearer(request)
      if (token) {
        const resolved = await kernel.apiTokens.resolve(token)
        if (resolved)
          request.principal = await kernel.accounts.principalFor(
            kernel.db,
            resolved.accountId,
            'token',
            resolved.scopes,
          )
        return
      }
      const sessionToken = request.cookies[SESSION_COOKIE]
      if (sessionToken) {
        const session = await kernel.sessions.resolve(sessionToken)
        if (session?.pendingSecondFactor) {
          request.sessionToken = sessionToken
          request.pendingSession = session
        } else if (session) {
          request.sessionToken = sessionToken
          request.principal = await kernel.accounts.principalFor(kernel.db, session.accountId, 'session', null)
          if (!cookieLang && request.principal) {
            request.locale = request.principal.locale
            request.t = kernel.i18n.translator(request.locale)
          }
        }
      }
    })

    // Staff must set up two-factor sign-in before anything else: every other page sends them there.
    const openWithoutTwoFactor =
      /^\/(account\/two-factor|sign-out|signed-out|language\/|assets\/|health\/|info$|accessibility|privacy|cookies|contact|api\/docs|api\/openapi)/
    app.addHook('preHandler', async (request, reply) => {
      const p = request.principal
      if (!p || p.via !== 'session' || p.twoFactorEnabled || !requiresTwoFactor(p)) return
      if (openWithoutTwoFactor.test(request.url)) return
      if (request.url.startsWith('/api/')) {
        return reply.code(403).send({
          error: { code: 'TWO_FACTOR_REQUIRED', message: 'Set up two-factor sign-in before using the API as staff' },
        })
      }
      return reply.redirect(`/account/two-factor/setup?return=${encodeURIComponent(request.url)}`, 303)
    })

    app.decorateReply(
      'render',
      function (this: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200) {
        const request = this.request
        const t = request.t
        const nonce = (this as unknown as { cspNonce?: { script: string } }).cspNonce?.script ?? ''
        let csrfToken = ''
        try {
          csrfToken = this.generateCsrf()
        } catch {
          csrfToken = ''
        }
        const fieldErrors = Object.entries((data.fieldErrors as Record<string, string> | undefined) ?? {}).map(
          ([field, key]) => ({ field, text: t(key) }),
        )
        this.code(status)
        this.header('content-type', 'text/html; charset=utf-8')
        if (request.principal) this.header('cache-control', 'no-store')
        return this.view(template, {
          ...data,
          errors: data.fieldErrors ? fieldErrors : data.errors,
          err: Object.fromEntries(fieldErrors.map((e) => [e.field, e.text])),
          ...layoutContext({
            t,
            locale: request.locale,
            principal: request.principal,
            csrfToken,
            nonce,
            currentPath: request.url,
            navModules: opts.navModules,
            baseUrl: kernel.config.baseUrl,
          }),
        })
      },
    )
  },
  { name: 'comhla-context', dependencies: ['@fastify/cookie', '@fastify/view'] },
)

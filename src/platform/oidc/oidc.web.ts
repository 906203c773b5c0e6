// OpenID Connect pages: signing in with a provider and its callback, the public JWKS, linked
// sign-in methods, consent to share verified attributes, providers (platform administrators) and
// email domains that let staff join a body (organisation administrators).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema, safeReturnPath } from '../http/forms.js'
import { signedIn } from '../http/guards.js'
import { requireOrganisationAdmin, requirePlatformAdmin } from '../auth/authorisation.js'
import { systemContext } from '../auth/principal.js'
import { completeSignIn } from '../auth/sign-in.js'
import { DomainError } from '../errors/domain-error.js'
import type { Organisation } from '../organisations/organisation.service.js'
import { refusalNames, type ProviderInput } from './oidc.service.js'
import { attributeNames } from './attributes.js'
import { JWKS_MAX_AGE_SECONDS } from './signing-keys.js'
import { refusalCodes, type RefusalCode } from './oidc.types.js'

/** Binds a sign-in attempt to the browser that started it (defeats forged and swapped callbacks). */
export const OIDC_BINDING_COOKIE = 'comhla_oidc'

const ProviderParams = Type.Object({ provider: Type.String({ maxLength: 60 }) })
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) })
const ServiceParams = Type.Object({ service: Type.String({ maxLength: 80 }) })
const CallbackQuery = Type.Object(
  {
    code: Type.Optional(Type.String({ maxLength: 4000 })),
    state: Type.Optional(Type.String({ maxLength: 500 })),
    iss: Type.Optional(Type.String({ maxLength: 2000 })),
    error: Type.Optional(Type.String({ maxLength: 200 })),
    error_description: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: true },
)

const refusalStatus: Record<RefusalCode, number> = {
  OIDC_STATE_INVALID: 400,
  OIDC_ATTEMPT_EXPIRED: 400,
  OIDC_CODE_INVALID: 400,
  OIDC_NONCE_INVALID: 400,
  OIDC_ISSUER_INVALID: 400,
  OIDC_RESPONSE_INVALID: 502,
  OIDC_PROVIDER_REFUSED: 401,
  OIDC_PROVIDER_UNAVAILABLE: 503,
  OIDC_EMAIL_CLASH: 409,
  OIDC_EMAIL_MISSING: 403,
  OIDC_NO_ORGANISATION: 403,
  OIDC_IDENTITY_TAKEN: 409,
  OIDC_WRONG_PERSON: 403,
  OIDC_ATTRIBUTES_UNAVAILABLE: 503,
}

function isRefusal(error: unknown): error is DomainError<RefusalCode> {
  return error instanceof DomainError && (refusalCodes as readonly string[]).includes(error.code)
}

export const oidcWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app
  const secure = kernel.config.baseUrl.startsWith('https://')
  const limited = { rateLimit: { max: kernel.config.rateLimitMax, timeWindow: '1 minute' } }

  /** This browser's binding value, made when it has none; the cookie is renewed so it outlives the attempt. */
  function binding(request: FastifyRequest, reply: FastifyReply): string {
    const value = readBinding(request) ?? kernel.oidc.newBinding()
    reply.setCookie(OIDC_BINDING_COOKIE, value, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure,
      signed: true,
      maxAge: 3600,
    })
    return value
  }

  function readBinding(request: FastifyRequest): string | null {
    const raw = request.cookies[OIDC_BINDING_COOKIE]
    if (!raw) return null
    const unsigned = request.unsignCookie(raw)
    return unsigned.valid && unsigned.value ? unsigned.value : null
  }

  function refused(request: FastifyRequest, reply: FastifyReply, error: DomainError<RefusalCode>, retry: string) {
    const name = refusalNames[error.code]
    return reply.render(
      'oidc/refused.njk',
      {
        title: request.t(`oidc.refused.${name}.title`),
        text: request.t(`oidc.refused.${name}.text`),
        code: error.code,
        retry,
        requestId: request.id,
      },
      refusalStatus[error.code],
    )
  }

  // --- the public keys for private_key_jwt ---
  app.get('/.well-known/jwks.json', async (_request, reply) => {
    const jwks = await kernel.oidc.keys.jwks(systemContext('oidc'))
    return reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).type('application/json').send(jwks)
  })

  // --- signing in ---
  app.post(
    '/sign-in/oidc/:provider',
    { schema: { params: ProviderParams, body: formSchema(['return'], 2000) }, attachValidation: true, config: limited },
    async (request, reply) => {
      try {
        const url = await kernel.oidc.begin(request.ctx(), {
          providerId: request.params.provider,
          purpose: 'sign-in',
          binding: binding(request, reply),
          returnPath: safeReturnPath(field(request.body, 'return'), '') || null,
        })
        return reply.redirect(url, 303)
      } catch (error) {
        if (isRefusal(error)) return refused(request, reply, error, '/sign-in')
        throw error
      }
    },
  )

  app.get(
    '/sign-in/oidc/:provider/callback',
    { schema: { params: ProviderParams, querystring: CallbackQuery }, config: limited },
    async (request, reply) => {
      const currentUrl = new URL(request.url, `${kernel.config.baseUrl}/`)
      try {
        const outcome = await kernel.oidc.complete(
          request.ctx(),
          request.params.provider,
          currentUrl,
          readBinding(request),
        )
        switch (outcome.purpose) {
          case 'sign-in': {
            const result = await completeSignIn(request, reply, outcome.accountId, `oidc:${outcome.providerId}`)
            await kernel.oidc.rememberSession(
              request.sessionToken!,
              outcome.accountId,
              outcome.providerId,
              outcome.idToken,
            )
            let next = outcome.returnPath ?? '/account'
            if (outcome.joined && !outcome.returnPath) {
              const organisation = await kernel.organisations.getById(outcome.joined)
              if (organisation) next = `/manage/organisations/${organisation.slug}?joined=1`
            }
            if (result === 'second-factor')
              return reply.redirect(`/sign-in/two-factor?return=${encodeURIComponent(next)}`, 303)
            return reply.redirect(next, 303)
          }
          case 'link':
            return reply.redirect(`/account/sign-in-methods?linked=${encodeURIComponent(outcome.providerId)}`, 303)
          case 'attributes':
            return reply.redirect(outcome.returnPath ?? '/account/verified-attributes', 303)
        }
      } catch (error) {
        if (isRefusal(error))
          return refused(request, reply, error, request.principal ? '/account/sign-in-methods' : '/sign-in')
        throw error
      }
    },
  )

  // --- linked sign-in methods ---
  async function methodsPage(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const [identities, providers] = await Promise.all([kernel.oidc.identities(request.ctx()), kernel.oidc.providers()])
    const linked = new Set(identities.map((i) => i.providerId))
    const query = request.query as Record<string, string | undefined>
    return {
      title: request.t('oidc.methods.title'),
      section: 'account',
      identities,
      linkable: providers.filter((p) => !linked.has(p.id)),
      linkedName: query.linked ? (providers.find((p) => p.id === query.linked)?.name ?? null) : null,
      removed: query.removed === '1',
      ...extra,
    }
  }

  app.get('/account/sign-in-methods', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return reply.render('oidc/methods.njk', await methodsPage(request))
  })

  app.post(
    '/account/sign-in-methods/:provider/link',
    { schema: { params: ProviderParams }, config: limited },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      try {
        const url = await kernel.oidc.begin(request.ctx(), {
          providerId: request.params.provider,
          purpose: 'link',
          binding: binding(request, reply),
        })
        return reply.redirect(url, 303)
      } catch (error) {
        if (isRefusal(error)) return refused(request, reply, error, '/account/sign-in-methods')
        throw error
      }
    },
  )

  app.post(
    '/account/sign-in-methods/:id/remove',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 60 }) }) } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      try {
        await kernel.oidc.unlink(request.ctx(), request.params.id)
        return reply.redirect('/account/sign-in-methods?removed=1', 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render('oidc/methods.njk', await methodsPage(request, { fieldErrors }), 409)
      }
    },
  )

  // --- verified attributes ---
  app.get('/account/verified-attributes', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const consents = await kernel.oidc.consents(request.ctx())
    return reply.render('oidc/attributes.njk', {
      title: request.t('oidc.attributes.title'),
      section: 'account',
      consents,
      attributeNames,
    })
  })

  app.post(
    '/account/verified-attributes/:service/withdraw',
    { schema: { params: ServiceParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await kernel.oidc.withdrawConsent(request.ctx(), request.params.service)
      return reply.redirect('/account/verified-attributes', 303)
    },
  )

  const ConsentQuery = Type.Object({
    attributes: Type.Optional(Type.String({ maxLength: 200 })),
    return: Type.Optional(Type.String({ maxLength: 2000 })),
  })

  app.get(
    '/account/verified-attributes/:service',
    { schema: { params: ServiceParams, querystring: ConsentQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const asked = await kernel.oidc.attributeRequest(
        request.ctx(),
        request.params.service,
        request.query.attributes ?? '',
      )
      return reply.render('oidc/consent.njk', {
        title: request.t('oidc.consent.title'),
        section: 'account',
        asked,
        values: { attributes: asked.attributes.join(' '), return: safeReturnPath(request.query.return, '') },
      })
    },
  )

  app.post(
    '/account/verified-attributes/:service',
    {
      schema: { params: ServiceParams, body: formSchema(['attributes', 'return', 'decision'], 2000) },
      attachValidation: true,
      config: limited,
    },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        attributes: field(request.body, 'attributes', 200),
        return: safeReturnPath(field(request.body, 'return'), ''),
      }
      const asked = await kernel.oidc.attributeRequest(request.ctx(), request.params.service, values.attributes)
      const decision = field(request.body, 'decision', 20)
      if (decision === 'decline') return reply.redirect(values.return || '/account', 303)
      if (decision !== 'share' || !asked.provider) {
        const fieldErrors = {
          decision: asked.provider ? 'validation.oidc.decisionRequired' : 'validation.oidc.noScotAccount',
        }
        return reply.render(
          'oidc/consent.njk',
          { title: request.t('oidc.consent.title'), section: 'account', asked, values, fieldErrors },
          422,
        )
      }
      try {
        const url = await kernel.oidc.begin(request.ctx(), {
          providerId: asked.provider.id,
          purpose: 'attributes',
          binding: binding(request, reply),
          service: asked.service.id,
          attributes: asked.attributes,
          returnPath: values.return || null,
        })
        return reply.redirect(url, 303)
      } catch (error) {
        if (isRefusal(error)) return refused(request, reply, error, '/account')
        throw error
      }
    },
  )

  // --- providers (platform administrators) ---
  function platformAdmin(request: FastifyRequest, reply: FastifyReply): boolean {
    if (!signedIn(request, reply)) return false
    requirePlatformAdmin(request.ctx())
    return true
  }

  const providerPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => ({
    title: request.t('oidc.providers.title'),
    section: 'admin',
    providers: await kernel.oidc.providers(),
    jwksUri: kernel.oidc.jwksUri,
    callbackExample: kernel.oidc.redirectUri('<id>'),
    signedOutUri: `${kernel.config.baseUrl}/signed-out`,
    added: (request.query as Record<string, string | undefined>).added ?? null,
    ...extra,
  })

  app.get('/admin/identity-providers', async (request, reply) => {
    if (!platformAdmin(request, reply)) return reply
    return reply.render('oidc/providers.njk', await providerPage(request))
  })

  const providerFields = [
    'id',
    'name',
    'issuer',
    'clientId',
    'auth',
    'clientSecret',
    'profile',
    'scopes',
    'attributesEndpoint',
  ]

  app.get('/admin/identity-providers/new', async (request, reply) => {
    if (!platformAdmin(request, reply)) return reply
    return reply.render('oidc/provider-new.njk', {
      title: request.t('oidc.providers.addTitle'),
      section: 'admin',
      values: { auth: 'private_key_jwt', profile: 'staff' },
      jwksUri: kernel.oidc.jwksUri,
    })
  })

  app.post(
    '/admin/identity-providers/new',
    { schema: { body: formSchema(providerFields, 2000) }, attachValidation: true },
    async (request, reply) => {
      if (!platformAdmin(request, reply)) return reply
      const input: ProviderInput = {
        id: field(request.body, 'id', 60).trim(),
        name: field(request.body, 'name', 200),
        issuer: field(request.body, 'issuer', 2000),
        clientId: field(request.body, 'clientId', 500),
        auth: field(request.body, 'auth', 40),
        clientSecret: field(request.body, 'clientSecret', 2000),
        profile: field(request.body, 'profile', 40),
        scopes: field(request.body, 'scopes', 2000),
        attributesEndpoint: field(request.body, 'attributesEndpoint', 2000),
      }
      try {
        const added = await kernel.oidc.addProvider(request.ctx(), input)
        return reply.redirect(`/admin/identity-providers?added=${encodeURIComponent(added.id)}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        // The secret is never sent back to the browser.
        const values = { ...input, clientSecret: '' }
        return reply.render(
          'oidc/provider-new.njk',
          {
            title: request.t('oidc.providers.addTitle'),
            section: 'admin',
            values,
            fieldErrors,
            jwksUri: kernel.oidc.jwksUri,
          },
          422,
        )
      }
    },
  )

  app.post(
    '/admin/identity-providers/:provider/remove',
    { schema: { params: ProviderParams } },
    async (request, reply) => {
      if (!platformAdmin(request, reply)) return reply
      await kernel.oidc.removeProvider(request.ctx(), request.params.provider)
      return reply.redirect('/admin/identity-providers', 303)
    },
  )

  // --- email domains of a body (organisation administrators) ---
  async function administered(request: FastifyRequest, slug: string): Promise<Organisation> {
    const organisation = await kernel.organisations.getBySlug(slug)
    requireOrganisationAdmin(request.ctx(), organisation.id)
    return organisation
  }

  const domainsPage = async (
    request: FastifyRequest,
    organisation: Organisation,
    extra: Record<string, unknown> = {},
  ) => ({
    title: request.t('oidc.domains.title'),
    section: 'manage',
    organisation,
    headerOrganisation: request.locale === 'gd' && organisation.nameGd ? organisation.nameGd : organisation.nameEn,
    domains: await kernel.oidc.domains(request.ctx(), organisation.id),
    staffProviders: (await kernel.oidc.providers()).filter((p) => p.profile === 'staff'),
    values: {},
    ...extra,
  })

  app.get('/manage/organisations/:slug/sign-in-domains', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisation = await administered(request, request.params.slug)
    return reply.render('oidc/domains.njk', await domainsPage(request, organisation))
  })

  app.post(
    '/manage/organisations/:slug/sign-in-domains',
    { schema: { params: SlugParams, body: formSchema(['providerId', 'domain'], 300) }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      const values = { providerId: field(request.body, 'providerId', 60), domain: field(request.body, 'domain', 300) }
      try {
        await kernel.oidc.addDomain(request.ctx(), organisation.id, values)
        return reply.redirect(`/manage/organisations/${organisation.slug}/sign-in-domains`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render('oidc/domains.njk', await domainsPage(request, organisation, { values, fieldErrors }), 422)
      }
    },
  )

  app.post(
    '/manage/organisations/:slug/sign-in-domains/:id/remove',
    { schema: { params: Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 60 }) }) } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      await kernel.oidc.removeDomain(request.ctx(), organisation.id, request.params.id)
      return reply.redirect(`/manage/organisations/${organisation.slug}/sign-in-domains`, 303)
    },
  )
}

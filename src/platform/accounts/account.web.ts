// Your account: overview, password, API tokens.
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, fieldList, formSchema } from '../http/forms.js'
import { signedIn } from '../http/guards.js'
import { SESSION_COOKIE } from '../http/context.plugin.js'
import { allScopes } from './scopes.js'
import { allRoles } from './roles.js'
import { TOKEN_EXPIRY_DAYS } from './api-token.service.js'

export const accountWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app

  app.get('/account', async (request, reply) => {
    const principal = signedIn(request, reply)
    if (!principal) return reply
    const account = await kernel.accounts.get(principal.accountId)
    return reply.render('account/overview.njk', {
      title: request.t('account.title'),
      account,
      roles: allRoles(),
      section: 'account',
    })
  })

  app.get('/account/data.json', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const data = await kernel.personalData.export(request.ctx())
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="comhla-my-data.json"')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(data, null, 2))
  })

  app.get('/account/delete', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const blocker = await kernel.personalData.deletionBlocker(request.ctx())
    return reply.render('account/delete.njk', { title: request.t('deleteAccount.title'), blocker })
  })

  app.post(
    '/account/delete',
    {
      schema: { body: formSchema(['password'], 2000) },
      attachValidation: true,
      config: { rateLimit: { max: kernel.config.rateLimitMax, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      try {
        await kernel.personalData.deleteAccount(request.ctx(), field(request.body, 'password', 2000))
        reply.clearCookie(SESSION_COOKIE, { path: '/' })
        return reply.redirect('/account/deleted', 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'account/delete.njk',
          { title: request.t('deleteAccount.title'), blocker: null, fieldErrors },
          422,
        )
      }
    },
  )

  app.get('/account/deleted', async (request, reply) =>
    reply.render('account/deleted.njk', { title: request.t('deleteAccount.doneTitle') }),
  )

  app.get('/account/password', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return reply.render('account/password.njk', { title: request.t('password.title') })
  })

  app.post(
    '/account/password',
    {
      schema: { body: formSchema(['currentPassword', 'password', 'confirmPassword'], 2000) },
      attachValidation: true,
      config: { rateLimit: { max: kernel.config.rateLimitMax, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      try {
        await kernel.accounts.changePassword(
          request.ctx(),
          field(request.body, 'currentPassword', 2000),
          field(request.body, 'password', 2000),
          field(request.body, 'confirmPassword', 2000),
          request.sessionToken,
        )
        return reply.redirect('/account?changed=password', 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render('account/password.njk', { title: request.t('password.title'), fieldErrors }, 422)
      }
    },
  )

  const tokenPage = async (request: FastifyRequest, extra: Record<string, unknown> = {}) => ({
    title: request.t('tokens.title'),
    tokens: await kernel.apiTokens.list(request.ctx()),
    scopes: allScopes(),
    expiryOptions: TOKEN_EXPIRY_DAYS,
    values: { scopes: [], expiresInDays: '30', name: '' },
    ...extra,
  })

  app.get('/account/tokens', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return reply.render('account/tokens.njk', await tokenPage(request))
  })

  app.post(
    '/account/tokens',
    { schema: { body: formSchema(['name', 'scopes', 'expiresInDays'], 200) }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        name: field(request.body, 'name', 200),
        scopes: fieldList(request.body, 'scopes'),
        expiresInDays: field(request.body, 'expiresInDays', 10),
      }
      try {
        const created = await kernel.apiTokens.create(request.ctx(), {
          name: values.name,
          scopes: values.scopes,
          expiresInDays: Number(values.expiresInDays),
        })
        // Shown once, on this response only; never stored in clear.
        return reply
          .header('cache-control', 'no-store')
          .render('account/token-created.njk', { title: request.t('tokens.createdTitle'), created })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render('account/tokens.njk', await tokenPage(request, { values, fieldErrors }), 422)
      }
    },
  )

  app.post(
    '/account/tokens/:id/revoke',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await kernel.apiTokens.revoke(request.ctx(), request.params.id)
      return reply.redirect('/account/tokens?revoked=1', 303)
    },
  )
}

// Two-factor sign-in pages: the code step of signing in, setting it up, recovery codes,
// removing it; and the person's active sessions.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema, safeReturnPath } from '../http/forms.js'
import { signedIn } from '../http/guards.js'
import { SESSION_COOKIE } from '../http/context.plugin.js'
import { DomainError } from '../errors/domain-error.js'
import { inTransaction } from '../db/transaction.js'
import { completeSignIn } from './sign-in.js'
import { describeAddress, describeDevice } from './device.js'
import { sha256 } from '../../shared/crypto.js'

const ReturnQuery = Type.Object({ return: Type.Optional(Type.String({ maxLength: 2000 })) })

export const twoFactorWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app
  const limited = { rateLimit: { max: kernel.config.rateLimitMax, timeWindow: '1 minute' } }

  // --- the second step of signing in ---
  const codePage = (kind: 'code' | 'recovery') =>
    kind === 'code' ? 'auth/two-factor-code.njk' : 'auth/recovery-code.njk'

  function pending(request: FastifyRequest, reply: FastifyReply) {
    if (request.pendingSession) return request.pendingSession
    void reply.redirect('/sign-in', 303)
    return null
  }

  for (const kind of ['code', 'recovery'] as const) {
    const url = kind === 'code' ? '/sign-in/two-factor' : '/sign-in/recovery-code'
    const fieldName = kind === 'code' ? 'code' : 'recoveryCode'
    app.get(url, { schema: { querystring: ReturnQuery } }, async (request, reply) => {
      if (!pending(request, reply)) return reply
      return reply.render(codePage(kind), {
        title: request.t(kind === 'code' ? 'twoFactor.signInTitle' : 'twoFactor.recoveryTitle'),
        values: { return: safeReturnPath(request.query.return, '') },
      })
    })
    app.post(
      url,
      { schema: { body: formSchema([fieldName, 'return'], 200) }, attachValidation: true, config: limited },
      async (request, reply) => {
        const session = pending(request, reply)
        if (!session) return reply
        const values = { return: safeReturnPath(field(request.body, 'return'), '') }
        const ctx = {
          ...request.ctx(),
          principal: await kernel.accounts.principalFor(kernel.db, session.accountId, 'session', null),
        }
        try {
          const used = await kernel.twoFactor.verifyForSession(
            ctx,
            session,
            kind === 'code'
              ? { code: field(request.body, 'code', 20) }
              : { recoveryCode: field(request.body, 'recoveryCode', 40) },
          )
          await completeSignIn(request, reply, session.accountId, `${session.method}+${used}`, {
            secondFactorDone: true,
          })
          const status = await kernel.twoFactor.status(session.accountId)
          if (used === 'recovery-code')
            return reply.redirect(`/account/two-factor?recovery-used=${status.recoveryCodesLeft}`, 303)
          return reply.redirect(values.return || '/account', 303)
        } catch (error) {
          if (error instanceof DomainError && error.code === 'TWO_FACTOR_TOO_MANY_ATTEMPTS') {
            reply.clearCookie(SESSION_COOKIE, { path: '/' })
            return reply.render('auth/two-factor-locked.njk', { title: request.t('twoFactor.lockedTitle') }, 429)
          }
          const fieldErrors = fieldErrorsOf(error)
          if (!fieldErrors) throw error
          return reply.render(
            codePage(kind),
            {
              title: request.t(kind === 'code' ? 'twoFactor.signInTitle' : 'twoFactor.recoveryTitle'),
              values,
              fieldErrors,
            },
            422,
          )
        }
      },
    )
  }

  // --- managing it ---
  app.get('/account/two-factor', async (request, reply) => {
    const principal = signedIn(request, reply)
    if (!principal) return reply
    const status = await kernel.twoFactor.status(principal.accountId)
    const left = (request.query as Record<string, string>)['recovery-used']
    return reply.render('account/two-factor.njk', {
      title: request.t('twoFactor.title'),
      status,
      recoveryUsed: left === undefined ? null : Number(left),
      section: 'account',
    })
  })

  app.get('/account/two-factor/setup', { schema: { querystring: ReturnQuery } }, async (request, reply) => {
    const principal = signedIn(request, reply)
    if (!principal) return reply
    if (principal.twoFactorEnabled) return reply.redirect('/account/two-factor', 303)
    const setup = await kernel.twoFactor.beginSetup(request.ctx(), sha256(request.sessionToken!))
    return reply.render('account/two-factor-setup.njk', {
      title: request.t('twoFactor.setupTitle'),
      setup,
      required: principal.isPlatformAdmin || principal.memberships.length > 0,
      values: { return: safeReturnPath(request.query.return, '') },
    })
  })

  app.post(
    '/account/two-factor/setup',
    { schema: { body: formSchema(['code', 'return'], 200) }, attachValidation: true, config: limited },
    async (request, reply) => {
      const principal = signedIn(request, reply)
      if (!principal) return reply
      const values = { return: safeReturnPath(field(request.body, 'return'), '') }
      try {
        const codes = await kernel.twoFactor.confirmSetup(
          request.ctx(),
          sha256(request.sessionToken!),
          field(request.body, 'code', 20),
        )
        return reply.header('cache-control', 'no-store').render('account/recovery-codes.njk', {
          title: request.t('twoFactor.codesTitle'),
          codes,
          next: values.return || '/account',
        })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        const setup = await kernel.twoFactor.beginSetup(request.ctx(), sha256(request.sessionToken!))
        return reply.render(
          'account/two-factor-setup.njk',
          {
            title: request.t('twoFactor.setupTitle'),
            setup,
            required: principal.isPlatformAdmin || principal.memberships.length > 0,
            values,
            fieldErrors,
          },
          422,
        )
      }
    },
  )

  for (const action of ['disable', 'recovery-codes'] as const) {
    const url = `/account/two-factor/${action}`
    const template = 'account/two-factor-confirm.njk'
    const title = action === 'disable' ? 'twoFactor.disableTitle' : 'twoFactor.regenerateTitle'
    app.get(url, async (request, reply) => {
      const principal = signedIn(request, reply)
      if (!principal) return reply
      return reply.render(template, {
        title: request.t(title),
        action,
        required: principal.isPlatformAdmin || principal.memberships.length > 0,
      })
    })
    app.post(
      url,
      { schema: { body: formSchema(['password', 'code'], 2000) }, attachValidation: true, config: limited },
      async (request, reply) => {
        const principal = signedIn(request, reply)
        if (!principal) return reply
        const required = principal.isPlatformAdmin || principal.memberships.length > 0
        try {
          if (action === 'disable') {
            await kernel.twoFactor.disable(
              request.ctx(),
              field(request.body, 'password', 2000),
              field(request.body, 'code', 20),
            )
            return reply.redirect('/account/two-factor', 303)
          }
          const codes = await kernel.twoFactor.regenerateRecoveryCodes(
            request.ctx(),
            field(request.body, 'password', 2000),
            field(request.body, 'code', 20),
          )
          return reply.header('cache-control', 'no-store').render('account/recovery-codes.njk', {
            title: request.t('twoFactor.codesTitle'),
            codes,
            next: '/account/two-factor',
          })
        } catch (error) {
          const fieldErrors = fieldErrorsOf(error)
          if (!fieldErrors) throw error
          return reply.render(template, { title: request.t(title), action, required, fieldErrors }, 422)
        }
      },
    )
  }

  // --- sessions ---
  app.get('/account/sessions', async (request, reply) => {
    const principal = signedIn(request, reply)
    if (!principal) return reply
    const current = sha256(request.sessionToken!)
    const sessions = (await kernel.sessions.list(principal.accountId)).map((s) => ({
      ...s,
      current: s.idHash === current,
      device: describeDevice(s.userAgent),
      place: describeAddress(s.ip),
    }))
    return reply.render('account/sessions.njk', { title: request.t('sessions.title'), sessions, section: 'account' })
  })

  app.post(
    '/account/sessions/:id/end',
    { schema: { params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$' }) }) } },
    async (request, reply) => {
      const principal = signedIn(request, reply)
      if (!principal) return reply
      await inTransaction(kernel.db, async (trx) => {
        if (await kernel.sessions.revokeByHash(trx, principal.accountId, request.params.id)) {
          await kernel.audit.record(trx, request.ctx(), {
            action: 'account.session-ended',
            targetType: 'account',
            targetId: principal.accountId,
          })
        }
      })
      return reply.redirect('/account/sessions', 303)
    },
  )

  app.post('/account/sessions/end-others', async (request, reply) => {
    const principal = signedIn(request, reply)
    if (!principal) return reply
    await inTransaction(kernel.db, async (trx) => {
      const ended = await kernel.sessions.revokeAll(trx, principal.accountId, request.sessionToken)
      await kernel.audit.record(trx, request.ctx(), {
        action: 'account.other-sessions-ended',
        targetType: 'account',
        targetId: principal.accountId,
        details: { ended },
      })
    })
    return reply.redirect('/account/sessions', 303)
  })
}

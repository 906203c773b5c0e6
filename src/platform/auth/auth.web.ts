// Sign-in journeys: sign in and out, register, confirm email, forgotten password, first set-up.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { SESSION_COOKIE } from '../http/context.plugin.js'
import { completeSignIn } from './sign-in.js'
import { field, fieldErrorsOf, formSchema, safeReturnPath } from '../http/forms.js'
import { DomainError } from '../errors/domain-error.js'
import { normaliseEmail } from '../../shared/email.js'

const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) })

export const authWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app
  const { config } = kernel
  const limited = { rateLimit: { max: config.rateLimitMax, timeWindow: '1 minute' } }

  // --- sign in ---
  app.get(
    '/sign-in',
    { schema: { querystring: Type.Object({ return: Type.Optional(Type.String({ maxLength: 2000 })) }) } },
    async (request, reply) => {
      if (request.principal) return reply.redirect(safeReturnPath(request.query.return, '/account'))
      return reply.render('auth/sign-in.njk', {
        title: request.t('signIn.title'),
        values: { return: safeReturnPath(request.query.return, '') },
        oidcProviders: await kernel.oidc.providers(),
      })
    },
  )

  app.post(
    '/sign-in',
    { schema: { body: formSchema(['email', 'password', 'return']) }, attachValidation: true, config: limited },
    async (request, reply) => {
      const values = {
        email: field(request.body, 'email', 320),
        return: safeReturnPath(field(request.body, 'return'), ''),
      }
      const password = field(request.body, 'password', 2000)
      try {
        const account = await kernel.accounts.authenticate(values.email, password, request.ctx())
        if (!account.emailVerified) {
          await kernel.accounts.resendVerification(account.id, request.ctx())
          return reply.render('auth/check-email.njk', {
            title: request.t('checkEmail.title'),
            email: account.email,
            unverified: true,
          })
        }
        const outcome = await completeSignIn(request, reply, account.id, 'password')
        if (outcome === 'second-factor')
          return reply.redirect(
            `/sign-in/two-factor${values.return ? `?return=${encodeURIComponent(values.return)}` : ''}`,
            303,
          )
        return reply.redirect(values.return || '/account', 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'auth/sign-in.njk',
          { title: request.t('signIn.title'), values, fieldErrors, oidcProviders: await kernel.oidc.providers() },
          error instanceof DomainError && error.kind === 'rate-limited' ? 429 : 422,
        )
      }
    },
  )

  app.post('/sign-out', async (request, reply) => {
    // A session begun at an OpenID Connect provider ends there too (RP-initiated logout).
    const endSession = request.sessionToken
      ? await kernel.oidc.endSessionUrl(request.sessionToken, request.ctx())
      : null
    if (request.sessionToken) await kernel.accounts.signOut(request.sessionToken, request.ctx())
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect(endSession ?? '/signed-out', 303)
  })

  app.get('/signed-out', async (request, reply) =>
    reply.render('auth/signed-out.njk', { title: request.t('signedOut.title') }),
  )

  // --- register ---
  app.get(
    '/register',
    { schema: { querystring: Type.Object({ invitation: Type.Optional(Type.String({ maxLength: 200 })) }) } },
    async (request, reply) => {
      const invitation = request.query.invitation ? await kernel.staff.findInvitation(request.query.invitation) : null
      return reply.render('auth/register.njk', {
        title: request.t('register.title'),
        invitation: invitation?.status === 'pending' ? invitation : null,
        values: {
          email: invitation?.status === 'pending' ? invitation.email : '',
          invitation: invitation?.status === 'pending' ? request.query.invitation : '',
        },
      })
    },
  )

  app.post(
    '/register',
    {
      schema: { body: formSchema(['displayName', 'email', 'password', 'confirmPassword', 'invitation']) },
      attachValidation: true,
      config: limited,
    },
    async (request, reply) => {
      const values = {
        displayName: field(request.body, 'displayName', 200),
        email: field(request.body, 'email', 320),
        invitation: field(request.body, 'invitation', 200),
      }
      const input = {
        ...values,
        password: field(request.body, 'password', 2000),
        confirmPassword: field(request.body, 'confirmPassword', 2000),
      }
      const invitation = values.invitation ? await kernel.staff.findInvitation(values.invitation) : null
      const pending = invitation?.status === 'pending' ? invitation : null
      try {
        if (pending) {
          // Registering from an invitation to this address proves the address.
          const fields = kernel.accounts.validateRegistration(input)
          if (!fields.email && normaliseEmail(input.email) !== normaliseEmail(pending.email))
            fields.email = 'validation.invitation.emailMismatch'
          if (Object.keys(fields).length) throw new DomainError('ACCOUNT_INVALID', 'invalid', 'invalid', { fields })
          const existing = await kernel.accounts.findByEmail(input.email)
          if (existing) {
            return reply.redirect(`/sign-in?return=${encodeURIComponent(`/invitations/${values.invitation}`)}`, 303)
          }
          const { accountId } = await kernel.accounts.register(input, request.ctx(), { emailVerified: true })
          if (!accountId) throw new Error('registration from invitation created no account')
          await completeSignIn(request, reply, accountId, 'password')
          return reply.redirect(`/invitations/${values.invitation}`, 303)
        }
        await kernel.accounts.register(input, request.ctx())
        return reply.redirect(`/register/check-email?email=${encodeURIComponent(input.email.trim())}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'auth/register.njk',
          { title: request.t('register.title'), values, invitation: pending, fieldErrors },
          422,
        )
      }
    },
  )

  app.get(
    '/register/check-email',
    { schema: { querystring: Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })) }) } },
    async (request, reply) =>
      reply.render('auth/check-email.njk', { title: request.t('checkEmail.title'), email: request.query.email ?? '' }),
  )

  app.get('/verify-email/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    try {
      await kernel.accounts.verifyEmail(request.params.token, request.ctx())
      return reply.render('auth/email-verified.njk', { title: request.t('emailVerified.title') })
    } catch (error) {
      if (error instanceof DomainError && error.code === 'ACCOUNT_TOKEN_INVALID') {
        return reply.render('auth/link-invalid.njk', { title: request.t('linkInvalid.title') }, 410)
      }
      throw error
    }
  })

  // --- forgotten password ---
  app.get('/forgotten-password', async (request, reply) =>
    reply.render('auth/forgotten-password.njk', { title: request.t('forgotten.title'), values: {} }),
  )

  app.post(
    '/forgotten-password',
    { schema: { body: formSchema(['email']) }, attachValidation: true, config: limited },
    async (request, reply) => {
      const values = { email: field(request.body, 'email', 320) }
      try {
        await kernel.accounts.requestPasswordReset(values.email, request.ctx())
        return reply.redirect(`/forgotten-password/sent?email=${encodeURIComponent(values.email.trim())}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'auth/forgotten-password.njk',
          { title: request.t('forgotten.title'), values, fieldErrors },
          422,
        )
      }
    },
  )

  app.get(
    '/forgotten-password/sent',
    { schema: { querystring: Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })) }) } },
    async (request, reply) =>
      reply.render('auth/reset-sent.njk', { title: request.t('resetSent.title'), email: request.query.email ?? '' }),
  )

  app.get('/reset-password/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    if (!(await kernel.accounts.checkResetToken(request.params.token))) {
      return reply.render('auth/link-invalid.njk', { title: request.t('linkInvalid.title') }, 410)
    }
    return reply.render('auth/reset-password.njk', { title: request.t('reset.title'), token: request.params.token })
  })

  app.post(
    '/reset-password/:token',
    {
      schema: { params: TokenParams, body: formSchema(['password', 'confirmPassword']) },
      attachValidation: true,
      config: limited,
    },
    async (request, reply) => {
      try {
        await kernel.accounts.resetPassword(
          request.params.token,
          field(request.body, 'password', 2000),
          field(request.body, 'confirmPassword', 2000),
          request.ctx(),
        )
        return reply.redirect('/sign-in?reset=1', 303)
      } catch (error) {
        if (error instanceof DomainError && error.code === 'ACCOUNT_TOKEN_INVALID') {
          return reply.render('auth/link-invalid.njk', { title: request.t('linkInvalid.title') }, 410)
        }
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'auth/reset-password.njk',
          { title: request.t('reset.title'), token: request.params.token, fieldErrors },
          422,
        )
      }
    },
  )

  // --- first administrator ---
  app.get('/setup/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    if (!(await kernel.accounts.checkSetupToken(request.params.token))) {
      return reply.render('auth/link-invalid.njk', { title: request.t('linkInvalid.title'), setup: true }, 410)
    }
    return reply.render('auth/setup.njk', { title: request.t('setup.title'), token: request.params.token, values: {} })
  })

  app.post(
    '/setup/:token',
    {
      schema: { params: TokenParams, body: formSchema(['displayName', 'email', 'password', 'confirmPassword']) },
      attachValidation: true,
      config: limited,
    },
    async (request, reply) => {
      const values = { displayName: field(request.body, 'displayName', 200), email: field(request.body, 'email', 320) }
      try {
        const account = await kernel.accounts.completeSetup(
          request.params.token,
          {
            ...values,
            password: field(request.body, 'password', 2000),
            confirmPassword: field(request.body, 'confirmPassword', 2000),
          },
          request.ctx(),
        )
        await completeSignIn(request, reply, account.id, 'password')
        return reply.redirect('/admin?welcome=1', 303)
      } catch (error) {
        if (
          error instanceof DomainError &&
          (error.code === 'ACCOUNT_TOKEN_INVALID' || error.code === 'ACCOUNT_SETUP_DONE')
        ) {
          return reply.render('auth/link-invalid.njk', { title: request.t('linkInvalid.title'), setup: true }, 410)
        }
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'auth/setup.njk',
          { title: request.t('setup.title'), token: request.params.token, values, fieldErrors },
          422,
        )
      }
    },
  )
}

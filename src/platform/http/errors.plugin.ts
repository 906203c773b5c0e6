// Turns every error into what a person or a client should see. The API answers
// { error: { code, message } }; pages render the design system's error pages.
// Anything unexpected is logged in full and shown as a plain apology with the request id.
import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, statusForKind } from '../errors/domain-error.js'
import { isDatabaseUnavailable } from '../db/database.js'

type Outcome = { status: number; code: string; message: string }

function classify(error: FastifyError | DomainError | Error, request: FastifyRequest): Outcome {
  const t = request.t
  if (error instanceof DomainError) {
    const message =
      error.publicMessage.includes('.') && !error.publicMessage.includes(' ') && t
        ? t(error.publicMessage)
        : error.publicMessage
    return { status: statusForKind(error.kind), code: error.code, message }
  }
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is unavailable at the moment. Try again in a few minutes.',
    }
  }
  const fe = error as FastifyError
  if (fe.validation) return { status: 400, code: 'VALIDATION_FAILED', message: fe.message }
  if (fe.code === 'FST_CSRF_INVALID_TOKEN' || fe.code === 'FST_CSRF_MISSING_SECRET') {
    return {
      status: 403,
      code: 'CSRF_INVALID',
      message: 'The form had expired. Go back, refresh the page and try again.',
    }
  }
  if (fe.statusCode === 429)
    return { status: 429, code: 'RATE_LIMITED', message: 'Too many attempts. Wait a minute and try again.' }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = fe.code?.startsWith('FST_ERR_CTP_BODY_TOO_LARGE')
      ? 'BODY_TOO_LARGE'
      : (fe.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '')
    return { status: fe.statusCode, code, message: fe.message }
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Sorry, there is a problem with the service.' }
}

export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') && !request.url.startsWith('/api/docs')
}

async function renderErrorPage(request: FastifyRequest, reply: FastifyReply, outcome: Outcome): Promise<void> {
  const t = request.t
  const template =
    outcome.status === 404 ? 'errors/404.njk' : outcome.status === 503 ? 'errors/503.njk' : 'errors/error.njk'
  try {
    await reply.render(
      template,
      {
        title: t ? t(`errors.title.${outcome.status}`) : 'Error',
        status: outcome.status,
        message: outcome.message,
        requestId: request.id,
      },
      outcome.status,
    )
  } catch (renderError) {
    request.log.error({ err: renderError }, 'error page failed to render')
    await reply
      .code(outcome.status)
      .type('text/plain; charset=utf-8')
      .send(`${outcome.message}\nReference: ${request.id}`)
  }
}

export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler(async (error: FastifyError, request, reply) => {
      const outcome = classify(error, request)
      if (outcome.status >= 500 && outcome.status !== 503) request.log.error({ err: error }, 'unexpected error')
      else if (outcome.status === 503) request.log.warn({ err: error }, 'service unavailable')
      if (outcome.status === 503) reply.header('retry-after', '5')
      if (isApiRequest(request) || !request.t) {
        return reply.code(outcome.status).send({ error: { code: outcome.code, message: outcome.message } })
      }
      await renderErrorPage(request, reply, outcome)
      return reply
    })

    app.setNotFoundHandler(async (request, reply) => {
      if (isApiRequest(request))
        return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'There is nothing at this address' } })
      await renderErrorPage(request, reply, { status: 404, code: 'NOT_FOUND', message: '' })
      return reply
    })
  },
  { name: 'comhla-errors' },
)

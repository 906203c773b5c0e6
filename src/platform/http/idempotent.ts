// For API write routes: honour an Idempotency-Key header (see IdempotencyService).
import type { FastifyReply, FastifyRequest } from 'fastify'
import { canonicalJson } from '../../shared/crypto.js'

export async function idempotent(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  fn: () => Promise<unknown>,
): Promise<void> {
  const header = request.headers['idempotency-key']
  const key = Array.isArray(header) ? header[0] : header
  if (!key) {
    const body = await fn()
    await reply.code(status).send(status === 204 ? null : body)
    return
  }
  const owner = request.principal ? `account:${request.principal.accountId}` : `anonymous:${request.ip}`
  const fingerprint = `${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`
  const result = await request.server.kernel.idempotency.run(owner, key, fingerprint, async () => ({
    status,
    body: await fn(),
  }))
  if (result.replayed) reply.header('idempotent-replayed', 'true')
  await reply.code(result.status).send(result.status === 204 ? null : result.body)
}

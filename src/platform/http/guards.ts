import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Principal } from '../auth/principal.js'

/** For pages: the signed-in person, or a redirect to sign in (returning here afterwards). */
export function signedIn(request: FastifyRequest, reply: FastifyReply): Principal | null {
  if (request.principal && request.principal.via === 'session') return request.principal
  void reply.redirect(`/sign-in?return=${encodeURIComponent(request.url)}`, 303)
  return null
}

// Finishing a sign-in, whatever proved the password or identity: the session is rotated, and
// an account with two-factor sign-in gets a session that opens only the code page until then.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { SESSION_COOKIE } from '../http/context.plugin.js'

export type SignInOutcome = 'signed-in' | 'second-factor'

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  maxAgeSeconds?: number,
): void {
  const { config } = request.server.kernel
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.baseUrl.startsWith('https://'),
    maxAge: maxAgeSeconds ?? config.sessionAbsoluteHours * 3600,
  })
}

export async function completeSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  accountId: string,
  method: string,
  options: { secondFactorDone?: boolean } = {},
): Promise<SignInOutcome> {
  const { kernel } = request.server
  const account = await kernel.accounts.get(accountId)
  if (!account) throw new Error('account vanished during sign-in')
  // Rotate: any session this browser had is ended, and a new one begins.
  if (request.sessionToken) await kernel.accounts.signOut(request.sessionToken, request.ctx())
  const pending = account.twoFactorEnabled && !options.secondFactorDone
  const token = await kernel.accounts.signIn(
    account,
    request.ctx(),
    { ip: request.ip, userAgent: request.headers['user-agent'] ?? null },
    { method, pendingSecondFactor: pending, secondFactorDone: options.secondFactorDone ?? false },
  )
  setSessionCookie(request, reply, token, pending ? 600 : undefined)
  request.sessionToken = token
  return pending ? 'second-factor' : 'signed-in'
}

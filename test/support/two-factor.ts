// Two-factor sign-in for tests: staff accounts made by the factories have a known TOTP secret,
// and signIn() answers the code step as a person with the authenticator app would.
import * as OTPAuth from 'otpauth'
import type { Kernel } from '../../src/platform/kernel.js'
import { SecretBox } from '../../src/shared/secret-box.js'
import type { Page, TestClient } from './client.js'

export const TEST_TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

export function totpCode(secret = TEST_TOTP_SECRET, at = Date.now()): string {
  return new OTPAuth.TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret.replace(/\s/g, '')),
  }).generate({ timestamp: at })
}

export async function enableTwoFactor(kernel: Kernel, accountId: string, secret = TEST_TOTP_SECRET): Promise<void> {
  const sealed = new SecretBox(kernel.config.sessionSecret, 'totp').seal(secret)
  await kernel.db
    .updateTable('core.account')
    .set({ totp_secret: sealed, totp_enabled_at: new Date() })
    .where('id', '=', accountId)
    .execute()
}

/**
 * Signs in through the pages, answering the two-factor step when asked. Tests sign the same
 * person in many times within one 30-second step, so the replay guard is reset first; the guard
 * itself is tested on its own.
 */
export async function signIn(
  client: TestClient,
  kernel: Kernel,
  email: string,
  password: string,
  secret = TEST_TOTP_SECRET,
): Promise<Page> {
  const res = await client.submit('/sign-in', { email, password })
  if (!res.location?.startsWith('/sign-in/two-factor')) return res
  await kernel.db
    .updateTable('core.account')
    .set({ totp_last_step: null })
    .where('email_normalised', '=', email.trim().toLowerCase())
    .execute()
  return client.submit(res.location, { code: totpCode(secret) })
}

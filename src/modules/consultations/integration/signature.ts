// Signing webhook deliveries: HMAC-SHA256 over "<unix time>.<body>", sent as
// "Comhla-Signature: t=<unix time>,v1=<hex>". A receiver recomputes it with the secret it was
// given and refuses a signature that differs or a time too far from its own clock (replays).
import { createHmac } from 'node:crypto'
import { safeEqual } from '../../../shared/crypto.js'

export const SIGNATURE_HEADER = 'comhla-signature'
export const EVENT_HEADER = 'comhla-event'
export const DELIVERY_HEADER = 'comhla-delivery'

export function sign(secret: string, body: string, at: Date = new Date()): string {
  const t = Math.floor(at.getTime() / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return `t=${t},v1=${v1}`
}

/** True when the header is a valid signature of the body with this secret, made within the tolerance. */
export function verify(
  secret: string,
  body: string,
  header: string | undefined,
  now: Date = new Date(),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false
  const parts = Object.fromEntries(
    header.split(',').map((p) => {
      const i = p.indexOf('=')
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()]
    }),
  )
  const t = Number(parts.t)
  if (!Number.isInteger(t) || !parts.v1) return false
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return safeEqual(expected, parts.v1)
}

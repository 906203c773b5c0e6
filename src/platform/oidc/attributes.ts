// Verified attributes (ScotAccount profile): a service registers which of them it may ask for;
// a person is asked to consent each time a service asks; only the attributes asked for are kept.

export const attributeNames = ['name', 'address', 'email'] as const
export type AttributeName = (typeof attributeNames)[number]

export function isAttributeName(value: string): value is AttributeName {
  return (attributeNames as readonly string[]).includes(value)
}

/** The scope that asks the provider for each attribute (ScotAccount's names; other providers may differ). */
export const attributeScopes: Record<AttributeName, string> = {
  name: 'scotaccount.gpg45.medium',
  address: 'scotaccount.address',
  email: 'scotaccount.email',
}

export type AttributeService = {
  /** kebab-case, such as 'consultation-responses' */
  id: string
  /** the service's name for people, from the message catalogue */
  labelKey: string
  /** the most it may ask for */
  attributes: readonly AttributeName[]
}

const registry = new Map<string, AttributeService>()

export function registerAttributeService(service: AttributeService): void {
  if (!/^[a-z0-9][a-z0-9-]{0,60}$/.test(service.id))
    throw new Error(`attribute service id "${service.id}" must be kebab-case`)
  registry.set(service.id, { ...service, attributes: [...service.attributes] })
}

export function attributeService(id: string): AttributeService | null {
  return registry.get(id) ?? null
}

/** The path a service sends a person to, to ask for their verified attributes; it returns them to returnPath. */
export function attributeRequestPath(
  serviceId: string,
  attributes: readonly AttributeName[],
  returnPath: string,
): string {
  const query = new URLSearchParams({ attributes: attributes.join(' '), return: returnPath })
  return `/account/verified-attributes/${encodeURIComponent(serviceId)}?${query.toString()}`
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 500) : null

function addressText(value: unknown): string | null {
  if (typeof value === 'string') return text(value)
  if (!value || typeof value !== 'object') return null
  const a = value as Record<string, unknown>
  if (text(a.formatted)) return text(a.formatted)
  const parts = [
    a.street_address,
    a.streetAddress,
    a.address_line_1,
    a.address_line_2,
    a.locality,
    a.region,
    a.postal_code,
    a.postcode,
    a.country,
  ]
    .map(text)
    .filter((p): p is string => p !== null)
  return parts.length ? parts.join(', ').slice(0, 500) : null
}

/**
 * Reads the attributes from a provider's answer: plain claims, claims under `verified_claims.claims`,
 * or a list of addresses (the first is taken). Unknown fields are ignored.
 */
export function readAttributes(body: unknown): Partial<Record<AttributeName, string>> {
  if (!body || typeof body !== 'object') return {}
  const root = body as Record<string, unknown>
  const verified = root.verified_claims as Record<string, unknown> | undefined
  const claims =
    verified && typeof verified === 'object' && typeof verified.claims === 'object' && verified.claims
      ? { ...root, ...(verified.claims as Record<string, unknown>) }
      : root
  const out: Partial<Record<AttributeName, string>> = {}
  const given = text(claims.given_name)
  const family = text(claims.family_name)
  const name = text(claims.name) ?? (given || family ? [given, family].filter(Boolean).join(' ') : null)
  if (name) out.name = name
  const addresses = Array.isArray(claims.addresses) ? (claims.addresses as unknown[]) : []
  const address = addressText(claims.address) ?? addressText(addresses[0])
  if (address) out.address = address
  const email = text(claims.email)
  if (email && email.includes('@')) out.email = email
  return out
}

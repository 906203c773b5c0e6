// Who is acting, and on whose behalf. Passed from routes, jobs and the CLI into services.

export type MembershipSummary = {
  organisationId: string
  organisationSlug: string
  organisationName: string
  roles: string[]
}

export type Principal = {
  accountId: string
  email: string
  displayName: string
  isPlatformAdmin: boolean
  emailVerified: boolean
  twoFactorEnabled: boolean
  /** the interface language the person last chose */
  locale: 'en' | 'gd'
  memberships: MembershipSummary[]
  /** how the request was authenticated; API tokens carry scopes, sessions act with everything the person may do */
  via: 'session' | 'token' | 'system'
  scopes: readonly string[] | null
}

export type ActionContext = {
  principal: Principal | null
  requestId: string | null
  ip: string | null
  locale: 'en' | 'gd'
}

/**
 * The account to record as having made a change: the person's, or null for Còmhla's own jobs,
 * whose system principal has no row in core.account.
 */
export function actingAccountId(principal: Principal | null): string | null {
  return principal && principal.via !== 'system' ? principal.accountId : null
}

export const systemContext = (label = 'system'): ActionContext => ({
  principal: {
    accountId: '00000000-0000-0000-0000-000000000000',
    email: label,
    displayName: label,
    isPlatformAdmin: true,
    emailVerified: true,
    twoFactorEnabled: true,
    locale: 'en',
    memberships: [],
    via: 'system',
    scopes: null,
  },
  requestId: null,
  ip: null,
  locale: 'en',
})

/** Staff (anyone with a role in a body) and platform administrators must use two-factor sign-in. */
export function requiresTwoFactor(principal: Principal): boolean {
  return principal.via !== 'system' && (principal.isPlatformAdmin || principal.memberships.length > 0)
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes === null || principal.scopes.includes(scope)
}

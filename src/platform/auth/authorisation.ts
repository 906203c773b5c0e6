// Access checks used by services. Routes may check too, but services always do.
import { DomainError } from '../errors/domain-error.js'
import { ORG_ADMIN } from '../accounts/roles.js'
import { hasScope, type ActionContext, type Principal } from './principal.js'

export type AuthErrorCode = 'AUTH_REQUIRED' | 'AUTH_FORBIDDEN' | 'AUTH_SCOPE_MISSING'

export function requirePrincipal(ctx: ActionContext): Principal {
  if (!ctx.principal) throw new DomainError<AuthErrorCode>('AUTH_REQUIRED', 'unauthenticated', 'Sign in to continue')
  return ctx.principal
}

export function requireScope(principal: Principal, scope: string): void {
  if (!hasScope(principal, scope)) {
    throw new DomainError<AuthErrorCode>(
      'AUTH_SCOPE_MISSING',
      'forbidden',
      `This API token does not have the ${scope} scope`,
    )
  }
}

export function requirePlatformAdmin(ctx: ActionContext, scope?: string): Principal {
  const principal = requirePrincipal(ctx)
  if (scope) requireScope(principal, scope)
  if (!principal.isPlatformAdmin) {
    throw new DomainError<AuthErrorCode>('AUTH_FORBIDDEN', 'forbidden', 'Only platform administrators can do this')
  }
  return principal
}

export function rolesIn(principal: Principal, organisationId: string): string[] {
  return principal.memberships.find((m) => m.organisationId === organisationId)?.roles ?? []
}

export function isMemberOf(principal: Principal, organisationId: string): boolean {
  return principal.memberships.some((m) => m.organisationId === organisationId)
}

/** Organisation administrators of this body, and platform administrators. */
export function requireOrganisationAdmin(ctx: ActionContext, organisationId: string, scope?: string): Principal {
  const principal = requirePrincipal(ctx)
  if (scope) requireScope(principal, scope)
  if (principal.isPlatformAdmin || rolesIn(principal, organisationId).includes(ORG_ADMIN)) return principal
  throw new DomainError<AuthErrorCode>(
    'AUTH_FORBIDDEN',
    'forbidden',
    'Only administrators of this organisation can do this',
  )
}

/** Someone holding one of the roles in this body (or its administrators, or platform administrators). */
export function requireOrganisationRole(
  ctx: ActionContext,
  organisationId: string,
  roles: string[],
  scope?: string,
): Principal {
  const principal = requirePrincipal(ctx)
  if (scope) requireScope(principal, scope)
  const held = rolesIn(principal, organisationId)
  if (principal.isPlatformAdmin || held.includes(ORG_ADMIN) || held.some((r) => roles.includes(r))) return principal
  throw new DomainError<AuthErrorCode>(
    'AUTH_FORBIDDEN',
    'forbidden',
    'You do not have a role in this organisation that allows this',
  )
}

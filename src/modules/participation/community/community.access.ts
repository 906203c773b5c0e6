// Who may run a community council: its own administrators and participation managers, and the
// staff of the council it belongs to (administrators and participation managers), and platform
// administrators. Checked in the services.
import type { ActionContext, Principal } from '../../../platform/auth/principal.js'
import { requirePrincipal, rolesIn } from '../../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../../platform/accounts/roles.js'
import { DomainError } from '../../../platform/errors/domain-error.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'

export const MANAGER_ROLE = 'participation-manager'
export const STAFF_ROLES = [ORG_ADMIN, MANAGER_ROLE]

export function holdsStaffRole(principal: Principal, organisationId: string | null): boolean {
  if (!organisationId) return false
  return rolesIn(principal, organisationId).some((r) => STAFF_ROLES.includes(r))
}

export function canManageCommunityCouncil(principal: Principal | null, cc: Organisation): boolean {
  if (!principal) return false
  return principal.isPlatformAdmin || holdsStaffRole(principal, cc.id) || holdsStaffRole(principal, cc.parentId)
}

export const forbidden = () =>
  new DomainError('AUTH_FORBIDDEN', 'forbidden', 'You do not have a role that allows this for this community council')

export function requireCommunityCouncilManager(ctx: ActionContext, cc: Organisation): Principal {
  const principal = requirePrincipal(ctx)
  if (!canManageCommunityCouncil(principal, cc)) throw forbidden()
  return principal
}

/** Staff of a body (administrators or participation managers), or platform administrators. */
export function requireBodyStaff(ctx: ActionContext, organisationId: string): Principal {
  const principal = requirePrincipal(ctx)
  if (principal.isPlatformAdmin || holdsStaffRole(principal, organisationId)) return principal
  throw new DomainError('AUTH_FORBIDDEN', 'forbidden', 'You do not have a role in this organisation that allows this')
}

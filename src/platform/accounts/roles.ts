// Organisation roles. The kernel owns org-admin; modules register their own roles here
// through their module definition, so role names stay one list.

export type RoleDefinition = { id: string; module: string; labelKey: string }

const registry = new Map<string, RoleDefinition>([
  ['org-admin', { id: 'org-admin', module: 'platform', labelKey: 'roles.org-admin' }],
  [
    'consultation-manager',
    { id: 'consultation-manager', module: 'consultations', labelKey: 'roles.consultation-manager' },
  ],
  ['analyst', { id: 'analyst', module: 'consultations', labelKey: 'roles.analyst' }],
  ['data-publisher', { id: 'data-publisher', module: 'open-data', labelKey: 'roles.data-publisher' }],
  [
    'participation-manager',
    { id: 'participation-manager', module: 'participation', labelKey: 'roles.participation-manager' },
  ],
])

export function registerRole(role: RoleDefinition): void {
  registry.set(role.id, role)
}

export function allRoles(): RoleDefinition[] {
  return [...registry.values()]
}

export function isRole(id: string): boolean {
  return registry.has(id)
}

export const ORG_ADMIN = 'org-admin'

// Scopes an API token may carry. A signed-in browser session acts with all of them.

export type ScopeDefinition = { id: string; labelKey: string }

const registry = new Map<string, ScopeDefinition>([
  ['account:read', { id: 'account:read', labelKey: 'scopes.account-read' }],
  ['organisations:read', { id: 'organisations:read', labelKey: 'scopes.organisations-read' }],
  ['organisations:write', { id: 'organisations:write', labelKey: 'scopes.organisations-write' }],
  ['staff:read', { id: 'staff:read', labelKey: 'scopes.staff-read' }],
  ['staff:write', { id: 'staff:write', labelKey: 'scopes.staff-write' }],
  ['audit:read', { id: 'audit:read', labelKey: 'scopes.audit-read' }],
])

export function registerScope(scope: ScopeDefinition): void {
  registry.set(scope.id, scope)
}

export function allScopes(): ScopeDefinition[] {
  return [...registry.values()]
}

export function isScope(id: string): boolean {
  return registry.has(id)
}

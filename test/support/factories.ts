// Test data made through the services, so it is what the app itself would make.
import type { Kernel } from '../../src/platform/kernel.js'
import { systemContext } from '../../src/platform/auth/principal.js'

let counter = 0

export const PASSWORD = 'correct horse battery staple'

export async function makeAccount(kernel: Kernel, options: { email?: string; name?: string; platformAdmin?: boolean; verified?: boolean } = {}) {
  counter++
  const email = options.email ?? `person${counter}.${Date.now()}@example.gov.scot`
  const displayName = options.name ?? `Person ${counter}`
  if (options.platformAdmin) {
    return kernel.accounts.createAdmin({ email, displayName, password: PASSWORD }, systemContext('test'))
  }
  const ctx = { ...systemContext('test'), principal: null }
  const { accountId } = await kernel.accounts.register({ email, displayName, password: PASSWORD }, ctx, { emailVerified: options.verified ?? true })
  const account = await kernel.accounts.get(accountId!)
  return account!
}

export async function makeStaff(kernel: Kernel, organisationSlug: string, roles: string[], options: { email?: string; name?: string } = {}) {
  const account = await makeAccount(kernel, options)
  const organisation = await kernel.organisations.getBySlug(organisationSlug)
  await kernel.staff.addMember(systemContext('test'), organisation.id, account.id, roles)
  return { account, organisation }
}

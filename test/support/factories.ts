// Test data made through the services, so it is what the app itself would make.
import type { Kernel } from '../../src/platform/kernel.js'
import { systemContext } from '../../src/platform/auth/principal.js'
import { enableTwoFactor } from './two-factor.js'

let counter = 0

export const PASSWORD = 'correct horse battery staple'

export async function makeAccount(
  kernel: Kernel,
  options: { email?: string; name?: string; platformAdmin?: boolean; verified?: boolean; twoFactor?: boolean } = {},
) {
  counter++
  const email = options.email ?? `person${counter}.${Date.now()}@example.gov.scot`
  const displayName = options.name ?? `Person ${counter}`
  if (options.platformAdmin) {
    const admin = await kernel.accounts.createAdmin({ email, displayName, password: PASSWORD }, systemContext('test'))
    if (options.twoFactor !== false) await enableTwoFactor(kernel, admin.id)
    return admin
  }
  const ctx = { ...systemContext('test'), principal: null }
  const { accountId } = await kernel.accounts.register({ email, displayName, password: PASSWORD }, ctx, {
    emailVerified: options.verified ?? true,
  })
  const account = await kernel.accounts.get(accountId!)
  return account!
}

/** A member of a body's staff; with two-factor sign-in set up unless twoFactor is false, as staff must. */
export async function makeStaff(
  kernel: Kernel,
  organisationSlug: string,
  roles: string[],
  options: { email?: string; name?: string; twoFactor?: boolean } = {},
) {
  const account = await makeAccount(kernel, options)
  if (options.twoFactor !== false) await enableTwoFactor(kernel, account.id)
  const organisation = await kernel.organisations.getBySlug(organisationSlug)
  await kernel.staff.addMember(systemContext('test'), organisation.id, account.id, roles)
  return { account, organisation }
}

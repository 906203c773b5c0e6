// Benchmark data, made through the kernel's services like any other data.
import { loadConfig } from '../src/config/config.js'
import { createDatabase } from '../src/platform/db/database.js'
import { migrateToLatest } from '../src/platform/db/migrate.js'
import { createKernel } from '../src/platform/kernel.js'
import { createLogger } from '../src/app.js'
import { systemContext } from '../src/platform/auth/principal.js'
import { allScopes } from '../src/platform/accounts/scopes.js'

export const BENCH_PASSWORD = 'benchmark password of some length'

export type Seeded = {
  adminEmail: string
  staffEmail: string
  publicEmail: string
  token: string
  organisationSlug: string
}

export async function seed(databaseUrl: string): Promise<Seeded> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: 'b'.repeat(40),
    LOG_LEVEL: 'warn',
  })
  const database = await createDatabase({ databaseUrl, dataDir: '', poolSize: 2 })
  try {
    await migrateToLatest(database.db)
    const kernel = createKernel(config, database, createLogger(config))
    await kernel.organisations.loadReferenceData()
    const admin = await kernel.accounts.createAdmin(
      { email: 'bench-admin@example.gov.scot', displayName: 'Bench Admin', password: BENCH_PASSWORD },
      systemContext('bench'),
    )
    const organisationSlug = 'fife-council'
    const organisation = await kernel.organisations.getBySlug(organisationSlug)
    const ctx = { ...systemContext('bench'), principal: null }
    const { accountId } = await kernel.accounts.register(
      { email: 'bench-staff@example.gov.scot', displayName: 'Bench Staff', password: BENCH_PASSWORD },
      ctx,
      { emailVerified: true },
    )
    await kernel.staff.addMember(systemContext('bench'), organisation.id, accountId!, ['org-admin'])
    for (let i = 0; i < 40; i++) {
      const { accountId: member } = await kernel.accounts.register(
        { email: `member${i}@example.gov.scot`, displayName: `Member ${i}`, password: BENCH_PASSWORD },
        ctx,
        { emailVerified: true },
      )
      await kernel.staff.addMember(systemContext('bench'), organisation.id, member!, ['analyst'])
    }
    // A member of the public: staff must use two-factor sign-in, which a load generator cannot.
    await kernel.accounts.register(
      { email: 'bench-public@example.gov.scot', displayName: 'Bench Public', password: BENCH_PASSWORD },
      ctx,
      { emailVerified: true },
    )
    const principal = await kernel.accounts.principalFor(kernel.db, admin.id, 'session', null)
    const { token } = await kernel.apiTokens.create(
      { ...systemContext('bench'), principal },
      { name: 'bench', scopes: allScopes().map((s) => s.id), expiresInDays: 7 },
    )
    return {
      adminEmail: admin.email,
      staffEmail: 'bench-staff@example.gov.scot',
      publicEmail: 'bench-public@example.gov.scot',
      token,
      organisationSlug,
    }
  } finally {
    await database.close()
  }
}

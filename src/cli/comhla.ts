// The `comhla` command for operators: migrate, create-admin, setup-link, audit verify, …
import { parseArgs } from 'node:util'
import { createInterface } from 'node:readline/promises'
import { loadConfig } from '../config/config.js'
import { versionInfo } from '../config/version.js'
import { withDevSecret } from '../config/dev-secret.js'
import { createDatabase } from '../platform/db/database.js'
import { createMigrator, migrateToLatest } from '../platform/db/migrate.js'
import { createKernel } from '../platform/kernel.js'
import { createLogger } from '../app.js'
import { systemContext } from '../platform/auth/principal.js'
import { DomainError } from '../platform/errors/domain-error.js'
import { I18n } from '../platform/i18n/i18n.js'
import { rotateSigningKeys } from '../platform/oidc/oidc.service.js'

const HELP = `Usage: comhla <command> [options]

Commands:
  migrate                 apply every pending database migration
  migrate:status          list migrations and whether each is applied
  migrate:down            undo the most recent migration
  load-reference-data     load or refresh the directory of Scotland's public bodies
  create-admin            create a platform administrator (or make an account one)
      --email EMAIL --name NAME [--password PASSWORD]   (asks for the password if not given)
  setup-link              print a one-time link (24 hours) to create the first administrator
  audit verify            check the audit trail's hash chain; exits 1 if it has been tampered with
  keys rotate             a new key for signing in with OpenID Connect providers (private_key_jwt),
      [--after MINUTES]   published at /.well-known/jwks.json now and used after 60 minutes (or
                          MINUTES; 0 at once, if a key may have leaked)
  help                    this text

Reads the same environment as the server (DATABASE_URL, DATA_DIR, …).`

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
      after: { type: 'string' },
    },
  })
  const [command, sub] = positionals
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  const config = loadConfig(
    withDevSecret({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' }),
    versionInfo(),
  )
  const database = await createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 })
  try {
    const logger = createLogger(config)
    switch (command) {
      case 'migrate': {
        const applied = await migrateToLatest(database.db)
        process.stdout.write(
          applied.length
            ? `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}\n`
            : 'The database is up to date.\n',
        )
        return 0
      }
      case 'migrate:status': {
        for (const m of await createMigrator(database.db).getMigrations()) {
          process.stdout.write(`${m.executedAt ? 'applied' : 'pending'}  ${m.name}\n`)
        }
        return 0
      }
      case 'migrate:down': {
        const { error, results } = await createMigrator(database.db).migrateDown()
        if (error) throw error
        process.stdout.write(
          `${results?.map((r) => `${r.status}: ${r.migrationName}`).join('\n') || 'Nothing to undo.'}\n`,
        )
        return 0
      }
      case 'load-reference-data': {
        await migrateToLatest(database.db)
        const kernel = createKernel(config, database, logger)
        const added = await kernel.organisations.loadReferenceData()
        process.stdout.write(`Reference data loaded: ${added} new organisation(s).\n`)
        return 0
      }
      case 'create-admin': {
        await migrateToLatest(database.db)
        const kernel = createKernel(config, database, logger)
        if (!values.email || !values.name) {
          process.stderr.write('create-admin needs --email and --name\n')
          return 64
        }
        let password = values.password ?? ''
        const existing = await kernel.accounts.findByEmail(values.email)
        if (!password && !existing) {
          const rl = createInterface({ input: process.stdin, output: process.stdout })
          password = await rl.question('Password (at least 10 characters): ')
          rl.close()
        }
        const account = await kernel.accounts.createAdmin(
          { email: values.email, displayName: values.name, password },
          systemContext('cli'),
        )
        process.stdout.write(`${account.email} is a platform administrator.\n`)
        return 0
      }
      case 'setup-link': {
        await migrateToLatest(database.db)
        const kernel = createKernel(config, database, logger)
        const link = await kernel.accounts.createSetupLink()
        process.stdout.write(link ? `${link}\n` : 'A platform administrator already exists; sign in instead.\n')
        return 0
      }
      case 'keys': {
        if (sub !== 'rotate') {
          process.stderr.write('Usage: comhla keys rotate\n')
          return 64
        }
        await migrateToLatest(database.db)
        const kernel = createKernel(config, database, logger)
        const after = values.after === undefined ? undefined : Number(values.after)
        if (after !== undefined && (!Number.isInteger(after) || after < 0)) {
          process.stderr.write('--after must be a whole number of minutes, 0 or more\n')
          return 64
        }
        const rotation = await rotateSigningKeys(kernel, systemContext('cli'), after)
        process.stdout.write(
          `New signing key ${rotation.kid}: published now, used from ${rotation.activatesAt.toISOString()}.${rotation.retired.length ? ` Retired (published for a week more): ${rotation.retired.join(', ')}.` : ''}\n`,
        )
        return 0
      }
      case 'audit': {
        if (sub !== 'verify') {
          process.stderr.write('Usage: comhla audit verify\n')
          return 64
        }
        const kernel = createKernel(config, database, logger)
        const result = await kernel.audit.verify()
        if (result.ok) {
          process.stdout.write(
            `The audit trail is intact: ${result.entries} entries; the latest is ${result.headSeq} with hash ${result.headHash}.\n`,
          )
          return 0
        }
        process.stdout.write(
          `The audit trail has been tampered with (${result.entries} entries read):\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`,
        )
        return 1
      }
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${HELP}\n`)
        return 64
    }
  } catch (error) {
    if (error instanceof DomainError) {
      const t = new I18n().translator('en')
      const detail = error.fields
        ? Object.entries(error.fields)
            .map(([f, key]) => `  ${f}: ${t(key)}`)
            .join('\n')
        : t(error.publicMessage)
      process.stderr.write(`${detail}\n`)
      return 65
    }
    throw error
  } finally {
    await database.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)

// Process entry: load config, build the app, listen, close gracefully.
import { loadConfig, ConfigError } from './config/config.js'
import { versionInfo } from './config/version.js'
import { withDevSecret } from './config/dev-secret.js'
import { buildApp } from './app.js'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig(withDevSecret(process.env), versionInfo())
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(78)
    }
    throw error
  }
  const app = await buildApp(config)
  let closing = false
  const close = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    const timer = setTimeout(() => process.exit(1), 15_000)
    timer.unref()
    await app.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void close('SIGTERM'))
  process.on('SIGINT', () => void close('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  const where = config.databaseUrl ? 'PostgreSQL' : `the embedded database in ${config.dataDir}`
  process.stdout.write(`\nCòmhla is running at ${config.baseUrl} on ${where}.\n`)
  const setupLink = await app.kernel.accounts.createSetupLink()
  if (setupLink) {
    process.stdout.write(
      `\nNo platform administrator exists yet. Open this link within 24 hours to create the first one:\n\n  ${setupLink}\n\n` +
        `(Or run: npx comhla create-admin --email you@example.gov.scot --name "Your Name")\n\n`,
    )
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Còmhla could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exit(1)
})

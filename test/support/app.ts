// Builds the real app on a fresh database for route tests through app.inject().
import { loadConfig, type Config } from '../../src/config/config.js'
import { buildApp, type App } from '../../src/app.js'
import { freshDatabase, type TestDatabase } from './database.js'

export type TestApp = { app: App; database: TestDatabase; config: Config; close: () => Promise<void> }

export async function testApp(
  env: Record<string, string> = {},
  options: { runJobWorkers?: boolean } = {},
): Promise<TestApp> {
  const database = await freshDatabase()
  const config = loadConfig({
    NODE_ENV: 'test',
    BASE_URL: 'http://comhla.test',
    SESSION_SECRET: 'x'.repeat(40),
    RATE_LIMIT_MAX: '1000',
    ...env,
  })
  const app = await buildApp(config, { database, runJobWorkers: options.runJobWorkers ?? false })
  await app.ready()
  return {
    app,
    database,
    config,
    close: async () => {
      await app.close()
      await database.drop()
    },
  }
}

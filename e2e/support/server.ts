// Starts the real Còmhla server as a child process, the way a newcomer does after reading the
// README (`npm start`), on a free port with a fresh data folder, and a fresh PostgreSQL database
// when TEST_DATABASE_URL names a server (otherwise the embedded PGlite).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import pg from 'pg'
import { environmentVariables } from '../../src/config/config.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

export type RunningServer = {
  /** the address the server printed, e.g. http://localhost:41234 */
  baseUrl: string
  /** the one-time link printed for creating the first administrator */
  setupLink: string | null
  database: 'PostgreSQL' | 'PGlite'
  /** everything the process wrote to stdout and stderr so far */
  output: () => string
  /** pino log lines at level error or above */
  errorLogs: () => string[]
  /** SIGTERM, then SIGKILL after 10 seconds; removes the data folder and drops the database */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('could not find a free port')
  return address.port
}

async function createDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `comhla_e2e_${process.pid}_${randomBytes(4).toString('hex')}`
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await run(`create database ${name}`)
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) }
}

export type ServerOptions = {
  /** variables added to (or replacing) the newcomer's environment, such as OIDC_PROVIDERS */
  env?: Record<string, string>
  timeoutMs?: number
  /** a port chosen beforehand, for when the server's address must be known before it starts */
  port?: number
  /** test-only modules (paths from the project's root, or URLs) the child imports after tsx, before src/server.ts */
  imports?: string[]
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort())
  const dataDir = await mkdtemp(path.join(tmpdir(), 'comhla-e2e-'))
  const serverUrl =
    process.env.TEST_DATABASE_URL && process.env.TEST_DATABASE_URL !== '' ? process.env.TEST_DATABASE_URL : null
  const database = serverUrl ? await createDatabase(serverUrl) : null

  // A newcomer's shell sets none of Còmhla's variables (the test runner sets NODE_ENV=test).
  const env: Record<string, string | undefined> = { ...process.env }
  for (const [name] of environmentVariables) delete env[name]
  Object.assign(
    env,
    { PORT: String(port), DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
    database ? { DATABASE_URL: database.url } : {},
    options.env,
  )

  const imports = (options.imports ?? []).flatMap((module) => [
    '--import',
    /^[a-z][a-z0-9+.-]*:/i.test(module) ? module : pathToFileURL(path.resolve(root, module)).href,
  ])
  const child = spawn(process.execPath, ['--import', 'tsx', ...imports, 'src/server.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)

  let output = ''
  const listeners = new Set<() => void>()
  const append = (chunk: string) => {
    output += chunk
    for (const listener of listeners) listener()
  }
  child.stdout.setEncoding('utf8').on('data', append)
  child.stderr.setEncoding('utf8').on('data', append)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('exit', killOnExit)
      resolve({ code, signal })
      for (const listener of listeners) listener()
    })
  })

  const waitFor = (pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray | null> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern)
        if (match) return done(() => resolve(match))
        if (child.exitCode !== null || child.signalCode !== null) {
          return done(() =>
            reject(
              new Error(`Còmhla exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`),
            ),
          )
        }
      }
      const timer = setTimeout(() => done(() => resolve(null)), timeoutMs)
      const done = (finish: () => void) => {
        clearTimeout(timer)
        listeners.delete(check)
        finish()
      }
      listeners.add(check)
      check()
    })

  const cleanUp = async () => {
    await rm(dataDir, { recursive: true, force: true })
    if (database) await database.drop()
  }

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      const result = await exited
      clearTimeout(timer)
      await cleanUp()
      return result
    }
    await cleanUp()
    return exited
  }

  try {
    const running = await waitFor(/Còmhla is running at (https?:\/\/\S+?) on /, options.timeoutMs ?? 60_000)
    if (!running)
      throw new Error(`Còmhla did not say it was running within ${options.timeoutMs ?? 60_000} ms:\n${output}`)
    // The link is printed just after, once the set-up token is stored.
    const setup = await waitFor(/(https?:\/\/\S+\/setup\/\S+)/, 5_000)
    return {
      baseUrl: running[1]!,
      setupLink: setup?.[1] ?? null,
      database: database ? 'PostgreSQL' : 'PGlite',
      output: () => output,
      errorLogs: () =>
        output.split('\n').filter((line) => {
          if (!line.startsWith('{')) return false
          try {
            return (JSON.parse(line) as { level?: number }).level! >= 50
          } catch {
            return false
          }
        }),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

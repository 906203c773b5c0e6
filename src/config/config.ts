// The only reader of process.env. Everything else receives a frozen Config.
import { randomBytes } from 'node:crypto'
import path from 'node:path'

export type Environment = 'development' | 'test' | 'production'

export type Config = Readonly<{
  env: Environment
  port: number
  host: string
  baseUrl: string
  /** postgres://… when set; otherwise the embedded PGlite database in dataDir */
  databaseUrl: string | null
  databasePoolSize: number
  dataDir: string
  sessionSecret: string
  sessionIdleMinutes: number
  sessionAbsoluteHours: number
  logLevel: string
  smtp: Readonly<{ host: string; port: number; secure: boolean; user: string | null; password: string | null }> | null
  mailFrom: string
  trustProxy: boolean
  rateLimitMax: number
  runJobs: boolean
  /** bearer token for /metrics; without one, /metrics answers only on the loopback interface */
  metricsToken: string | null
  version: string
  commit: string
}>

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

/** Every variable Còmhla reads, with its default; the README's table is generated from the same facts. */
export const environmentVariables = [
  ['NODE_ENV', 'development', 'development, test or production'],
  ['PORT', '3000', 'HTTP port'],
  ['HOST', '127.0.0.1 (0.0.0.0 in production)', 'interface to listen on'],
  ['BASE_URL', 'http://localhost:PORT', 'public address, used in links in emails; required in production'],
  ['DATABASE_URL', '(none: embedded PGlite)', 'PostgreSQL connection string; required in production'],
  ['DATABASE_POOL_SIZE', '10', 'connections in the pool to PostgreSQL'],
  ['DATA_DIR', './data', 'folder for the embedded database and local files'],
  ['SESSION_SECRET', '(made once and kept in DATA_DIR outside production)', 'at least 32 characters; signs cookies and seals two-factor secrets; the same on every instance; required in production'],
  ['SESSION_IDLE_MINUTES', '60', 'a session ends after this long without use'],
  ['SESSION_ABSOLUTE_HOURS', '12', 'a session ends this long after sign-in, whatever its use'],
  ['LOG_LEVEL', 'info', 'pino log level (silent in test)'],
  ['SMTP_HOST', '(none: outbox only)', 'SMTP server for email delivery'],
  ['SMTP_PORT', '587', 'SMTP port'],
  ['SMTP_SECURE', 'false', 'true for implicit TLS (port 465)'],
  ['SMTP_USER', '(none)', 'SMTP user name'],
  ['SMTP_PASSWORD', '(none)', 'SMTP password'],
  ['MAIL_FROM', 'Còmhla <no-reply@comhla.localhost>', 'sender of every email'],
  ['TRUST_PROXY', 'false', 'true behind a load balancer that sets X-Forwarded-For'],
  ['RATE_LIMIT_MAX', '10', 'attempts a minute per address on sign-in, registration and password reset'],
  ['RUN_JOBS', 'true', 'false to run a web-only process that does not work the job queue'],
  ['METRICS_TOKEN', '(none: /metrics answers only on loopback)', 'bearer token that Prometheus sends to read /metrics'],
  ['COMMIT', '(from git, else unknown)', 'commit shown at /info'],
] as const

type Env = Record<string, string | undefined>

function int(env: Env, name: string, fallback: number, problems: string[], min = 1): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    problems.push(`${name} must be a whole number of at least ${min} (got "${raw}")`)
    return fallback
  }
  return value
}

function bool(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  problems.push(`${name} must be true or false (got "${raw}")`)
  return fallback
}

export function loadConfig(env: Env = process.env, defaults: { version?: string; commit?: string } = {}): Config {
  const problems: string[] = []
  const nodeEnv = env.NODE_ENV ?? 'development'
  if (nodeEnv !== 'development' && nodeEnv !== 'test' && nodeEnv !== 'production') {
    problems.push(`NODE_ENV must be development, test or production (got "${nodeEnv}")`)
  }
  const production = nodeEnv === 'production'
  const port = int(env, 'PORT', 3000, problems, 0)
  const baseUrl = (env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '')
  try {
    const url = new URL(baseUrl)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push('BASE_URL must be an http or https address')
  } catch {
    problems.push(`BASE_URL must be an absolute address (got "${baseUrl}")`)
  }
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL !== '' ? env.DATABASE_URL : null
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql://')
  }
  const sessionSecret = env.SESSION_SECRET ?? ''
  if (sessionSecret !== '' && sessionSecret.length < 32) problems.push('SESSION_SECRET must be at least 32 characters')
  if (production) {
    if (sessionSecret === '') problems.push('SESSION_SECRET is required in production')
    if (!databaseUrl) problems.push('DATABASE_URL is required in production (the embedded database is for trying Còmhla out)')
    if (!env.BASE_URL) problems.push('BASE_URL is required in production')
  }
  const smtpHost = env.SMTP_HOST && env.SMTP_HOST !== '' ? env.SMTP_HOST : null
  const smtp = smtpHost
    ? {
        host: smtpHost,
        port: int(env, 'SMTP_PORT', 587, problems),
        secure: bool(env, 'SMTP_SECURE', false, problems),
        user: env.SMTP_USER || null,
        password: env.SMTP_PASSWORD || null,
      }
    : null
  const config: Config = {
    env: (problems.length && !['development', 'test', 'production'].includes(nodeEnv) ? 'development' : nodeEnv) as Environment,
    port,
    host: env.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    baseUrl,
    databaseUrl,
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, problems),
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    sessionSecret: sessionSecret || randomBytes(32).toString('hex'),
    sessionIdleMinutes: int(env, 'SESSION_IDLE_MINUTES', 60, problems),
    sessionAbsoluteHours: int(env, 'SESSION_ABSOLUTE_HOURS', 12, problems),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info'),
    smtp: smtp ? Object.freeze(smtp) : null,
    mailFrom: env.MAIL_FROM ?? 'Còmhla <no-reply@comhla.localhost>',
    trustProxy: bool(env, 'TRUST_PROXY', false, problems),
    rateLimitMax: int(env, 'RATE_LIMIT_MAX', 10, problems),
    runJobs: bool(env, 'RUN_JOBS', true, problems),
    metricsToken: env.METRICS_TOKEN && env.METRICS_TOKEN !== '' ? env.METRICS_TOKEN : null,
    version: defaults.version ?? '0.0.0',
    commit: env.COMMIT ?? defaults.commit ?? 'unknown',
  }
  if (problems.length) throw new ConfigError(problems)
  return Object.freeze(config)
}

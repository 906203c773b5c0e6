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
  /** the largest document or image a person may upload */
  fileMaxBytes: number
  runJobs: boolean
  /** OpenID Connect providers set by environment (platform administrators may add more in the database) */
  oidcProviders: readonly OidcProviderConfig[]
  /** cron expressions that replace scheduled jobs' defaults, by job name */
  jobSchedules: Readonly<Record<string, string>>
  /** bearer token for /metrics; without one, /metrics answers only on the loopback interface */
  metricsToken: string | null
  version: string
  commit: string
}>

export type OidcProfile = 'scotaccount' | 'staff'
export type OidcClientAuth = 'private_key_jwt' | 'client_secret_basic'

export type OidcProviderConfig = Readonly<{
  id: string
  name: string
  issuer: string
  clientId: string
  clientSecret: string | null
  auth: OidcClientAuth
  profile: OidcProfile
  scopes: readonly string[]
  attributesEndpoint: string | null
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
  [
    'SESSION_SECRET',
    '(made once and kept in DATA_DIR outside production)',
    'at least 32 characters; signs cookies and seals two-factor secrets; the same on every instance; required in production',
  ],
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
  ['FILE_MAX_MB', '25', 'the largest document or image a person may upload, in megabytes'],
  ['RATE_LIMIT_MAX', '10', 'attempts a minute per address on sign-in, registration and password reset'],
  ['RUN_JOBS', 'true', 'false to run a web-only process that does not work the job queue'],
  [
    'OIDC_PROVIDERS',
    '(none)',
    'OpenID Connect providers as a JSON array of {id, name, issuer, clientId, clientSecret?, auth: private_key_jwt or client_secret_basic, profile: scotaccount or staff, scopes?, attributesEndpoint?}',
  ],
  [
    'JOB_SCHEDULES',
    "(each job's default)",
    'replace schedules, as name=cron pairs separated by semicolons, e.g. sessions.purge=*/5 * * * *',
  ],
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

const PROVIDER_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/

function httpUrl(value: unknown, production: boolean): string | null {
  if (typeof value !== 'string') return null
  try {
    const url = new URL(value)
    if (url.protocol === 'https:' || (url.protocol === 'http:' && !production)) return value
  } catch {
    return null
  }
  return null
}

/** OIDC_PROVIDERS: a JSON array; every problem is named with the provider's place in the list. */
function oidcProviders(env: Env, problems: string[], production: boolean): OidcProviderConfig[] {
  const raw = env.OIDC_PROVIDERS
  if (raw === undefined || raw.trim() === '') return []
  let list: unknown
  try {
    list = JSON.parse(raw)
  } catch {
    list = null
  }
  if (!Array.isArray(list)) {
    problems.push('OIDC_PROVIDERS must be a JSON array of providers')
    return []
  }
  const seen = new Set<string>()
  const providers: OidcProviderConfig[] = []
  const httpsWord = production ? 'an https' : 'an http or https'
  list.forEach((item: unknown, index) => {
    const where = `OIDC_PROVIDERS[${index}]`
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${where} must be an object`)
      return
    }
    const p = item as Record<string, unknown>
    const before = problems.length
    const id = typeof p.id === 'string' ? p.id : ''
    if (!PROVIDER_ID.test(id))
      problems.push(
        `${where}.id must be 1 to 40 lower-case letters, digits or hyphens (got ${JSON.stringify(p.id ?? null)})`,
      )
    else if (seen.has(id)) problems.push(`${where}.id "${id}" is used by another provider`)
    seen.add(id)
    const name = typeof p.name === 'string' ? p.name.trim() : ''
    if (name === '' || name.length > 100) problems.push(`${where}.name must be a name of 1 to 100 characters`)
    const issuer = httpUrl(p.issuer, production)
    if (!issuer) problems.push(`${where}.issuer must be ${httpsWord} address`)
    const clientId = typeof p.clientId === 'string' ? p.clientId : ''
    if (clientId === '') problems.push(`${where}.clientId is required`)
    const auth = p.auth
    if (auth !== 'private_key_jwt' && auth !== 'client_secret_basic')
      problems.push(`${where}.auth must be private_key_jwt or client_secret_basic`)
    const clientSecret = typeof p.clientSecret === 'string' && p.clientSecret !== '' ? p.clientSecret : null
    if (auth === 'client_secret_basic' && !clientSecret)
      problems.push(`${where}.clientSecret is required when auth is client_secret_basic`)
    const profile = p.profile
    if (profile !== 'scotaccount' && profile !== 'staff') problems.push(`${where}.profile must be scotaccount or staff`)
    const scopes: unknown = p.scopes ?? []
    const scopeList =
      Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && SCOPE.test(s)) ? (scopes as string[]) : null
    if (!scopeList) problems.push(`${where}.scopes must be an array of scope names`)
    let attributesEndpoint: string | null = null
    if (p.attributesEndpoint !== undefined && p.attributesEndpoint !== null && p.attributesEndpoint !== '') {
      attributesEndpoint = httpUrl(p.attributesEndpoint, production)
      if (!attributesEndpoint) problems.push(`${where}.attributesEndpoint must be ${httpsWord} address`)
    }
    if (problems.length > before || !issuer || !scopeList) return
    providers.push(
      Object.freeze({
        id,
        name,
        issuer,
        clientId,
        clientSecret,
        auth: auth as OidcClientAuth,
        profile: profile as OidcProfile,
        scopes: Object.freeze([...scopeList]),
        attributesEndpoint,
      }),
    )
  })
  return providers
}

function parseSchedules(raw: string | undefined, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  if (!raw) return out
  for (const part of raw
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, cron] = part.split('=').map((x) => x.trim())
    if (!name || !cron || cron.split(/\s+/).length !== 5)
      problems.push(`JOB_SCHEDULES: "${part}" should be name=<five-field cron expression>`)
    else out[name] = cron
  }
  return out
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
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      problems.push('BASE_URL must be an http or https address')
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
    if (!databaseUrl)
      problems.push('DATABASE_URL is required in production (the embedded database is for trying Còmhla out)')
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
    env: (problems.length && !['development', 'test', 'production'].includes(nodeEnv)
      ? 'development'
      : nodeEnv) as Environment,
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
    fileMaxBytes: int(env, 'FILE_MAX_MB', 25, problems) * 1024 * 1024,
    runJobs: bool(env, 'RUN_JOBS', true, problems),
    oidcProviders: Object.freeze(oidcProviders(env, problems, production)),
    jobSchedules: Object.freeze(parseSchedules(env.JOB_SCHEDULES, problems)),
    metricsToken: env.METRICS_TOKEN && env.METRICS_TOKEN !== '' ? env.METRICS_TOKEN : null,
    version: defaults.version ?? '0.0.0',
    commit: env.COMMIT ?? defaults.commit ?? 'unknown',
  }
  if (problems.length) throw new ConfigError(problems)
  return Object.freeze(config)
}

// Without SESSION_SECRET outside production, a secret is made once and kept in the data folder,
// so sessions' CSRF cookies and sealed two-factor secrets survive a restart of the embedded setup.
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export function withDevSecret(env: Record<string, string | undefined>): Record<string, string | undefined> {
  if (env.SESSION_SECRET || env.NODE_ENV === 'production' || env.NODE_ENV === 'test') return env
  const dir = path.resolve(env.DATA_DIR ?? 'data')
  const file = path.join(dir, 'session-secret')
  let secret: string
  try {
    secret = readFileSync(file, 'utf8').trim()
  } catch {
    mkdirSync(dir, { recursive: true })
    secret = randomBytes(48).toString('hex')
    writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  }
  return { ...env, SESSION_SECRET: secret }
}

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** The package version and, where the code is a git checkout, its commit. */
export function versionInfo(): { version: string; commit: string } {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim()
  } catch {
    // not a git checkout (a packaged release): COMMIT can be set instead
  }
  return { version: pkg.version, commit }
}

#!/usr/bin/env node
// `npm test`: type checking, lint, then unit, integration and browser tests in one run of
// Node's test runner (each file in its own process). `npm test -- unit|int|e2e` runs one kind.
// In CI the browser tests must run: a missing Chromium fails the run instead of skipping.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const kind = process.argv[2] ?? 'all'

function walk(dir, out = []) {
  if (!existsSync(dir)) return out
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    if (name === 'node_modules') continue
    if (statSync(full).isDirectory()) walk(full, out)
    else out.push(path.relative(root, full))
  }
  return out
}

const files = [...walk(path.join(root, 'src')), ...walk(path.join(root, 'test')), ...walk(path.join(root, 'e2e'))]
const unit = files.filter((f) => f.endsWith('.test.ts') && !f.endsWith('.int.test.ts'))
const int = files.filter((f) => f.endsWith('.int.test.ts'))
const e2e = files.filter((f) => f.endsWith('.e2e.ts'))

function run(label, command, args, env = {}) {
  process.stdout.write(`\n▶ ${label}\n`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  if (result.status !== 0) {
    process.stdout.write(`\n✖ ${label} failed\n`)
    process.exit(result.status ?? 1)
  }
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
let selected = []
if (kind === 'all') {
  run('Type checking', 'npx', ['tsc', '--noEmit', '-p', '.'])
  run('Lint', 'npx', ['eslint', '--max-warnings', '0', '.'])
  run('Formatting (Prettier)', 'npx', ['prettier', '--check', '--log-level', 'warn', '.'])
  selected = [...unit, ...int, ...e2e]
} else if (kind === 'unit') selected = unit
else if (kind === 'int') selected = int
else if (kind === 'e2e') selected = e2e
else selected = files.filter((f) => f.includes(kind) && (f.endsWith('.test.ts') || f.endsWith('.e2e.ts')))

const wantsBrowser = selected.some((f) => f.endsWith('.e2e.ts'))
if (wantsBrowser && !existsSync(chromium)) {
  if (process.env.CI) {
    process.stdout.write(
      `\n✖ The browser tests need Chromium at ${chromium}, and in CI they must run. Install Debian's chromium.\n`,
    )
    process.exit(1)
  }
  process.stdout.write(
    `\n⚠ Chromium not found at ${chromium}: browser tests are SKIPPED. Install it (apt-get install chromium) to run them.\n`,
  )
  selected = selected.filter((f) => !f.endsWith('.e2e.ts'))
}

if (selected.length === 0) {
  process.stdout.write('No test files matched.\n')
  process.exit(1)
}
run(
  `Tests (${selected.length} files)`,
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...selected],
  { NODE_ENV: 'test', CHROMIUM_PATH: chromium },
)

// Test steps that report every page's accessibility violations rather than stopping at the first.
// In a journey the steps run in order: once a step fails the rest are skipped, not failed again,
// except for accessibility violations: the step that met them fails, and the journey goes on.
import assert from 'node:assert/strict'
import { it } from 'node:test'
import { collectingViolations } from './browser.js'

async function run(fn: () => Promise<void>, onError: () => void = () => undefined): Promise<void> {
  const { violations, error } = await collectingViolations(fn)
  if (error) {
    onError()
    if (violations.length && error instanceof Error)
      error.message += `\n\nEarlier in this step:\n${violations.join('\n\n')}`
    throw error
  }
  if (violations.length) assert.fail(violations.join('\n\n'))
}

/** An independent test whose pages are all checked before it fails for accessibility. */
export function check(name: string, fn: () => Promise<void>): void {
  it(name, () => run(fn))
}

export function journey(): (name: string, fn: () => Promise<void>) => void {
  let failed: string | null = null
  return (name, fn) => {
    it(name, async (t) => {
      if (failed) return t.skip(`skipped: an earlier step failed ("${failed}")`)
      await run(fn, () => (failed = name))
    })
  }
}

// Chromium, axe-core and the checks every page in a journey must pass.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import axe from 'axe-core'
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
  type Response,
} from 'playwright-core'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const resultsDir = path.join(root, 'test-results')

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

type Visit = { url: string; checked: boolean }
type Watch = { visits: Visit[]; problems: string[]; javaScript: boolean; baseUrl: string }
const watches = new WeakMap<Page, Watch>()

/**
 * A fresh context (one person's browser) and its page, watched so that every document it loads
 * must be checked, and any console error, page error or failed request is reported.
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-GB', ...options })
  context.setDefaultTimeout(15_000)
  const page = await context.newPage()
  const watch: Watch = { visits: [], problems: [], javaScript: options.javaScriptEnabled !== false, baseUrl }
  watches.set(page, watch)
  page.on('domcontentloaded', () => watch.visits.push({ url: page.url(), checked: false }))
  page.on('console', (message) => {
    // Chromium logs every 4xx response, including a form re-rendered with 422; those are checked below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      watch.problems.push(`console error on ${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => watch.problems.push(`script error on ${page.url()}: ${error.message}`))
  page.on('requestfailed', (request) => {
    // A download link or an aborted navigation is not a broken page.
    if (request.failure()?.errorText === 'net::ERR_ABORTED') return
    watch.problems.push(`request failed on ${page.url()}: ${request.url()} ${request.failure()?.errorText ?? ''}`)
  })
  page.on('response', (response) => {
    const request = response.request()
    if (request.resourceType() !== 'document' && response.status() >= 400 && response.url().startsWith(baseUrl)) {
      watch.problems.push(`${response.status()} for ${request.resourceType()} ${response.url()} on ${page.url()}`)
    }
  })
  return { context, page }
}

function watchOf(page: Page): Watch {
  const watch = watches.get(page)
  if (!watch) throw new Error('open pages with openPage() so that they are watched')
  return watch
}

export type AxeViolation = {
  id: string
  impact: string | null
  help: string
  helpUrl: string
  nodes: { target: string; html: string; summary: string }[]
}

async function runAxe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's nonce-based CSP does not govern.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source)
  return page.evaluate(async (tags) => {
    const engine = (window as unknown as { axe: typeof axe }).axe
    const results = await engine.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html, summary: n.failureSummary ?? '' })),
    }))
  }, WCAG_TAGS)
}

/**
 * With JavaScript turned off in a context, axe never finishes there (the page's timers do not run),
 * so the page as served is replayed in a scripting context whose CSP blocks the page's own scripts,
 * and checked there.
 */
async function runAxeOnScriptlessCopy(page: Page): Promise<AxeViolation[]> {
  const html = await page.content()
  const url = page.url()
  const browser = page.context().browser()
  if (!browser) throw new Error('page has no browser')
  const copy = await browser.newContext({ locale: 'en-GB' })
  try {
    const mirror = await copy.newPage()
    let served = false
    await mirror.route('**/*', async (route) => {
      if (served || route.request().resourceType() !== 'document') return route.continue()
      served = true
      return route.fulfill({
        status: 200,
        contentType: 'text/html; charset=utf-8',
        headers: { 'content-security-policy': "script-src 'none'" },
        body: html,
      })
    })
    await mirror.goto(url)
    return await runAxe(mirror)
  } finally {
    await copy.close()
  }
}

export function formatViolations(url: string, violations: AxeViolation[]): string {
  const lines = [`${violations.length} accessibility violation(s) on ${url}:`]
  for (const v of violations) {
    lines.push(`\n  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help}\n  ${v.helpUrl}`)
    for (const n of v.nodes) {
      lines.push(`    - ${n.target}\n      ${n.html}\n      ${n.summary.replace(/\n/g, '\n      ')}`)
    }
  }
  return lines.join('\n')
}

let deferred: string[] | null = null

/**
 * Runs fn collecting accessibility violations instead of failing at the first, so that a journey
 * can go on and report every page's violations; the caller fails the step with what it returns.
 */
export async function collectingViolations(fn: () => Promise<void>): Promise<{ violations: string[]; error: unknown }> {
  const violations: string[] = []
  deferred = violations
  try {
    await fn()
    return { violations, error: null }
  } catch (error) {
    return { violations, error: error ?? new Error('step failed') }
  } finally {
    deferred = null
  }
}

/** axe-core with the WCAG 2.2 AA tags: zero violations, or a readable list of them. */
export async function checkAccessibility(page: Page): Promise<void> {
  const watch = watchOf(page)
  const violations = watch.javaScript ? await runAxe(page) : await runAxeOnScriptlessCopy(page)
  const last = watch.visits.at(-1)
  if (last) last.checked = true
  if (!violations.length) return
  const report = formatViolations(page.url(), violations)
  if (deferred) deferred.push(report)
  else assert.fail(report)
}

/** What every Còmhla page has: a language, a title, one h1, the skip link and the language switch. */
export async function checkLayout(page: Page): Promise<void> {
  const facts = await page.evaluate(() => ({
    lang: document.documentElement.lang,
    title: document.title,
    h1s: document.querySelectorAll('h1').length,
    skip: document.querySelector('a.ds_skip-links__link')?.getAttribute('href') ?? null,
    main: document.querySelector('main#main-content') !== null,
    switchHref: document.querySelector('header a[hreflang]')?.getAttribute('href') ?? null,
    path: location.pathname + location.search,
  }))
  const where = page.url()
  assert.ok(facts.lang === 'en' || facts.lang === 'gd', `<html lang> is "${facts.lang}" on ${where}`)
  assert.match(facts.title, / – Còmhla$/, `title "${facts.title}" on ${where}`)
  assert.equal(facts.h1s, 1, `${facts.h1s} h1 elements on ${where}`)
  assert.equal(facts.skip, '#main-content', `skip link on ${where}`)
  assert.ok(facts.main, `main#main-content on ${where}`)
  assert.ok(facts.switchHref, `no language switch in the header of ${where}`)
  const other = facts.lang === 'en' ? 'gd' : 'en'
  const switchUrl = new URL(facts.switchHref, where)
  assert.equal(switchUrl.pathname, `/language/${other}`, `language switch on ${where}`)
  assert.equal(
    switchUrl.searchParams.get('return'),
    facts.path,
    `language switch on ${where} does not come back to the same page`,
  )
}

/** Fails with anything the browser complained about since the last check. */
export function checkBrowserProblems(page: Page): void {
  const watch = watchOf(page)
  const problems = watch.problems.splice(0)
  assert.deepEqual(problems, [], `the browser reported problems:\n${problems.join('\n')}`)
}

/** The checks for every page visited: layout, axe, and no browser errors. */
export async function checkPage(page: Page): Promise<void> {
  await checkLayout(page)
  await checkAccessibility(page)
  checkBrowserProblems(page)
}

/** Goes to a path or address, checks the page, and returns the response. */
export async function visit(page: Page, pathOrUrl: string): Promise<Response | null> {
  const response = await page.goto(new URL(pathOrUrl, watchOf(page).baseUrl).toString())
  await checkPage(page)
  return response
}

/** Does something that loads a new document (a click, Enter on a form), waits for it, and checks it. */
export async function navigate(page: Page, action: () => Promise<unknown>): Promise<void> {
  const loaded = page.waitForEvent('load')
  // Handled here so that a failing action is the error reported; awaited again below.
  loaded.catch(() => undefined)
  await action()
  await loaded
  await checkPage(page)
}

/** Every document the page loaded was checked with axe. */
export function assertEveryPageChecked(page: Page): void {
  const unchecked = watchOf(page).visits.filter((v) => !v.checked)
  assert.deepEqual(
    unchecked.map((v) => v.url),
    [],
    'pages were visited without an accessibility check',
  )
}

export function visitedUrls(page: Page): string[] {
  return watchOf(page).visits.map((v) => v.url)
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(resultsDir, { recursive: true })
  const file = path.join(resultsDir, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

export type Focused = {
  tag: string
  id: string
  text: string
  href: string | null
  type: string | null
  inMain: boolean
  focusStyle: boolean
}

/**
 * The element that has focus, and whether it shows a focus indicator (WCAG 2.4.7): its look when
 * focused differs from its look when not (outline, shadow, background, colour, underline…).
 */
export async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body)
      return { tag: 'body', id: '', text: '', href: null, type: null, inMain: false, focusStyle: false }
    // No named functions in here: tsx would wrap them in a helper the page does not have.
    const looks: string[] = []
    for (const focusedNow of [true, false]) {
      if (!focusedNow) el.blur()
      for (const animation of el.getAnimations()) animation.finish()
      const s = getComputedStyle(el)
      const outline =
        s.outlineStyle !== 'none' &&
        parseFloat(s.outlineWidth) > 0 &&
        !/rgba\(\d+, \d+, \d+, 0\)|transparent/.test(s.outlineColor)
      looks.push(
        [
          outline ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'no outline',
          s.boxShadow,
          s.backgroundColor,
          s.filter,
          s.color,
          s.textDecorationLine,
          s.borderColor,
        ].join(' | '),
      )
    }
    el.focus({ preventScroll: true })
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' '),
      href: el.getAttribute('href'),
      type: el.getAttribute('type'),
      inMain: el.closest('main') !== null,
      focusStyle: looks[0] !== looks[1],
    }
  })
}

/** Presses Tab until the focused element matches, checking each stop has a visible focus indicator. */
export async function tabTo(page: Page, matches: (f: Focused) => boolean, what: string, max = 40): Promise<Focused[]> {
  const stops: Focused[] = []
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const now = await focused(page)
    stops.push(now)
    assert.ok(
      now.tag === 'main' || now.focusStyle,
      `no visible focus indicator on <${now.tag}> "${now.text}" (${page.url()})`,
    )
    if (matches(now)) return stops
  }
  assert.fail(
    `pressed Tab ${max} times without reaching ${what}; focus went to: ${stops.map((s) => `<${s.tag}> "${s.text || s.id}"`).join(', ')}`,
  )
}

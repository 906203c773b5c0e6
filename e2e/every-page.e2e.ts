// Every page the kernel serves that the other journeys do not walk through, each checked with
// axe and the layout checks, including the error state of each form (submitted empty or wrong).
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, navigate, openPage, visit } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { OutboxPage, SetupPage } from './support/pages.js'

const admin = { name: 'Eilidh Rose', email: 'eilidh.rose@example.gov.scot', password: 'Lochan-Birch-Kestrel-2026' }
const member = { name: 'Ruaridh Bell', email: 'ruaridh.bell@example.gov.scot', password: 'Machair-Otter-Lantern-9' }
const slug = 'fife-council'

/** Submits the form posting to `action` as it is, and expects the error summary. */
async function submitExpectingErrors(page: Page, action: string): Promise<void> {
  await navigate(page, () => page.locator(`main form[action="${action}"] button[type=submit]`).first().click())
  assert.ok(await page.locator('.ds_error-summary').isVisible(), `an error summary after posting ${action}`)
  assert.match(await page.title(), /^Error: /)
}

async function emailLink(page: Page, to: string, subject: RegExp, pattern: RegExp): Promise<string> {
  await visit(page, `/admin/outbox?to=${encodeURIComponent(to)}`)
  const message = await new OutboxPage(page).openMessage(to, subject)
  return message.link(pattern)
}

describe('every page passes axe, and every form shows its errors accessibly', { timeout: 240_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let publicPage: Page

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    page = (await openPage(browser, server.baseUrl)).page
    publicPage = (await openPage(browser, server.baseUrl)).page
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const step = journey()

  step('the public and information pages', async () => {
    for (const path of [
      '/',
      '/organisations',
      `/organisations/${slug}`,
      '/accessibility',
      '/privacy',
      '/cookies',
      '/contact',
      '/api/docs',
      '/consultations',
    ]) {
      const response = await visit(publicPage, path)
      assert.equal(response?.status(), 200, path)
    }
    for (const path of ['/verify-email/not-a-real-token-at-all-xxxx', '/reset-password/not-a-real-token-at-all-xxxx']) {
      assert.equal((await visit(publicPage, path))?.status(), 410, path)
    }
  })

  step('registration, forgotten password and their error states', async () => {
    await visit(publicPage, '/register')
    await submitExpectingErrors(publicPage, '/register')
    await visit(publicPage, '/forgotten-password')
    await submitExpectingErrors(publicPage, '/forgotten-password')
    await publicPage.getByLabel('Email address', { exact: true }).fill(member.email)
    await navigate(publicPage, () => publicPage.locator('main form button[type=submit]').click())
    assert.equal(new URL(publicPage.url()).pathname, '/forgotten-password/sent')
  })

  step('the administrator is set up, and the platform administration pages', async () => {
    const setup = await SetupPage.open(page, server.setupLink!)
    await setup.createAdministrator(admin)
    for (const path of [
      '/admin',
      '/admin/outbox',
      '/admin/jobs',
      '/admin/audit',
      '/admin/identity-providers',
      '/admin/identity-providers/new',
    ]) {
      assert.equal((await visit(page, path))?.status(), 200, path)
    }
    await visit(page, '/admin/audit')
    await navigate(page, () => page.locator('main form[action="/admin/audit/verify"] button').click())
    assert.match(await page.locator('main').innerText(), /intact/)
    await visit(page, '/admin/organisations/new')
    await submitExpectingErrors(page, '/admin/organisations/new')
    await visit(page, '/admin/identity-providers/new')
    await submitExpectingErrors(page, '/admin/identity-providers/new')
  })

  step("the administrator's own account pages and their error states", async () => {
    for (const path of [
      '/account',
      '/account/two-factor',
      '/account/sessions',
      '/account/sign-in-methods',
      '/account/verified-attributes',
    ]) {
      assert.equal((await visit(page, path))?.status(), 200, path)
    }
    await visit(page, '/account/password')
    await submitExpectingErrors(page, '/account/password')
    await visit(page, '/account/tokens')
    await submitExpectingErrors(page, '/account/tokens')
    await visit(page, '/account/two-factor/recovery-codes')
    await submitExpectingErrors(page, '/account/two-factor/recovery-codes')
    await visit(page, '/account/two-factor/disable')
    await submitExpectingErrors(page, '/account/two-factor/disable')
    await visit(page, '/account/delete')
    assert.match(await page.locator('main').innerText(), /Platform administrators cannot delete/)
  })

  step("a council's staff pages, with a member to change and remove", async () => {
    await visit(page, `/manage/organisations/${slug}/invite`)
    await page.getByLabel('Email address', { exact: true }).fill(member.email)
    await navigate(page, () =>
      page.locator(`main form[action="/manage/organisations/${slug}/invite"] button[type=submit]`).click(),
    )
    const link = await emailLink(page, member.email, /invited/, /\/invitations\/[A-Za-z0-9_-]+/)
    await visit(publicPage, link)
    await navigate(publicPage, () => publicPage.getByRole('link', { name: 'Create an account to accept' }).click())
    await publicPage.getByLabel('Full name', { exact: true }).fill(member.name)
    await publicPage.getByLabel('New password', { exact: true }).fill(member.password)
    await publicPage.getByLabel('Confirm the new password', { exact: true }).fill(member.password)
    await navigate(publicPage, () => publicPage.locator('main form button[type=submit]').click())
    await navigate(publicPage, () => publicPage.getByRole('button', { name: 'Accept invitation' }).click())
    assert.equal(
      new URL(publicPage.url()).pathname,
      '/account/two-factor/setup',
      'new staff are sent to set up two-factor',
    )
    await submitExpectingErrors(publicPage, '/account/two-factor/setup')

    for (const path of [
      '/manage',
      `/manage/organisations/${slug}`,
      `/manage/organisations/${slug}/audit`,
      `/manage/organisations/${slug}/sign-in-domains`,
    ]) {
      assert.equal((await visit(page, path))?.status(), 200, path)
    }
    await visit(page, `/manage/organisations/${slug}/edit`)
    await page.getByLabel('Name in English', { exact: true }).fill('')
    await submitExpectingErrors(page, `/manage/organisations/${slug}/edit`)
    await visit(page, `/manage/organisations/${slug}`)
    const change = page.locator('main tbody tr', { hasText: member.name }).getByRole('link', { name: /Change/ })
    await navigate(page, () => change.click())
    const memberPath = new URL(page.url()).pathname
    await visit(page, `${memberPath}/remove`)
    await navigate(page, () => page.locator(`main form[action="${memberPath}/remove"] button[type=submit]`).click())
    assert.equal(new URL(page.url()).pathname, `/manage/organisations/${slug}`, 'the member was removed')
  })

  step('a member of the public deletes their account, after a wrong password first', async () => {
    // No longer staff once removed, so the two-factor gate no longer applies and deletion is open.
    await visit(publicPage, '/account/delete')
    await publicPage.getByLabel('Current password', { exact: true }).fill('not the password at all')
    await submitExpectingErrors(publicPage, '/account/delete')
    await publicPage.getByLabel('Current password', { exact: true }).fill(member.password)
    await navigate(publicPage, () =>
      publicPage.locator('main form[action="/account/delete"] button[type=submit]').click(),
    )
    assert.equal(new URL(publicPage.url()).pathname, '/account/deleted')
  })

  step('every page visited was checked', async () => {
    assertEveryPageChecked(page)
    assertEveryPageChecked(publicPage)
  })
})

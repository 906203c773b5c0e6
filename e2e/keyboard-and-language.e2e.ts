// Keyboard alone, JavaScript turned off, English and Gàidhlig, and the "Page not found" page.
// Every page visited is checked with axe-core (WCAG 2.2 AA) and must have the common layout.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import {
  focused,
  launchBrowser,
  navigate,
  openPage,
  screenshot,
  tabTo,
  visit,
  assertEveryPageChecked,
} from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { check } from './support/journey.js'
import { authenticators, BasePage, SetupPage, SignInPage } from './support/pages.js'

const person = { name: 'Catriona Nic a’ Phì', email: 'catriona@example.gov.scot', password: 'Machair-Gannet-Peat-2026' }

describe('keyboard, no JavaScript, English and Gàidhlig', { timeout: 120_000 }, () => {
  let server: RunningServer
  let browser: Browser
  const pages: Page[] = []

  /** A fresh browser context for each test, as a new visitor. */
  const fresh = async (options: { javaScriptEnabled?: boolean } = {}) => {
    const { page } = await openPage(browser, server.baseUrl, options)
    pages.push(page)
    return page
  }

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    const page = await fresh()
    const setup = await SetupPage.open(page, server.setupLink)
    await (await setup.createAdministrator(person)).expect('/admin', 'Platform administration')
    await page.context().close()
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  check('the first Tab focuses "Skip to main content", and Enter moves focus to the main content', async () => {
    const page = await fresh()
    await visit(page, '/')
    await page.keyboard.press('Tab')
    const first = await focused(page)
    assert.equal(first.text, 'Skip to main content')
    assert.equal(first.href, '#main-content')
    assert.ok(first.focusStyle, 'the skip link shows that it has focus')
    const box = await page.locator('a.ds_skip-links__link').boundingBox()
    assert.ok(box && box.y >= 0 && box.height > 0, `the focused skip link is on screen: ${JSON.stringify(box)}`)
    await page.keyboard.press('Enter')
    const main = await focused(page)
    assert.equal(main.tag, 'main')
    assert.equal(main.id, 'main-content')
    await page.keyboard.press('Tab')
    assert.ok((await focused(page)).inMain, 'the next Tab after skipping stays in the main content')
  })

  check(
    'signs in and out with the keyboard alone, recovering from an empty form through the error summary',
    async () => {
      const page = await fresh()
      await visit(page, '/')
      await tabTo(page, (f) => f.tag === 'a' && f.href === '/sign-in', 'the Sign in link')
      await navigate(page, () => page.keyboard.press('Enter'))
      const signIn = await new SignInPage(page).expect('/sign-in', 'Sign in')

      await tabTo(page, (f) => f.tag === 'button' && f.inMain && f.text === 'Sign in', 'the Sign in button')
      await navigate(page, () => page.keyboard.press('Enter'))
      const items = await signIn.errorSummaryItems()
      assert.ok(
        items.some((i) => i.href === '#email'),
        `the error summary links to the email field: ${JSON.stringify(items)}`,
      )
      await signIn.expectErrors(items)
      await tabTo(page, (f) => f.tag === 'a' && f.href === '#email', 'the error summary link to the email field')
      await page.keyboard.press('Enter')
      assert.equal((await focused(page)).id, 'email', 'the error summary link moves focus to the email field')

      await page.keyboard.type(person.email)
      await page.keyboard.press('Tab')
      assert.equal((await focused(page)).id, 'password', 'Tab goes from the email address to the password')
      await page.keyboard.type(person.password)
      await page.keyboard.press('Tab')
      const button = await focused(page)
      assert.deepEqual(
        [button.tag, button.text],
        ['button', 'Sign in'],
        'Tab goes from the password to the Sign in button',
      )
      await navigate(page, () => page.keyboard.press('Enter'))
      // The administrator has two-factor sign-in: the code is typed too, or a recovery code when no fresh code is due.
      await new BasePage(page).expect('/sign-in/two-factor', 'Enter your security code')
      const authenticator = authenticators.get(person.email.toLowerCase())!
      const code = authenticator.freshCode()
      if (code) {
        await tabTo(page, (f) => f.id === 'code', 'the security code field')
        await page.keyboard.type(code)
      } else {
        await tabTo(page, (f) => f.tag === 'a' && /recovery code/.test(f.text), 'the recovery code link')
        await navigate(page, () => page.keyboard.press('Enter'))
        await tabTo(page, (f) => f.id === 'recoveryCode', 'the recovery code field')
        await page.keyboard.type(authenticator.recoveryCode())
      }
      await navigate(page, () => page.keyboard.press('Enter'))
      if (code) await new BasePage(page).expect('/account', 'Your account')
      else await new BasePage(page).expect('/account/two-factor', 'Two-factor sign-in')

      await tabTo(page, (f) => f.tag === 'button' && f.text === 'Sign out', 'the Sign out button')
      await navigate(page, () => page.keyboard.press('Enter'))
      await new BasePage(page).expect('/signed-out', 'You have signed out')
    },
  )

  check(
    'with JavaScript turned off, sign-in shows the error summary on bad input, keeps what was typed, then signs in',
    async () => {
      const page = await fresh({ javaScriptEnabled: false })
      const signIn = await SignInPage.open(page)
      await signIn.fill(person.email, 'Not-the-right-password-1')
      await signIn.submit()
      assert.equal(signIn.pathname(), '/sign-in')
      const items = await signIn.errorSummaryItems()
      assert.deepEqual(
        items.map((i) => i.text),
        ['Enter a correct email address and password'],
      )
      await signIn.expectErrors(items)
      assert.equal(
        await page.getByLabel('Email address', { exact: true }).inputValue(),
        person.email,
        'the email address typed is kept',
      )
      assert.equal(await page.getByLabel('Password', { exact: true }).inputValue(), '', 'the password is not sent back')
      await screenshot(page, 'no-js-sign-in-error')

      const account = await signIn.signIn(person.email, person.password)
      await account.expect('/account', 'Your account')
      await account.switchLanguage()
      assert.equal(await account.htmlLang(), 'gd', 'the language switch works without JavaScript')
      await account.switchLanguage()
      assert.equal(await account.htmlLang(), 'en')
      const signedOut = await account.signOut()
      await signedOut.expect('/signed-out', 'You have signed out')
    },
  )

  check('the header link turns every page into Gàidhlig and back, and the choice is remembered', async () => {
    const page = await fresh()
    await visit(page, '/organisations')
    const directory = new BasePage(page)
    assert.equal(await directory.htmlLang(), 'en')
    assert.equal(await directory.headingText(), 'Directory of public bodies')
    assert.equal((await directory.languageSwitch.innerText()).trim(), 'Gàidhlig')
    assert.equal(await directory.languageSwitch.getAttribute('lang'), 'gd', 'the link to Gàidhlig is marked as Gaelic')

    await directory.switchLanguage()
    assert.equal(directory.pathname(), '/organisations', 'switching language stays on the same page')
    assert.equal(await directory.htmlLang(), 'gd')
    assert.equal(await directory.headingText(), 'Eòlaire nam buidhnean poblach')
    assert.equal((await directory.languageSwitch.innerText()).trim(), 'English')
    assert.equal(await directory.languageSwitch.getAttribute('lang'), 'en', 'the link to English is marked as English')
    await screenshot(page, 'gaelic-directory')

    // Remembered on the next pages: a footer link, a form and its error summary, an error page.
    await navigate(page, () => page.locator('footer a[href="/accessibility"]').click())
    assert.equal(await directory.htmlLang(), 'gd')
    assert.equal(await directory.headingText(), 'Aithris so-ruigsinneachd')
    const signIn = await visit(page, '/sign-in').then(() => new SignInPage(page))
    assert.equal(await signIn.htmlLang(), 'gd')
    assert.equal(await signIn.headingText(), 'Clàraich a-steach')
    await navigate(page, () => page.locator('main button[type=submit]').click())
    assert.equal((await signIn.errorSummary.locator('h2').innerText()).trim(), 'Tha duilgheadas ann')
    assert.match(await page.title(), /^Mearachd: /)
    const missing = await visit(page, '/no-such-page')
    assert.equal(missing?.status(), 404)
    assert.equal(await directory.headingText(), 'Cha deach an duilleag a lorg')

    await visit(page, '/organisations')
    await directory.switchLanguage()
    assert.equal(directory.pathname(), '/organisations')
    assert.equal(await directory.htmlLang(), 'en')
    assert.equal(await directory.headingText(), 'Directory of public bodies')
    assert.equal((await directory.languageSwitch.innerText()).trim(), 'Gàidhlig')
    await visit(page, '/')
    assert.equal(await directory.htmlLang(), 'en', 'English is remembered too')
  })

  check('a missing page answers 404 with the design system\'s "Page not found" page', async () => {
    const page = await fresh()
    for (const path of ['/no-such-page', '/organisations/no-such-body']) {
      const response = await visit(page, path)
      assert.equal(response?.status(), 404, `status of ${path}`)
      const notFound = new BasePage(page)
      assert.equal(await notFound.headingText(), 'Page not found')
      assert.equal(await page.title(), 'Page not found – Còmhla')
      for (const selector of ['.ds_page', 'header.ds_site-header', 'main.ds_layout', 'footer.ds_site-footer']) {
        assert.equal(await page.locator(selector).count(), 1, `${selector} on the 404 page for ${path}`)
      }
      const styled = await page.evaluate(() =>
        [...document.styleSheets].some((s) => (s.href ?? '').includes('/assets/ds/css/design-system')),
      )
      assert.ok(styled, 'the design system stylesheet is loaded')
    }
    await screenshot(page, 'not-found')
    await navigate(page, () => page.getByRole('link', { name: 'Go to the Còmhla home page' }).click())
    assert.equal(new BasePage(page).pathname(), '/')
  })

  check('every page visited was checked and the server logged no errors', async () => {
    for (const page of pages) assertEveryPageChecked(page)
    assert.deepEqual(server.errorLogs(), [], 'the server logged errors')
  })
})

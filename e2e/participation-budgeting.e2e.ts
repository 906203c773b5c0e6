// Participatory budgeting's "done when": a body sets up a process (refusing an empty form first),
// with areas, budgets and a postcode lookup, and publishes it; a resident proposes an idea; staff
// review ideas and add a project; a resident on a phone votes by keyboard alone, meeting the
// running total and the over-budget error on the way; a school group votes with printed codes,
// and a used code is refused; staff enter a paper ballot with its code; the vote closes and the
// results are published, with a chart and a table. Every page is checked with axe-core.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, navigate, openPage, screenshot, visit } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { AdminPage, BasePage, RegisterPage, SetupPage, SignInPage } from './support/pages.js'
import type { ManageProcessPage } from './support/budgeting-pages.js'
import { BallotPage, CodeVoter, Keyboard, ManageBudgetingPage, ResultsPage, isoDay } from './support/budgeting-pages.js'

const administrator = {
  name: 'Catriona Buchanan',
  email: 'catriona.buchanan@example.gov.scot',
  password: 'Falkland-Palace-Lomond-2026',
}
const resident = { name: 'Iain Wemyss', email: 'iain.wemyss@example.com', password: 'Kirkcaldy-Links-Market-2026' }
const phoneViewport = { width: 375, height: 667 }
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

describe(
  'participatory budgeting: set up, ideas, review, vote by keyboard and by code, paper, results',
  { timeout: 240_000 },
  () => {
    let server: RunningServer
    let browser: Browser
    let admin: Page
    let phone: Page
    let school: Page
    let manage: ManageProcessPage
    let processId = ''
    let codes: string[] = []

    before(async () => {
      ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
      admin = (await openPage(browser, server.baseUrl)).page
      phone = (await openPage(browser, server.baseUrl, { viewport: phoneViewport, isMobile: true, hasTouch: true }))
        .page
      school = (await openPage(browser, server.baseUrl)).page
    })

    after(async () => {
      await browser?.close()
      await server?.stop()
    })

    const step = journey()

    step('the first administrator is created', async () => {
      assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
      const setup = await SetupPage.open(admin, server.setupLink)
      await (await setup.createAdministrator(administrator)).expect('/admin', 'Platform administration')
    })

    step(
      'an empty process form is refused with an error summary; a process is set up with areas and postcodes',
      async () => {
        const list = await ManageBudgetingPage.open(admin)
        const form = await list.startNew()
        await form.save()
        const errors = await form.errorSummaryItems()
        assert.deepEqual(
          errors.map((e) => e.href),
          ['#organisationId', '#title', '#summary', '#ideasDate', '#reviewDate', '#voteDate', '#closeDate'],
        )
        assert.match(await admin.title(), /^Error: /)
        manage = await form.create({
          organisation: 'Fife Council',
          title: 'Kirkcaldy and Dunfermline Decide',
          summary: 'Decide how £18,000 is spent on your streets, parks and libraries.',
          rule: "Budget: choose projects that fit the area's budget",
          ideas: isoDay(-1),
          review: isoDay(5),
          vote: isoDay(10),
          close: isoDay(20),
        })
        processId = manage.id()
        await manage.addArea('Kirkcaldy', '10000')
        await manage.addArea('Dunfermline', '8000')
        await manage.importPostcodes('postcode,area\nKY1 1XX,Nowhere')
        assert.match(await admin.locator('main .ds_notification-panel--error').innerText(), /Line 2 \(Nowhere\)/)
        await admin
          .locator('main')
          .getByLabel('CSV', { exact: true })
          .fill('postcode,area\nKY1 1XX,Kirkcaldy\nKY12 7DX,Dunfermline')
        await navigate(admin, () => admin.locator('main').getByRole('button', { name: 'Import postcodes' }).click())
        await manage.expect(`/manage/budgeting/${processId}`, 'Kirkcaldy and Dunfermline Decide')
        await manage.publish()
        assert.equal(await manage.phase(), 'Ideas')
        await screenshot(admin, 'budgeting-01-manage')
      },
    )

    step('a resident registers, signs in and proposes an idea', async () => {
      await visit(phone, '/register')
      await phone.getByLabel('Email address', { exact: true }).fill(resident.email)
      await new RegisterPage(phone).register(resident)
      const outbox = await (await AdminPage.open(admin)).openOutbox()
      const message = await outbox.openMessage(resident.email, /Confirm your email address/)
      const link = await message.link(/https?:\/\/\S+\/verify-email\/\S+/)
      await visit(phone, new URL(link).pathname)
      await (await SignInPage.open(phone)).signIn(resident.email, resident.password)
      await visit(phone, `/budgeting/${processId}`)
      await navigate(phone, () => phone.locator('main').getByRole('link', { name: 'Propose an idea' }).click())
      const main = phone.locator('main')
      await main.getByLabel('Title', { exact: true }).fill('A play park by the Links')
      await navigate(phone, () => main.getByRole('button', { name: 'Send your idea' }).click())
      assert.deepEqual(
        (await new BasePage(phone).errorSummaryItems()).map((e) => e.text),
        ['Enter a description', 'Choose an area', 'Enter the estimated cost in whole pounds, for example 12500'],
      )
      assert.equal(await main.getByLabel('Title', { exact: true }).inputValue(), 'A play park by the Links')
      await main.getByLabel('Description', { exact: true }).fill('New swings and a climbing frame for the Links.')
      await main.getByLabel('Area', { exact: true }).selectOption({ label: 'Kirkcaldy' })
      await main.getByLabel('Estimated cost in pounds', { exact: true }).fill('5500')
      await main.getByLabel('A picture (optional)', { exact: true }).setInputFiles({
        name: 'swings.png',
        mimeType: 'image/png',
        buffer: Buffer.from(ONE_PIXEL_PNG, 'base64'),
      })
      await main.getByLabel('Describe the picture', { exact: true }).fill('The broken swings at the Links')
      await navigate(phone, () => main.getByRole('button', { name: 'Send your idea' }).click())
      await new BasePage(phone).expect(/\/projects\/[0-9a-f-]{36}$/, 'A play park by the Links')
      assert.equal(await main.locator('img').getAttribute('alt'), 'The broken swings at the Links')
      assert.ok(await main.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1))
      await main.getByLabel('Add a comment', { exact: true }).fill('The old swings are broken.')
      await navigate(phone, () => main.getByRole('button', { name: 'Post comment' }).click())
      assert.match(await phone.locator('#comments').innerText(), /1 comment/)
    })

    step('staff review the ideas and add projects of their own', async () => {
      await visit(admin, `/manage/budgeting/${processId}`)
      await manage.startNextPhase()
      assert.equal(await manage.phase(), 'Review')
      await manage.addProject({
        title: 'Benches on the prom',
        description: 'Six benches.',
        area: 'Kirkcaldy',
        cost: '6000',
      })
      await manage.addProject({
        title: 'Bulbs in Beveridge Park',
        description: 'Spring bulbs.',
        area: 'Kirkcaldy',
        cost: '1000',
      })
      await manage.addProject({
        title: 'Library books',
        description: 'Books for Carnegie Library.',
        area: 'Dunfermline',
        cost: '3000',
      })
      await manage.addProject({
        title: 'A helipad',
        description: 'For the council leader.',
        area: 'Dunfermline',
        cost: '7000',
      })
      await manage.review('A play park by the Links', 'On the ballot')
      await manage.review('Benches on the prom', 'On the ballot')
      await manage.review('Bulbs in Beveridge Park', 'On the ballot')
      await manage.review('Library books', 'On the ballot')
      await manage.review('A helipad', 'Not feasible', 'Not a community project')
      await visit(admin, `/budgeting/${processId}/projects?status=not-feasible`)
      assert.match(await admin.locator('main').innerText(), /A helipad/)
      await visit(admin, `/manage/budgeting/${processId}`)
      await manage.startNextPhase()
      await visit(admin, `/manage/budgeting/${processId}`)
      assert.equal(await manage.phase(), 'Voting')
      codes = await manage.issueCodes('Balwearie High School', 'Kirkcaldy', 3)
      assert.equal(codes.length, 3)
    })

    step('the resident votes on a phone by keyboard alone, using the running total', async () => {
      const kb = new Keyboard(phone)
      await visit(phone, `/budgeting/${processId}`)
      await kb.tabToText('Vote now')
      await kb.enter()
      await new BasePage(phone).expect(`/budgeting/${processId}/vote`, 'Vote')
      await kb.tabToText('Continue')
      await kb.enter()
      await new BasePage(phone).expect(`/budgeting/${processId}/vote/resident`, 'Where do you live?')
      await kb.tabToId('postcode')
      await kb.type('ky1 1xx')
      await kb.enter()
      await new BasePage(phone).expect(`/budgeting/${processId}/vote/ballots`, 'Your ballots')
      await kb.tabToText('Vote in Kirkcaldy')
      await kb.enter()
      const ballot = new BallotPage(phone)
      await ballot.expect(/\/vote\/[0-9a-f-]{36}$/, 'Your vote in Kirkcaldy')
      await kb.tabToId(await ballot.checkboxId('A play park by the Links'))
      await kb.space()
      await kb.tabToId(await ballot.checkboxId('Benches on the prom'))
      await kb.space()
      await kb.tabToText('Update total')
      await kb.enter()
      assert.equal(await ballot.runningTotal(), 'You have chosen projects costing £11,500 of £10,000; £0 is left.')
      assert.deepEqual(
        (await ballot.errorSummaryItems()).map((e) => e.text),
        ['Your choices are £1,500 over the budget of £10,000: remove a project'],
      )
      assert.deepEqual((await ballot.checked()).sort(), ['A play park by the Links', 'Benches on the prom'])
      await screenshot(phone, 'budgeting-02-ballot-over-budget')
      await kb.tabToId(await ballot.checkboxId('Benches on the prom'))
      await kb.space()
      await kb.tabToId(await ballot.checkboxId('Bulbs in Beveridge Park'))
      await kb.space()
      assert.equal(await ballot.runningTotal(), 'You have chosen projects costing £6,500 of £10,000; £3,500 is left.')
      await kb.tabToText('Cast your vote')
      await kb.enter()
      await new BasePage(phone).expect(/\/cast$/, 'Your vote has been cast')
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`)
    })

    step('a school group votes with printed codes on a shared computer, and a used code is refused', async () => {
      const pupil = new CodeVoter(school)
      await pupil.enterCode(processId, codes[0]!)
      await pupil.voteIn('Kirkcaldy', ['Benches on the prom'])
      await pupil.finish()
      await pupil.enterCode(processId, codes[1]!.toLowerCase().replace('-', ' '))
      await pupil.voteIn('Kirkcaldy', ['A play park by the Links', 'Bulbs in Beveridge Park'])
      await pupil.finish()
      await pupil.enterCode(processId, codes[0]!)
      assert.deepEqual(
        (await pupil.errorSummaryItems()).map((e) => e.text),
        ['This voting code has already been used'],
      )
    })

    step('staff enter a paper ballot with the code written on it', async () => {
      await visit(admin, `/manage/budgeting/${processId}`)
      const saved = await manage.enterPaperBallot('Kirkcaldy', codes[2]!, ['A play park by the Links'])
      assert.match(saved, /Ballot recorded/)
      await visit(admin, `/manage/budgeting/${processId}`)
      const again = await manage.enterPaperBallot('Kirkcaldy', codes[2]!, ['Benches on the prom'])
      assert.match(again, /There is a problem\s+This voting code has already been used/)
    })

    step('the vote closes, the results are published with a chart and a table', async () => {
      await visit(admin, `/manage/budgeting/${processId}`)
      await manage.startNextPhase()
      assert.equal(await manage.phase(), 'Counting')
      await manage.publishResults()
      await visit(phone, `/budgeting/${processId}/results`)
      const results = new ResultsPage(phone)
      await results.expect(`/budgeting/${processId}/results`, 'Results')
      assert.equal(
        await results.chartTitle('Kirkcaldy'),
        'Votes for each project in Kirkcaldy; funded projects in green',
      )
      const rows = await results.rows('Kirkcaldy')
      assert.deepEqual(
        rows.map((r) => r.slice(0, 5)),
        [
          ['1', 'A play park by the Links', '£5,500', '3', 'Funded'],
          ['2', 'Bulbs in Beveridge Park', '£1,000', '2', 'Funded'],
          ['3', 'Benches on the prom', '£6,000', '1', 'Not funded'],
        ],
      )
      await screenshot(phone, 'budgeting-03-results')
      for (const p of [admin, phone, school]) assertEveryPageChecked(p)
    })
  },
)

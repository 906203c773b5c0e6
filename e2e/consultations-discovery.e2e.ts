// Finding consultations: the first administrator files three consultations under national topics,
// one with a Gaelic version of its texts; a visitor filters the public list by topic, searches it,
// asks for an email about new consultations on the topic (recovering from an empty form through
// the error summary), confirms from the link in the email, reads the consultation in Gaelic, and
// unsubscribes with the link in the email. Every page is checked with axe-core (WCAG 2.2 AA) and
// the common layout.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, navigate, openPage, screenshot, visit } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { AdminPage, BasePage, OutboxPage, SetupPage } from './support/pages.js'
import {
  ConsultationFormPage,
  ManageConsultationPage,
  londonDateTime,
  type ConsultationDetails,
} from './support/consultation-pages.js'

const administrator = {
  name: 'Catriona NicIllinnein',
  email: 'catriona.nicillinnein@example.gov.scot',
  password: 'Beinn-Eighe-Kinlochewe-2026',
}
const visitorEmail = 'morag.macleod@example.com'
const now = Date.now()
const when = {
  opens: londonDateTime(new Date(now - 86_400_000)),
  closes: londonDateTime(new Date(now + 30 * 86_400_000)),
}

type Filed = ConsultationDetails & {
  topics: string[]
  gaelic?: { title: string; summary: string; body?: string }
}

const ferries: Filed = {
  organisation: 'The Highland Council',
  title: 'Ferry services to the Small Isles',
  summary: 'Tell us how the ferries to Eigg, Muck, Rùm and Canna should run.',
  body: 'We are reviewing the **winter timetable** with the island communities.',
  ...when,
  topics: ['Transport', 'Communities and third sector'],
  gaelic: {
    title: 'Seirbheisean aiseig dha na h-Eileanan Beaga',
    summary: 'Innsibh dhuinn mar bu chòir dha na bàtaichean-aiseig gu Eige, Eilean nam Muc, Rùm agus Canaigh ruith.',
  },
}
const buses: Filed = {
  organisation: 'Fife Council',
  title: 'Bus lanes in Kirkcaldy',
  summary: 'Where bus lanes should go on the High Street and the Esplanade.',
  body: 'Buses are late at rush hour.',
  ...when,
  topics: ['Transport'],
}
const harbour: Filed = {
  organisation: 'Fife Council',
  title: 'Anstruther harbour car park',
  summary: 'Charges and opening hours for the harbour car park.',
  body: 'The car park is full in summer.',
  ...when,
  topics: ['Transport'],
}
const meals: Filed = {
  organisation: 'Fife Council',
  title: 'School meals',
  summary: 'Free school meals for every primary pupil.',
  body: 'Healthy food in schools.',
  ...when,
  topics: ['Education', 'Children and families'],
}

class ListPage extends BasePage {
  async titles(): Promise<string[]> {
    return (await this.page.locator('main .ds_search-result__link').allInnerTexts()).map((s) => s.trim()).sort()
  }

  async filter(options: { topic?: string; words?: string }): Promise<void> {
    const main = this.page.locator('main')
    if (options.topic) await main.getByLabel('Topic', { exact: true }).selectOption({ label: options.topic })
    if (options.words !== undefined) await main.getByLabel('Search consultations', { exact: true }).fill(options.words)
    await navigate(this.page, () => main.getByRole('button', { name: 'Apply filters' }).click())
  }
}

describe('consultations: find by topic and words, subscribe, confirm, read in Gaelic', { timeout: 240_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let admin: Page
  let visitor: Page
  let ferriesId = ''
  let unsubscribeLink = ''

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    admin = (await openPage(browser, server.baseUrl)).page
    visitor = (await openPage(browser, server.baseUrl)).page
  })

  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const step = journey()

  step('the first administrator files three consultations under topics, one with a Gaelic version', async () => {
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    await (await SetupPage.open(admin, server.setupLink)).createAdministrator(administrator)
    for (const c of [ferries, buses, meals]) {
      await visit(admin, '/manage/consultations/new')
      const form = new ConsultationFormPage(admin)
      await form.fill(c)
      const main = admin.locator('main')
      const topics = main.getByRole('group', { name: 'Topics' })
      for (const topic of c.topics) {
        const box = topics.getByRole('checkbox', { name: topic, exact: true })
        await topics.locator(`label[for="${await box.getAttribute('id')}"]`).click()
        assert.ok(await box.isChecked(), `${topic} is ticked`)
      }
      if (c.gaelic) {
        await main.getByLabel('Title in Gaelic', { exact: true }).fill(c.gaelic.title)
        await main.getByLabel('Summary in Gaelic', { exact: true }).fill(c.gaelic.summary)
      }
      await form.save()
      let manage = await new ManageConsultationPage(admin).expect(/^\/manage\/consultations\/[0-9a-f-]{36}$/, c.title)
      if (c === ferries) ferriesId = manage.id
      manage = await manage.addQuestion({ type: 'Short text', title: 'What do you think?' })
      await manage.publish()
      assert.equal(await manage.status(), 'Open')
    }
  })

  step('a visitor narrows the list to a topic, then searches it by words', async () => {
    await visit(visitor, '/consultations')
    const list = new ListPage(visitor)
    assert.deepEqual(await list.titles(), [buses.title, ferries.title, meals.title].sort())
    await list.filter({ topic: 'Transport' })
    assert.deepEqual(await list.titles(), [buses.title, ferries.title].sort())
    assert.match(new URL(visitor.url()).search, /topic=transport/)
    // Every word must match, in any of the texts; the topic stays chosen.
    await list.filter({ words: 'ferry timetable' })
    assert.deepEqual(await list.titles(), [ferries.title])
    assert.match(await visitor.locator('main p[role="status"]').innerText(), /1 consultation/)
    await screenshot(visitor, 'discovery-01-filtered')
  })

  step('asking for emails on the topic, the empty form is refused with an error summary', async () => {
    await navigate(visitor, () =>
      visitor
        .locator('main')
        .getByRole('link', { name: 'Get an email when a new consultation like these opens' })
        .click(),
    )
    const form = await new BasePage(visitor).expect('/consultations/subscribe', 'Get an email about new consultations')
    assert.equal(
      await visitor.locator('#topic option:checked').innerText(),
      'Transport',
      'the topic of the list comes chosen',
    )
    await navigate(visitor, () => visitor.locator('main').getByRole('button', { name: 'Subscribe' }).click())
    await form.expectErrors([{ text: 'Enter your email address', href: '#email' }])
    await visitor.locator('main').getByLabel('Email address', { exact: true }).fill(visitorEmail)
    await navigate(visitor, () => visitor.locator('main').getByRole('button', { name: 'Subscribe' }).click())
    await new BasePage(visitor).expect('/consultations/subscribe/check-email', 'Check your email')
  })

  step('the visitor confirms from the link in the email', async () => {
    const outbox = await (await AdminPage.open(admin)).openOutbox()
    const message = await outbox.openMessage(visitorEmail, 'Confirm your email alerts for new consultations')
    const link = await message.link(/http\S+\/confirm\?token=\S+/)
    unsubscribeLink = await message.link(/http\S+\/unsubscribe\?token=\S+/)
    assert.match(await message.body(), /on Transport/)
    await visit(visitor, link)
    await new BasePage(visitor).expect(/\/confirm$/, 'Confirm your subscription')
    assert.match(await visitor.locator('main').innerText(), new RegExp(visitorEmail.replace(/\./g, '\\.')))
    await navigate(visitor, () => visitor.locator('main').getByRole('button', { name: 'Confirm subscription' }).click())
    await new BasePage(visitor).expect(/\/confirm$/, 'You are subscribed')
    await screenshot(visitor, 'discovery-02-subscribed')
  })

  step(
    'when a new consultation on the topic opens, the job emails the subscriber once, with a link to unsubscribe',
    async () => {
      await visit(admin, '/manage/consultations/new')
      const form = new ConsultationFormPage(admin)
      await form.fill(harbour)
      const topics = admin.locator('main').getByRole('group', { name: 'Topics' })
      const box = topics.getByRole('checkbox', { name: 'Transport', exact: true })
      await topics.locator(`label[for="${await box.getAttribute('id')}"]`).click()
      await form.save()
      const manage = await new ManageConsultationPage(admin).expect(
        /^\/manage\/consultations\/[0-9a-f-]{36}$/,
        harbour.title,
      )
      await (await manage.addQuestion({ type: 'Short text', title: 'What do you think?' })).publish()
      // The open-close job runs every minute; the notice follows it through the job queue.
      const subject = `New consultation: ${harbour.title}`
      const rows = () =>
        admin.locator('main table tbody tr').filter({ hasText: visitorEmail }).filter({ hasText: subject })
      let found = false
      for (let i = 0; i < 30 && !found; i++) {
        await visit(admin, '/admin/outbox')
        found = (await rows().count()) > 0
        if (!found) await new Promise((r) => setTimeout(r, 5000))
      }
      assert.ok(found, 'the subscriber was told about the new consultation')
      const message = await new OutboxPage(admin).openMessage(visitorEmail, subject)
      assert.match(await message.body(), /Fife Council has opened a consultation/)
      unsubscribeLink = await message.link(/http\S+\/unsubscribe\?token=\S+/)
      await visit(admin, '/admin/outbox')
      assert.equal(await rows().count(), 1, 'one email, however often the job runs')
    },
  )

  step(
    'the visitor reads the consultation in Gaelic: its Gaelic texts marked lang="gd", the English body marked lang="en"',
    async () => {
      await navigate(visitor, () =>
        visitor.locator('main').getByRole('link', { name: 'See these consultations now' }).click(),
      )
      await navigate(visitor, () => visitor.locator('main').getByRole('link', { name: ferries.title }).click())
      const page = await new BasePage(visitor).expect(`/consultations/${ferriesId}`, ferries.title)
      await page.switchLanguage()
      assert.equal(await page.htmlLang(), 'gd')
      assert.equal(await page.headingText(), ferries.gaelic!.title)
      assert.equal(await page.heading.getAttribute('lang'), 'gd')
      assert.equal(await visitor.locator('main .ds_lead').getAttribute('lang'), 'gd')
      assert.equal((await visitor.locator('main .ds_lead').innerText()).trim(), ferries.gaelic!.summary)
      const body = visitor.locator('main .comhla-consultation-body')
      assert.equal(await body.getAttribute('lang'), 'en')
      assert.match(await body.innerText(), /winter timetable/)
      assert.match(await visitor.locator('main').innerText(), /Còmhdhail/)
      await screenshot(visitor, 'discovery-03-gaelic')
    },
  )

  step('the link in the email unsubscribes at once', async () => {
    await visit(visitor, unsubscribeLink)
    // The visitor reads in Gaelic now.
    await new BasePage(visitor).expect(/\/unsubscribe$/, 'Tha thu air sgur dhen fho-sgrìobhadh')
    await visit(visitor, unsubscribeLink)
    await new BasePage(visitor).expect(/\/unsubscribe$/, 'Tha am fo-sgrìobhadh seo air tighinn gu crìch mu thràth')
  })

  step('every page the visitor and the administrator saw was checked', async () => {
    assertEveryPageChecked(visitor)
    assertEveryPageChecked(admin)
  })
})

// Moderation and publication, end to end: the first administrator builds and opens a consultation
// for a council; staff enter a response received by post (after an empty form is refused) and
// import two more from a CSV file with a preview; a moderator redacts a telephone number from an
// answer (after a redaction naming no text is refused) and approves the answers; the manager
// publishes the responses; a visitor sees them with each respondent's choice honoured (a name only
// where chosen, nothing of a "do not publish" response, the redacted words gone), on the page and
// in the CSV download; and an administrator registers a webhook. Every page is checked with axe.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, navigate, openPage, screenshot } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { SetupPage } from './support/pages.js'
import {
  ManageConsultationsPage,
  londonDateTime,
  parseCsv,
  type ConsultationDetails,
  type QuestionDetails,
} from './support/consultation-pages.js'
import {
  ModerationQueuePage,
  OfflineResponsesPage,
  PublicationPage,
  PublishedResponsesPage,
  ModerateAnswerPage,
  WebhooksPage,
} from './support/moderation-pages.js'

const administrator = {
  name: 'Seonaid Mackenzie',
  email: 'seonaid.mackenzie@example.gov.scot',
  password: 'Cuillin-Ridge-Moderation-2026',
}
const council = 'The Highland Council'
const now = new Date()
const consultation: ConsultationDetails = {
  organisation: council,
  title: 'Road repairs in Lochaber',
  summary: 'Tell us which roads need repairing first.',
  body: 'The council is planning **next year’s road repairs**.',
  opens: londonDateTime(now),
  closes: { date: londonDateTime(new Date(now.getTime() + 28 * 86_400_000)).date, time: '17:00' },
}
const views: QuestionDetails = { type: 'Long text', title: 'Which repairs matter most to you?', maxLength: 500 }
const roads: QuestionDetails = {
  type: 'Single choice',
  title: 'Which road do you use most?',
  options: ['A82', 'A830', 'A861'],
}
const today = londonDateTime(now).date
const named = {
  name: 'Catriona Mhoireach',
  answer: 'The pothole outside the school on the A830 is dangerous. Call me on 07700 900123 about it.',
}

describe('consultations: moderate, publish, and read published responses', { timeout: 180_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let admin: Page
  let visitor: Page
  let consultationId = ''

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    admin = (await openPage(browser, server.baseUrl)).page
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const step = journey()

  step('the first administrator builds and opens a consultation for the council', async () => {
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    const setup = await SetupPage.open(admin, server.setupLink)
    await (await setup.createAdministrator(administrator)).expect('/admin', 'Platform administration')
    const form = await (await ManageConsultationsPage.open(admin)).startNew()
    let manage = await form.create(consultation)
    consultationId = manage.id
    manage = await manage.addQuestion(views)
    manage = await manage.addQuestion(roads)
    await manage.publish()
    assert.equal(await manage.status(), 'Open')
  })

  step('staff enter a response received by post, after an empty form is refused', async () => {
    const list = await OfflineResponsesPage.open(admin, consultationId)
    const entry = await list.startEntry()
    await entry.save()
    const errors = (await entry.errorSummaryItems()).map((e) => e.href)
    for (const href of ['#channel', '#respondentType', '#name', '#publication', '#mayContact'])
      assert.ok(errors.includes(href), `the error summary links to ${href}: ${errors.join(' ')}`)
    assert.match(await admin.title(), /^Error: /)
    const after = await entry.enter({
      channel: 'By post',
      received: today,
      respondentType: 'An individual',
      name: named.name,
      publication: 'Publish the response with their name',
      mayContact: 'No',
      text: { [`1. ${views.title}`]: named.answer },
      choice: { [`2. ${roads.title}`]: 'A830' },
    })
    assert.match((await after.notification.innerText()).trim(), /^Response CR-[A-Z0-9]{4}-[A-Z0-9]{4} recorded$/)
    const rows = await after.rows()
    assert.equal(rows.length, 1)
    assert.match(rows[0]!.join(' | '), /By post .*Catriona Mhoireach/)
  })

  step('staff import two responses from a CSV file after checking its preview', async () => {
    const list = await OfflineResponsesPage.open(admin, consultationId)
    const importing = await list.startImport()
    const csv = [
      'channel,received_date,respondent_type,name,organisation_name,email,publication,may_contact,q1,q2',
      `email,${today},individual,Hidden Person,,hidden@example.com,publish-without-name,no,Resurface the A82 at Spean Bridge.,A82`,
      `post,${today},individual,Never Shown,,,do-not-publish,no,SECRET-TEXT about my neighbour,A861`,
    ].join('\n')
    await importing.paste(csv)
    await importing.expect(/\/offline-responses\/imports\/[0-9a-f-]{36}$/, 'Check the import')
    assert.equal(await importing.summaryValue('Responses in the file'), '2')
    assert.deepEqual(
      (await importing.previewRows()).map((r) => r[3]),
      ['Hidden Person', 'Never Shown'],
    )
    await importing.confirm()
    assert.match((await importing.notification.innerText()).trim(), /^2 responses imported$/)
    await screenshot(admin, 'moderation-01-imported')
  })

  step('a moderator redacts a telephone number and approves the answers waiting', async () => {
    const queue = await ModerationQueuePage.open(admin, consultationId)
    const waiting = await queue.rows()
    assert.equal(waiting.length, 2, 'the answers of the two publishable responses wait; the third is never moderated')
    assert.ok(!waiting.some((r) => r.answer.includes('SECRET-TEXT')))
    let answer = await queue.moderate('07700 900123')
    await answer.submitEmptyRedaction()
    const errors = await answer.errorSummaryItems()
    assert.deepEqual(
      errors.map((e) => e.href),
      ['#text', '#reason'],
    )
    await answer.redact('07700 900123', 'personal data', 'A telephone number')
    assert.match(await answer.answer(), /Call me on 07700 900123 \[personal data\] about it/)
    const history = await answer.history()
    assert.equal(history.length, 1)
    assert.match(history[0]!.join(' | '), /Seonaid Mackenzie \| Redacted \| personal data \| A telephone number/)
    await screenshot(admin, 'moderation-02-redacted')
    await answer.approve()
    answer = new ModerateAnswerPage(admin)
    assert.match(await answer.answer(), /Resurface the A82/)
    await answer.approve()
    const done = await ModerationQueuePage.open(admin, consultationId)
    assert.deepEqual(await done.rows(), [])
  })

  step('the manager publishes the responses', async () => {
    const publication = await PublicationPage.open(admin, consultationId)
    assert.equal(await publication.summaryValue('Responses'), 'Not published')
    await publication.publish()
    assert.equal(await publication.summaryValue('Responses'), 'Published')
  })

  step('a visitor sees the published responses with every respondent’s choice honoured', async () => {
    visitor = (await openPage(browser, server.baseUrl)).page
    const published = await PublishedResponsesPage.open(visitor, consultationId)
    const responses = await published.responses()
    assert.equal(responses.length, 2)
    assert.match(responses[0]!.heading, /^Catriona Mhoireach CR-/)
    assert.equal(
      responses[0]!.rows[views.title],
      'The pothole outside the school on the A830 is dangerous. Call me on [redacted: personal data] about it.',
    )
    assert.equal(responses[0]!.rows[roads.title], 'A830')
    assert.match(responses[1]!.heading, /^Respondent who asked not to be named CR-/)
    const text = await visitor.locator('main').innerText()
    for (const hidden of ['Hidden Person', 'hidden@example.com', 'Never Shown', 'SECRET-TEXT', '07700'])
      assert.ok(!text.includes(hidden), `the page shows ${hidden}`)
    await screenshot(visitor, 'moderation-03-published')

    const csv = await visitor.request.get(
      new URL(`/api/v1/consultations/${consultationId}/published-responses.csv`, server.baseUrl).toString(),
    )
    assert.equal(csv.status(), 200)
    const body = await csv.text()
    const rows = parseCsv(body)
    assert.equal(rows.length, 3, 'a header and two responses')
    assert.equal(rows[1]![3], 'Catriona Mhoireach')
    assert.equal(rows[2]![3], '', 'no name where the respondent asked for none')
    for (const hidden of ['Hidden Person', 'Never Shown', 'SECRET-TEXT', '07700'])
      assert.ok(!body.includes(hidden), `the CSV holds ${hidden}`)

    await published.switchLanguage()
    assert.equal(await published.htmlLang(), 'gd')
    assert.equal(await published.headingText(), 'Freagairtean foillsichte')
    assert.match(await visitor.locator('main').innerText(), /air a dhubhadh às: dàta pearsanta/)
    assertEveryPageChecked(visitor)
  })

  step('an administrator registers a webhook for the council and sees its delivery log', async () => {
    const webhooks = await WebhooksPage.open(admin)
    const secret = await webhooks.add(council, 'https://hooks.example.gov.scot/comhla')
    assert.match(secret, /^whsec_/)
    await webhooks.expect('/manage/consultations/webhooks', 'Webhook added')
    await navigate(admin, () => admin.locator('main').getByRole('link', { name: 'Continue' }).click())
    await webhooks.expect(/^\/manage\/consultations\/webhooks\/[0-9a-f-]{36}$/, 'Webhook deliveries')
    assertEveryPageChecked(admin)
  })
})

// The consultations module's "done when": the first administrator builds a consultation for a
// council through the staff pages (refusing an empty form first), with a questionnaire of every
// question type, reorders it and publishes it; a member of the public on a phone finds it, and
// answers it with the keyboard alone through the questionnaire (recovering from missing answers
// through the error summary), the Respondent Information Form and "Check your answers"; the
// administrator then finds the response on the staff pages and in the CSV download. Every page is
// checked with axe-core (WCAG 2.2 AA) and the common layout; on the phone nothing may be wider
// than the screen.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { assertEveryPageChecked, launchBrowser, openPage, screenshot, visit, visitedUrls } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { BasePage, SetupPage } from './support/pages.js'
import {
  CheckAnswersPage,
  ConfirmationPage,
  ConsultationFormPage,
  KeyboardUser,
  ManageConsultationPage,
  ManageConsultationsPage,
  POINTER_COUNTER,
  PublicConsultationsPage,
  QuestionnairePage,
  expectFieldErrors,
  formatOverflow,
  horizontalOverflow,
  londonDateTime,
  parseCsv,
  pointerPresses,
  type ConsultationDetails,
  type Overflow,
  type QuestionDetails,
  type QuestionField,
} from './support/consultation-pages.js'

const administrator = {
  name: 'Ruaraidh MacLennan',
  email: 'ruaraidh.maclennan@example.gov.scot',
  password: 'Sgurr-Alasdair-Ferry-2026',
}
const council = 'The Highland Council'
const phoneViewport = { width: 390, height: 844 }

const now = new Date()
const consultation: ConsultationDetails = {
  organisation: council,
  title: 'Ferry timetables for Skye and the Western Isles',
  summary: 'Tell us how the summer ferry timetable works for you, and what would make island travel easier.',
  body: [
    '# Why we are asking',
    '',
    'The Highland Council is reviewing the **summer ferry timetable** with island communities.',
    '',
    'We would like to hear from:',
    '',
    '* people who live on Skye, Raasay and the Western Isles',
    '* businesses that depend on the ferries',
    '* visitors',
    '',
    'Read the [Islands Connectivity Plan](https://www.transport.gov.scot/publication/islands-connectivity-plan-strategic-approach/) before you respond.',
    'The current timetable is at https://www.calmac.co.uk/en-gb/timetables/summer-timetables-2026/ullapool-stornoway-ferry-timetable/',
  ].join('\n'),
  // Opening now (this minute, UK time) and closing in four weeks.
  opens: londonDateTime(now),
  closes: { date: londonDateTime(new Date(now.getTime() + 28 * 86_400_000)).date, time: '17:00' },
}

const route: QuestionDetails = {
  type: 'Short text',
  title: 'Which ferry route do you use most?',
  hint: 'For example, Ullapool to Stornoway',
  required: true,
}
const improve: QuestionDetails = {
  type: 'Long text',
  title: 'How could the timetable be improved?',
  maxLength: 200,
  required: true,
}
const often: QuestionDetails = {
  type: 'Single choice',
  title: 'How often do you travel by ferry?',
  options: ['Every day', 'Every week', 'A few times a year'],
  required: true,
}
const why: QuestionDetails = {
  type: 'Multiple choice',
  title: 'Why do you travel?',
  options: ['Work', 'Visiting family', 'Holidays', 'Medical appointments'],
}
const updates: QuestionDetails = {
  type: 'Email address',
  title: 'An email address for updates about the timetable',
  hint: 'We will only use it to tell you about this consultation',
}
const journeys: QuestionDetails = { type: 'Number', title: 'How many return journeys did you make last year?' }
const postcode: QuestionDetails = { type: 'Postcode', title: 'Your postcode', required: true }
/** The order they are added in; the postcode is then moved up above the number. */
const questions = [route, improve, often, why, updates, journeys, postcode]
const ordered = [route, improve, often, why, updates, postcode, journeys]

const respondent = { name: 'Eilidh MacAskill', email: 'eilidh.macaskill@example.com' }
const answers = {
  route: 'Uig to Tarbert',
  improve: 'An earlier sailing on Mondays, so that people can reach Raigmore for morning appointments.',
  often: 'Every week',
  why: ['Work', 'Holidays'],
  updates: 'eilidh.macaskill@example.com',
  postcodeTyped: 'hs12bn',
  postcode: 'HS1 2BN',
  journeys: '12',
}

describe(
  'consultations: build, publish, respond by keyboard on a phone, read the response',
  { timeout: 180_000 },
  () => {
    let server: RunningServer
    let browser: Browser
    let admin: Page
    let phone: Page
    let kb: KeyboardUser
    let consultationId = ''
    let reference = ''
    let fields: Record<string, QuestionField> = {}
    /** What was too wide for the phone, page by page; and how many of the phone's pages were measured. */
    const overflows: Overflow[] = []
    let phonePagesMeasured = 0
    /** Counts shown to people, for the wording check at the end. */
    const counts: Record<string, string> = {}

    /** On the phone: measures the page's width, and keeps a screenshot. */
    const onPhone = async (shot: string) => {
      const overflow = await horizontalOverflow(phone)
      if (overflow) overflows.push(overflow)
      phonePagesMeasured++
      await screenshot(phone, `consultations-${shot}`)
    }
    const field = (q: QuestionDetails): QuestionField => {
      const found = fields[q.title]
      assert.ok(found, `no field for "${q.title}" on the questionnaire: ${JSON.stringify(Object.keys(fields))}`)
      return found
    }

    before(async () => {
      ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
      admin = (await openPage(browser, server.baseUrl)).page
    })

    after(async () => {
      await browser?.close()
      await server?.stop()
    })

    const step = journey()

    step('the set-up link creates the first administrator', async () => {
      assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
      const setup = await SetupPage.open(admin, server.setupLink)
      const home = await setup.createAdministrator(administrator)
      await home.expect('/admin', 'Platform administration')
    })

    step('saving the empty "Create a consultation" form shows an error summary linked to each field', async () => {
      const list = await ManageConsultationsPage.open(admin)
      assert.deepEqual(await list.rows(), [], 'there are no consultations yet')
      const form = await list.startNew()
      await form.save()
      assert.equal(form.pathname(), '/manage/consultations/new')
      assert.equal(await form.headingText(), 'Create a consultation')
      await expectFieldErrors(form, [
        { text: 'Choose the organisation running the consultation', href: '#organisationId' },
        { text: 'Enter a title', href: '#title' },
        { text: 'Enter a summary', href: '#summary' },
        { text: 'Enter a real date and time for the opening, like 27 March 2027 at 09:00', href: '#opensDate' },
        { text: 'Enter a real date and time for the closing, like 30 June 2027 at 23:59', href: '#closesDate' },
      ])
      await screenshot(admin, 'consultations-01-create-errors')
    })

    step('the administrator creates a draft consultation for the council, with Markdown text', async () => {
      const form = new ConsultationFormPage(admin)
      const created = await form.create(consultation)
      consultationId = created.id
      assert.equal(await created.status(), 'Draft')
      assert.equal(await created.summaryValue('Summary'), consultation.summary)
      assert.equal(await created.summaryValue('Responses'), '0')
      assert.equal(
        (await admin.locator('main .ds_page-header__label').innerText()).trim(),
        council,
        'the page says which body runs it',
      )
    })

    step('the administrator builds a questionnaire of every question type', async () => {
      let manage = new ManageConsultationPage(admin)
      for (const q of questions) manage = await manage.addQuestion(q)
      assert.deepEqual(await manage.questions(), [
        { title: route.title, type: 'Short text', required: 'Yes' },
        { title: improve.title, type: 'Long text (up to 200 characters)', required: 'Yes' },
        { title: often.title, type: 'Single choice', required: 'Yes' },
        { title: why.title, type: 'Multiple choice', required: 'No' },
        { title: updates.title, type: 'Email address', required: 'No' },
        { title: journeys.title, type: 'Number', required: 'No' },
        { title: postcode.title, type: 'Postcode', required: 'Yes' },
      ])
    })

    step('moving the postcode question up puts it above the number question', async () => {
      const manage = new ManageConsultationPage(admin)
      await manage.move(postcode.title, 'up')
      await manage.expect(`/manage/consultations/${consultationId}`, consultation.title)
      assert.deepEqual(
        (await manage.questions()).map((q) => q.title),
        ordered.map((q) => q.title),
      )
      await screenshot(admin, 'consultations-02-questionnaire')
    })

    step('publishing opens the consultation now, and it is listed for staff', async () => {
      const manage = new ManageConsultationPage(admin)
      await manage.publish()
      await manage.expect(`/manage/consultations/${consultationId}`, consultation.title)
      assert.equal(await manage.status(), 'Open')
      assert.ok(
        await admin.locator('main').getByRole('link', { name: 'View the public page' }).isVisible(),
        'a published consultation links to its public page',
      )
      assert.equal(
        await admin.locator('main').getByRole('button', { name: 'Publish the consultation' }).count(),
        0,
        'it cannot be published twice',
      )
      assert.match(
        await admin.locator('main .ds_inset-text').innerText(),
        /its questions can no longer change/,
        'the questionnaire is locked once open',
      )
      await screenshot(admin, 'consultations-03-published')
      const list = await ManageConsultationsPage.open(admin)
      assert.deepEqual(await list.rows(), [{ title: consultation.title, organisation: council, status: 'Open' }])
    })

    step('on a phone, a member of the public finds the consultation with the keyboard and opens it', async () => {
      ;({ page: phone } = await openPage(browser, server.baseUrl, {
        viewport: phoneViewport,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      }))
      await phone.context().addInitScript({ content: POINTER_COUNTER })
      kb = new KeyboardUser(phone)

      const list = await PublicConsultationsPage.open(phone)
      await onPhone('04-phone-list')
      assert.deepEqual(await list.resultTitles(), [consultation.title])
      counts['the public list'] = await list.count()

      await kb.tabTo((s) => s.id === 'q', 'the "Search consultations" box')
      await kb.type('ferry timetables')
      await kb.enterAndLoad()
      assert.equal(list.pathname(), '/consultations')
      assert.equal(new URL(phone.url()).searchParams.get('q'), 'ferry timetables')
      assert.deepEqual(await list.resultTitles(), [consultation.title])
      await onPhone('05-phone-search')

      await kb.tabTo((s) => s.tag === 'a' && s.text === consultation.title, `the link "${consultation.title}"`)
      await kb.enterAndLoad()
      const page = await new BasePage(phone).expect(`/consultations/${consultationId}`, consultation.title)
      assert.equal(await page.htmlLang(), 'en')
      const main = phone.locator('main')
      assert.equal((await main.locator('.ds_tag').first().innerText()).trim(), 'Open')
      assert.equal((await main.locator('.ds_lead').innerText()).trim(), consultation.summary)
      const body = main.locator('.comhla-consultation-body')
      assert.deepEqual(await body.locator('h2').allInnerTexts(), ['Why we are asking'], 'the Markdown heading')
      assert.equal(await body.locator('strong').innerText(), 'summer ferry timetable')
      assert.equal(await body.locator('li').count(), 3)
      assert.equal(
        await body.getByRole('link', { name: 'Islands Connectivity Plan' }).getAttribute('href'),
        'https://www.transport.gov.scot/publication/islands-connectivity-plan-strategic-approach/',
      )
      await onPhone('06-phone-consultation')
    })

    step(
      'the questionnaire, answered by keyboard with two required answers missing, shows the error summary',
      async () => {
        await kb.tabTo((s) => s.tag === 'a' && s.text === 'Respond online', 'the "Respond online" button')
        await kb.enterAndLoad()
        const form = await new QuestionnairePage(phone).expect(
          `/consultations/${consultationId}/respond`,
          'Your answers',
        )
        await onPhone('07-phone-questionnaire')
        fields = await form.fields()
        assert.deepEqual(
          Object.keys(fields),
          ordered.map((q) => q.title),
          'the questions are in the order the administrator set',
        )
        assert.deepEqual(
          ordered.map((q) => field(q).kind),
          ['text', 'textarea', 'radio', 'checkbox', 'text', 'text', 'text'],
        )

        // Tab through the form in order, typing and ticking; question 3 and the postcode are left out.
        await kb.tabTo((s) => s.id === field(route).ids[0]!, `question 1 ("${route.title}")`)
        await kb.type(answers.route)
        await kb.tabExpecting(field(improve).ids[0]!, 'question 2')
        await kb.type(answers.improve)
        const radio = await kb.tabExpecting(field(often).ids[0]!, 'the first answer of question 3')
        assert.equal(radio.checked, false, 'Tab into a radio group does not choose an answer')
        const checkboxes = field(why).ids
        await kb.tabExpecting(checkboxes[0]!, 'the first box of question 4')
        assert.equal((await kb.press('Space')).checked, true, 'Space ticks "Work"')
        await kb.tabExpecting(checkboxes[1]!, 'the second box of question 4')
        await kb.tabExpecting(checkboxes[2]!, 'the third box of question 4')
        assert.equal((await kb.press('Space')).checked, true, 'Space ticks "Holidays"')
        await kb.tabExpecting(checkboxes[3]!, 'the fourth box of question 4')
        await kb.tabExpecting(field(updates).ids[0]!, 'question 5')
        await kb.type(answers.updates)
        await kb.tabExpecting(field(postcode).ids[0]!, 'question 6 (the postcode)')
        await kb.tabExpecting(field(journeys).ids[0]!, 'question 7')
        await kb.type(answers.journeys)
        const button = await kb.tab()
        assert.deepEqual(
          [button.tag, button.text],
          ['button', 'Continue'],
          'Tab goes from the last question to Continue',
        )
        await kb.enterAndLoad()

        assert.equal(form.pathname(), `/consultations/${consultationId}/respond`)
        await expectFieldErrors(form, [
          // The summary names each question; beside the field the message is short.
          { text: `${often.title}: Select an answer`, beside: 'Select an answer', href: `#${field(often).name}` },
          {
            text: `${postcode.title}: Answer this question`,
            beside: 'Answer this question',
            href: `#${field(postcode).name}`,
          },
        ])
        // What was typed and ticked is kept.
        assert.equal(await form.value(field(route).name), answers.route)
        assert.equal(await form.value(field(improve).name), answers.improve)
        assert.deepEqual(await form.checkedValues(field(why).name), answers.why)
        assert.equal(await form.value(field(updates).name), answers.updates)
        assert.equal(await form.value(field(journeys).name), answers.journeys)
        await onPhone('08-phone-questionnaire-errors')
      },
    )

    step('following the error summary links by keyboard reaches each missing answer, which is then given', async () => {
      const form = new QuestionnairePage(phone)
      const group = field(often)
      // The summary's link to question 3 leads to its radio buttons.
      await kb.tabTo((s) => s.tag === 'a' && s.href === `#${group.name}`, 'the error summary link to question 3')
      await kb.press('Enter')
      let at = await kb.focused()
      if (!group.ids.includes(at.id)) at = await kb.tab()
      assert.equal(
        at.id,
        group.ids[0]!,
        `after following the error summary link to question 3, focus (or the next Tab) should reach its first answer; it went to <${at.tag}> "${at.text || at.href}"`,
      )
      const chosen = await kb.press('ArrowDown')
      assert.deepEqual([chosen.id, chosen.checked], [group.ids[1], true], 'the down arrow chooses the next answer')
      assert.deepEqual(await form.checkedValues(group.name), [answers.often])

      // Back up with Shift+Tab to the summary's link to the postcode.
      await kb.shiftTabExpecting(field(improve).ids[0]!, 'question 2')
      await kb.shiftTabExpecting(field(route).ids[0]!, 'question 1')
      const link = await kb.shiftTab()
      assert.equal(
        link.href,
        `#${field(postcode).name}`,
        'Shift+Tab from question 1 reaches the last error summary link',
      )
      await kb.press('Enter')
      const input = await kb.focused()
      assert.equal(input.id, field(postcode).ids[0]!, 'the error summary link moves focus to the postcode field')
      assert.equal(
        await phone.locator(`#${input.id}`).getAttribute('aria-invalid'),
        'true',
        'the postcode field is marked invalid',
      )
      await kb.type(answers.postcodeTyped)
      await kb.tabExpecting(field(journeys).ids[0]!, 'question 7')
      const button = await kb.tab()
      assert.deepEqual([button.tag, button.text], ['button', 'Continue'])
      await kb.enterAndLoad()
      await new BasePage(phone).expect(`/consultations/${consultationId}/respond/about-you`, 'About you')
      await onPhone('09-phone-about-you')
    })

    step('the Respondent Information Form is filled in by keyboard', async () => {
      await kb.tabTo((s) => s.id === 'respondentType-1', 'the first answer to "individual or organisation"')
      assert.equal((await kb.press('Space')).checked, true, 'Space chooses "As an individual"')
      await kb.tabExpecting('name', 'Full name')
      await kb.type(respondent.name)
      await kb.tabExpecting('organisationName', 'Organisation name')
      await kb.tabExpecting('email', 'Email address')
      await kb.type(respondent.email)
      await kb.tabExpecting('publication-1', 'the first answer to "May we publish your response?"')
      const publish = await kb.press('ArrowDown')
      assert.deepEqual([publish.id, publish.checked], ['publication-2', true], '"Publish my response, without my name"')
      await kb.tabExpecting('mayContact-1', 'the first answer to "May the organisation contact you again"')
      assert.equal((await kb.press('Space')).checked, true, 'Space chooses "Yes"')
      const button = await kb.tab()
      assert.deepEqual([button.tag, button.text], ['button', 'Continue'])
      await kb.enterAndLoad()
      await new BasePage(phone).expect(
        `/consultations/${consultationId}/respond/check-answers`,
        'Check your answers before you submit your response',
      )
      await onPhone('10-phone-check-answers')
    })

    step('"Check your answers" shows every answer, and the response is submitted by keyboard', async () => {
      const check = new CheckAnswersPage(phone)
      assert.deepEqual(await check.rows('Your answers'), {
        [route.title]: answers.route,
        [improve.title]: answers.improve,
        [often.title]: answers.often,
        [why.title]: answers.why.join('; '),
        [updates.title]: answers.updates,
        [postcode.title]: answers.postcode,
        [journeys.title]: answers.journeys,
      })
      assert.deepEqual(await check.rows('About you'), {
        'Are you responding as an individual or on behalf of an organisation?': 'As an individual',
        'Full name': respondent.name,
        'Email address': respondent.email,
        'May we publish your response?': 'Publish my response, without my name',
        'May the organisation contact you again about this consultation?': 'Yes',
      })
      const changes = await check.changeLinks()
      assert.equal(changes.length, ordered.length + 5, 'every answer has a "Change" link')
      assert.equal(changes[5], `/consultations/${consultationId}/respond#${field(postcode).name}`)

      await kb.tabTo((s) => s.tag === 'button' && s.text === 'Submit response', 'the "Submit response" button')
      await kb.enterAndLoad()
      const confirmation = await new ConfirmationPage(phone).expect(
        `/consultations/${consultationId}/respond/confirmation`,
        'Response submitted',
      )
      reference = await confirmation.reference()
      assert.match(reference, /^CR-[A-Z2-9]{4}-[A-Z2-9]{4}$/)
      assert.match(
        await phone.locator('main').innerText(),
        new RegExp(`Thank you for responding to “${consultation.title}”`),
      )
      await onPhone('11-phone-confirmation')
    })

    step('the whole phone journey used the keyboard alone, and every page was checked and measured', async () => {
      assert.equal(await pointerPresses(phone), 0, 'no pointer, mouse or touch presses on the phone')
      assertEveryPageChecked(phone)
      assert.equal(
        phonePagesMeasured,
        visitedUrls(phone).length,
        `every page the phone loaded was measured: ${visitedUrls(phone).join(', ')}`,
      )
    })

    step('the administrator finds the response on the responses page and in the CSV download', async () => {
      await visit(admin, `/manage/consultations/${consultationId}`)
      const manage = await new ManageConsultationPage(admin).expect(
        `/manage/consultations/${consultationId}`,
        consultation.title,
      )
      assert.equal(await manage.summaryValue('Responses'), '1')
      const responses = await manage.viewResponses()
      counts['the responses page'] = await responses.total()
      assert.deepEqual(await responses.references(), [reference])
      const shown = await responses.response(reference)
      for (const [key, value] of Object.entries({
        'Full name': respondent.name,
        'Email address': respondent.email,
        'May we publish your response?': 'Publish my response, without my name',
        [route.title]: answers.route,
        [often.title]: answers.often,
        [why.title]: answers.why.join('; '),
        [postcode.title]: answers.postcode,
        [journeys.title]: answers.journeys,
      }))
        assert.equal(shown[key], value, `"${key}" on the responses page`)
      await screenshot(admin, 'consultations-12-responses')

      const csv = await responses.downloadCsv()
      assert.equal(csv.filename, `responses-${consultationId}.csv`)
      const rows = parseCsv(csv.text).filter((r) => r.some((cell) => cell !== ''))
      assert.equal(rows.length, 2, `a header and one response:\n${csv.text}`)
      const [header, row] = rows as [string[], string[]]
      assert.deepEqual(header, [
        'reference',
        'submitted_at',
        'channel',
        'respondent_type',
        'name',
        'organisation_name',
        'email',
        'publication',
        'may_contact',
        ...ordered.map((q, i) => `q${i + 1}: ${q.title}`),
      ])
      const record = Object.fromEntries(header.map((h, i) => [h, row[i]]))
      assert.equal(record.reference, reference)
      assert.ok(!Number.isNaN(Date.parse(record.submitted_at ?? '')), `submitted_at ${record.submitted_at}`)
      assert.deepEqual(row.slice(2), [
        'online',
        'individual',
        respondent.name,
        '',
        respondent.email,
        'publish-without-name',
        'yes',
        answers.route,
        answers.improve,
        answers.often,
        answers.why.join('; '),
        answers.updates,
        answers.postcode,
        answers.journeys,
      ])
    })

    step('every page was checked, the server logged no errors and it stops cleanly', async () => {
      assertEveryPageChecked(admin)
      assert.deepEqual(server.errorLogs(), [], 'the server logged errors')
      const stopped = await server.stop()
      assert.deepEqual(
        stopped,
        { code: 0, signal: null },
        `Còmhla did not stop cleanly on SIGTERM:\n${server.output()}`,
      )
    })

    // Last, so that a layout or wording problem does not stop the journey.
    step('nothing on the phone was wider than the screen', async () => {
      assert.equal(
        overflows.length,
        0,
        `pages wider than the ${phoneViewport.width}px phone screen:\n  ${overflows.map(formatOverflow).join('\n  ')}`,
      )
    })

    step('counts of one are worded in the singular', async () => {
      assert.deepEqual(counts, { 'the public list': '1 consultation found', 'the responses page': '1 response' })
    })
  },
)

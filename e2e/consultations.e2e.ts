// The consultations module's "done when": the first administrator builds a consultation for a
// council through the staff pages (refusing an empty form first), with a questionnaire of every
// question type, reorders it and publishes it; a member of the public on a phone finds it, and
// answers it with the keyboard alone through the questionnaire (recovering from missing answers
// through the error summary), the Respondent Information Form and "Check your answers"; the
// administrator then finds the response on the staff pages and in the CSV download. Then the
// administrator builds a second consultation in two sections (a condition, a choice grid, a date,
// "Other, please specify"), shown a section a page, previews it, adds a supporting document and
// publishes it; on a 375×667 phone, by keyboard alone, a respondent corrects a date, saves to come
// back later, and from the emailed link (read in the outbox) finishes on another phone, checks the
// answers and submits. Every page is checked with axe-core (WCAG 2.2 AA) and the common layout;
// on the phone nothing may be wider than the screen.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import {
  assertEveryPageChecked,
  launchBrowser,
  navigate,
  openPage,
  screenshot,
  visit,
  visitedUrls,
} from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { AdminPage, BasePage, SetupPage } from './support/pages.js'
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
const phoneViewport = { width: 375, height: 667 }

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

const travel: ConsultationDetails = {
  organisation: council,
  title: 'Active travel to work in the Highlands',
  summary: 'Tell us how you travel to work, and what would help you walk or cycle.',
  body: 'The council is planning **safer routes** to work.',
  opens: londonDateTime(now),
  closes: { date: londonDateTime(new Date(now.getTime() + 28 * 86_400_000)).date, time: '17:00' },
}
const travelSections = [
  { title: 'Your journeys', intro: 'About the journeys you make to work.' },
  { title: 'Cycling', intro: 'About cycling to work.' },
]
const cycles: QuestionDetails = {
  type: 'Single choice',
  title: 'Do you cycle to work?',
  options: ['Yes', 'No'],
  required: true,
  section: 'Your journeys',
}
const lastTrip: QuestionDetails = {
  type: 'Date',
  title: 'When did you last travel to work?',
  required: true,
  section: 'Your journeys',
}
const safety: QuestionDetails = {
  type: 'Choice grid',
  title: 'How safe do these routes feel?',
  options: ['Safe', 'Unsafe'],
  rows: ['Town centre', 'Canal path'],
  required: true,
  section: 'Cycling',
  shownIf: { question: cycles.title, value: 'Yes' },
}
const help: QuestionDetails = {
  type: 'Multiple choice',
  title: 'What would help you cycle more?',
  options: ['Bike parking', 'Better lighting'],
  allowOther: true,
  section: 'Cycling',
  shownIf: { question: cycles.title, value: 'Yes' },
}
const travelQuestions = [cycles, lastTrip, safety, help]
const traveller = { name: 'Torquil Munro', email: 'torquil.munro@example.com' }
const travelPaper = Buffer.from('%PDF-1.7\nActive travel strategy for the Highlands\n')
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
    let phone2: Page
    let phone3: Page
    let travelId = ''
    let travelFields: Record<string, QuestionField> = {}
    const phoneContext = { viewport: phoneViewport, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }
    /** Measures a phone page's width (every page of the second and third phones), and keeps a screenshot. */
    const measure = async (page: Page, shot: string) => {
      const overflow = await horizontalOverflow(page)
      if (overflow) overflows.push(overflow)
      await screenshot(page, `consultations-${shot}`)
    }
    const travelFieldOf = (q: QuestionDetails): QuestionField => {
      const found = travelFields[q.title]
      assert.ok(found, `no field for "${q.title}": ${JSON.stringify(Object.keys(travelFields))}`)
      return found
    }
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
          // Each message names its question, in the summary and beside the field.
          { text: `Select an answer to ‘${often.title}’`, href: `#${field(often).name}` },
          { text: `Enter an answer to ‘${postcode.title}’`, href: `#${field(postcode).name}` },
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
      assert.equal(changes[5], `/consultations/${consultationId}/respond?change=1#${field(postcode).name}`)

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

    // --- a questionnaire in sections, a section a page, with a condition, a grid and a date ---

    step(
      'the administrator builds a consultation in two sections with a condition, a grid and a date, one section a page',
      async () => {
        const list = await ManageConsultationsPage.open(admin)
        const form = await list.startNew()
        let manage = await form.create(travel)
        travelId = manage.id
        for (const section of travelSections) manage = await manage.addSection(section)
        assert.deepEqual(await manage.sections(), [
          { title: 'Your journeys', questions: '0' },
          { title: 'Cycling', questions: '0' },
        ])
        for (const q of travelQuestions) manage = await manage.addQuestion(q)
        assert.deepEqual(await manage.questionDetails(), [
          { title: cycles.title, section: 'Your journeys', note: '' },
          { title: lastTrip.title, section: 'Your journeys', note: '' },
          { title: safety.title, section: 'Cycling', note: 'Shown only if question 1 is answered ‘Yes’' },
          { title: help.title, section: 'Cycling', note: 'Shown only if question 1 is answered ‘Yes’' },
        ])
        await manage.setPaging('One section a page')
        await manage.expect(`/manage/consultations/${travelId}`, travel.title)
        const preview = await manage.preview()
        assert.deepEqual(await preview.pages(), [
          {
            heading: 'Page 1 of 2: Your journeys',
            questions: [`Question 1: ${cycles.title}`, `Question 2: ${lastTrip.title}`],
          },
          {
            heading: 'Page 2 of 2: Cycling',
            questions: [`Question 3: ${safety.title}`, `Question 4: ${help.title} (optional)`],
          },
        ])
        await screenshot(admin, 'consultations-13-preview')
        await visit(admin, `/manage/consultations/${travelId}`)
        manage = await new ManageConsultationPage(admin).expect(`/manage/consultations/${travelId}`, travel.title)
        await manage.publish()
        assert.equal(await manage.status(), 'Open')
      },
    )

    step('the administrator adds a supporting document, refusing an empty upload', async () => {
      await visit(admin, `/manage/consultations/${travelId}`)
      await navigate(admin, () =>
        admin.locator('main').getByRole('link', { name: 'Add a document', exact: true }).click(),
      )
      const form = await new BasePage(admin).expect(
        `/manage/consultations/${travelId}/documents/new`,
        'Add a supporting document',
      )
      await navigate(admin, () => admin.locator('main').getByRole('button', { name: 'Upload the document' }).click())
      await expectFieldErrors(form, [{ text: 'Choose a file to upload', href: '#document' }])
      await admin
        .locator('main')
        .getByLabel('Document', { exact: true })
        .setInputFiles({ name: 'Active travel strategy.pdf', mimeType: 'application/pdf', buffer: travelPaper })
      await navigate(admin, () => admin.locator('main').getByRole('button', { name: 'Upload the document' }).click())
      await new ManageConsultationPage(admin).expect(`/manage/consultations/${travelId}`, travel.title)
      assert.match(
        await admin.locator('main ul.comhla-documents').innerText(),
        new RegExp(`Active travel strategy\\.pdf \\(PDF, ${travelPaper.length} bytes\\)`),
      )
    })

    step(
      'on a phone, by keyboard, a respondent answers the first section, correcting a date, and saves to come back later',
      async () => {
        ;({ page: phone2 } = await openPage(browser, server.baseUrl, phoneContext))
        await phone2.context().addInitScript({ content: POINTER_COUNTER })
        const kb2 = new KeyboardUser(phone2)
        await visit(phone2, `/consultations/${travelId}`)
        await measure(phone2, '14-phone-travel')
        assert.match(
          await phone2.locator('main ul.comhla-documents').innerText(),
          /Active travel strategy\.pdf \(PDF, \d+ bytes\)/,
          'the supporting document is listed with its kind and size',
        )
        await kb2.tabTo((s) => s.tag === 'a' && s.text === 'Respond online', 'the "Respond online" button')
        await kb2.enterAndLoad()
        const first = await new QuestionnairePage(phone2).expect(`/consultations/${travelId}/respond`, 'Your journeys')
        assert.equal((await phone2.locator('main .comhla-progress').innerText()).trim(), 'Page 1 of 2')
        assert.equal(
          await phone2.locator('main .ds_back-link').getAttribute('href'),
          `/consultations/${travelId}`,
          'Back leads to the consultation',
        )
        await measure(phone2, '15-phone-section-1')
        travelFields = await first.fields()
        assert.deepEqual(Object.keys(travelFields), [cycles.title, lastTrip.title], 'one section a page')

        await kb2.tabTo((s) => s.id === travelFieldOf(cycles).ids[0]!, 'the first answer of question 1')
        assert.equal((await kb2.press('Space')).checked, true, 'Space chooses "Yes"')
        const [day, month, year] = travelFieldOf(lastTrip).ids as [string, string, string]
        await kb2.tabExpecting(day, 'the day of question 2')
        await kb2.type('31')
        await kb2.tabExpecting(month, 'the month of question 2')
        await kb2.type('2')
        await kb2.tabExpecting(year, 'the year of question 2')
        await kb2.type('2026')
        const button = await kb2.tab()
        assert.deepEqual([button.tag, button.text], ['button', 'Continue'])
        await kb2.enterAndLoad()
        const dateGroup = travelFieldOf(lastTrip).name.replace(/-day$/, '')
        await expectFieldErrors(first, [
          { text: `The date for ‘${lastTrip.title}’ must be a real date, like 27 3 2027`, href: `#${dateGroup}` },
        ])
        assert.equal(await first.value(`${dateGroup}-day`), '31', 'what was typed is kept')
        await measure(phone2, '16-phone-date-error')

        await kb2.tabTo((s) => s.tag === 'a' && s.href === `#${dateGroup}`, 'the error summary link to the date')
        await kb2.press('Enter')
        let at = await kb2.focused()
        if (at.id !== day) at = await kb2.tab()
        assert.equal(at.id, day, 'the error summary link leads to the day')
        await phone2.keyboard.press('Control+A')
        await kb2.type('28')
        await kb2.tabTo((s) => s.tag === 'button' && s.text === 'Continue', 'Continue')
        await kb2.enterAndLoad()
        await new QuestionnairePage(phone2).expect(`/consultations/${travelId}/respond`, 'Cycling')
        assert.equal((await phone2.locator('main .comhla-progress').innerText()).trim(), 'Page 2 of 2')
        await measure(phone2, '17-phone-section-2')

        await kb2.tabTo(
          (s) => s.tag === 'button' && s.text === 'Save and come back later',
          'the "Save and come back later" button',
        )
        await kb2.enterAndLoad()
        await new BasePage(phone2).expect(
          `/consultations/${travelId}/respond/save`,
          'Save your answers and come back later',
        )
        await measure(phone2, '18-phone-save')
        await kb2.tabTo((s) => s.id === 'email', 'the email address')
        await kb2.type(traveller.email)
        await kb2.enterAndLoad()
        await new BasePage(phone2).expect(`/consultations/${travelId}/respond/save`, 'Your answers are saved')
        assert.match(await phone2.locator('main').innerText(), new RegExp(`We sent it to ${traveller.email}`))
        await measure(phone2, '19-phone-saved')
        assert.equal(await pointerPresses(phone2), 0, 'no pointer, mouse or touch presses on the phone')
        assertEveryPageChecked(phone2)
      },
    )

    step(
      'the emailed link restores the answers on another phone, where the response is finished by keyboard and submitted',
      async () => {
        const outbox = await (await AdminPage.open(admin)).openOutbox()
        const message = await outbox.openMessage(traveller.email, /Continue your response/)
        const link = new URL(await message.link(/http\S+\/respond\/resume\/[A-Za-z0-9_-]+/))

        ;({ page: phone3 } = await openPage(browser, server.baseUrl, phoneContext))
        await phone3.context().addInitScript({ content: POINTER_COUNTER })
        const kb3 = new KeyboardUser(phone3)
        await visit(phone3, link.pathname)
        await new BasePage(phone3).expect(link.pathname, 'Continue your response')
        await measure(phone3, '20-phone-resume')
        await kb3.tabTo((s) => s.tag === 'button' && s.text === 'Continue your response', 'the "Continue" button')
        await kb3.enterAndLoad()
        const cycling = await new QuestionnairePage(phone3).expect(`/consultations/${travelId}/respond`, 'Cycling')
        await measure(phone3, '21-phone-resumed')
        const fields3 = await cycling.fields()
        const grid = fields3[safety.title]!
        const helpField = fields3[help.title]!

        // A grid is a group of radios a row: Space chooses in the first, an arrow in the second.
        await kb3.tabTo((s) => s.id === grid.ids[0]!, 'the first answer of the grid’s first row')
        assert.equal((await kb3.press('Space')).checked, true, '"Safe" for the town centre')
        await kb3.tabExpecting(grid.ids[2]!, 'the first answer of the grid’s second row')
        const unsafe = await kb3.press('ArrowRight')
        assert.deepEqual([unsafe.id, unsafe.checked], [grid.ids[3], true], '"Unsafe" for the canal path')
        await kb3.tabExpecting(helpField.ids[0]!, 'the first box of question 4')
        await kb3.tabExpecting(helpField.ids[1]!, 'the second box of question 4')
        await kb3.tabExpecting(`${helpField.name}-other-choice`, '"Other"')
        assert.equal((await kb3.press('Space')).checked, true, 'Space ticks "Other"')
        await kb3.tabExpecting(`${helpField.name}-other`, 'the box to say what')
        await kb3.type('Secure lockers at the station')
        await kb3.tabTo((s) => s.tag === 'button' && s.text === 'Continue', 'Continue')
        await kb3.enterAndLoad()
        await new BasePage(phone3).expect(`/consultations/${travelId}/respond/about-you`, 'About you')
        await measure(phone3, '22-phone-about-you')

        await kb3.tabTo((s) => s.id === 'respondentType-1', 'the first answer to "individual or organisation"')
        await kb3.press('Space')
        await kb3.tabExpecting('name', 'Full name')
        await kb3.type(traveller.name)
        await kb3.tabExpecting('organisationName', 'Organisation name')
        await kb3.tabExpecting('email', 'Email address')
        await kb3.type(traveller.email)
        await kb3.tabExpecting('publication-1', 'the first answer to "May we publish your response?"')
        await kb3.press('Space')
        await kb3.tabExpecting('mayContact-1', 'the first answer to "May the organisation contact you again"')
        await kb3.press('ArrowDown')
        await kb3.tabTo((s) => s.tag === 'button' && s.text === 'Continue', 'Continue')
        await kb3.enterAndLoad()
        const check = await new CheckAnswersPage(phone3).expect(
          `/consultations/${travelId}/respond/check-answers`,
          'Check your answers before you submit your response',
        )
        await measure(phone3, '23-phone-check-answers')
        assert.deepEqual(await check.rows('Your answers'), {
          [cycles.title]: 'Yes',
          [lastTrip.title]: '28 February 2026',
          [safety.title]: 'Town centre: Safe; Canal path: Unsafe',
          [help.title]: 'Secure lockers at the station',
        })

        await kb3.tabTo((s) => s.tag === 'button' && s.text === 'Submit response', 'the "Submit response" button')
        await kb3.enterAndLoad()
        const confirmation = await new ConfirmationPage(phone3).expect(
          `/consultations/${travelId}/respond/confirmation`,
          'Response submitted',
        )
        assert.match(await confirmation.reference(), /^CR-[A-Z2-9]{4}-[A-Z2-9]{4}$/)
        assert.match(
          await phone3.locator('main').innerText(),
          new RegExp(`We have sent a receipt with a copy of your answers to ${traveller.email}`),
        )
        await measure(phone3, '24-phone-travel-confirmation')
        assert.equal(await pointerPresses(phone3), 0, 'no pointer, mouse or touch presses on the phone')
        assertEveryPageChecked(phone3)
      },
    )

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

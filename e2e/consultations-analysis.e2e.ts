// Consultation analysis in a real browser: a consultation is built and published, four people
// answer it, and the analyst reads the counts (chart and table), builds a codebook (refusing an
// empty theme first), searches the answers and codes every one the search finds with a theme,
// sees the share coded, codes one answer by hand with a note, cross-tabulates the themes, checks
// data quality and keeps a duplicate group with a reason, and exports the workbook through the
// background job and its progress page (refusing a request without a format first), then reads
// the downloaded .xlsx back. Every page is checked with axe-core (WCAG 2.2 AA) and the layout.
import assert from 'node:assert/strict'
import { after, before, describe } from 'node:test'
import ExcelJS from 'exceljs'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser, openPage, screenshot } from './support/browser.js'
import { startServer, type RunningServer } from './support/server.js'
import { journey } from './support/journey.js'
import { SetupPage } from './support/pages.js'
import {
  ManageConsultationsPage,
  londonDateTime,
  type ConsultationDetails,
  type QuestionDetails,
} from './support/consultation-pages.js'
import { AnalysisPage, respondOverHttp } from './support/analysis-pages.js'

const analyst = {
  name: 'Catriona Munro',
  email: 'catriona.munro@example.gov.scot',
  password: 'Loch-Ness-Analysis-2026',
}
const now = new Date()
const consultation: ConsultationDetails = {
  organisation: 'The Highland Council',
  title: 'Sunday opening of Inverness library',
  summary: 'Should the library open on Sundays, and why?',
  body: 'We are reviewing **opening hours**.',
  opens: londonDateTime(now),
  closes: { date: londonDateTime(new Date(now.getTime() + 28 * 86_400_000)).date, time: '17:00' },
}
const open: QuestionDetails = {
  type: 'Single choice',
  title: 'Should the library open on Sundays?',
  options: ['Yes', 'No'],
  required: true,
}
const why: QuestionDetails = { type: 'Long text', title: 'Why do you say so?', required: true }
const answers = [
  'The buses do not run early enough on Sundays to get to work, so the library is my only quiet place.',
  'Families need somewhere warm at the weekend.',
  'Sunday buses are too infrequent, so opening would not help people from the villages.',
  'Students revise on Sundays before exams.',
]

describe('consultation analysis: counts, coding from a search, and the workbook', { timeout: 240_000 }, () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let consultationId = ''
  let workbookPath = ''

  before(async () => {
    ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
    page = (await openPage(browser, server.baseUrl)).page
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  const step = journey()

  step('a consultation is built, published and answered by four people', async () => {
    assert.ok(server.setupLink, `no set-up link was printed:\n${server.output()}`)
    await (await SetupPage.open(page, server.setupLink)).createAdministrator(analyst)
    const form = await (await ManageConsultationsPage.open(page)).startNew()
    let manage = await form.create(consultation)
    consultationId = /\/manage\/consultations\/([0-9a-f-]{36})/.exec(page.url())![1]!
    manage = await manage.addQuestion(open)
    manage = await manage.addQuestion(why)
    await manage.publish()
    for (const text of answers) await respondOverHttp(server.baseUrl, consultationId, text)
  })

  step('the analyst sees each question counted, as a chart and as a table', async () => {
    const analysis = await AnalysisPage.open(page, consultationId)
    assert.equal(await analysis.total(), '4 responses counted')
    assert.deepEqual(await analysis.table('Answers to question 1'), ['Yes|4|100%', 'No|0|0%'])
    assert.equal(await page.locator('main svg[role="img"] title').first().textContent(), `1. ${open.title}`)
    assert.equal(await analysis.codedShare(2), '0 of 4 answers coded (0%)')
    await screenshot(page, 'analysis-01-overview')
  })

  step('the analyst builds a codebook, refusing an empty theme', async () => {
    const codebook = await (await AnalysisPage.open(page, consultationId)).codebook(2)
    await codebook.add('')
    await codebook.expectErrors([{ text: 'Enter the theme', href: '#name' }])
    await codebook.add('Public transport', 'Buses, trains and getting to the library')
    await codebook.add('Study space')
    assert.deepEqual(await codebook.themes(), [
      'Public transport|Buses, trains and getting to the library|0',
      'Study space||0',
    ])
  })

  step('the analyst searches the answers and codes every one found with a theme', async () => {
    const codebook = await (await AnalysisPage.open(page, consultationId)).codebook(2)
    const answersPage = await codebook.readAnswers()
    assert.equal(await answersPage.count(), '4 answers found')
    await answersPage.search('buses')
    assert.equal(await answersPage.count(), '2 answers found')
    assert.deepEqual((await answersPage.answerTexts()).sort(), [answers[0], answers[2]].sort())
    await answersPage.tagAll('Public transport')
    assert.equal((await answersPage.notification.innerText()).trim(), '2 answers tagged')
    assert.deepEqual(await answersPage.tagsOf('Sunday buses are too infrequent'), ['Public transport'])
    await screenshot(page, 'analysis-02-coded')
    const analysis = await AnalysisPage.open(page, consultationId)
    assert.equal(await analysis.codedShare(2), '2 of 4 answers coded (50%)')
    assert.deepEqual(await analysis.table('Themes in the answers to question 2'), [
      'Public transport|2|50%',
      'Study space|0|0%',
    ])
  })

  step('the analyst codes one answer by hand with a note, and cross-tabulates the themes', async () => {
    const answersPage = await (await (await AnalysisPage.open(page, consultationId)).codebook(2)).readAnswers()
    const answer = await answersPage.code('Students revise on Sundays')
    await answer.tick('Study space')
    assert.equal((await answer.notification.innerText()).trim(), 'Themes saved')
    await answer.addNote('')
    await answer.expectErrors([{ text: 'Enter the note', href: '#note' }])
    await answer.addNote('Exams in May and June')
    assert.deepEqual(await answer.notes(), ['Exams in May and June'])
    const crosstab = await (await AnalysisPage.open(page, consultationId)).crosstab(2)
    assert.deepEqual(await crosstab.rows(), ['Public transport|2 (67%)|0 (0%)', 'Study space|1 (33%)|0 (0%)'])
  })

  step("the analyst checks data quality and keeps the same person's four responses, with a reason", async () => {
    const quality = await (await AnalysisPage.open(page, consultationId)).quality()
    await quality.check()
    await quality.waitUntilChecked()
    const groups = await quality.groups('Same name and email')
    assert.equal(groups.length, 1, await page.locator('main').innerText())
    assert.match(groups[0]!, /^Mòrag Respondent <respondent@example\.org>\|4\|0$/)
    const group = await quality.openGroup('Same name and email')
    await group.decide('Keep them all in the analysis', '')
    await group.expectErrors([{ text: 'Enter the reason for the decision', href: '#reason' }])
    await group.decide('Keep them all in the analysis', 'A family sharing one email address')
    assert.deepEqual(await group.decisions(), ['Kept', 'Kept', 'Kept', 'Kept'])
    assert.equal(await (await AnalysisPage.open(page, consultationId)).total(), '4 responses counted')
  })

  step('the analyst exports the workbook through the progress page and downloads it', async () => {
    const exports = await (await AnalysisPage.open(page, consultationId)).exports()
    await exports.prepare(null)
    await exports.expectErrors([{ text: 'Choose a format', href: '#format' }])
    const progress = await exports.prepare('Excel workbook (.xlsx)')
    await progress.waitUntilReady()
    assert.match((await progress.summaryValue('Progress')) ?? '', /^4 of 4 responses \(100%\)$/)
    const file = await progress.download()
    assert.match(file.filename, /^responses-.*\.xlsx$/)
    workbookPath = file.path
    await screenshot(page, 'analysis-03-export')
  })

  step('the workbook holds every response with its respondent information and themes', async () => {
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(workbookPath)
    const sheet = workbook.worksheets[0]!
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String)
    assert.ok(header.includes('Name') && header.includes('Publication choice'))
    const textColumn = header.indexOf(`Q2. ${why.title}`) + 1
    const themesColumn = header.indexOf('Q2 themes') + 1
    assert.ok(textColumn > 0 && themesColumn > 0, `columns: ${header.join(', ')}`)
    assert.equal(sheet.actualRowCount, 5)
    const coded = Array.from({ length: 4 }, (_, i) => sheet.getRow(i + 2))
      .filter((r) => r.getCell(themesColumn).text === 'Public transport')
      .map((r) => r.getCell(textColumn).text)
      .sort()
    assert.deepEqual(coded, [answers[0], answers[2]].sort())
  })
})

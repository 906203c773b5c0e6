// Page objects for consultation analysis (used by their visible labels), and a respondent who
// answers a consultation over plain HTTP by filling each page's form by its own field names, to
// give the analyst something to analyse.
import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import type { Page } from 'playwright-core'
import { navigate, visit } from './browser.js'
import { BasePage } from './pages.js'

/** Answers a published consultation from start to confirmation; long text gets `text`. Returns the reference. */
export async function respondOverHttp(baseUrl: string, consultationId: string, text: string): Promise<string> {
  const cookies = new Map<string, string>()
  const cookie = () => [...cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ')
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const [name, ...rest] = pair!.split('=')
      cookies.set(name!.trim(), rest.join('='))
    }
  }
  let path = `/consultations/${consultationId}/respond`
  for (let step = 0; step < 20; step++) {
    const res = await fetch(new URL(path, baseUrl), { headers: { cookie: cookie() }, redirect: 'manual' })
    keep(res)
    const html = await res.text()
    if (path.endsWith('/confirmation')) {
      const reference = /CR-[A-Z0-9]{4}-[A-Z0-9]{4}/.exec(html)?.[0]
      assert.ok(reference, 'the confirmation page gives a reference')
      return reference
    }
    const $ = cheerio.load(html)
    const form = $('main form[method="post"]')
      .filter((_, f) => !/\/(save|resume)\b/.test($(f).attr('action') ?? ''))
      .first()
    assert.ok(form.length, `no form on ${path} (${res.status})`)
    const fields = new URLSearchParams()
    const chosen = new Set<string>()
    form.find('input, textarea, select').each((_, el) => {
      const e = $(el)
      const name = e.attr('name')
      if (!name) return
      const type = (e.attr('type') ?? (el.tagName === 'textarea' ? 'textarea' : el.tagName)).toLowerCase()
      if (type === 'hidden') fields.set(name, e.attr('value') ?? '')
      else if (type === 'radio' || type === 'checkbox') {
        if (!chosen.has(name)) fields.append(name, e.attr('value') ?? '')
        chosen.add(name)
      } else if (type === 'select') fields.set(name, e.find('option[value!=""]').first().attr('value') ?? '')
      else if (type === 'email' || /email/i.test(name)) fields.set(name, 'respondent@example.org')
      else if (type === 'number') fields.set(name, '2')
      else if (type === 'date') fields.set(name, '2026-01-15')
      else if (/postcode/i.test(name)) fields.set(name, 'IV2 3PU')
      else if (/name/i.test(name)) fields.set(name, 'Mòrag Respondent')
      else if (type === 'textarea') fields.set(name, text)
      else if (type !== 'submit' && type !== 'button' && type !== 'file') fields.set(name, 'Inverness')
    })
    const post = await fetch(new URL(form.attr('action') || path, baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    })
    keep(post)
    await post.arrayBuffer()
    const location = post.headers.get('location')
    assert.ok(location, `posting ${path} answered ${post.status}, not a redirect`)
    path = location
  }
  throw new Error('the respondent journey did not end')
}

export class AnalysisPage extends BasePage {
  static async open(page: Page, consultationId: string): Promise<AnalysisPage> {
    const response = await visit(page, `/manage/consultations/${consultationId}/analysis`)
    assert.equal(response?.status(), 200)
    return new AnalysisPage(page).expect(`/manage/consultations/${consultationId}/analysis`, 'Analysis of responses')
  }

  async total(): Promise<string> {
    return (await this.page.locator('main [role="status"]').first().innerText()).trim()
  }

  /** The rows of the data table beside a chart, as "label|count|share". */
  async table(caption: string): Promise<string[]> {
    const table = this.page.locator('main table').filter({ has: this.page.locator('caption', { hasText: caption }) })
    return (await table.locator('tbody tr').allInnerTexts()).map((r) =>
      r
        .split('\t')
        .map((c) => c.trim())
        .join('|'),
    )
  }

  async codedShare(questionNumber: number): Promise<string> {
    return (await this.page.locator(`#question-${questionNumber} ~ p`).filter({ hasText: 'coded' }).innerText()).trim()
  }

  async readAnswers(questionNumber: number): Promise<AnswersPage> {
    await navigate(this.page, () =>
      this.page
        .locator(`section[aria-labelledby="question-${questionNumber}"]`)
        .getByRole('link', { name: /Read, search and code the answers/ })
        .click(),
    )
    return new AnswersPage(this.page)
  }

  async codebook(questionNumber: number): Promise<ThemesPage> {
    await navigate(this.page, () =>
      this.page
        .locator(`section[aria-labelledby="question-${questionNumber}"]`)
        .getByRole('link', { name: /Codebook of themes/ })
        .click(),
    )
    return new ThemesPage(this.page).expect(/\/themes$/, 'Codebook')
  }

  async crosstab(questionNumber: number): Promise<CrosstabPage> {
    await navigate(this.page, () =>
      this.page
        .locator(`section[aria-labelledby="question-${questionNumber}"]`)
        .getByRole('link', { name: /Cross-tabulate/ })
        .click(),
    )
    return new CrosstabPage(this.page).expect(/\/crosstab$/, 'Cross-tabulation')
  }

  async quality(): Promise<QualityPage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Data quality', exact: true }).click())
    return new QualityPage(this.page).expect(/\/analysis\/quality$/, 'Data quality')
  }

  async exports(): Promise<ExportsPage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Export responses', exact: true }).click())
    return new ExportsPage(this.page).expect(/\/analysis\/exports$/, 'Export responses')
  }
}

export class ThemesPage extends BasePage {
  async add(name: string, description = ''): Promise<void> {
    await this.page.getByLabel('Theme', { exact: true }).fill(name)
    await this.page.getByLabel('Description', { exact: true }).fill(description)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Add the theme' }).click())
  }

  async themes(): Promise<string[]> {
    return (await this.page.locator('main table tbody tr').allInnerTexts()).map((r) =>
      r
        .split('\t')
        .map((c) => c.trim())
        .join('|'),
    )
  }

  async readAnswers(): Promise<AnswersPage> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Read, search and code the answers' }).click(),
    )
    return new AnswersPage(this.page)
  }
}

export class AnswersPage extends BasePage {
  async search(words: string): Promise<void> {
    await this.page.getByLabel('Search the answers', { exact: true }).fill(words)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Apply filters' }).click())
  }

  async count(): Promise<string> {
    return (await this.page.locator('#answers-count').innerText()).trim()
  }

  async answerTexts(): Promise<string[]> {
    return (await this.page.locator('main ol .comhla-pre').allInnerTexts()).map((s) => s.trim())
  }

  /** Tags every answer the search found with a theme. */
  async tagAll(theme: string): Promise<void> {
    await this.page.getByLabel(/^Tag all \d+ answers? found with a theme$/).selectOption({ label: theme })
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Tag the answers' }).click())
  }

  async code(text: string): Promise<AnswerPage> {
    const item = this.page.locator('main ol li').filter({ hasText: text })
    await navigate(this.page, () => item.getByRole('link', { name: /Code this answer/ }).click())
    return new AnswerPage(this.page)
  }

  async tagsOf(text: string): Promise<string[]> {
    const item = this.page.locator('main ol li').filter({ hasText: text })
    return (await item.locator('.ds_tag').allInnerTexts()).map((s) => s.trim())
  }
}

export class ExportsPage extends BasePage {
  async prepare(format: 'Excel workbook (.xlsx)' | 'CSV file' | null): Promise<ExportPage> {
    if (format) await this.page.locator(`label:text-is("${format}")`).click()
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Prepare the export' }).click())
    return new ExportPage(this.page)
  }
}

export class ExportPage extends BasePage {
  /** Reloads the progress page (as its own refresh does) until the export is finished. */
  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const status = await this.summaryValue('Status')
      if (status === 'finished') return
      assert.notEqual(status, 'failed', 'the export failed')
      assert.ok(Date.now() < until, `the export is still "${status}"`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      await visit(this.page, this.page.url())
    }
  }

  async download(): Promise<{ filename: string; path: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: /^Download the file/ }).click(),
    ])
    const path = await download.path()
    assert.ok(path, 'the download was saved')
    return { filename: download.suggestedFilename(), path }
  }
}

export class QualityPage extends BasePage {
  async check(): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Check the responses' }).click())
  }

  /** Reloads the page (as its own refresh does) until the latest check has finished. */
  async waitUntilChecked(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs
    for (;;) {
      const status = (await this.page.locator('main [role="status"]').first().innerText()).trim()
      if (/^Latest check: finished/.test(status)) return
      assert.ok(Date.now() < until, `the check is still: ${status}`)
      await new Promise((resolve) => setTimeout(resolve, 1000))
      await visit(this.page, this.page.url())
    }
  }

  /** The groups found of one kind, as "label|responses|decided". */
  async groups(kind: string): Promise<string[]> {
    const table = this.page.locator('main h2', { hasText: kind }).locator('xpath=following-sibling::*[1]')
    return (await table.locator('tbody tr').allInnerTexts()).map((r) =>
      r
        .split('\t')
        .map((c) => c.trim())
        .join('|'),
    )
  }

  async openGroup(kind: string): Promise<GroupPage> {
    const table = this.page.locator('main h2', { hasText: kind }).locator('xpath=following-sibling::*[1]')
    await navigate(this.page, () => table.locator('tbody a').first().click())
    return new GroupPage(this.page)
  }
}

export class GroupPage extends BasePage {
  async decide(outcome: string | null, reason: string): Promise<void> {
    if (outcome) await this.page.locator(`label:text-is("${outcome}")`).click()
    await this.page.getByLabel('Reason', { exact: true }).fill(reason)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Record the decision' }).click())
  }

  async decisions(): Promise<string[]> {
    return (await this.page.locator('main table tbody tr td:last-child').allInnerTexts()).map((s) =>
      s.split('\n')[0]!.trim(),
    )
  }
}

export class CrosstabPage extends BasePage {
  /** The table's body rows, as "row|cell|cell". */
  async rows(): Promise<string[]> {
    return (await this.page.locator('main table tbody tr').allInnerTexts()).map((r) =>
      r
        .split('\t')
        .map((c) => c.trim())
        .join('|'),
    )
  }
}

export class AnswerPage extends BasePage {
  async tick(theme: string): Promise<void> {
    await this.page.locator(`label:text-is("${theme}")`).click()
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Save the themes' }).click())
  }

  async addNote(note: string): Promise<void> {
    await this.page.getByLabel('Add a note', { exact: true }).fill(note)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Add the note' }).click())
  }

  async notes(): Promise<string[]> {
    return (await this.page.locator('#notes ~ .ds_inset-text p.comhla-pre').allInnerTexts()).map((s) => s.trim())
  }
}

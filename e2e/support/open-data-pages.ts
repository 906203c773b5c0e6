// Page objects for the open-data module. The data store's pages come first (publishers' data
// tables, uploads, progress, the data dictionary, and a table's public page with its preview and
// chart); the catalogue's page objects are added below them. Every action that loads a page goes
// through navigate() or visit(), so each page is checked (layout, axe, errors).
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { checkPage, navigate, visit } from './browser.js'
import { BasePage } from './pages.js'

// --- the data store: publishers ---

export class DataTablesPage extends BasePage {
  static async open(page: Page): Promise<DataTablesPage> {
    await visit(page, '/manage/open-data/data-tables')
    return new DataTablesPage(page)
  }

  async rows(): Promise<{ name: string; rows: string; version: string; upload: string; public: string }[]> {
    const out = []
    for (const tr of await this.page.locator('main table tbody tr').all()) {
      const cells = (await tr.locator('td').allInnerTexts()).map((s) => s.trim())
      out.push({ name: cells[0]!, rows: cells[1]!, version: cells[2]!, upload: cells[3]!, public: cells[4]! })
    }
    return out
  }

  async startNew(): Promise<NewDataTablePage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Create a data table', exact: true }).click())
    return new NewDataTablePage(this.page)
  }
}

export class NewDataTablePage extends BasePage {
  async create(organisation: string, name: string): Promise<void> {
    if (organisation) await this.page.getByLabel('Organisation', { exact: true }).selectOption({ label: organisation })
    await this.page.getByLabel('Name', { exact: true }).fill(name)
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Continue to upload' }).click())
  }
}

export class UploadPage extends BasePage {
  /** Chooses a file and what to do with invalid rows, uploads it, and returns the progress page. */
  async upload(
    file: { name: string; mimeType: string; buffer: Buffer },
    onInvalid?: string,
  ): Promise<UploadProgressPage> {
    await this.page.getByLabel('Upload a file', { exact: true }).setInputFiles(file)
    if (onInvalid) await this.page.locator(`label:text-is("${onInvalid}")`).click()
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Upload and load' }).click())
    return new UploadProgressPage(this.page)
  }
}

export class UploadProgressPage extends BasePage {
  async status(): Promise<string> {
    return (await this.page.locator('main .ds_tag').first().innerText()).trim()
  }

  /**
   * Waits while the page refreshes itself (an HTTP Refresh header: no JavaScript), checking each
   * page it loads, until the upload has finished; returns the statuses seen, in order.
   */
  async watchUntilFinished(timeoutMs = 60_000): Promise<string[]> {
    const seen = [await this.status()]
    const until = Date.now() + timeoutMs
    while (['Waiting', 'Loading'].includes(seen[seen.length - 1]!) && Date.now() < until) {
      assert.equal(await this.page.locator('progress').count(), 1, 'a running upload shows a progress bar')
      await this.page.waitForEvent('load', { timeout: 10_000 })
      await checkPage(this.page)
      seen.push(await this.status())
    }
    return seen
  }

  async rejections(): Promise<{ row: string; column: string; value: string; reason: string }[]> {
    const out = []
    for (const tr of await this.page.locator('main table tbody tr').all()) {
      const [row, column, value, reason] = (await tr.locator('td').allInnerTexts()).map((s) => s.trim())
      out.push({ row: row!, column: column!, value: value!, reason: reason! })
    }
    return out
  }

  async decide(button: string): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('button', { name: button }).click())
  }

  async backToTable(): Promise<ManageDataTablePage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Back to the data table' }).click())
    return new ManageDataTablePage(this.page)
  }
}

export class ManageDataTablePage extends BasePage {
  async columns(): Promise<{ column: string; title: string; type: string; unit: string }[]> {
    const table = this.page.locator('main table').filter({ has: this.page.locator('caption', { hasText: 'Columns' }) })
    const out = []
    for (const tr of await table.locator('tbody tr').all()) {
      const [column, title, type, unit] = (await tr.locator('td').allInnerTexts()).map((s) => s.trim())
      out.push({ column: column!, title: title!, type: type!, unit: unit! })
    }
    return out
  }

  async versions(): Promise<{ version: string; rows: string }[]> {
    const table = this.page.locator('main table').filter({ has: this.page.locator('caption', { hasText: 'Versions' }) })
    const out = []
    for (const tr of await table.locator('tbody tr').all()) {
      const cells = (await tr.locator('td').allInnerTexts()).map((s) => s.trim())
      out.push({ version: cells[0]!, rows: cells[3]! })
    }
    return out
  }

  async openDictionary(): Promise<DictionaryPage> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Edit the data dictionary' }).click())
    return new DictionaryPage(this.page)
  }

  async publish(): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Publish the data' }).click())
  }

  async openPublicPage(): Promise<string> {
    return (await this.page.getByRole('link', { name: 'Preview, chart and download' }).getAttribute('href'))!
  }
}

export class DictionaryPage extends BasePage {
  /** Sets a column's entries by the column's name (the fieldset's legend). */
  async describe(column: string, entries: { title?: string; unit?: string; description?: string; type?: string }) {
    const group = this.page.locator('main fieldset').filter({ has: this.page.locator('legend', { hasText: column }) })
    if (entries.title !== undefined) await group.getByLabel('Title', { exact: true }).fill(entries.title)
    if (entries.unit !== undefined) await group.getByLabel('Unit', { exact: true }).fill(entries.unit)
    if (entries.description !== undefined)
      await group.getByLabel('Description', { exact: true }).fill(entries.description)
    if (entries.type !== undefined)
      await group.getByLabel('Type', { exact: true }).selectOption({ label: entries.type })
  }

  async save(): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('button', { name: 'Save' }).click())
  }
}

// --- the data store: a table's public page (works without JavaScript) ---

export class DataTablePublicPage extends BasePage {
  static async open(page: Page, path: string): Promise<DataTablePublicPage> {
    await visit(page, path)
    return new DataTablePublicPage(page)
  }

  async count(): Promise<string> {
    return (await this.page.locator('#preview-count').innerText()).trim()
  }

  async headers(): Promise<string[]> {
    return (await this.page.locator('.comhla-datastore-preview thead th').allInnerTexts()).map((s) =>
      s
        .replace(/[▲▼]/g, '')
        .replace(/\s*– sort by this column/, '')
        .trim(),
    )
  }

  async column(index: number): Promise<string[]> {
    return (
      await this.page.locator(`.comhla-datastore-preview tbody tr td:nth-child(${index + 1})`).allInnerTexts()
    ).map((s) => s.trim())
  }

  async sortBy(title: string): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('.comhla-datastore-preview thead th a').filter({ hasText: title }).click(),
    )
  }

  async ariaSort(title: string): Promise<string | null> {
    return this.page.locator('.comhla-datastore-preview thead th').filter({ hasText: title }).getAttribute('aria-sort')
  }

  async filter(column: string, condition: string, value: string): Promise<void> {
    const form = this.page.locator('form.comhla-datastore-filter')
    await form.getByLabel('Column', { exact: true }).selectOption({ label: column })
    await form.getByLabel('Condition', { exact: true }).selectOption({ label: condition })
    await form.getByLabel('Value', { exact: true }).fill(value)
    await navigate(this.page, () => form.getByRole('button', { name: 'Apply' }).click())
  }

  async nextPage(): Promise<void> {
    await navigate(this.page, () => this.page.getByRole('link', { name: 'Next page' }).click())
  }

  async drawChart(kind: string, x: string, show: string, y?: string): Promise<void> {
    const section = this.page.locator('section.comhla-datastore-chart')
    await section.locator(`label:text-is("${kind}")`).click()
    await section.getByLabel('Group by column', { exact: true }).selectOption({ label: x })
    await section.getByLabel('Show', { exact: true }).selectOption({ label: show })
    if (y) await section.getByLabel('Column to add up or average', { exact: true }).selectOption({ label: y })
    await navigate(this.page, () => section.getByRole('button', { name: 'Draw the chart' }).click())
  }

  async chartTitle(): Promise<string> {
    return (await this.page.locator('section.comhla-datastore-chart svg title').first().textContent())?.trim() ?? ''
  }

  async chartData(): Promise<string[][]> {
    const rows = []
    for (const tr of await this.page.locator('section.comhla-datastore-chart table tbody tr').all())
      rows.push((await tr.locator('td').allInnerTexts()).map((s) => s.trim()))
    return rows
  }

  async downloadHref(name: RegExp): Promise<string> {
    return (await this.page.getByRole('link', { name }).getAttribute('href'))!
  }
}

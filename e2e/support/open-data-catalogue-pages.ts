// Page objects for the open-data catalogue: the publisher's dataset form and page, the public
// search with its facets, and a dataset's page. Every action that loads a page goes through
// navigate() or visit(), so each page is checked (layout, axe, errors).
import assert from 'node:assert/strict'
import type { Locator, Page } from 'playwright-core'
import { navigate } from './browser.js'
import { BasePage } from './pages.js'

export type DatasetDetails = {
  organisation: string
  title: string
  description: string
  keywords: string
  theme: string
  frequency: string
  areas: string[]
  contactEmail: string
}

async function tick(page: Page, scope: Locator, role: 'checkbox' | 'radio', name: string): Promise<void> {
  const input = scope.getByRole(role, { name, exact: true })
  await scope.locator(`label[for="${await input.getAttribute('id')}"]`).click()
  assert.ok(await input.isChecked(), `${role} "${name}" is selected`)
  void page
}

export class DatasetFormPage extends BasePage {
  get main(): Locator {
    return this.page.locator('main')
  }

  async fill(d: DatasetDetails): Promise<void> {
    const main = this.main
    await main.getByLabel('Publisher', { exact: true }).selectOption({ label: d.organisation })
    await main.getByLabel('Title', { exact: true }).fill(d.title)
    await main.getByLabel('Description', { exact: true }).fill(d.description)
    await main.getByLabel('Keywords', { exact: true }).fill(d.keywords)
    await main.getByLabel('Theme', { exact: true }).selectOption({ label: d.theme })
    await main.getByLabel('How often it is updated', { exact: true }).selectOption({ label: d.frequency })
    const areas = main.getByRole('group', { name: 'Areas covered' })
    for (const area of d.areas) await tick(this.page, areas, 'checkbox', area)
    await main.getByLabel('Contact email address', { exact: true }).fill(d.contactEmail)
  }

  async save(): Promise<void> {
    await navigate(this.page, () => this.main.getByRole('button', { name: 'Save changes', exact: true }).click())
  }
}

export class ManageDatasetPage extends BasePage {
  get main(): Locator {
    return this.page.locator('main')
  }

  async status(): Promise<string | null> {
    return this.summaryValue('Status')
  }

  async addDataTable(name: string): Promise<void> {
    await navigate(this.page, () => this.main.getByRole('link', { name: 'Add a resource', exact: true }).click())
    await tick(this.page, this.main.getByRole('group', { name: 'Kind of resource' }), 'radio', 'Data table')
    await this.main.getByLabel('Name', { exact: true }).fill(name)
    await navigate(this.page, () => this.main.getByRole('button', { name: 'Save changes', exact: true }).click())
  }

  async addFile(name: string, file: string): Promise<void> {
    await navigate(this.page, () => this.main.getByRole('link', { name: 'Add a resource', exact: true }).click())
    await tick(
      this.page,
      this.main.getByRole('group', { name: 'Kind of resource' }),
      'radio',
      'File (a document or spreadsheet kept here)',
    )
    await this.main.getByLabel('Name', { exact: true }).fill(name)
    await this.main.getByLabel('File (for a file)', { exact: true }).setInputFiles(file)
    await navigate(this.page, () => this.main.getByRole('button', { name: 'Save changes', exact: true }).click())
  }

  async manageTable(resourceName: string): Promise<void> {
    await navigate(this.page, () =>
      this.main.getByRole('link', { name: `Upload and manage the data ${resourceName}`, exact: true }).click(),
    )
  }

  async publish(): Promise<void> {
    await navigate(this.page, () => this.main.getByRole('button', { name: 'Publish the dataset', exact: true }).click())
  }
}

export class CatalogueSearchPage extends BasePage {
  async titles(): Promise<string[]> {
    return (await this.page.locator('main .ds_search-result__link').allInnerTexts()).map((s) => s.trim()).sort()
  }

  async count(): Promise<string> {
    return (await this.page.locator('main [role="status"]').innerText()).trim()
  }

  /** Follows a facet's link, such as the publisher "Fife Council". */
  async chooseFacet(group: string, value: string): Promise<void> {
    const section = this.page
      .locator('main section.comhla-facet')
      .filter({ has: this.page.getByRole('heading', { name: group, exact: true }) })
    await navigate(this.page, () => section.getByRole('link').filter({ hasText: value }).first().click())
  }

  async open(title: string): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: title, exact: true }).click())
  }
}

export class PublicDatasetPage extends BasePage {
  /** The download links of a resource: text and address. */
  async downloads(resourceName: string): Promise<{ text: string; href: string }[]> {
    const links = this.page.locator('main .comhla-resource').filter({ hasText: resourceName }).locator('a[download]')
    const out: { text: string; href: string }[] = []
    for (const link of await links.all())
      out.push({
        text: (await link.innerText()).replace(/\s+/g, ' ').trim(),
        href: (await link.getAttribute('href')) ?? '',
      })
    return out
  }

  async jsonLd(): Promise<Record<string, unknown>> {
    const text = await this.page.locator('script[type="application/ld+json"]').textContent()
    return JSON.parse(text ?? '{}') as Record<string, unknown>
  }

  async openResource(name: string): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main .comhla-resource').getByRole('link', { name, exact: true }).click(),
    )
  }
}

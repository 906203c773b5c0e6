// Page objects for moderation, publication, responses received by post or email, and webhooks.
// Staff pages are used with a mouse by their visible labels; every action that loads a page goes
// through navigate() or visit(), so each page is checked (layout, axe, errors).
import assert from 'node:assert/strict'
import type { Locator, Page } from 'playwright-core'
import { navigate, visit } from './browser.js'
import { BasePage } from './pages.js'

/** Ticks a design-system radio or checkbox by clicking its label, as a person does. */
async function choose(scope: Page | Locator, role: 'checkbox' | 'radio', name: string): Promise<void> {
  const input = scope.getByRole(role, { name, exact: true })
  const id = await input.getAttribute('id')
  assert.ok(id, `${role} "${name}" has an id`)
  await scope.locator(`label[for="${id}"]`).click()
  assert.ok(await input.isChecked(), `${role} "${name}" is not selected after clicking its label`)
}

/** The rows of a table, as lists of cell texts. */
async function tableRows(table: Locator): Promise<string[][]> {
  const out: string[][] = []
  for (const row of await table.locator('tbody tr').all())
    out.push((await row.locator('td').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim()))
  return out
}

export type PaperResponse = {
  channel: 'By post' | 'By email'
  received: string
  respondentType: 'An individual' | 'An organisation'
  name: string
  organisationName?: string
  email?: string
  publication:
    'Publish the response with their name' | 'Publish the response without their name' | 'Do not publish the response'
  mayContact: 'Yes' | 'No'
  /** answers to text questions, by the question's label ("1. Title") */
  text?: Record<string, string>
  /** answers to single-choice questions: question legend → option */
  choice?: Record<string, string>
}

export class OfflineResponsesPage extends BasePage {
  static async open(page: Page, consultationId: string): Promise<OfflineResponsesPage> {
    await visit(page, `/manage/consultations/${consultationId}/offline-responses`)
    return new OfflineResponsesPage(page).expect(
      `/manage/consultations/${consultationId}/offline-responses`,
      'Responses by post or email',
    )
  }

  async rows(): Promise<string[][]> {
    return tableRows(this.page.getByRole('region', { name: 'Responses entered by staff' }))
  }

  async startEntry(): Promise<OfflineEntryPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'Enter a response' }).click())
    return new OfflineEntryPage(this.page).expect(
      /\/offline-responses\/new$/,
      'Enter a response received by post or email',
    )
  }

  async startImport(): Promise<ImportPage> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Import responses from a CSV file' }).click(),
    )
    return new ImportPage(this.page).expect(/\/offline-responses\/import$/, 'Import responses from a CSV file')
  }
}

export class OfflineEntryPage extends BasePage {
  async save(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Save the response' }).click(),
    )
  }

  async enter(r: PaperResponse): Promise<OfflineResponsesPage> {
    const main = this.page.locator('main')
    await choose(main.getByRole('group', { name: 'How it arrived' }), 'radio', r.channel)
    await main.getByLabel('Date received', { exact: true }).fill(r.received)
    await choose(
      main.getByRole('group', { name: 'Responding as an individual or for an organisation' }),
      'radio',
      r.respondentType,
    )
    await main.getByLabel('Full name', { exact: true }).fill(r.name)
    if (r.organisationName) await main.getByLabel('Organisation name', { exact: true }).fill(r.organisationName)
    if (r.email) await main.getByLabel('Email address', { exact: true }).fill(r.email)
    await choose(main.getByRole('group', { name: 'Publication of the response' }), 'radio', r.publication)
    await choose(
      main.getByRole('group', { name: 'May we contact them again about this consultation?' }),
      'radio',
      r.mayContact,
    )
    for (const [label, value] of Object.entries(r.text ?? {})) await main.getByLabel(label, { exact: true }).fill(value)
    for (const [legend, option] of Object.entries(r.choice ?? {}))
      await choose(main.getByRole('group', { name: legend, exact: true }), 'radio', option)
    await this.save()
    return new OfflineResponsesPage(this.page).expect(/\/offline-responses$/, 'Responses by post or email')
  }
}

export class ImportPage extends BasePage {
  async paste(csv: string): Promise<void> {
    await this.page.locator('main').getByLabel('Or paste the contents of the file', { exact: true }).fill(csv)
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Check the file' }).click())
  }

  async problems(): Promise<string[][]> {
    return tableRows(this.page.getByRole('region', { name: /problems? in the file/ }))
  }

  async previewRows(): Promise<string[][]> {
    return tableRows(this.page.getByRole('region', { name: 'The first rows' }))
  }

  async confirm(): Promise<void> {
    await navigate(this.page, () =>
      this.page
        .locator('main')
        .getByRole('button', { name: /^Import \d+ responses?$/ })
        .click(),
    )
  }
}

export class ModerationQueuePage extends BasePage {
  static async open(page: Page, consultationId: string): Promise<ModerationQueuePage> {
    await visit(page, `/manage/consultations/${consultationId}/moderation`)
    return new ModerationQueuePage(page).expect(
      `/manage/consultations/${consultationId}/moderation`,
      'Moderate answers',
    )
  }

  async rows(): Promise<{ question: string; answer: string; status: string }[]> {
    const rows = await tableRows(this.page.getByRole('region', { name: /answers/i }))
    return rows.map((c) => ({ question: c[1] ?? '', answer: c[2] ?? '', status: c[3] ?? '' }))
  }

  async moderate(answerText: string): Promise<ModerateAnswerPage> {
    const row = this.page.locator('main tbody tr').filter({ hasText: answerText })
    assert.equal(await row.count(), 1, `one answer "${answerText}" in the queue`)
    await navigate(this.page, () => row.getByRole('link', { name: /^Moderate/ }).click())
    const answer = new ModerateAnswerPage(this.page)
    assert.match(answer.pathname(), /\/moderation\/[0-9a-f-]{36}\/[^/]+$/)
    assert.match(await answer.headingText(), /^Moderate an answer of response CR-/)
    return answer
  }
}

export class ModerateAnswerPage extends BasePage {
  async answer(): Promise<string> {
    return (await this.page.locator('main blockquote').innerText()).replace(/\s+/g, ' ').trim()
  }

  async redact(text: string, reason: 'personal data' | 'offensive' | 'defamatory' | 'other reason', note = '') {
    const form = this.page.locator('main form[action$="/redact"]')
    await form.getByLabel('Text to redact', { exact: true }).fill(text)
    if (reason) await choose(form.getByRole('group', { name: 'Reason' }), 'radio', reason)
    if (note) await form.getByLabel('Note (optional)', { exact: true }).fill(note)
    await navigate(this.page, () => form.getByRole('button', { name: 'Redact' }).click())
  }

  async submitEmptyRedaction(): Promise<void> {
    const form = this.page.locator('main form[action$="/redact"]')
    await navigate(this.page, () => form.getByRole('button', { name: 'Redact' }).click())
  }

  async approve(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Approve and go to the next answer' }).click(),
    )
  }

  async history(): Promise<string[][]> {
    return tableRows(this.page.getByRole('region', { name: 'History of decisions' }))
  }
}

export class PublicationPage extends BasePage {
  static async open(page: Page, consultationId: string): Promise<PublicationPage> {
    await visit(page, `/manage/consultations/${consultationId}/publication`)
    return new PublicationPage(page).expect(`/manage/consultations/${consultationId}/publication`, 'Publish responses')
  }

  async publish(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Publish the responses' }).click(),
    )
  }
}

export class PublishedResponsesPage extends BasePage {
  static async open(page: Page, consultationId: string): Promise<PublishedResponsesPage> {
    await visit(page, `/consultations/${consultationId}/published-responses`)
    return new PublishedResponsesPage(page).expect(
      `/consultations/${consultationId}/published-responses`,
      'Published responses',
    )
  }

  /** Each published response: its heading (who) and its summary list. */
  async responses(): Promise<{ heading: string; rows: Record<string, string> }[]> {
    const out = []
    for (const section of await this.page.locator('main section.comhla-response').all()) {
      const heading = (await section.locator('h2').innerText()).replace(/\s+/g, ' ').trim()
      const rows: Record<string, string> = {}
      for (const item of await section.locator('.ds_summary-list__item').all())
        rows[(await item.locator('dt').innerText()).trim()] = (await item.locator('dd').innerText()).trim()
      out.push({ heading, rows })
    }
    return out
  }
}

export class WebhooksPage extends BasePage {
  static async open(page: Page): Promise<WebhooksPage> {
    await visit(page, '/manage/consultations/webhooks')
    return new WebhooksPage(page).expect('/manage/consultations/webhooks', 'Webhooks for consultations')
  }

  async add(organisation: string, url: string): Promise<string> {
    const main = this.page.locator('main')
    await main.getByLabel('Organisation', { exact: true }).selectOption({ label: organisation })
    await main.getByLabel('Address that receives the events', { exact: true }).fill(url)
    await navigate(this.page, () => main.getByRole('button', { name: 'Add the webhook' }).click())
    await new BasePage(this.page).expect('/manage/consultations/webhooks', 'Webhook added')
    return (await this.page.locator('main .comhla-secret').innerText()).trim()
  }
}

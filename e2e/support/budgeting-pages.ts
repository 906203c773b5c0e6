// Page objects for participatory budgeting: what staff, residents and pupils see and do, by the
// pages' visible labels. Every action that loads a page goes through navigate() or visit(), so
// each page is checked (layout, axe, browser errors).
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { focused, navigate, visit } from './browser.js'
import { BasePage } from './pages.js'

/** Ticks a design-system checkbox or radio by clicking its label, as a person does (the label covers the input). */
export async function tick(page: Page, label: string | RegExp): Promise<void> {
  const input = page.locator('main').getByLabel(label, { exact: typeof label === 'string' })
  const id = await input.getAttribute('id')
  await page.locator(`label[for="${id}"]`).click()
  assert.ok(await input.isChecked(), `"${String(label)}" is not selected after clicking its label`)
}

export type ProcessDetails = {
  organisation: string
  title: string
  summary: string
  rule: "Budget: choose projects that fit the area's budget" | 'Approval: choose up to a number of projects'
  ideas: string
  review: string
  vote: string
  close: string
}

/** A date a number of days from now, as a date input takes it (YYYY-MM-DD, London). */
export function isoDay(offsetDays: number): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(d)
}

export class ManageBudgetingPage extends BasePage {
  static async open(page: Page): Promise<ManageBudgetingPage> {
    await visit(page, '/manage/budgeting')
    return new ManageBudgetingPage(page).expect('/manage/budgeting', 'Manage participatory budgeting')
  }

  async startNew(): Promise<ProcessFormPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'Set up a process' }).click())
    return new ProcessFormPage(this.page).expect('/manage/budgeting/new', 'Set up a participatory budgeting process')
  }
}

export class ProcessFormPage extends BasePage {
  async save(): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Save' }).click())
  }

  async create(p: ProcessDetails): Promise<ManageProcessPage> {
    const main = this.page.locator('main')
    await main.getByLabel('Organisation', { exact: true }).selectOption({ label: p.organisation })
    await main.getByLabel('Title', { exact: true }).fill(p.title)
    await main.getByLabel('Summary', { exact: true }).fill(p.summary)
    await tick(this.page, p.rule)
    await tick(this.page, 'Also count by the Method of Equal Shares')
    await main.getByLabel('Ideas open', { exact: true }).fill(p.ideas)
    await main.getByLabel('Review starts', { exact: true }).fill(p.review)
    await main.getByLabel('Voting opens', { exact: true }).fill(p.vote)
    await main.getByLabel('Voting closes', { exact: true }).fill(p.close)
    await this.save()
    return new ManageProcessPage(this.page).expect(/^\/manage\/budgeting\/[0-9a-f-]{36}$/, p.title)
  }
}

export class ManageProcessPage extends BasePage {
  id(): string {
    return this.pathname().split('/')[3]!
  }

  async phase(): Promise<string | null> {
    return this.summaryValue('Stage')
  }

  private async button(name: string | RegExp): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name }).click())
  }

  private async link(name: string | RegExp): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name }).first().click())
  }

  async addArea(name: string, budget: string, areaWide = false): Promise<ManageProcessPage> {
    await this.link('Add an area')
    await new BasePage(this.page).expect(`/manage/budgeting/${this.id()}/areas/new`, 'Add an area')
    await this.page.locator('main').getByLabel('Name', { exact: true }).fill(name)
    await this.page.locator('main').getByLabel('Budget', { exact: true }).fill(budget)
    if (areaWide) await tick(this.page, 'This is the area-wide budget')
    await this.button('Save')
    return this
  }

  async importPostcodes(csv: string): Promise<void> {
    await this.link('Import the postcode lookup')
    await this.page.locator('main').getByLabel('CSV', { exact: true }).fill(csv)
    await this.button('Import postcodes')
  }

  async publish(): Promise<void> {
    await this.button('Publish the process')
  }

  async startNextPhase(): Promise<void> {
    await this.button(/^Start the next stage now/)
  }

  async addProject(p: { title: string; description: string; area: string; cost: string }): Promise<void> {
    await this.link('Add a project')
    const main = this.page.locator('main')
    await main.getByLabel('Title', { exact: true }).fill(p.title)
    await main.getByLabel('Description', { exact: true }).fill(p.description)
    await main.getByLabel('Area', { exact: true }).selectOption({ label: p.area })
    await main.getByLabel('Cost', { exact: true }).fill(p.cost)
    await this.button('Save')
    await new BasePage(this.page).expect(/\/review$/, 'Review a project')
    await visit(this.page, `/manage/budgeting/${this.id()}`)
  }

  async review(title: string, decision: string, reason = '', cost?: string): Promise<void> {
    await visit(this.page, `/manage/budgeting/${this.id()}/projects`)
    await navigate(this.page, () =>
      this.page
        .locator('main tr')
        .filter({ hasText: title })
        .getByRole('link', { name: /Review/ })
        .click(),
    )
    await new BasePage(this.page).expect(/\/review$/, 'Review a project')
    const main = this.page.locator('main')
    if (cost) await main.getByLabel('Cost', { exact: true }).fill(cost)
    await tick(this.page, decision)
    if (reason) await main.getByLabel('Reason, shown to the public').fill(reason)
    await this.button('Save')
    await visit(this.page, `/manage/budgeting/${this.id()}`)
  }

  /** Issues a batch of codes and reads them from the printable page. */
  async issueCodes(label: string, area: string, count: number): Promise<string[]> {
    await this.link('Issue a batch of codes')
    const main = this.page.locator('main')
    await main.getByLabel('Name of the batch', { exact: true }).fill(label)
    await main.getByLabel('Area', { exact: true }).selectOption({ label: area })
    await main.getByLabel('Number of codes', { exact: true }).fill(String(count))
    await this.button('Issue a batch of codes')
    await new BasePage(this.page).expect(/\/codes\/[0-9a-f-]{36}$/, label)
    const codes = (await this.page.locator('.comhla-pb-code-card__code').allInnerTexts()).map((c) => c.trim())
    await visit(this.page, `/manage/budgeting/${this.id()}`)
    return codes
  }

  async enterPaperBallot(area: string, code: string, projects: string[]): Promise<string> {
    await navigate(this.page, () =>
      this.page
        .locator('main tr')
        .filter({ hasText: area })
        .getByRole('link', { name: /Enter paper ballots/ })
        .click(),
    )
    const main = this.page.locator('main')
    await main.getByLabel('Voting code on the ballot paper', { exact: true }).fill(code)
    for (const p of projects) await tick(this.page, new RegExp(`^${p}:`))
    await this.button('Record this ballot')
    const summary = (await this.errorSummary.count()) ? this.errorSummary : this.notification
    return (await summary.innerText()).trim()
  }

  async publishResults(): Promise<void> {
    await this.button('Publish the results')
  }
}

/** A keyboard user: Tab, type and Enter, with a visible focus indicator at each stop. */
export class Keyboard {
  constructor(readonly page: Page) {}

  async tabTo(matches: (f: Awaited<ReturnType<typeof focused>>) => boolean, what: string, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      await this.page.keyboard.press('Tab')
      const now = await focused(this.page)
      assert.ok(now.tag === 'main' || now.focusStyle, `no visible focus indicator on <${now.tag}> "${now.text}"`)
      if (matches(now)) return
    }
    assert.fail(`pressed Tab ${max} times on ${this.page.url()} without reaching ${what}`)
  }

  async tabToId(id: string, max = 80): Promise<void> {
    await this.tabTo((f) => f.id === id, `#${id}`, max)
  }

  async tabToText(text: string | RegExp, max = 80): Promise<void> {
    await this.tabTo((f) => (typeof text === 'string' ? f.text === text : text.test(f.text)), String(text), max)
  }

  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text)
  }

  /** Enter on a link or button that loads a page. */
  async enter(): Promise<void> {
    await navigate(this.page, () => this.page.keyboard.press('Enter'))
  }

  async space(): Promise<void> {
    await this.page.keyboard.press('Space')
  }
}

export class BallotPage extends BasePage {
  async runningTotal(): Promise<string> {
    return (await this.page.locator('#running-total').innerText()).trim()
  }

  /** The id of the checkbox for a project, by its label ("Title: £cost"). */
  async checkboxId(title: string): Promise<string> {
    const id = await this.page
      .locator('main')
      .getByLabel(new RegExp(`^${title}:`))
      .getAttribute('id')
    assert.ok(id, `a checkbox for ${title}`)
    return id
  }

  async checked(): Promise<string[]> {
    const out: string[] = []
    for (const box of await this.page.locator('main input[name="project"]:checked').all()) {
      const id = await box.getAttribute('id')
      out.push((await this.page.locator(`label[for="${id}"]`).innerText()).split(':')[0]!.trim())
    }
    return out
  }
}

/** A pupil at a shared device: enters a code, votes, and hands over to the next. */
export class CodeVoter extends BasePage {
  async enterCode(processId: string, code: string): Promise<void> {
    await visit(this.page, `/budgeting/${processId}/vote/code`)
    await this.expect(`/budgeting/${processId}/vote/code`, 'Enter your voting code')
    await this.page.locator('main').getByLabel('Voting code', { exact: true }).fill(code)
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Continue' }).click())
  }

  async voteIn(area: string, projects: string[]): Promise<void> {
    await navigate(this.page, () =>
      this.page
        .locator('main')
        .getByRole('link', { name: `Vote in ${area}` })
        .click(),
    )
    await this.expect(/\/vote\/[0-9a-f-]{36}$/, `Your vote in ${area}`)
    for (const p of projects)
      await this.page
        .locator('main')
        .getByLabel(new RegExp(`^${p}:`))
        .check({ force: true })
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Cast your vote' }).click())
    await this.expect(/\/cast$/, 'Your vote has been cast')
  }

  async finish(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Finish and let the next person vote' }).click(),
    )
  }
}

export class ResultsPage extends BasePage {
  /** The rows of an area's results table: rank, project, cost, votes, funded by votes, by equal shares. */
  async rows(area: string): Promise<string[][]> {
    const section = this.page.locator('main section').filter({ has: this.page.locator('h2', { hasText: area }) })
    const out: string[][] = []
    for (const tr of await section.locator('tbody tr').all())
      out.push((await tr.locator('td, th').allInnerTexts()).map((c) => c.trim()))
    return out
  }

  async chartTitle(area: string): Promise<string> {
    const section = this.page.locator('main section').filter({ has: this.page.locator('h2', { hasText: area }) })
    return (await section.locator('svg[role="img"] title').textContent())?.trim() ?? ''
  }
}

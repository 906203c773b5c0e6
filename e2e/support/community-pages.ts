// Page objects for community councils, their meetings, representatives and surgeries: what a
// person sees and does, by visible labels. Every page load goes through navigate() or visit().
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import { navigate, visit } from './browser.js'
import { BasePage } from './pages.js'

const exact = (text: string) => new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`)

/** Picks a design-system radio by clicking its label, as a person does. */
export async function chooseRadio(page: Page, label: string): Promise<void> {
  const input = page.getByRole('radio', { name: label, exact: true })
  const id = await input.getAttribute('id')
  await page.locator(`label[for="${id}"]`).click()
  assert.ok(await input.isChecked(), `radio "${label}" is not selected`)
}

export type MeetingDetails = {
  title: string
  kind: 'In person' | 'Online' | 'Hybrid (in person and online)'
  date: string
  startTime: string
  endTime: string
  place: string
  joiningLink: string
  agenda: string
}

export class NewCommunityCouncilPage extends BasePage {
  static async open(page: Page): Promise<NewCommunityCouncilPage> {
    await visit(page, '/manage/community-councils/new')
    return new NewCommunityCouncilPage(page).expect('/manage/community-councils/new', 'Add a community council')
  }

  async add(details: { council: string; name: string; nameGd: string; adminEmail: string }): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('Council area', { exact: true }).selectOption({ label: details.council })
    await main.getByLabel('Name', { exact: true }).fill(details.name)
    await main.getByLabel('Name in Gaelic', { exact: true }).fill(details.nameGd)
    await main.getByLabel('Email address of its first administrator', { exact: true }).fill(details.adminEmail)
    await this.submit()
  }

  async submit(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Add community council' }).click(),
    )
  }
}

export class ManageCommunityCouncilPage extends BasePage {
  static async open(page: Page, slug: string, name: string): Promise<ManageCommunityCouncilPage> {
    await visit(page, `/manage/community-councils/${slug}`)
    return new ManageCommunityCouncilPage(page).expect(`/manage/community-councils/${slug}`, name)
  }

  async addMeeting(): Promise<MeetingFormPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'Add a meeting' }).click())
    return new MeetingFormPage(this.page)
  }
}

export class MeetingFormPage extends BasePage {
  async fill(m: Partial<MeetingDetails>): Promise<void> {
    const main = this.page.locator('main')
    if (m.title !== undefined) await main.getByLabel('Title', { exact: true }).fill(m.title)
    if (m.kind) await chooseRadio(this.page, m.kind)
    if (m.date !== undefined) await main.getByLabel('Date', { exact: true }).fill(m.date)
    if (m.startTime !== undefined) await main.getByLabel('Start time', { exact: true }).fill(m.startTime)
    if (m.endTime !== undefined) await main.getByLabel('End time', { exact: true }).fill(m.endTime)
    if (m.place !== undefined) await main.getByLabel('Place', { exact: true }).fill(m.place)
    if (m.joiningLink !== undefined)
      await main.getByLabel('Joining link for the online meeting', { exact: true }).fill(m.joiningLink)
    if (m.agenda !== undefined) await main.getByLabel('Agenda', { exact: true }).fill(m.agenda)
  }

  async save(): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Save' }).click())
  }
}

export class ManageMeetingPage extends BasePage {
  id(): string {
    const found = /meetings\/([0-9a-f-]{36})$/.exec(this.pathname())
    assert.ok(found, `not on a meeting's page: ${this.page.url()}`)
    return found[1]!
  }

  async publish(): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Publish meeting' }).click())
  }

  async addPaper(title: string, url: string): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('Title of the paper', { exact: true }).fill(title)
    await main.getByLabel('Web address of the paper', { exact: true }).fill(url)
    await navigate(this.page, () => main.getByRole('button', { name: 'Add paper' }).click())
  }

  async uploadPaper(title: string, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('Title of the paper', { exact: true }).fill(title)
    await main.getByLabel('Upload the paper', { exact: true }).setInputFiles(file)
    await navigate(this.page, () => main.getByRole('button', { name: 'Add paper' }).click())
  }

  async publishMinutes(minutes: string): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('Minutes', { exact: true }).fill(minutes)
    await navigate(this.page, () => main.getByRole('button', { name: 'Publish minutes' }).click())
  }

  async viewPublic(): Promise<MeetingPage> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: "See the meeting's public page" }).click(),
    )
    return new MeetingPage(this.page)
  }
}

export class MeetingPage extends BasePage {
  async section(heading: string): Promise<string> {
    return this.page.evaluate((heading) => {
      const h2 = [...document.querySelectorAll('main h2')].find((h) => h.textContent?.trim() === heading)
      if (!h2) return ''
      const parts: string[] = []
      for (let el = h2.nextElementSibling; el && el.tagName !== 'H2'; el = el.nextElementSibling)
        parts.push((el as HTMLElement).innerText)
      return parts.join('\n').trim()
    }, heading)
  }
}

export class RepresentativeFormPage extends BasePage {
  static async open(page: Page): Promise<RepresentativeFormPage> {
    await visit(page, '/manage/representatives/new')
    return new RepresentativeFormPage(page).expect('/manage/representatives/new', 'Add a representative')
  }

  async add(r: { body: string; name: string; party: string; areaCode: string; areaName: string; email: string }) {
    const main = this.page.locator('main')
    await main.getByLabel('Kept by', { exact: true }).selectOption({ label: r.body })
    await main.getByLabel('Name', { exact: true }).fill(r.name)
    await chooseRadio(this.page, 'Councillor')
    await main.getByLabel('Party', { exact: true }).fill(r.party)
    await chooseRadio(this.page, 'Ward')
    await main.getByLabel('Area code', { exact: true }).fill(r.areaCode)
    await main.getByLabel('Area name', { exact: true }).fill(r.areaName)
    await main.getByLabel('Email address', { exact: true }).fill(r.email)
    await navigate(this.page, () => main.getByRole('button', { name: 'Save' }).click())
  }

  async linkAccount(email: string): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('Email address of their Còmhla account', { exact: true }).fill(email)
    await navigate(this.page, () => main.getByRole('button', { name: 'Link account' }).click())
  }
}

export class ImportPage extends BasePage {
  static async openPostcodes(page: Page): Promise<ImportPage> {
    await visit(page, '/manage/representatives/postcodes')
    return new ImportPage(page).expect('/manage/representatives/postcodes', 'Import the postcode lookup from CSV')
  }

  async import(csv: string): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('CSV', { exact: true }).fill(csv)
    await navigate(this.page, () => main.getByRole('button', { name: 'Import' }).click())
  }
}

export class OfficePage extends BasePage {
  static async open(page: Page, name: string): Promise<OfficePage> {
    await visit(page, '/office')
    await new BasePage(page).expect('/office', "Your representative's office")
    await navigate(page, () =>
      page
        .locator('main')
        .getByRole('link', { name: `Office of ${name}` })
        .click(),
    )
    return new OfficePage(page).expect(/^\/office\/[0-9a-f-]{36}$/, `Office of ${name}`)
  }

  async addOnlineSlot(s: { date: string; startTime: string; endTime: string; joiningLink: string }): Promise<void> {
    const main = this.page.locator('main')
    await chooseRadio(this.page, 'Online')
    await main.getByLabel('Date', { exact: true }).fill(s.date)
    await main.getByLabel('Start time', { exact: true }).fill(s.startTime)
    await main.getByLabel('End time', { exact: true }).fill(s.endTime)
    await main.getByLabel('Joining link for the online meeting', { exact: true }).fill(s.joiningLink)
    await navigate(this.page, () => main.getByRole('button', { name: 'Add slot' }).click())
  }

  async slotRows(): Promise<string[]> {
    return (await this.page.locator('#surgeries ~ .comhla-table-wrap tbody tr').allInnerTexts()).map((r) =>
      r.replace(/\s+/g, ' ').trim(),
    )
  }
}

export { exact }

// Page objects for the consultations module: the staff pages (used with a mouse, by their visible
// labels) and the public pages (used with the keyboard alone, on a phone). Every action that loads
// a page goes through navigate() or visit(), so each page is checked (layout, axe, errors).
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import type { Locator, Page } from 'playwright-core'
import { navigate, visit } from './browser.js'
import { BasePage, type FieldError } from './pages.js'

// --- shared ---

/** Ticks a design-system checkbox or radio by clicking its label, as a person does (the label covers the input). */
async function choose(scope: Page | Locator, role: 'checkbox' | 'radio', name: string): Promise<void> {
  const input = scope.getByRole(role, { name, exact: true })
  const id = await input.getAttribute('id')
  assert.ok(id, `${role} "${name}" has an id`)
  await scope.locator(`label[for="${id}"]`).click()
  assert.ok(await input.isChecked(), `${role} "${name}" is not selected after clicking its label`)
}

/** Text of the field's message, and that the field (or the group it is in) points to it for assistive technology. */
async function errorBeside(page: Page, name: string): Promise<string | null> {
  const message = page.locator(`#${name}-error`)
  if ((await message.count()) === 0) return null
  const described = await page.evaluate(
    ({ name }) => {
      const field = document.getElementById(name)
      if (!field) return { found: false, describedBy: [] as string[] }
      const ids = new Set<string>()
      for (const el of [field, field.closest('fieldset')])
        for (const id of (el?.getAttribute('aria-describedby') ?? '').split(/\s+/)) if (id) ids.add(id)
      return { found: true, describedBy: [...ids] }
    },
    { name },
  )
  assert.ok(described.found, `the error summary links to #${name}, which is not on the page`)
  assert.ok(
    described.describedBy.includes(`${name}-error`),
    `#${name} (nor its fieldset) is not described by its error message #${name}-error: aria-describedby ${JSON.stringify(described.describedBy)}`,
  )
  return (await message.innerText()).trim()
}

/** An error summary at the top linking to each field, "Error: " before the page title, each message beside its field. */
/**
 * The error summary lists exactly these, each linking to its field, with its message beside the
 * field (`beside` where the summary says more, as when it names the question).
 */
export async function expectFieldErrors(
  page: BasePage,
  expected: Array<FieldError & { beside?: string }>,
): Promise<void> {
  assert.ok(await page.errorSummary.isVisible(), `no error summary on ${page.page.url()}`)
  assert.equal((await page.errorSummary.locator('h2').innerText()).trim(), 'There is a problem')
  assert.deepEqual(
    await page.errorSummaryItems(),
    expected.map(({ text, href }) => ({ text, href })),
    `error summary on ${page.page.url()}`,
  )
  assert.match(await page.page.title(), /^Error: /)
  for (const item of expected) {
    const name = item.href.slice(1)
    assert.equal(await errorBeside(page.page, name), item.beside ?? item.text, `message beside #${name}`)
  }
}

/** London wall-clock date and time of an instant, as a staff member types them ("2026-03-29", "09:30"). */
export function londonDateTime(instant: Date): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant)
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` }
}

/** A small RFC 4180 reader: rows of fields, quoted fields may hold commas, quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let value = ''
  let quoted = false
  const body = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        value += '"'
        i++
      } else if (c === '"') quoted = false
      else value += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(value)
      value = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++
      row.push(value)
      rows.push(row)
      row = []
      value = ''
    } else value += c
  }
  if (value !== '' || row.length) {
    row.push(value)
    rows.push(row)
  }
  return rows
}

// --- staff pages ---

export type ConsultationDetails = {
  organisation: string
  title: string
  summary: string
  body: string
  opens: { date: string; time: string }
  closes: { date: string; time: string }
}

export type QuestionDetails = {
  type:
    | 'Short text'
    | 'Long text'
    | 'Single choice'
    | 'Multiple choice'
    | 'Email address'
    | 'Postcode'
    | 'Number'
    | 'Choice grid'
    | 'Date'
  title: string
  hint?: string
  required?: boolean
  maxLength?: number
  options?: string[]
  /** a choice grid's rows */
  rows?: string[]
  /** multiple choice: offers "Other, please specify" */
  allowOther?: boolean
  /** the section's title */
  section?: string
  /** shown only when this earlier question is answered with this value */
  shownIf?: { question: string; value: string }
}

export type SectionDetails = { title: string; intro?: string }

export class ManageConsultationsPage extends BasePage {
  static async open(page: Page): Promise<ManageConsultationsPage> {
    await visit(page, '/manage/consultations')
    return new ManageConsultationsPage(page).expect('/manage/consultations', 'Your consultations')
  }

  async rows(): Promise<{ title: string; organisation: string; status: string }[]> {
    const rows = this.page.getByRole('table', { name: 'Your consultations' }).locator('tbody tr')
    const out = []
    for (const row of await rows.all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim())
      out.push({ title: cells[0] ?? '', organisation: cells[1] ?? '', status: cells[2] ?? '' })
    }
    return out
  }

  async startNew(): Promise<ConsultationFormPage> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Create a consultation' }).click(),
    )
    return new ConsultationFormPage(this.page).expect('/manage/consultations/new', 'Create a consultation')
  }

  async open(title: string): Promise<ManageConsultationPage> {
    await navigate(this.page, () =>
      this.page.locator('main table').getByRole('link', { name: title, exact: true }).click(),
    )
    return new ManageConsultationPage(this.page).expect(/^\/manage\/consultations\/[0-9a-f-]{36}$/, title)
  }
}

export class ConsultationFormPage extends BasePage {
  private dateTime(legend: 'Opens' | 'Closes'): Locator {
    return this.page.locator('main').getByRole('group', { name: legend, exact: true })
  }

  async save(): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Save changes' }).click())
  }

  async fill(details: ConsultationDetails): Promise<void> {
    const main = this.page.locator('main')
    await main.getByLabel('Organisation', { exact: true }).selectOption({ label: details.organisation })
    await main.getByLabel('Title', { exact: true }).fill(details.title)
    await main.getByLabel('Summary', { exact: true }).fill(details.summary)
    await main.getByLabel('About the consultation', { exact: true }).fill(details.body)
    for (const [legend, when] of [
      ['Opens', details.opens],
      ['Closes', details.closes],
    ] as const) {
      await this.dateTime(legend).getByLabel('Date', { exact: true }).fill(when.date)
      await this.dateTime(legend).getByLabel('Time', { exact: true }).fill(when.time)
    }
  }

  async create(details: ConsultationDetails): Promise<ManageConsultationPage> {
    await this.fill(details)
    await this.save()
    return new ManageConsultationPage(this.page).expect(/^\/manage\/consultations\/[0-9a-f-]{36}$/, details.title)
  }
}

export class ManageConsultationPage extends BasePage {
  get id(): string {
    const id = /^\/manage\/consultations\/([0-9a-f-]{36})/.exec(this.pathname())?.[1]
    assert.ok(id, `no consultation id in ${this.page.url()}`)
    return id
  }

  async status(): Promise<string | null> {
    return this.summaryValue('Status')
  }

  async questions(): Promise<{ title: string; type: string; required: string }[]> {
    const table = this.page.getByRole('region', { name: 'Questionnaire' }).locator('table tbody tr')
    const out = []
    for (const row of await table.all()) {
      const title = await row
        .locator('td')
        .nth(1)
        .evaluate((td) => (td.firstChild?.textContent ?? '').trim())
      const cells = (await row.locator('td').allInnerTexts()).map((s) => s.trim())
      out.push({ title, type: cells[2] ?? '', required: cells[3] ?? '' })
    }
    return out
  }

  async addQuestion(question: QuestionDetails): Promise<ManageConsultationPage> {
    const [id, title] = [this.id, await this.headingText()]
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Add a question', exact: true }).click(),
    )
    const form = await new QuestionFormPage(this.page).expect(
      `/manage/consultations/${id}/questions/new`,
      'Add a question',
    )
    await form.fill(question)
    await form.save()
    return new ManageConsultationPage(this.page).expect(`/manage/consultations/${id}`, title)
  }

  async addSection(section: SectionDetails): Promise<ManageConsultationPage> {
    const [id, title] = [this.id, await this.headingText()]
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Add a section', exact: true }).click(),
    )
    await new BasePage(this.page).expect(`/manage/consultations/${id}/sections/new`, 'Add a section')
    const main = this.page.locator('main')
    await main.getByLabel('Section title', { exact: true }).fill(section.title)
    if (section.intro) await main.getByLabel('Introduction', { exact: true }).fill(section.intro)
    await navigate(this.page, () => main.getByRole('button', { name: 'Save changes' }).click())
    return new ManageConsultationPage(this.page).expect(`/manage/consultations/${id}`, title)
  }

  async sections(): Promise<{ title: string; questions: string }[]> {
    const rows = this.page.getByRole('region', { name: 'Sections' }).locator('table tbody tr')
    const out = []
    for (const row of await rows.all()) {
      const cells = (await row.locator('td').allInnerTexts()).map((x) => x.trim())
      out.push({ title: cells[1] ?? '', questions: cells[2] ?? '' })
    }
    return out
  }

  /** Each question's section and the condition it is shown under, as the questionnaire table says. */
  async questionDetails(): Promise<{ title: string; section: string; note: string }[]> {
    const rows = this.page.getByRole('region', { name: 'Questionnaire' }).locator('table tbody tr')
    const out = []
    for (const row of await rows.all()) {
      const cell = row.locator('td').nth(1)
      const title = await cell.evaluate((td) => (td.firstChild?.textContent ?? '').trim())
      const notes = (await cell.locator('.ds_hint-text').allInnerTexts()).map((x) => x.trim())
      out.push({
        title,
        section: (await row.locator('td').nth(4).innerText()).trim(),
        note: notes.find((n) => n.startsWith('Shown only if')) ?? '',
      })
    }
    return out
  }

  async setPaging(
    label: 'All the questions on one page' | 'One section a page' | 'One question a page',
  ): Promise<void> {
    const main = this.page.locator('main')
    await choose(main.getByRole('group', { name: 'Show respondents' }), 'radio', label)
    await navigate(this.page, () => main.getByRole('button', { name: 'Save how questions are shown' }).click())
  }

  async preview(): Promise<PreviewPage> {
    const id = this.id
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('link', { name: 'Preview as a respondent sees it' }).click(),
    )
    return new PreviewPage(this.page).expect(`/manage/consultations/${id}/preview`, 'Preview of the questionnaire')
  }

  async move(questionTitle: string, direction: 'up' | 'down'): Promise<void> {
    const button = this.page
      .locator('main')
      .getByRole('button', { name: `Move ${direction} ${questionTitle}`, exact: true })
    assert.equal(await button.count(), 1, `one "Move ${direction} ${questionTitle}" button`)
    await navigate(this.page, () => button.click())
  }

  async publish(): Promise<void> {
    await navigate(this.page, () =>
      this.page.locator('main').getByRole('button', { name: 'Publish the consultation' }).click(),
    )
  }

  async viewResponses(): Promise<ResponsesPage> {
    await navigate(this.page, () => this.page.locator('main').getByRole('link', { name: 'View responses' }).click())
    return new ResponsesPage(this.page).expect(/\/responses$/, 'Responses')
  }
}

export class QuestionFormPage extends BasePage {
  async fill(q: QuestionDetails): Promise<void> {
    const main = this.page.locator('main')
    await choose(main.getByRole('group', { name: 'Type of answer' }), 'radio', q.type)
    await main.getByLabel('Question', { exact: true }).fill(q.title)
    if (q.hint) await main.getByLabel('Hint text', { exact: true }).fill(q.hint)
    if (q.required) await choose(main, 'checkbox', 'Yes, an answer is required')
    if (q.maxLength !== undefined)
      await main.getByLabel('Character limit (long text only)', { exact: true }).fill(String(q.maxLength))
    if (q.options)
      await main
        .getByLabel('Answers to choose from (choice questions only)', { exact: true })
        .fill(q.options.join('\n'))
    if (q.rows) await main.getByLabel('Rows (choice grid only)', { exact: true }).fill(q.rows.join('\n'))
    if (q.allowOther) await choose(main, 'checkbox', 'Add ‘Other’, with a box to say what')
    if (q.section) await main.getByLabel('Section', { exact: true }).selectOption({ label: q.section })
    if (q.shownIf) {
      const select = main.getByLabel('When to show this question', { exact: true })
      const shownIf = q.shownIf
      const label = (await select.locator('option').allInnerTexts()).find(
        (o) => o.includes(`(‘${shownIf.question}’)`) && o.endsWith(`answered ‘${shownIf.value}’`),
      )
      assert.ok(label, `no condition "${shownIf.question}" is "${shownIf.value}" to choose`)
      await select.selectOption({ label })
    }
  }

  async save(): Promise<void> {
    await navigate(this.page, () => this.page.locator('main').getByRole('button', { name: 'Save changes' }).click())
  }
}

export class PreviewPage extends BasePage {
  /** Each page's heading, and the questions on it (their legends or labels). */
  async pages(): Promise<{ heading: string; questions: string[] }[]> {
    const out = []
    for (const section of await this.page.locator('main section.comhla-preview-page').all()) {
      const heading = (await section.locator('h2').innerText()).trim()
      const questions = (
        await section.locator('.ds_question > fieldset > legend, .ds_question > label.ds_label').allInnerTexts()
      ).map((x) => x.trim())
      out.push({ heading, questions })
    }
    return out
  }
}

export class ResponsesPage extends BasePage {
  async total(): Promise<string> {
    return (await this.page.locator('main p[role="status"]').innerText()).trim()
  }

  async references(): Promise<string[]> {
    return (await this.page.locator('main section.comhla-response h2').allInnerTexts()).map((s) => s.trim())
  }

  /** Every key and value shown for one response (its "about you" rows and its answers). */
  async response(reference: string): Promise<Record<string, string>> {
    const section = this.page.locator('main section.comhla-response').filter({
      has: this.page.getByRole('heading', { name: reference, exact: true }),
    })
    assert.equal(await section.count(), 1, `one response ${reference}`)
    const out: Record<string, string> = {}
    for (const item of await section.locator('.ds_summary-list__item').all()) {
      const key = (await item.locator('dt').innerText()).trim()
      out[key] = (await item.locator('dd.ds_summary-list__value').innerText()).trim()
    }
    return out
  }

  /** Clicks "Download as CSV" and reads the file the browser saved. */
  async downloadCsv(): Promise<{ filename: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.locator('main').getByRole('link', { name: 'Download as CSV' }).click(),
    ])
    const file = await download.path()
    return { filename: download.suggestedFilename(), text: await readFile(file, 'utf8') }
  }
}

// --- the keyboard ---

export type Stop = {
  tag: string
  id: string
  name: string
  type: string | null
  text: string
  href: string | null
  checked: boolean
  inMain: boolean
  /** whether the element (or, for a design-system radio or checkbox, its label's drawn box) looks different when focused */
  focusStyle: boolean
}

/**
 * The focused element and whether it shows that it has focus (WCAG 2.4.7). The design system hides
 * a radio's or checkbox's input under its label and draws the focus on the label's ::before box, so
 * that box is compared too.
 */
export async function focusedStop(page: Page): Promise<Stop> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body)
      return {
        tag: 'body',
        id: '',
        name: '',
        type: null,
        text: '',
        href: null,
        checked: false,
        inMain: false,
        focusStyle: false,
      }
    // No named functions in here: tsx would wrap them in a helper the page does not have.
    const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null
    const drawnOnLabel =
      el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') && label !== null
    const looks: string[] = []
    for (const focusedNow of [true, false]) {
      if (!focusedNow) el.blur()
      for (const animation of el.getAnimations()) animation.finish()
      const targets: [Element, string | undefined][] = drawnOnLabel
        ? [
            [el, undefined],
            [label, '::before'],
            [label, undefined],
          ]
        : [[el, undefined]]
      const parts: string[] = []
      for (const [target, pseudo] of targets) {
        const s = getComputedStyle(target, pseudo)
        const outline =
          s.outlineStyle !== 'none' &&
          parseFloat(s.outlineWidth) > 0 &&
          !/rgba\(\d+, \d+, \d+, 0\)|transparent/.test(s.outlineColor)
        parts.push(
          [
            outline ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'no outline',
            s.boxShadow,
            s.backgroundColor,
            s.filter,
            s.color,
            s.textDecorationLine,
            s.borderColor,
            s.borderWidth,
          ].join(' | '),
        )
      }
      looks.push(parts.join(' || '))
    }
    el.focus({ preventScroll: true })
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      name: el.getAttribute('name') ?? '',
      type: el.getAttribute('type'),
      text: (el.innerText || label?.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' '),
      href: el.getAttribute('href'),
      checked: el instanceof HTMLInputElement ? el.checked : false,
      inMain: el.closest('main') !== null,
      focusStyle: looks[0] !== looks[1],
    }
  })
}

const describe = (s: Stop) => `<${s.tag}${s.id ? `#${s.id}` : ''}> "${s.text || s.href || ''}"`

/** A person using the keyboard alone: Tab, Shift+Tab, Space, arrow keys, typing and Enter. */
export class KeyboardUser {
  constructor(readonly page: Page) {}

  private async step(key: 'Tab' | 'Shift+Tab'): Promise<Stop> {
    await this.page.keyboard.press(key)
    const now = await focusedStop(this.page)
    assert.ok(
      now.tag === 'main' || now.focusStyle,
      `no visible focus indicator on ${describe(now)} (${this.page.url()})`,
    )
    return now
  }

  async tab(): Promise<Stop> {
    return this.step('Tab')
  }

  async shiftTab(): Promise<Stop> {
    return this.step('Shift+Tab')
  }

  private async until(
    key: 'Tab' | 'Shift+Tab',
    matches: (s: Stop) => boolean,
    what: string,
    max: number,
  ): Promise<Stop[]> {
    const stops: Stop[] = []
    for (let i = 0; i < max; i++) {
      const now = await this.step(key)
      stops.push(now)
      if (matches(now)) return stops
    }
    assert.fail(
      `pressed ${key} ${max} times on ${this.page.url()} without reaching ${what}; focus went to: ${stops.map(describe).join(', ')}`,
    )
  }

  /** Presses Tab until the focused element matches. */
  async tabTo(matches: (s: Stop) => boolean, what: string, max = 60): Promise<Stop[]> {
    return this.until('Tab', matches, what, max)
  }

  /** Presses Shift+Tab until the focused element matches. */
  async shiftTabTo(matches: (s: Stop) => boolean, what: string, max = 60): Promise<Stop[]> {
    return this.until('Shift+Tab', matches, what, max)
  }

  /** Tab, expecting focus on the element with this id next (the logical order of a form). */
  async tabExpecting(id: string, what: string): Promise<Stop> {
    const now = await this.tab()
    assert.equal(now.id, id, `Tab should move to ${what} (#${id}) but went to ${describe(now)} on ${this.page.url()}`)
    return now
  }

  async shiftTabExpecting(id: string, what: string): Promise<Stop> {
    const now = await this.shiftTab()
    assert.equal(
      now.id,
      id,
      `Shift+Tab should move to ${what} (#${id}) but went to ${describe(now)} on ${this.page.url()}`,
    )
    return now
  }

  async type(text: string): Promise<void> {
    await this.page.keyboard.type(text)
  }

  async press(key: 'Space' | 'ArrowDown' | 'ArrowUp' | 'ArrowLeft' | 'ArrowRight' | 'Enter'): Promise<Stop> {
    await this.page.keyboard.press(key === 'Space' ? ' ' : key)
    return focusedStop(this.page)
  }

  /** Enter on the focused link or button (or in a form's field), which loads a page; the page is checked. */
  async enterAndLoad(): Promise<void> {
    await navigate(this.page, () => this.page.keyboard.press('Enter'))
  }

  async focused(): Promise<Stop> {
    return focusedStop(this.page)
  }
}

/** Counts trusted pointer, mouse and touch presses in every document of the context, to prove a journey used the keyboard alone. */
export const POINTER_COUNTER = `for (const type of ['pointerdown', 'mousedown', 'touchstart']) addEventListener(type, (event) => { if (event.isTrusted) sessionStorage.setItem('comhla-e2e-pointer', String(Number(sessionStorage.getItem('comhla-e2e-pointer') || 0) + 1)) }, true)`

export async function pointerPresses(page: Page): Promise<number> {
  return page.evaluate(() => Number(sessionStorage.getItem('comhla-e2e-pointer') ?? 0))
}

// --- the phone's width ---

export type Overflow = {
  url: string
  scrollWidth: number
  innerWidth: number
  clientWidth: number
  viewportWidth: number
  culprits: string[]
}

/**
 * Whether the page is wider than the phone's screen: document.documentElement.scrollWidth > innerWidth.
 * A mobile browser widens its layout (and innerWidth with it) to fit content that is too wide, so
 * the page is also measured against the screen's width in CSS pixels (the viewport the context was
 * given, and the root element's clientWidth). When it is too wide, the outermost elements that
 * reach past the screen's right edge are named.
 */
export async function horizontalOverflow(page: Page): Promise<Overflow | null> {
  const viewportWidth = page.viewportSize()?.width ?? Number.POSITIVE_INFINITY
  const found = await page.evaluate((viewportWidth) => {
    const root = document.documentElement
    const width = Math.min(window.innerWidth, root.clientWidth, viewportWidth)
    const culprits: string[] = []
    if (root.scrollWidth > width || window.innerWidth > width) {
      for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect()
        if (box.width === 0 || box.right <= width + 0.5) continue
        // Only the outermost of a nest of overflowing elements, and not what a scrolling box contains.
        let parent = el.parentElement
        let inside = false
        while (parent && parent !== document.body) {
          const style = getComputedStyle(parent)
          if (parent.getBoundingClientRect().right > width + 0.5 || /auto|scroll|hidden/.test(style.overflowX)) {
            inside = true
            break
          }
          parent = parent.parentElement
        }
        if (inside) continue
        const html = el.outerHTML.replace(/\s+/g, ' ')
        culprits.push(
          `${html.length > 240 ? `${html.slice(0, 240)}…` : html} (right edge at ${Math.round(box.right)}px, width ${Math.round(box.width)}px)`,
        )
        if (culprits.length >= 5) break
      }
    }
    return {
      scrollWidth: root.scrollWidth,
      innerWidth: window.innerWidth,
      clientWidth: root.clientWidth,
      width,
      culprits,
    }
  }, viewportWidth)
  if (found.scrollWidth <= found.width && found.innerWidth <= found.width) return null
  return {
    url: page.url(),
    scrollWidth: found.scrollWidth,
    innerWidth: found.innerWidth,
    clientWidth: found.clientWidth,
    viewportWidth,
    culprits: found.culprits,
  }
}

export function formatOverflow(o: Overflow): string {
  return `${o.url}: scrollWidth ${o.scrollWidth}px, innerWidth ${o.innerWidth}px, clientWidth ${o.clientWidth}px on a ${o.viewportWidth}px screen\n    ${o.culprits.join('\n    ') || '(no single element found)'}`
}

// --- public pages (the keyboard journey) ---

export class PublicConsultationsPage extends BasePage {
  static async open(page: Page): Promise<PublicConsultationsPage> {
    await visit(page, '/consultations')
    return new PublicConsultationsPage(page).expect('/consultations', 'Consultations')
  }

  async resultTitles(): Promise<string[]> {
    return (await this.page.locator('main .ds_search-result__title').allInnerTexts()).map((s) => s.trim())
  }

  async count(): Promise<string> {
    return (await this.page.locator('main p[role="status"]').innerText()).trim()
  }
}

/** The questionnaire's fields by question title: the control's name (q-<id>) and the ids Tab should stop at. */
export type QuestionField = { name: string; kind: 'text' | 'textarea' | 'radio' | 'checkbox'; ids: string[] }

export class QuestionnairePage extends BasePage {
  async fields(): Promise<Record<string, QuestionField>> {
    return this.page.evaluate(() => {
      const out: Record<string, { name: string; kind: 'text' | 'textarea' | 'radio' | 'checkbox'; ids: string[] }> = {}
      const form = document.querySelector('main form')
      if (!form) return out
      for (const q of form.querySelectorAll('.ds_question')) {
        const legend = q.querySelector('legend')
        const label = q.querySelector('label.ds_label')
        const heading = (legend ?? label)?.textContent?.trim().replace(/\s+/g, ' ') ?? ''
        const title = heading.replace(/^Question \d+: /, '').replace(/ \(optional\)$/, '')
        const controls = [...q.querySelectorAll('input, textarea')] as (HTMLInputElement | HTMLTextAreaElement)[]
        const first = controls[0]
        if (!first) continue
        const kind =
          first instanceof HTMLTextAreaElement
            ? 'textarea'
            : first.type === 'radio'
              ? 'radio'
              : first.type === 'checkbox'
                ? 'checkbox'
                : 'text'
        out[title] = { name: first.name, kind, ids: controls.map((c) => c.id) }
      }
      return out
    })
  }

  async value(name: string): Promise<string> {
    return this.page.locator(`main [name="${name}"]`).first().inputValue()
  }

  async checkedValues(name: string): Promise<string[]> {
    return this.page
      .locator(`main input[name="${name}"]`)
      .evaluateAll((inputs) => (inputs as HTMLInputElement[]).filter((i) => i.checked).map((i) => i.value))
  }
}

export class CheckAnswersPage extends BasePage {
  /** The summary list under a heading ("Your answers", "About you"). */
  async rows(heading: string): Promise<Record<string, string>> {
    return this.page.evaluate((heading) => {
      const out: Record<string, string> = {}
      const h2 = [...document.querySelectorAll('main h2')].find((h) => h.textContent?.trim() === heading)
      const list = h2?.nextElementSibling
      if (!list?.matches('.ds_summary-list')) return out
      for (const item of list.querySelectorAll('.ds_summary-list__item')) {
        const key = item.querySelector('.ds_summary-list__key')?.textContent?.trim() ?? ''
        out[key] = item.querySelector<HTMLElement>('.ds_summary-list__value')?.innerText.trim() ?? ''
      }
      return out
    }, heading)
  }

  async changeLinks(): Promise<string[]> {
    return this.page
      .locator('main .ds_summary-list__actions a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''))
  }
}

export class ConfirmationPage extends BasePage {
  async reference(): Promise<string> {
    return (await this.page.locator('main .comhla-reference').innerText()).trim()
  }
}

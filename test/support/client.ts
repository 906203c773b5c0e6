// A small browser stand-in for route tests: keeps cookies, reads CSRF tokens from forms,
// and parses pages so tests can assert on what a person would see.
import * as cheerio from 'cheerio'
import type { App } from '../../src/app.js'

export type Page = {
  status: number
  headers: Record<string, string | string[] | number | undefined>
  body: string
  $: cheerio.CheerioAPI
  location: string | undefined
}

export class TestClient {
  private cookies = new Map<string, string>()
  constructor(private readonly app: App) {}

  private cookieHeader(): string {
    return [...this.cookies.entries()].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private keepCookies(setCookie: string | string[] | undefined): void {
    for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attrs] = c.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      const expired =
        attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a)) || attrs.some((a) => /max-age=0/i.test(a.trim()))
      if (expired || value === '') this.cookies.delete(name!.trim())
      else this.cookies.set(name!.trim(), value)
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)
  }

  async request(
    method: string,
    url: string,
    options: { form?: Record<string, string | string[]>; json?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) }
    if (this.cookies.size) headers.cookie = this.cookieHeader()
    let payload: string | undefined
    if (options.form) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(options.form))
        for (const one of Array.isArray(v) ? v : [v]) params.append(k, one)
      payload = params.toString()
      headers['content-type'] = 'application/x-www-form-urlencoded'
    } else if (options.json !== undefined) {
      payload = JSON.stringify(options.json)
      headers['content-type'] = 'application/json'
    }
    const res = await this.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload !== undefined ? { payload } : {}),
    })
    this.keepCookies(res.headers['set-cookie'])
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      $: cheerio.load(res.body),
      location: res.headers.location,
    }
  }

  get(url: string): Promise<Page> {
    return this.request('GET', url)
  }

  /** Opens the page, fills its form (with the page's CSRF token) and submits it, as a browser would. */
  async submit(
    pageUrl: string,
    fields: Record<string, string | string[]>,
    options: { formSelector?: string } = {},
  ): Promise<Page> {
    const page = await this.get(pageUrl)
    if (page.status !== 200) throw new Error(`GET ${pageUrl} answered ${page.status}`)
    const form = page.$(options.formSelector ?? 'main form[method="post"]').first()
    if (form.length === 0) throw new Error(`No form on ${pageUrl}`)
    const action = form.attr('action') ?? pageUrl
    const csrf = form.find('input[name="_csrf"]').attr('value') ?? ''
    const hidden: Record<string, string> = {}
    form.find('input[type="hidden"]').each((_, el) => {
      const name = page.$(el).attr('name')
      if (name) hidden[name] = page.$(el).attr('value') ?? ''
    })
    return this.request('POST', action, { form: { ...hidden, _csrf: csrf, ...fields } })
  }

  /** Follows a redirect response to its page. */
  async follow(page: Page): Promise<Page> {
    if (!page.location) throw new Error(`Expected a redirect, got ${page.status}`)
    return this.get(page.location)
  }
}

export function text($: cheerio.CheerioAPI, selector: string): string {
  return $(selector).text().replace(/\s+/g, ' ').trim()
}

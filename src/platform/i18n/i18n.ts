// Interface text from message catalogues (src/web/locales). Gaelic strings not yet checked
// by a fluent speaker are listed under "awaitingReview" in gd.json, and shown all the same.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const locales = ['en', 'gd'] as const
export type Locale = (typeof locales)[number]

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'gd'
}

export type Catalogue = { messages: Record<string, string>; awaitingReview: string[] }

const localesDir = fileURLToPath(new URL('../../web/locales/', import.meta.url))

export function loadCatalogue(locale: Locale): Catalogue {
  const raw = JSON.parse(readFileSync(`${localesDir}${locale}.json`, 'utf8')) as Partial<Catalogue>
  return { messages: raw.messages ?? {}, awaitingReview: raw.awaitingReview ?? [] }
}

export type Translate = (key: string, params?: Record<string, unknown>) => string

export class I18n {
  private readonly catalogues: Record<Locale, Catalogue>

  constructor() {
    this.catalogues = { en: loadCatalogue('en'), gd: loadCatalogue('gd') }
  }

  has(locale: Locale, key: string): boolean {
    return key in this.catalogues[locale].messages
  }

  translator(locale: Locale): Translate {
    const primary = this.catalogues[locale].messages
    const fallback = this.catalogues.en.messages
    return (key, params) => {
      const template = primary[key] ?? fallback[key] ?? key
      if (!params) return template
      return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
        params[name] === undefined || params[name] === null ? whole : `${params[name] as string | number | boolean}`,
      )
    }
  }
}

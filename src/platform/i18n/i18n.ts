// Interface text from message catalogues: the kernel's in src/web/locales, and each module's own in
// src/modules/<name>/locales, merged (a module's keys start with its name). A module may split its
// catalogue into parts: locales/en.json plus locales/<part>.en.json, each with a Gaelic twin. Gaelic strings not yet
// checked by a fluent speaker are listed under "awaitingReview", and shown all the same.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const locales = ['en', 'gd'] as const
export type Locale = (typeof locales)[number]

export function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'gd'
}

export type Catalogue = { messages: Record<string, string>; awaitingReview: string[] }

const localesDir = fileURLToPath(new URL('../../web/locales/', import.meta.url))
const modulesDir = fileURLToPath(new URL('../../modules/', import.meta.url))

/** Every catalogue file for a language: the kernel's first, then each module's parts. */
export function catalogueFiles(locale: Locale): string[] {
  const files = [path.join(localesDir, `${locale}.json`)]
  if (existsSync(modulesDir)) {
    for (const name of readdirSync(modulesDir).sort()) {
      const dir = path.join(modulesDir, name, 'locales')
      if (!existsSync(dir)) continue
      const parts = readdirSync(dir)
        .filter((file) => file === `${locale}.json` || file.endsWith(`.${locale}.json`))
        .sort()
      files.push(...parts.map((file) => path.join(dir, file)))
    }
  }
  return files
}

export function loadCatalogue(locale: Locale): Catalogue {
  const catalogue: Catalogue = { messages: {}, awaitingReview: [] }
  for (const file of catalogueFiles(locale)) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Catalogue>
    Object.assign(catalogue.messages, raw.messages ?? {})
    catalogue.awaitingReview.push(...(raw.awaitingReview ?? []))
  }
  return catalogue
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
      // A message may have a singular form, "<key>.one", used when the count is 1.
      const one = params?.count === 1 || params?.count === '1' ? `${key}.one` : null
      const chosen = one && (one in primary || one in fallback) ? one : key
      const template = primary[chosen] ?? fallback[chosen] ?? key
      if (!params) return template
      return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
        params[name] === undefined || params[name] === null ? whole : `${params[name] as string | number | boolean}`,
      )
    }
  }
}

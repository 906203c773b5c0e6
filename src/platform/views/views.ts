// The Nunjucks environment: templates from src/web, autoescaped, with the project's filters.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type nunjucks from 'nunjucks'
import { formatDate, formatDateTime } from '../../shared/dates.js'

const modulesDir = fileURLToPath(new URL('../../modules/', import.meta.url))

/** The kernel's templates, the macro library, and each module's own web/views folder. */
export const templateDirs = [
  fileURLToPath(new URL('../../web/views/', import.meta.url)),
  fileURLToPath(new URL('../../web/', import.meta.url)),
  ...(existsSync(modulesDir)
    ? readdirSync(modulesDir)
        .sort()
        .map((name) => path.join(modulesDir, name, 'web', 'views'))
        .filter((dir) => existsSync(dir))
    : []),
]

export function configureNunjucks(env: nunjucks.Environment): void {
  env.addFilter('dateTime', (value: Date | string | null | undefined, locale?: string) => formatDateTime(value, locale))
  env.addFilter('date', (value: Date | string | null | undefined, locale?: string) => formatDate(value, locale))
  env.addFilter('isoDateTime', (value: Date | string | null | undefined) =>
    value ? new Date(value).toISOString() : '',
  )
  env.addFilter('json', (value: unknown) => JSON.stringify(value, null, 2))
  // An audit entry's details as readable "key value" pairs, objects shown as compact JSON.
  env.addFilter('detailList', (details: Record<string, unknown> | null | undefined) =>
    Object.entries(details ?? {}).map(([key, value]) => ({
      key,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
  )
  env.addFilter('number', (value: number) => new Intl.NumberFormat('en-GB').format(value))
  // The design-system macros are evaluated once and shared, rather than imported by every render.
  // getExported is part of Nunjucks' template API but missing from its type definitions.
  const macros = env.getTemplate('macros/ds.njk') as nunjucks.Template & {
    getExported: (cb: (error: Error | null, exported: unknown) => void) => void
  }
  macros.getExported((error, exported) => {
    if (error) throw error
    env.addGlobal('ds', exported)
  })
}

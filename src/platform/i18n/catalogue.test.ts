// The message catalogues: every English string has a Gaelic one, placeholders agree, Gaelic not yet
// checked by a fluent speaker is listed as awaiting review, and every key the pages use exists.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { catalogueFiles, loadCatalogue } from './i18n.js'

const en = loadCatalogue('en')
const gd = loadCatalogue('gd')
const srcDir = fileURLToPath(new URL('../../', import.meta.url))

function files(dir: string, ext: string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? files(full, ext) : ext.some((e) => name.endsWith(e)) ? [full] : []
  })
}

const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',')

describe('message catalogues', () => {
  it('has a Gaelic string for every English one', () => {
    const missing = Object.keys(en.messages).filter((k) => !(k in gd.messages))
    assert.deepEqual(missing, [])
  })

  it('keeps the same placeholders in both languages', () => {
    const wrong = Object.keys(en.messages).filter(
      (k) => k in gd.messages && placeholders(en.messages[k]!) !== placeholders(gd.messages[k]!),
    )
    assert.deepEqual(wrong, [])
  })

  it('lists only real keys as awaiting review, and does not leave English in disguise', () => {
    assert.deepEqual(
      gd.awaitingReview.filter((k) => !(k in gd.messages)),
      [],
    )
    const technical = new Set(['nav.api', 'home.label'])
    // names of formats and protocols are the same in every language
    const universal = /^(API|CSV|JSON|JSON-LD|XLSX|Parquet|Atom|RSS|SQL|DCAT|Turtle|iCalendar|ICS|PDF|URL)$/
    const same = Object.keys(en.messages).filter(
      (k) => en.messages[k] === gd.messages[k] && !technical.has(k) && !universal.test(en.messages[k]!),
    )
    assert.deepEqual(same, [])
  })

  it('gives every module catalogue a Gaelic twin', () => {
    const en = catalogueFiles('en').map((f) => f.replace(/en\.json$/, ''))
    const gd = catalogueFiles('gd').map((f) => f.replace(/gd\.json$/, ''))
    assert.deepEqual(en, gd)
  })

  it('offers the switch to the other language in that language', () => {
    assert.equal(en.messages['layout.switchLanguage'], 'Gàidhlig')
    assert.equal(gd.messages['layout.switchLanguage'], 'English')
  })

  it('defines every literal key the templates and code use', () => {
    const used = new Set<string>()
    for (const file of files(srcDir, ['.njk', '.ts'])) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\('([a-zA-Z0-9_.-]+)'/g)) used.add(m[1]!)
      for (const m of text.matchAll(
        /'((?:validation|roles|scopes|organisationTypes|errors\.title)\.[a-zA-Z0-9_.-]+)'/g,
      ))
        used.add(m[1]!)
    }
    const undefinedKeys = [...used].filter((k) => !k.endsWith('.') && !(k in en.messages))
    assert.deepEqual(undefinedKeys, [])
  })
})

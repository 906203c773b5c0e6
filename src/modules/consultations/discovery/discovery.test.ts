import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { foldAccents, tsQueryText } from './discovery.repository.js'
import { localised } from './discovery.presenter.js'
import { knownTopics, topics, topicsFor } from './topics.js'

describe('search words as a full-text query', () => {
  it('needs every word, and takes the last also as the start of a word', () => {
    assert.equal(tsQueryText('ferry timetable'), 'ferry & (timetable | timetable:*)')
    assert.equal(tsQueryText('  Pothol '), '(pothol | pothol:*)')
  })

  it('keeps only letters and digits, so no input can break the query', () => {
    assert.equal(tsQueryText("bus' & | ! :* ( ) <-> 7"), 'bus & (7 | 7:*)')
    assert.equal(tsQueryText("'&|!:*()"), null)
    assert.equal(tsQueryText(''), null)
  })

  it('folds Gaelic accents the way the index does, so they are optional', () => {
    assert.equal(foldAccents('Gàidhlig Èirinn bàtaichean'), 'Gaidhlig Eirinn bataichean')
    assert.equal(tsQueryText('Gàidhlig'), '(gaidhlig | gaidhlig:*)')
  })
})

describe('texts in the reader’s language', () => {
  it('shows the Gaelic version on Gaelic pages, marked as Gaelic', () => {
    assert.deepEqual(localised('Ferries', 'Aiseagan', 'gd'), { text: 'Aiseagan', lang: 'gd' })
  })

  it('shows the English where there is no Gaelic version, marked as English on a Gaelic page', () => {
    assert.deepEqual(localised('Ferries', '', 'gd'), { text: 'Ferries', lang: 'en' })
    assert.deepEqual(localised('Ferries', undefined, 'gd'), { text: 'Ferries', lang: 'en' })
  })

  it('shows the English on English pages without marking it', () => {
    assert.deepEqual(localised('Ferries', 'Aiseagan', 'en'), { text: 'Ferries', lang: null })
  })
})

describe('the national topics', () => {
  it('has a unique slug and a Gaelic name for each topic', () => {
    assert.equal(new Set(topics.map((t) => t.slug)).size, topics.length)
    for (const t of topics) {
      assert.match(t.slug, /^[a-z][a-z-]{1,60}$/)
      assert.ok(t.gd.length > 0 && t.gd !== t.en, `${t.slug} has a Gaelic name of its own`)
    }
  })

  it('sorts the topics by their name in the reader’s language', () => {
    assert.equal(topicsFor('en')[0]!.en, 'Arts, culture and sport')
    assert.deepEqual(
      topicsFor('gd').map((t) => t.gd),
      [...topics.map((t) => t.gd)].sort((a, b) => a.localeCompare(b, 'gd')),
    )
  })

  it('keeps only known topics, once each', () => {
    assert.deepEqual(knownTopics(['transport', 'nonsense', 'transport', 'housing']), ['transport', 'housing'])
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { addRedactions, findSpans, redactedText, segments } from './redaction.js'

const label = (reason: string) => `redacted: ${reason}`

describe('redaction', () => {
  it('finds every place the pasted text appears, exactly first', () => {
    const text = 'Call John Smith on 07700 900123. John Smith knows.'
    assert.deepEqual(findSpans(text, 'John Smith'), [
      { start: 5, end: 15 },
      { start: 33, end: 43 },
    ])
  })

  it('finds text ignoring case and spacing when there is no exact match, and nothing that is not there', () => {
    const text = 'My neighbour\nJOHN   smith is a thief'
    assert.deepEqual(findSpans(text, 'john smith'), [{ start: 13, end: 25 }])
    assert.deepEqual(findSpans(text, 'neighbour john'), [{ start: 3, end: 17 }])
    assert.deepEqual(findSpans(text, 'Jane'), [])
    assert.deepEqual(findSpans(text, '   '), [])
    assert.deepEqual(findSpans('a.b', '.'), [{ start: 1, end: 2 }], 'pasted text is not a pattern')
  })

  it('replaces redacted spans with their reason and never keeps their words', () => {
    const text = 'Call John Smith on 07700 900123 today'
    let r = addRedactions([], findSpans(text, 'John Smith'), 'personal-data')
    r = addRedactions(r, findSpans(text, '07700 900123'), 'personal-data')
    const out = redactedText(text, r, label)
    assert.equal(out, 'Call [redacted: personal-data] on [redacted: personal-data] today')
    assert.doesNotMatch(out, /John|Smith|07700/)
  })

  it('merges overlapping and adjacent redactions into one, and ignores a span already covered', () => {
    const text = 'abcdefghij'
    const r = addRedactions(
      addRedactions([], [{ start: 2, end: 6 }], 'offensive'),
      [
        { start: 4, end: 8 },
        { start: 3, end: 5 },
      ],
      'other',
    )
    assert.equal(r.length, 2)
    assert.equal(redactedText(text, r, label), 'ab[redacted: offensive]ij')
    assert.deepEqual(segments(text, r), [{ text: 'ab' }, { redacted: 'offensive', original: 'cdefgh' }, { text: 'ij' }])
  })
})

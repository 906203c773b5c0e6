import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { calendar, escapeText, foldLine, utcStamp } from './ical.js'

describe('iCalendar writing', () => {
  it('escapes backslashes, semicolons, commas and line breaks in text', () => {
    assert.equal(escapeText('a\\b; c, d\r\ne\nf'), 'a\\\\b\\; c\\, d\\ne\\nf')
  })

  it('writes instants in UTC whatever the season', () => {
    assert.equal(utcStamp(new Date('2026-07-01T19:00:00+01:00')), '20260701T180000Z')
    assert.equal(utcStamp(new Date('2026-12-01T19:00:00Z')), '20261201T190000Z')
  })

  it('folds long lines at 75 octets without splitting a character', () => {
    const line = 'SUMMARY:' + 'Còmhlairle Coimhearsnachd Bhaile Àtha Cliath '.repeat(5)
    const folded = foldLine(line)
    const pieces = folded.split('\r\n')
    assert.ok(pieces.length > 2)
    for (const [i, piece] of pieces.entries()) {
      assert.ok(Buffer.byteLength(piece, 'utf8') <= 75, `piece ${i} is too long`)
      if (i > 0) assert.equal(piece[0], ' ')
    }
    assert.equal(pieces.map((p, i) => (i === 0 ? p : p.slice(1))).join(''), line)
  })

  it('writes a calendar with CRLF line ends, one event each, and cancelled events marked', () => {
    const text = calendar('Portobello Community Council', [
      {
        uid: 'm1@comhla',
        start: new Date('2026-12-01T19:00:00Z'),
        end: new Date('2026-12-01T21:00:00Z'),
        summary: 'December meeting, with budget',
        description: 'Agenda:\n1. Minutes',
        location: 'Portobello Library; Rosefield Avenue',
        sequence: 2,
      },
      { uid: 'm2@comhla', start: new Date(0), end: new Date(3600_000), summary: 'Off', cancelled: true },
    ])
    assert.ok(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'))
    assert.ok(text.endsWith('END:VCALENDAR\r\n'))
    assert.equal(text.match(/BEGIN:VEVENT/g)?.length, 2)
    assert.match(text, /\r\nSUMMARY:December meeting\\, with budget\r\n/)
    assert.match(text, /\r\nDESCRIPTION:Agenda:\\n1\. Minutes\r\n/)
    assert.match(text, /\r\nLOCATION:Portobello Library\\; Rosefield Avenue\r\n/)
    assert.match(text, /\r\nDTSTART:20261201T190000Z\r\nDTEND:20261201T210000Z\r\nSEQUENCE:2\r\n/)
    assert.match(text, /UID:m2@comhla[\s\S]*STATUS:CANCELLED/)
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /\n/)
  })
})

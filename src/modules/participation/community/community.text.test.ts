import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { londonFields, londonInstant, normalisePostcode, safeMarkdown, webAddress } from './community.text.js'

describe('community text helpers', () => {
  it('removes scripts and unsafe links from Markdown', () => {
    const html = safeMarkdown(
      '# Agenda\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [ok](https://example.scot)',
    )
    assert.doesNotMatch(html, /<script|javascript:|<h1/)
    assert.match(html, /<h2>Agenda<\/h2>/)
    assert.match(html, /<a href="https:\/\/example.scot" class="ds_link">ok<\/a>/)
  })

  it('reads London wall-clock times in summer and winter', () => {
    assert.equal(londonInstant('2026-07-01', '19:00')?.toISOString(), '2026-07-01T18:00:00.000Z')
    assert.equal(londonInstant('1/12/2026', '19:00')?.toISOString(), '2026-12-01T19:00:00.000Z')
    assert.equal(londonInstant('2026-02-30', '19:00'), null)
    assert.equal(londonInstant('2026-02-03', '25:00'), null)
    assert.deepEqual(londonFields(new Date('2026-07-01T18:00:00Z')), { date: '2026-07-01', time: '19:00' })
  })

  it('normalises postcodes and refuses what is not one', () => {
    assert.equal(normalisePostcode(' eh151ab '), 'EH15 1AB')
    assert.equal(normalisePostcode('G2 1DY'), 'G2 1DY')
    assert.equal(normalisePostcode('hello'), null)
  })

  it('accepts only http and https addresses', () => {
    assert.equal(webAddress('https://meet.example/abc'), 'https://meet.example/abc')
    assert.equal(webAddress('javascript:alert(1)'), null)
    assert.equal(webAddress('not a url'), null)
  })
})

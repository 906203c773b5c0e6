import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { barChart } from './chart.js'

describe('bar chart', () => {
  it('names the chart for assistive technology and escapes labels', () => {
    const svg = barChart('q1', 'Where should the bench go?', '3 answers', [
      { label: 'By the <harbour>', value: 2 },
      { label: 'Park', value: 1 },
    ])
    assert.match(svg, /^<svg [^>]*role="img"[^>]*aria-labelledby="q1-title q1-desc"/)
    assert.match(svg, /<title id="q1-title">Where should the bench go\?<\/title>/)
    assert.match(svg, /By the &lt;harbour&gt;/)
    assert.equal(svg.match(/<rect /g)?.length, 2)
    assert.match(svg, /width="300" height="24"/)
  })
})

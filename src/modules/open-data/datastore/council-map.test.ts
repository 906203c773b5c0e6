import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { COUNCIL_CODES, councilMapSvg } from './council-map.js'

const names = new Map([
  ['S12000049', 'Glasgow City'],
  ['S12000017', 'Highland'],
])
const text = { title: 'Spend by council area', description: '2 areas', noData: 'No data', names }

describe('the council-area map', () => {
  it('has a tile for each of the 32 council areas', () => {
    assert.equal(COUNCIL_CODES.size, 32)
  })

  it('shades each area by its figure, darkest for the largest, and names it with its figure', () => {
    const svg = councilMapSvg(
      [
        { label: 'S12000049', value: 1000 },
        { label: 'S12000017', value: 10 },
        { label: 'not a code', value: 5 },
      ],
      text,
    )!
    assert.match(svg, /role="img" aria-labelledby="map-title map-desc"/)
    assert.match(svg, /<title>Glasgow City: 1,000<\/title><rect[^>]*fill="#0b3c6e"/)
    assert.match(svg, /<title>Highland: 10<\/title><rect[^>]*fill="#d9e8f5"/)
    // areas without a figure are drawn empty, with a dashed edge, and say so
    assert.match(svg, /<title>S12000027: No data<\/title><rect[^>]*fill="#ffffff"[^>]*stroke-dasharray/)
    assert.equal((svg.match(/<rect x="\d+" y="\d+" width="60"/g) ?? []).length, 32)
  })

  it('is not drawn when the column holds no council codes, and escapes what it prints', () => {
    assert.equal(councilMapSvg([{ label: 'Fife', value: 1 }], text), null)
    const svg = councilMapSvg([{ label: 'S12000047', value: 3 }], { ...text, title: '<script>' })!
    assert.doesNotMatch(svg, /<script>/)
  })
})

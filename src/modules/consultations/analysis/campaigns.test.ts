import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { detectCampaigns, normaliseText } from './campaigns.js'
import { barChartSvg, formatPercent } from './chart.js'

const template =
  'We call on the Scottish Government to guarantee superfast broadband for every home in Scotland because no community should be left behind'

describe('campaign detection', () => {
  it('groups identical and near-identical texts, and leaves ordinary answers alone', () => {
    const inputs = [
      { responseId: 'a', text: template },
      { responseId: 'b', text: `${template}!` },
      { responseId: 'c', text: template.replace('every home', 'every household') },
      { responseId: 'd', text: template.toUpperCase() },
      { responseId: 'e', text: 'The ferry to Mull is often cancelled in winter and the replacement bus is late' },
      { responseId: 'f', text: 'No' },
      { responseId: 'g', text: 'No' },
      { responseId: 'h', text: 'No' },
    ]
    const campaigns = detectCampaigns(inputs)
    assert.equal(campaigns.length, 1)
    assert.deepEqual(campaigns[0]!.members.map((m) => m.responseId).sort(), ['a', 'b', 'c', 'd'])
    assert.ok(campaigns[0]!.members.every((m) => m.similarity >= 0.6))
  })

  it('needs at least three responses to call it a campaign', () => {
    assert.deepEqual(
      detectCampaigns([
        { responseId: 'a', text: template },
        { responseId: 'b', text: template },
      ]),
      [],
    )
  })

  it('normalises case, accents and punctuation', () => {
    assert.equal(normaliseText('  Fàilte, a  Mhòraig!  '), 'failte a mhoraig')
  })
})

describe('bar charts', () => {
  it('is an image whose description reads every bar, with labels escaped', () => {
    const svg = barChartSvg('c1', 'Q1 <b>', 'Answers of 4.', [
      { label: 'Yes & no', count: 3, percent: 75 },
      { label: 'Maybe', count: 1, percent: 25 },
    ])
    assert.match(svg, /role="img" aria-labelledby="c1-title c1-desc"/)
    assert.match(svg, /<title id="c1-title">Q1 &lt;b&gt;<\/title>/)
    assert.match(svg, /Yes &amp; no: 3 \(75%\); Maybe: 1 \(25%\)/)
    assert.doesNotMatch(svg, /<script/)
  })

  it('formats shares to one place below ten per cent', () => {
    assert.equal(formatPercent(7.25), '7.3%')
    assert.equal(formatPercent(66.66), '67%')
    assert.equal(formatPercent(0), '0%')
  })
})

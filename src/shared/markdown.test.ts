import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { markdownToText, renderMarkdown } from './markdown.js'

describe('Markdown made safe', () => {
  it('keeps text, lists and good links, and styles links as the design system does', () => {
    const html = renderMarkdown('We want your **views**.\n\n- one\n- two\n\n[gov.scot](https://www.gov.scot/)')
    assert.match(html, /<strong>views<\/strong>/)
    assert.match(html, /<li>one<\/li>/)
    assert.match(html, /<a href="https:\/\/www.gov.scot\/" class="ds_link">gov.scot<\/a>/)
  })

  it('removes scripts, event handlers, images and javascript: links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[bad](javascript:alert(1)) <b onclick="x()">b</b>',
    )
    assert.doesNotMatch(html, /script|onerror|onclick|javascript|<img/i)
    assert.match(html, /bad/)
  })

  it('moves headings below the page’s own', () => {
    assert.match(renderMarkdown('# Title\n\n## Part'), /<h2>Title<\/h2>\s*<h2>Part<\/h2>/)
    assert.match(
      renderMarkdown('# Title\n\n## Part\n\n### Sub', { headingsFrom: 3 }),
      /<h3>Title<\/h3>\s*<h3>Part<\/h3>\s*<h4>Sub<\/h4>/,
    )
  })

  it('gives plain text for feeds and CSV', () => {
    assert.equal(markdownToText('Fish & **chips** <script>x</script>'), 'Fish & chips')
  })
})

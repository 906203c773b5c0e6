// The change feed: new and updated datasets as Atom (RFC 4287) and JSON Feed 1.1.
import { plainText } from './dataset.presenter.js'
import type { DatasetView } from './dataset.service.js'
import { themeById } from './taxonomy.js'

const xml = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')

const FEED_TITLE = 'Còmhla: new and updated open data'

export function atomFeed(items: DatasetView[], baseUrl: string): string {
  const updated = items[0]?.dataset.modifiedAt ?? new Date(0)
  const entries = items.map(({ dataset: d, organisation }) => {
    const url = `${baseUrl}/datasets/${d.name}`
    const theme = themeById(d.theme)
    const summary = plainText(d.description).slice(0, 1000)
    return [
      '  <entry>',
      `    <id>${xml(`${url}#dataset`)}</id>`,
      `    <title>${xml(d.title)}</title>`,
      `    <link rel="alternate" type="text/html" href="${xml(url)}"/>`,
      `    <updated>${d.modifiedAt.toISOString()}</updated>`,
      d.publishedAt ? `    <published>${d.publishedAt.toISOString()}</published>` : '',
      `    <author><name>${xml(organisation.nameEn)}</name></author>`,
      theme ? `    <category term="${xml(theme.id)}" label="${xml(theme.name.en)}"/>` : '',
      ...d.keywords.map((k) => `    <category term="${xml(k)}"/>`),
      summary ? `    <summary type="text">${xml(summary)}</summary>` : '',
      '  </entry>',
    ]
      .filter((line) => line !== '')
      .join('\n')
  })
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
    `  <id>${xml(`${baseUrl}/datasets`)}</id>`,
    `  <title>${xml(FEED_TITLE)}</title>`,
    `  <updated>${updated.toISOString()}</updated>`,
    `  <link rel="self" type="application/atom+xml" href="${xml(`${baseUrl}/api/v1/datasets/feed.atom`)}"/>`,
    `  <link rel="alternate" type="text/html" href="${xml(`${baseUrl}/datasets`)}"/>`,
    '  <author><name>Còmhla</name></author>',
    ...entries,
    '</feed>',
    '',
  ].join('\n')
}

export function jsonFeed(items: DatasetView[], baseUrl: string): Record<string, unknown> {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: FEED_TITLE,
    home_page_url: `${baseUrl}/datasets`,
    feed_url: `${baseUrl}/api/v1/datasets/feed.json`,
    language: 'en-GB',
    items: items.map(({ dataset: d, organisation }) => ({
      id: `${baseUrl}/datasets/${d.name}#dataset`,
      url: `${baseUrl}/datasets/${d.name}`,
      title: d.title,
      content_text: plainText(d.description) || d.title,
      ...(d.publishedAt ? { date_published: d.publishedAt.toISOString() } : {}),
      date_modified: d.modifiedAt.toISOString(),
      authors: [{ name: organisation.nameEn, url: `${baseUrl}/organisations/${organisation.slug}` }],
      tags: [...(themeById(d.theme) ? [themeById(d.theme)!.name.en] : []), ...d.keywords],
    })),
  }
}

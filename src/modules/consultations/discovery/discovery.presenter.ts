// Consultations as found: for pages (in the reader's language, each text marked with the language
// it is really in), for the API (both languages) and for the CSV download.
import type { Static } from '@sinclair/typebox'
import type { Translate } from '../../../platform/i18n/i18n.js'
import { consultationToApi, consultationView, renderMarkdown } from '../consultation.presenter.js'
import type { WithOrganisation } from '../consultation.service.js'
import type { ConsultationListItemSchema, DetailsSchema } from './discovery.schemas.js'
import type { DiscoveryDetails, Found, GaelicText } from './discovery.types.js'
import { topicBySlug, topicName, type Topic } from './topics.js'

/**
 * A text in the reader's language where it has one. `lang` is set whenever the text's language
 * must be declared: always on a Gaelic page (lang="gd" for the Gaelic version, lang="en" for an
 * English text standing in for it), never on an English page, whose own lang is right.
 */
export type LocalisedText = { text: string; lang: 'en' | 'gd' | null }

export function localised(english: string, gaelic: string | undefined, locale: string): LocalisedText {
  if (locale !== 'gd') return { text: english, lang: null }
  return gaelic ? { text: gaelic, lang: 'gd' } : { text: english, lang: 'en' }
}

const topicsOf = (slugs: string[]): Topic[] => slugs.map(topicBySlug).filter((t): t is Topic => t !== undefined)

export const topicToApi = (t: Topic) => ({ slug: t.slug, nameEn: t.en, nameGd: t.gd })

/** The texts of a consultation's own page. */
export function contentView(w: WithOrganisation & DiscoveryDetails, locale: string) {
  const c = w.consultation
  const g: Partial<GaelicText> = w.gaelic ?? {}
  return {
    title: localised(c.title, g.title, locale),
    summary: localised(c.summary, g.summary, locale),
    body: { ...localised(c.bodyMarkdown, g.bodyMarkdown, locale), html: '' },
    topics: topicsOf(w.topics).map((t) => ({ slug: t.slug, name: topicName(t, locale) })),
  }
}

/** contentView with the body as safe HTML. */
export function pageContent(w: WithOrganisation & DiscoveryDetails, locale: string) {
  const content = contentView(w, locale)
  return { ...content, body: { ...content.body, html: renderMarkdown(content.body.text) } }
}

/** A consultation in the public list. */
export function foundView(f: Found, t: Translate, locale: string) {
  const content = contentView(f, locale)
  return {
    ...consultationView(f, t, locale),
    title: content.title.text,
    titleLang: content.title.lang,
    summary: content.summary.text,
    summaryLang: content.summary.lang,
    topics: content.topics,
  }
}

const orNull = (text: string | undefined) => (text ? text : null)

export function foundToApi(f: Found, baseUrl: string): Static<typeof ConsultationListItemSchema> {
  return {
    ...consultationToApi(f, baseUrl),
    topics: topicsOf(f.topics).map(topicToApi),
    gaelic: f.gaelic ? { title: orNull(f.gaelic.title), summary: orNull(f.gaelic.summary) } : null,
  }
}

/** What discovery adds to a consultation's API body: its topics and its Gaelic texts. */
export function detailsToApi(d: DiscoveryDetails): Static<typeof DetailsSchema> {
  const g = d.gaelic
  return {
    topics: topicsOf(d.topics).map(topicToApi),
    gaelic: g
      ? {
          title: orNull(g.title),
          summary: orNull(g.summary),
          bodyMarkdown: orNull(g.bodyMarkdown),
          bodyHtml: g.bodyMarkdown ? renderMarkdown(g.bodyMarkdown) : null,
        }
      : null,
  }
}

export const LIST_CSV_COLUMNS = [
  'id',
  'title',
  'title_gd',
  'organisation',
  'organisation_slug',
  'status',
  'topics',
  'opens_at',
  'closes_at',
  'url',
]

export function foundCsvRow(f: Found, baseUrl: string): string[] {
  const c = f.consultation
  const api = consultationToApi(f, baseUrl)
  return [
    c.id,
    c.title,
    f.gaelic?.title ?? '',
    f.organisation.nameEn,
    f.organisation.slug,
    api.status,
    f.topics.join('; '),
    c.opensAt.toISOString(),
    c.closesAt.toISOString(),
    api.url,
  ]
}

// The part of the manager's consultation form that discovery owns: topics and the Gaelic texts.
// The consultation form's route reads it with readDetails and shows it with detailsFormView.
import type { Translate } from '../../../platform/i18n/i18n.js'
import { field, fieldList } from '../../../platform/http/forms.js'
import type { DetailsInput, DiscoveryDetails } from './discovery.types.js'
import { topicName, topicsFor } from './topics.js'

export const emptyDetails = (): DetailsInput => ({ topics: [], titleGd: '', summaryGd: '', bodyGd: '' })

export function readDetails(body: unknown): DetailsInput {
  return {
    topics: fieldList(body, 'topics').slice(0, 50),
    titleGd: field(body, 'titleGd', 1000),
    summaryGd: field(body, 'summaryGd', 5000),
    bodyGd: field(body, 'bodyGd', 60_000),
  }
}

export function detailsInputOf(d: DiscoveryDetails): DetailsInput {
  return {
    topics: d.topics,
    titleGd: d.gaelic?.title ?? '',
    summaryGd: d.gaelic?.summary ?? '',
    bodyGd: d.gaelic?.bodyMarkdown ?? '',
  }
}

/** What consultations/discovery/manage-fields.njk shows, with what was typed. */
export function detailsFormView(input: DetailsInput, t: Translate, locale: string) {
  return {
    topicItems: topicsFor(locale).map((topic) => ({
      value: topic.slug,
      text: topicName(topic, locale),
      checked: input.topics.includes(topic.slug),
    })),
    gaelicFields: [
      { name: 'titleGd', label: t('consultations.discovery.form.titleGd'), value: input.titleGd },
      { name: 'summaryGd', label: t('consultations.discovery.form.summaryGd'), value: input.summaryGd, rows: 3 },
      {
        name: 'bodyGd',
        label: t('consultations.discovery.form.bodyGd'),
        hint: t('consultations.discovery.form.bodyGdHint'),
        value: input.bodyGd,
        rows: 12,
      },
    ],
  }
}

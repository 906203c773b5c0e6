// View models shared by the community part's pages: names in the reader's language, and dates.
import type { Translate } from '../../../../platform/i18n/i18n.js'
import type { Organisation } from '../../../../platform/organisations/organisation.service.js'
import { formatDate } from '../../../../shared/dates.js'
import { safeMarkdown } from '../community.text.js'
import { formatWhen, joiningLinkVisible, type Meeting } from '../councils.service.js'
import type { Representative, Slot } from '../representatives.service.js'

export const orgName = (o: Organisation | null | undefined, locale: 'en' | 'gd') =>
  o ? (locale === 'gd' && o.nameGd ? o.nameGd : o.nameEn) : ''

export function meetingView(
  m: Meeting,
  t: Translate,
  locale: 'en' | 'gd',
  options: { registered?: boolean; manager?: boolean } = {},
) {
  const past = m.endsAt.getTime() < Date.now()
  return {
    ...m,
    when: formatWhen(m.startsAt, m.endsAt, locale),
    date: formatDate(m.startsAt, locale),
    kindText: t(`participation.meeting.kind.${m.kind}`),
    agendaHtml: safeMarkdown(m.agendaMarkdown),
    minutesHtml: m.minutesPublishedAt ? safeMarkdown(m.minutesMarkdown) : '',
    showJoining: joiningLinkVisible(m, options.registered ?? false, options.manager ?? false),
    past,
    statusText: m.cancelledAt
      ? t('participation.meeting.status.cancelled')
      : !m.publishedAt
        ? t('participation.meeting.status.draft')
        : past
          ? t('participation.meeting.status.past')
          : t('participation.meeting.status.upcoming'),
    statusColour: m.cancelledAt ? 'red' : !m.publishedAt ? 'grey' : past ? 'grey' : 'green',
  }
}

export function representativeView(r: Representative, t: Translate) {
  return {
    ...r,
    roleText: t(`participation.rep.role.${r.role}`),
    areaText: `${r.areaName} (${t(`participation.rep.areaKind.${r.areaKind}`)})`,
  }
}

export function slotView(s: Slot, t: Translate, locale: 'en' | 'gd') {
  return { ...s, when: formatWhen(s.startsAt, s.endsAt, locale), modeText: t(`participation.surgery.mode.${s.mode}`) }
}

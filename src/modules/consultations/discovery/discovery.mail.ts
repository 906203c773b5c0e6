// The emails of subscriptions: the confirmation link, and the notice of a new consultation. Every
// one carries a link that ends the subscription at once.
import type { MailTemplate } from '../../../platform/mail/mail.templates.js'

export const discoveryMailTemplates: Record<`${string}.${string}`, MailTemplate> = {
  'consultations.subscription-confirm': {
    placeholders: ['interest', 'link', 'unsubscribeLink'],
    gaelicAwaitingReview: true,
    en: {
      subject: 'Confirm your email alerts for new consultations',
      body: 'You asked for an email when a new consultation opens ((interest)).\n\nTo confirm, open this link:\n\n((link))\n\nThe link works for 7 days. If you did not ask for this, ignore this email and you will get nothing more from us.\n\nTo stop these emails at any time, open this link: ((unsubscribeLink))\n\nCòmhla',
    },
    gd: {
      subject: 'Dearbhaich na puist-d agad mu cho-chomhairleachaidhean ùra',
      body: "Dh'iarr thu post-d nuair a dh'fhosglas co-chomhairleachadh ùr ((interest)).\n\nGus seo a dhearbhadh, fosgail an ceangal seo:\n\n((link))\n\nObraichidh an ceangal fad 7 làithean. Mura do dh'iarr thu seo, leig seachad am post-d seo agus chan fhaigh thu dad eile bhuainn.\n\nGus stad a chur air na puist-d seo uair sam bith, fosgail an ceangal seo: ((unsubscribeLink))\n\nCòmhla",
    },
  },
  'consultations.new-consultation': {
    placeholders: ['title', 'summary', 'organisation', 'closes', 'link', 'interest', 'unsubscribeLink'],
    gaelicAwaitingReview: true,
    en: {
      subject: 'New consultation: ((title))',
      body: '((organisation)) has opened a consultation.\n\n((title))\n\n((summary))\n\nIt closes on ((closes)). Read it and give your views:\n\n((link))\n\nYou get this email because you asked to hear about new consultations ((interest)).\nTo stop these emails, open this link: ((unsubscribeLink))\n\nCòmhla',
    },
    gd: {
      subject: 'Co-chomhairleachadh ùr: ((title))',
      body: "Dh'fhosgail ((organisation)) co-chomhairleachadh.\n\n((title))\n\n((summary))\n\nDùinidh e air ((closes)). Leugh e agus innis do bheachdan:\n\n((link))\n\nTha am post-d seo agad a chionn 's gun do dh'iarr thu cluinntinn mu cho-chomhairleachaidhean ùra ((interest)).\nGus stad a chur air na puist-d seo, fosgail an ceangal seo: ((unsubscribeLink))\n\nCòmhla",
    },
  },
}

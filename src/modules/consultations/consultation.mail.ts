// The consultations module's emails: the link to come back to a saved response, and the receipt
// of a submitted response with a copy of the answers.
import type { MailTemplate } from '../../platform/mail/mail.templates.js'

export const consultationMailTemplates: Record<`consultations.${string}`, MailTemplate> = {
  'consultations.resume': {
    placeholders: ['title', 'link', 'expires', 'closes'],
    gaelicAwaitingReview: true,
    en: {
      subject: 'Continue your response to “((title))”',
      body: 'You saved your response to “((title))” to finish later.\n\nTo continue, open this link on any device:\n\n((link))\n\nThe link works until ((expires)). The consultation closes on ((closes)): submit your response before then.\n\nKeep this email private: anyone with the link can see and change your answers. If you did not ask for it, you can ignore it.\n\nCòmhla',
    },
    gd: {
      subject: 'Lean air adhart leis an fhreagairt agad do “((title))”',
      body: "Shàbhail thu an fhreagairt agad do “((title))” gus a crìochnachadh nas fhaide air adhart.\n\nGus leantainn air adhart, fosgail an ceangal seo air uidheam sam bith:\n\n((link))\n\nObraichidh an ceangal gu ((expires)). Dùinidh an co-chomhairleachadh air ((closes)): cuir a-steach an fhreagairt agad ron àm sin.\n\nCùm am post-d seo prìobhaideach: chì is atharraichidh neach sam bith aig a bheil an ceangal na freagairtean agad. Mura do dh'iarr thu e, faodaidh tu a leigeil seachad.\n\nCòmhla",
    },
  },
  'consultations.receipt': {
    placeholders: ['title', 'organisation', 'reference', 'answers', 'link'],
    gaelicAwaitingReview: true,
    en: {
      subject: 'Your response to “((title))”: ((reference))',
      body: 'Thank you for responding to “((title))”. ((organisation)) has received your response.\n\nYour reference number is ((reference)). Quote it if you contact ((organisation)) about your response.\n\nA copy of your answers:\n\n((answers))\n\nThe consultation: ((link))\n\nCòmhla',
    },
    gd: {
      subject: 'An fhreagairt agad do “((title))”: ((reference))',
      body: 'Tapadh leibh airson freagairt a thoirt do “((title))”. Fhuair ((organisation)) an fhreagairt agad.\n\nIs e ((reference)) an àireamh-iomraidh agad. Thoir seachad i ma chuireas tu fios gu ((organisation)) mun fhreagairt agad.\n\nLethbhreac de na freagairtean agad:\n\n((answers))\n\nAn co-chomhairleachadh: ((link))\n\nCòmhla',
    },
  },
}

// The community part's emails, in English and Gàidhlig (the Gaelic awaits a fluent speaker's review).
import { registerMailTemplates } from '../../../platform/mail/mail.templates.js'

export function registerCommunityMail(): void {
  registerMailTemplates({
    'participation.meeting-registered': {
      placeholders: ['name', 'meeting', 'communityCouncil', 'when', 'where', 'link', 'calendar'],
      en: {
        subject: 'You are registered for ((meeting))',
        body: 'Dear ((name)),\n\nYou are registered to attend ((meeting)) of ((communityCouncil)).\n\nWhen: ((when))\nWhere or how to join: ((where))\n\nThe meeting’s page, with its agenda and papers: ((link))\nAdd it to your calendar: ((calendar))\n\nIf you can no longer come, you can cancel your registration on the meeting’s page.\n\nCòmhla',
      },
      gd: {
        subject: 'Tha thu clàraichte airson ((meeting))',
        body: "A ((name)),\n\nTha thu clàraichte airson a bhith an làthair aig ((meeting)) aig ((communityCouncil)).\n\nCuin: ((when))\nCàite no mar a thig thu a-steach: ((where))\n\nDuilleag na coinneimh, leis a' chlàr-gnothaich agus na pàipearan: ((link))\nCuir ris a' mhìosachan agad e: ((calendar))\n\nMura tig thu tuilleadh, 's urrainn dhut an clàradh agad a sguabadh às air duilleag na coinneimh.\n\nCòmhla",
      },
      gaelicAwaitingReview: true,
    },
    'participation.surgery-booked': {
      placeholders: ['name', 'representative', 'when', 'joining', 'calendar', 'link'],
      en: {
        subject: 'Your surgery appointment with ((representative))',
        body: 'Dear ((name)),\n\nYour surgery appointment with ((representative)) is booked.\n\nWhen: ((when))\nHow to join or where to go: ((joining))\n\nAdd it to your calendar: ((calendar))\nSee or cancel your appointment: ((link))\n\nCòmhla',
      },
      gd: {
        subject: 'Do choinneamh lannsa le ((representative))',
        body: "A ((name)),\n\nTha do choinneamh lannsa le ((representative)) glèidhte.\n\nCuin: ((when))\nMar a thig thu a-steach no càite an tèid thu: ((joining))\n\nCuir ris a' mhìosachan agad i: ((calendar))\nFaic no sguab às do choinneamh: ((link))\n\nCòmhla",
      },
      gaelicAwaitingReview: true,
    },
    'participation.surgery-cancelled': {
      placeholders: ['name', 'representative', 'when'],
      en: {
        subject: 'Your surgery appointment with ((representative)) is cancelled',
        body: 'Dear ((name)),\n\nYour surgery appointment with ((representative)) on ((when)) has been cancelled.\n\nYou can book another on the representative’s page.\n\nCòmhla',
      },
      gd: {
        subject: 'Chaidh do choinneamh lannsa le ((representative)) a sguabadh às',
        body: "A ((name)),\n\nChaidh do choinneamh lannsa le ((representative)) air ((when)) a sguabadh às.\n\n'S urrainn dhut tè eile a ghlèidheadh air duilleag an riochdaire.\n\nCòmhla",
      },
      gaelicAwaitingReview: true,
    },
    'participation.enquiry-received': {
      placeholders: ['name', 'representative', 'reference', 'link'],
      en: {
        subject: 'Your enquiry to ((representative)): ((reference))',
        body: 'Dear ((name)),\n\n((representative))’s office has received your enquiry. Its reference is ((reference)).\n\nYou can read it, and any replies, here: ((link))\n\nCòmhla',
      },
      gd: {
        subject: 'Do cheist gu ((representative)): ((reference))',
        body: 'A ((name)),\n\nFhuair oifis ((representative)) do cheist. Is e ((reference)) an iomradh aice.\n\nFaodaidh tu a leughadh, agus freagairtean sam bith, an seo: ((link))\n\nCòmhla',
      },
      gaelicAwaitingReview: true,
    },
    'participation.enquiry-new': {
      placeholders: ['representative', 'reference', 'subject', 'link'],
      en: {
        subject: 'New enquiry ((reference)): ((subject))',
        body: 'A constituent has sent ((representative)) an enquiry: ((subject)).\n\nRead and answer it here (sign in first): ((link))\n\nCòmhla',
      },
      gd: {
        subject: 'Ceist ùr ((reference)): ((subject))',
        body: 'Chuir neach-taghaidh ceist gu ((representative)): ((subject)).\n\nLeugh is freagair i an seo (clàraich a-steach an toiseach): ((link))\n\nCòmhla',
      },
      gaelicAwaitingReview: true,
    },
    'participation.enquiry-reply': {
      placeholders: ['name', 'representative', 'reference', 'subject', 'reply', 'link'],
      en: {
        subject: 'Reply from ((representative)): ((subject)) (((reference)))',
        body: 'Dear ((name)),\n\n((representative))’s office has replied to your enquiry ((reference)):\n\n((reply))\n\nRead the whole enquiry here: ((link))\n\nCòmhla',
      },
      gd: {
        subject: 'Freagairt o ((representative)): ((subject)) (((reference)))',
        body: 'A ((name)),\n\nThug oifis ((representative)) freagairt air do cheist ((reference)):\n\n((reply))\n\nLeugh a’ cheist air fad an seo: ((link))\n\nCòmhla',
      },
      gaelicAwaitingReview: true,
    },
  })
}

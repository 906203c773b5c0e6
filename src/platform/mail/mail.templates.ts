// Email templates with ((placeholders)), GOV.UK Notify style, in English and Gàidhlig.
// Modules add their own with registerMailTemplates. Gaelic not yet checked by a fluent speaker is flagged.

export type KernelTemplateName =
  'verify-email' | 'account-exists' | 'reset-password' | 'invitation' | 'password-changed' | 'two-factor-reminder'

/** A kernel template, or one a module registered (named "<module>.<what>"). */
export type MailTemplateName = KernelTemplateName | `${string}.${string}`

type Text = { subject: string; body: string }

export type MailTemplate = {
  en: Text
  gd: Text
  placeholders: string[]
  /** true while the Gaelic text has not been checked by a fluent speaker */
  gaelicAwaitingReview?: boolean
}

const kernelTemplates: Record<KernelTemplateName, MailTemplate> = {
  'verify-email': {
    placeholders: ['name', 'link'],
    en: {
      subject: 'Confirm your email address for Còmhla',
      body: 'Dear ((name)),\n\nTo finish creating your Còmhla account, confirm your email address by opening this link:\n\n((link))\n\nThe link works for 24 hours. If you did not create an account, you can ignore this email.\n\nCòmhla',
    },
    gd: {
      subject: 'Dearbhaich an seòladh puist-d agad airson Còmhla',
      body: "A ((name)),\n\nGus an cunntas Còmhla agad a chrìochnachadh, dearbhaich an seòladh puist-d agad leis a' cheangal seo:\n\n((link))\n\nObraichidh an ceangal fad 24 uairean a thìde. Mura do chruthaich thu cunntas, faodaidh tu am post-d seo a leigeil seachad.\n\nCòmhla",
    },
  },
  'account-exists': {
    placeholders: ['name', 'signInLink', 'resetLink'],
    en: {
      subject: 'You already have a Còmhla account',
      body: 'Dear ((name)),\n\nSomeone tried to create a Còmhla account with this email address, but you already have one.\n\nSign in: ((signInLink))\nIf you have forgotten your password, reset it: ((resetLink))\n\nIf this was not you, you can ignore this email.\n\nCòmhla',
    },
    gd: {
      subject: 'Tha cunntas Còmhla agad mu thràth',
      body: "A ((name)),\n\nFeuch cuideigin ri cunntas Còmhla a chruthachadh leis an t-seòladh phuist-d seo, ach tha fear agad mu thràth.\n\nClàraich a-steach: ((signInLink))\nMa dhìochuimhnich thu am facal-faire agad, ath-shuidhich e: ((resetLink))\n\nMur e thusa a bh' ann, faodaidh tu am post-d seo a leigeil seachad.\n\nCòmhla",
    },
  },
  'reset-password': {
    placeholders: ['name', 'link'],
    en: {
      subject: 'Reset your Còmhla password',
      body: 'Dear ((name)),\n\nTo choose a new password, open this link:\n\n((link))\n\nThe link works for 1 hour and only once. If you did not ask to reset your password, you can ignore this email: your password has not changed.\n\nCòmhla',
    },
    gd: {
      subject: 'Ath-shuidhich am facal-faire Còmhla agad',
      body: "A ((name)),\n\nGus facal-faire ùr a thaghadh, fosgail an ceangal seo:\n\n((link))\n\nObraichidh an ceangal fad uair a thìde agus aon turas a-mhàin. Mura do dh'iarr thu am facal-faire agad ath-shuidheachadh, faodaidh tu am post-d seo a leigeil seachad: cha do dh'atharraich am facal-faire agad.\n\nCòmhla",
    },
  },
  invitation: {
    placeholders: ['organisation', 'inviter', 'roles', 'link'],
    en: {
      subject: 'You have been invited to join ((organisation)) on Còmhla',
      body: '((inviter)) has invited you to join ((organisation)) on Còmhla, with these roles: ((roles)).\n\nTo accept, open this link and sign in or create an account with this email address:\n\n((link))\n\nThe invitation works for 7 days.\n\nCòmhla',
    },
    gd: {
      subject: 'Fhuair thu cuireadh a dhol an sàs ann an ((organisation)) air Còmhla',
      body: 'Thug ((inviter)) cuireadh dhut a dhol an sàs ann an ((organisation)) air Còmhla, leis na dreuchdan seo: ((roles)).\n\nGus gabhail ris, fosgail an ceangal seo agus clàraich a-steach no cruthaich cunntas leis an t-seòladh phuist-d seo:\n\n((link))\n\nObraichidh an cuireadh fad 7 làithean.\n\nCòmhla',
    },
  },
  'password-changed': {
    placeholders: ['name'],
    en: {
      subject: 'Your Còmhla password has been changed',
      body: 'Dear ((name)),\n\nThe password for your Còmhla account has just been changed, and you have been signed out everywhere else.\n\nIf you did not do this, reset your password now and tell your organisation.\n\nCòmhla',
    },
    gd: {
      subject: 'Chaidh am facal-faire Còmhla agad atharrachadh',
      body: "A ((name)),\n\nChaidh am facal-faire aig a' chunntas Còmhla agad atharrachadh an-dràsta fhèin, agus chaidh do chlàradh a-mach anns gach àite eile.\n\nMur e thusa a rinn seo, ath-shuidhich am facal-faire agad an-dràsta agus innis dhan bhuidheann agad.\n\nCòmhla",
    },
  },
  'two-factor-reminder': {
    placeholders: ['name', 'link'],
    en: {
      subject: 'Set up two-factor sign-in for Còmhla',
      body: 'Dear ((name)),\n\nYour organisation asks everyone with a staff role on Còmhla to sign in with a code from an authenticator app as well as a password.\n\nSet it up here; it takes two minutes:\n\n((link))\n\nCòmhla',
    },
    gd: {
      subject: 'Suidhich clàradh a-steach dà-cheumnach airson Còmhla',
      body: "A ((name)),\n\nTha a' bhuidheann agad ag iarraidh air gach neach aig a bheil dreuchd luchd-obrach air Còmhla clàradh a-steach le còd bho aplacaid dearbhaidh a bharrachd air facal-faire.\n\nSuidhich e an seo; bheir e dà mhionaid:\n\n((link))\n\nCòmhla",
    },
  },
}

/** Gaelic kernel templates not yet checked by a fluent speaker. */
const kernelAwaitingReview: KernelTemplateName[] = [
  'verify-email',
  'account-exists',
  'reset-password',
  'invitation',
  'password-changed',
  'two-factor-reminder',
]

const registry = new Map<string, MailTemplate>(
  Object.entries(kernelTemplates).map(([name, t]) => [
    name,
    { ...t, gaelicAwaitingReview: kernelAwaitingReview.includes(name as KernelTemplateName) },
  ]),
)

/**
 * A module adds its own templates, each named "<module>.<what>", when its factory runs. Registering
 * the same name again replaces it (factories run once per kernel, and tests make many kernels).
 */
export function registerMailTemplates(templates: Record<`${string}.${string}`, MailTemplate>): void {
  for (const [name, template] of Object.entries(templates)) {
    for (const locale of ['en', 'gd'] as const) {
      const used = [...`${template[locale].subject}${template[locale].body}`.matchAll(/\(\(([a-zA-Z]+)\)\)/g)].map(
        (m) => m[1]!,
      )
      const unknown = used.filter((p) => !template.placeholders.includes(p))
      if (unknown.length) throw new Error(`Email ${name} (${locale}) uses undeclared ((${unknown.join(')), ((')}))`)
    }
    registry.set(name, template)
  }
}

/** Every template known now, for the catalogue check and the administrators' outbox. */
export function mailTemplates(): ReadonlyMap<string, MailTemplate> {
  return registry
}

export function renderMail(name: MailTemplateName, locale: 'en' | 'gd', params: Record<string, string>): Text {
  const found = registry.get(name)
  if (!found) throw new Error(`No email template called ${name}`)
  const template = found[locale]
  const fill = (text: string) =>
    text.replace(/\(\(([a-zA-Z]+)\)\)/g, (whole, key: string) => {
      const value = params[key]
      if (value === undefined) throw new Error(`Email ${name} needs ((${key}))`)
      return value
    })
  return { subject: fill(template.subject).replace(/[\r\n]+/g, ' '), body: fill(template.body) }
}

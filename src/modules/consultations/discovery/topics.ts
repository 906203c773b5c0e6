// The national list of topics a consultation is filed under, in English and Gàidhlig. It follows
// the topics the Scottish Government files its own consultations and publications under on gov.scot,
// so that a person finds a council's consultation on housing where they find the Government's.
// The slugs are stored; the names are shown. A topic is never removed, only added.

export type Topic = { slug: string; en: string; gd: string }

export const topics: readonly Topic[] = [
  { slug: 'arts-culture-sport', en: 'Arts, culture and sport', gd: 'Na h-ealain, cultar agus spòrs' },
  {
    slug: 'building-planning-design',
    en: 'Building, planning and design',
    gd: 'Togail, dealbhadh agus dealbhachadh',
  },
  { slug: 'children-families', en: 'Children and families', gd: 'Clann agus teaghlaichean' },
  {
    slug: 'communities-third-sector',
    en: 'Communities and third sector',
    gd: 'Coimhearsnachdan agus an treas roinn',
  },
  { slug: 'constitution-democracy', en: 'Constitution and democracy', gd: 'Am bun-reachd agus deamocrasaidh' },
  { slug: 'crime-justice', en: 'Crime and justice', gd: 'Eucoir agus ceartas' },
  { slug: 'digital', en: 'Digital', gd: 'Didseatach' },
  { slug: 'economy', en: 'Economy', gd: 'An eaconamaidh' },
  { slug: 'education', en: 'Education', gd: 'Foghlam' },
  { slug: 'energy', en: 'Energy', gd: 'Lùth' },
  {
    slug: 'environment-climate-change',
    en: 'Environment and climate change',
    gd: 'An àrainneachd agus atharrachadh na gnàth-shìde',
  },
  { slug: 'equality-rights', en: 'Equality and rights', gd: 'Co-ionannachd agus còraichean' },
  { slug: 'farming-rural', en: 'Farming and rural', gd: 'Tuathanachas agus an dùthaich' },
  { slug: 'gaelic', en: 'Gaelic', gd: 'Gàidhlig' },
  { slug: 'health-social-care', en: 'Health and social care', gd: 'Slàinte agus cùram sòisealta' },
  { slug: 'housing', en: 'Housing', gd: 'Taigheadas' },
  { slug: 'international', en: 'International', gd: 'Eadar-nàiseanta' },
  { slug: 'law-order', en: 'Law and order', gd: 'Lagh agus òrdugh' },
  { slug: 'marine-fisheries', en: 'Marine and fisheries', gd: 'Cùisean mara agus iasgach' },
  { slug: 'money-tax', en: 'Money and tax', gd: 'Airgead agus cìsean' },
  {
    slug: 'public-safety-emergencies',
    en: 'Public safety and emergencies',
    gd: 'Sàbhailteachd phoblach agus èiginn',
  },
  { slug: 'public-sector', en: 'Public sector', gd: 'An roinn phoblach' },
  { slug: 'research', en: 'Research', gd: 'Rannsachadh' },
  { slug: 'statistics', en: 'Statistics', gd: 'Staitistearachd' },
  { slug: 'transport', en: 'Transport', gd: 'Còmhdhail' },
  { slug: 'work-skills', en: 'Work and skills', gd: 'Obair agus sgilean' },
]

const bySlug = new Map(topics.map((t) => [t.slug, t]))

export function topicBySlug(slug: string): Topic | undefined {
  return bySlug.get(slug)
}

export function topicName(topic: Topic, locale: string): string {
  return locale === 'gd' ? topic.gd : topic.en
}

/** The topics in the order a person reading in this language expects (alphabetical by their name). */
export function topicsFor(locale: string): Topic[] {
  return [...topics].sort((a, b) => topicName(a, locale).localeCompare(topicName(b, locale), locale))
}

/** Known slugs from a list, once each, in the list's order. */
export function knownTopics(slugs: readonly string[]): string[] {
  return [...new Set(slugs.filter((s) => bySlug.has(s)))]
}

export const MAX_TOPICS = 6

// A large consultation for the benchmarks: a questionnaire about the seed's themes (digital public
// services, connectivity, skills, data) and any number of responses (100,000 by default) with
// varied text built from word lists, campaign responses (a few templates with small edits, about
// 5%), duplicates (the same person twice, about 1%) and blank responses (about 0.5%). Responses are
// inserted thousands at a time with unnest(), so the analysis triggers run once a batch.
//
//   npx tsx bench/consultations-seed.ts <database url> [responses]
import { randomUUID } from 'node:crypto'
import pg from 'pg'

export type SeededConsultation = {
  consultationId: string
  questions: { choice: string; multiple: string; views: string; change: string; postcode: string }
  responses: number
  campaignResponses: number
  duplicates: number
  blanks: number
}

/** A small deterministic random generator, so every run seeds the same text. */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const SUBJECTS = [
  'digital public services',
  'broadband in rural areas',
  'mobile coverage on the islands',
  'the national digital strategy',
  'online access to council services',
  'digital skills in schools',
  'sharing data between public bodies',
  'cyber security for small businesses',
  'the Scottish Digital Academy',
  'open data from government',
  'online health appointments',
  'digital leadership in the public sector',
  'common platforms for councils',
  'digital inclusion for older people',
  'the cost of getting online',
]
const OPENERS = [
  'In my experience',
  'As a parent',
  'Living in a rural community',
  'Speaking for our small business',
  'As someone who works in the NHS',
  'From what I have seen',
  'Honestly',
  'As a pensioner',
  'Working for a third sector organisation',
  'As a student',
  'Having moved here recently',
]
const VERBS = [
  'should be improved',
  'is far too slow',
  'has got better in recent years',
  'needs more investment',
  'is confusing for many people',
  'works well most of the time',
  'leaves too many people behind',
  'must be designed with the people who use it',
  'should be the same in every council',
  'is not reliable enough',
]
const REASONS = [
  'because families depend on it every day',
  'since many older people struggle to get online',
  'as businesses cannot grow without it',
  'because the cost falls on those least able to pay',
  'since public money should not be wasted on duplication',
  'because young people need these skills for work',
  'as the islands are too often forgotten',
  'because trust in how data is used matters',
  'since services should work together',
  'because paper forms still take weeks',
]
const EXTRAS = [
  'Please listen to local communities.',
  'I hope this consultation makes a difference.',
  'The government should learn from other countries.',
  'Libraries could help much more than they do.',
  'Training for staff is essential.',
  'Connectivity is a basic utility now.',
  'Accessibility must come first.',
  '',
  '',
  '',
]
const CAMPAIGNS = [
  'We call on the Scottish Government to guarantee superfast broadband for every home in Scotland by 2027, because no community should be left behind in the digital age.',
  'I support the campaign for digital inclusion: every public service must keep a telephone and face to face option for people who cannot or will not go online.',
  'As a member of the Rural Connectivity Alliance I ask ministers to fund mobile masts on every inhabited island and to publish a clear timetable for the work.',
]
const EDITS: [RegExp, string][] = [
  [/every home/, 'every household'],
  [/Scottish Government/, 'Government'],
  [/must keep/, 'should keep'],
  [/I ask/, 'we ask'],
  [/clear timetable/, 'clear and public timetable'],
  [/\.$/, '!'],
  [/because/, 'as'],
]
const FIRST = [
  'Ailsa',
  'Calum',
  'Morag',
  'Iain',
  'Eilidh',
  'Fraser',
  'Kirsty',
  'Ruaridh',
  'Isla',
  'Hamish',
  'Catriona',
  'Euan',
]
const LAST = [
  'MacDonald',
  'Campbell',
  'Stewart',
  'Robertson',
  'Murray',
  'Fraser',
  'Grant',
  'MacLeod',
  'Ross',
  'Paterson',
]
const POSTCODES = ['KY1 1AA', 'EH1 1YZ', 'G2 1DY', 'AB10 1AB', 'IV2 3PU', 'HS1 2BN', 'DD1 4QB', 'PA20 0AA']
const CHOICES = ['Strongly agree', 'Agree', 'Neither agree nor disagree', 'Disagree', 'Strongly disagree']
const PRIORITIES = ['Connectivity', 'Skills', 'Data', 'Public services', 'Cyber security', 'Leadership']

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!
}

export function sentence(r: () => number): string {
  return `${pick(r, OPENERS)}, ${pick(r, SUBJECTS)} ${pick(r, VERBS)} ${pick(r, REASONS)}.`
}

export function freeText(r: () => number): string {
  const n = 2 + Math.floor(r() * 3)
  return [...Array.from({ length: n }, () => sentence(r)), pick(r, EXTRAS)].join(' ').trim()
}

export function campaignText(r: () => number): string {
  let text = pick(r, CAMPAIGNS)
  // small edits, as people make when they send a campaign's text themselves
  for (const [from, to] of EDITS) if (r() < 0.25) text = text.replace(from, to)
  if (r() < 0.3) text = `${text} ${pick(r, EXTRAS)}`.trim()
  return text
}

/** Creates the consultation and its questionnaire; returns their ids. */
export async function createBenchConsultation(
  client: pg.Pool | pg.Client,
  organisationId: string,
  title: string,
): Promise<{ consultationId: string; questions: SeededConsultation['questions'] }> {
  const { rows } = await client.query<{ id: string }>(
    `insert into consultations.consultation (organisation_id, title, summary, body_markdown, opens_at, closes_at, published_at, status)
     values ($1, $2, 'Seeking views on digital public services in Scotland', '', now() - interval '1 day',
             now() + interval '60 days', now(), 'open') returning id`,
    [organisationId, title],
  )
  const consultationId = rows[0]!.id
  const q = async (position: number, type: string, qTitle: string, options: string[] = [], required = true) =>
    (
      await client.query<{ id: string }>(
        `insert into consultations.question (consultation_id, position, type, title, options, required, max_length)
         values ($1, $2, $3, $4, $5::jsonb, $6, $7) returning id`,
        [consultationId, position, type, qTitle, JSON.stringify(options), required, type === 'long-text' ? 5000 : null],
      )
    ).rows[0]!.id
  const questions = {
    choice: await q(1, 'single-choice', 'Do you agree with the proposed vision?', CHOICES),
    multiple: await q(2, 'multiple-choice', 'Which priorities matter most to you?', PRIORITIES),
    views: await q(3, 'long-text', 'Please explain your views on the vision', [], false),
    change: await q(4, 'long-text', 'What one thing should change?', [], false),
    postcode: await q(5, 'postcode', 'Your postcode', [], false),
  }
  return { consultationId, questions }
}

type Row = {
  id: string
  reference: string
  answers: string
  type: string
  name: string
  organisation: string | null
  email: string | null
  publication: string
  channel: string
}

/** Seeds responses in batches; returns what was made. */
export async function seedResponses(
  client: pg.Pool | pg.Client,
  consultationId: string,
  questions: SeededConsultation['questions'],
  count: number,
  seed = 2026,
): Promise<SeededConsultation> {
  const r = rng(seed)
  let campaignResponses = 0
  let duplicates = 0
  let blanks = 0
  const earlier: Row[] = []
  const batchSize = 5000
  for (let start = 0; start < count; start += batchSize) {
    const rows: Row[] = []
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      const roll = r()
      const reference = `CR-B${String(i).padStart(7, '0')}`
      if (roll < 0.01 && earlier.length > 0) {
        // the same person again, with the same answers
        const again = pick(r, earlier)
        rows.push({ ...again, id: randomUUID(), reference })
        duplicates++
        continue
      }
      const organisation = r() < 0.08
      const first = pick(r, FIRST)
      const last = pick(r, LAST)
      const answers: Record<string, string | string[]> = {}
      if (roll >= 0.015 || roll < 0.01) {
        answers[questions.choice] = pick(r, CHOICES)
        answers[questions.multiple] = PRIORITIES.filter(() => r() < 0.35)
        if ((answers[questions.multiple] as string[]).length === 0) answers[questions.multiple] = [pick(r, PRIORITIES)]
        if (roll > 0.95) {
          answers[questions.views] = campaignText(r)
          campaignResponses++
        } else {
          if (r() < 0.9) answers[questions.views] = freeText(r)
          if (r() < 0.6) answers[questions.change] = freeText(r)
        }
        if (r() < 0.7) answers[questions.postcode] = pick(r, POSTCODES)
      } else blanks++
      const row: Row = {
        id: randomUUID(),
        reference,
        answers: JSON.stringify(answers),
        type: organisation ? 'organisation' : 'individual',
        name: `${first} ${last}`,
        organisation: organisation ? `${last} ${pick(r, ['Trust', 'Community Council', 'Ltd', 'Association'])}` : null,
        email: r() < 0.9 ? `${first}.${last}.${i}@example.org`.toLowerCase() : null,
        publication: pick(r, ['publish-with-name', 'publish-without-name', 'do-not-publish']),
        channel: r() < 0.97 ? 'online' : pick(r, ['post', 'email']),
      }
      rows.push(row)
      if (earlier.length < 2000 && r() < 0.05) earlier.push(row)
    }
    await client.query(
      `insert into consultations.response
         (id, consultation_id, reference, answers, respondent_type, respondent_name, respondent_organisation, email,
          publication, may_contact, channel, submitted_at)
       select u.id, $1, u.reference, u.answers::jsonb, u.type, u.name, u.organisation, u.email, u.publication, false,
              u.channel, now() - interval '10 days' + (u.n * interval '5 seconds')
       from unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::int[]) as u(id, reference, answers, type, name, organisation, email, publication, channel, n)`,
      [
        consultationId,
        rows.map((x) => x.id),
        rows.map((x) => x.reference),
        rows.map((x) => x.answers),
        rows.map((x) => x.type),
        rows.map((x) => x.name),
        rows.map((x) => x.organisation),
        rows.map((x) => x.email),
        rows.map((x) => x.publication),
        rows.map((x) => x.channel),
        rows.map((_, k) => start + k),
      ],
    )
  }
  // as an operator would after a bulk load: statistics, and the visibility map for index-only scans
  await client.query('vacuum analyze consultations.response')
  await client.query('vacuum analyze consultations.answer')
  return { consultationId, questions, responses: count, campaignResponses, duplicates, blanks }
}

async function main() {
  const url = process.argv[2]
  const count = Number(process.argv[3] ?? 100_000)
  if (!url) throw new Error('usage: npx tsx bench/consultations-seed.ts <database url> [responses]')
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  try {
    const org = await pool.query<{ id: string }>(
      `select id from core.organisation order by (slug = 'scottish-government') desc, slug limit 1`,
    )
    if (!org.rows[0]) throw new Error('load the organisations first (npm start once, or npx comhla migrate)')
    const started = Date.now()
    const { consultationId, questions } = await createBenchConsultation(
      pool,
      org.rows[0].id,
      'Digital public services: seeking views',
    )
    const seeded = await seedResponses(pool, consultationId, questions, count)
    console.log(
      `Seeded ${seeded.responses} responses (${seeded.campaignResponses} campaign, ${seeded.duplicates} duplicates, ${seeded.blanks} blank) in ${((Date.now() - started) / 1000).toFixed(1)} s: /manage/consultations/${consultationId}/analysis`,
    )
  } finally {
    await pool.end()
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main()

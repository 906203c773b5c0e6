// The community part's open data, published by the open-data module through kernel.datasets:
// each body's representatives, each community council's published meetings, and each poll's or
// survey's published results. The services announce changes in the transactions that make them.
import type { Kernel } from '../../../platform/kernel.js'
import type { CommunityCouncilService } from './councils.service.js'
import type { PollService } from './polls.service.js'
import type { RepresentativeService } from './representatives.service.js'

export const REPRESENTATIVES_DATASET = 'participation.representatives'
export const MEETINGS_DATASET = 'participation.community-council-meetings'
export const POLL_RESULTS_DATASET = 'participation.poll-results'

export function registerCommunityDatasets(
  kernel: Kernel,
  services: { councils: CommunityCouncilService; representatives: RepresentativeService; polls: PollService },
): void {
  const { councils, representatives, polls } = services

  kernel.datasets.register({
    id: REPRESENTATIVES_DATASET,
    describe: async (organisationId) => {
      const organisation = await kernel.organisations.getById(organisationId)
      if (!organisation) return null
      const page = await representatives.list({ organisation: organisation.slug, pageSize: 1 })
      if (page.total === 0) return null
      const latest = await representatives.latestUpdate(organisationId)
      return {
        key: organisationId,
        organisationId,
        title: `Councillors and MSPs kept by ${organisation.nameEn}`,
        description: 'Representatives with their wards, constituencies and regions, and how to contact them.',
        keywords: ['councillors', 'MSPs', 'wards', 'constituencies', 'democracy'],
        landingPage: `/representatives/all?organisation=${organisation.slug}`,
        columns: [
          { name: 'name', title: 'Name', type: 'text' },
          { name: 'role', title: 'Role', type: 'text' },
          { name: 'party', title: 'Party', type: 'text' },
          { name: 'area_kind', title: 'Kind of area', type: 'text' },
          { name: 'area_code', title: 'Area code (GSS)', type: 'text' },
          { name: 'area_name', title: 'Area', type: 'text' },
          { name: 'email', title: 'Email address', type: 'text' },
        ],
        updatedAt: latest ?? organisation.updatedAt,
      }
    },
    rows: async function* (organisationId) {
      const organisation = await kernel.organisations.getById(organisationId)
      if (!organisation) return
      for await (const r of representatives.all({ organisation: organisation.slug }))
        yield {
          name: r.name,
          role: r.role,
          party: r.party,
          area_kind: r.areaKind,
          area_code: r.areaCode,
          area_name: r.areaName,
          email: r.email,
        }
    },
  })

  kernel.datasets.register({
    id: MEETINGS_DATASET,
    describe: async (organisationId) => {
      const cc = await councils.getById(organisationId).catch(() => null)
      if (!cc) return null
      const meetings = await councils.meetings(cc)
      if (meetings.length === 0) return null
      return {
        key: organisationId,
        organisationId,
        title: `Meetings of ${cc.nameEn}`,
        description:
          'The community council’s published meetings, with where they are held and whether minutes are out.',
        keywords: ['community council', 'meetings', 'minutes'],
        landingPage: `/community-councils/${cc.slug}`,
        columns: [
          { name: 'title', title: 'Meeting', type: 'text' },
          { name: 'kind', title: 'How people attend', type: 'text' },
          { name: 'starts_at', title: 'Starts', type: 'datetime' },
          { name: 'ends_at', title: 'Ends', type: 'datetime' },
          { name: 'location', title: 'Place', type: 'text' },
          { name: 'cancelled', title: 'Cancelled', type: 'boolean' },
          { name: 'minutes_published', title: 'Minutes published', type: 'boolean' },
        ],
        updatedAt: new Date(Math.max(...meetings.map((m) => m.updatedAt.getTime()))),
      }
    },
    rows: async function* (organisationId) {
      const cc = await councils.getById(organisationId).catch(() => null)
      if (!cc) return
      for (const m of await councils.meetings(cc))
        yield {
          title: m.title,
          kind: m.kind,
          starts_at: m.startsAt,
          ends_at: m.endsAt,
          location: m.location,
          cancelled: m.cancelledAt !== null,
          minutes_published: m.minutesPublishedAt !== null,
        }
    },
  })

  kernel.datasets.register({
    id: POLL_RESULTS_DATASET,
    describe: async (pollId) => {
      const found = await polls.publishedById(pollId)
      if (!found) return null
      const { cc, results } = found
      return {
        key: pollId,
        organisationId: cc.id,
        title: `${results.poll.title}: results (${cc.nameEn})`,
        description: `Answers to the community council’s ${results.poll.kind}: ${results.responses} people answered.`,
        keywords: ['community council', 'poll', 'survey', 'local decisions'],
        landingPage: `/community-councils/${cc.slug}/polls/${pollId}/results`,
        columns: [
          { name: 'question', title: 'Question', type: 'text' },
          { name: 'option', title: 'Answer', type: 'text' },
          { name: 'count', title: 'Number', type: 'integer' },
        ],
        updatedAt: results.poll.resultsPublishedAt ?? results.poll.closesAt,
      }
    },
    rows: async function* (pollId) {
      const found = await polls.publishedById(pollId)
      if (!found) return
      for (const q of found.results.questions)
        for (const [i, option] of q.question.options.entries())
          yield { question: q.question.title, option, count: q.counts[i] ?? 0 }
    },
  })
}

// The community part's JSON API under /api/v1, with CSV twins: community councils, their
// published meetings, representatives (and finding them by postcode), and published poll results.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type TSchema } from '@sinclair/typebox'
import { errorResponses, PageOf } from '../../../../platform/api/api.schemas.js'
import { csvStream } from '../../../../platform/audit/audit.presenter.js'
import type { Organisation } from '../../../../platform/organisations/organisation.service.js'
import type { CommunityCouncilService, Meeting } from '../councils.service.js'
import type { PollResults, PollService } from '../polls.service.js'
import type { Representative, RepresentativeService } from '../representatives.service.js'

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

const CommunityCouncilSchema = Type.Object({
  slug: Type.String(),
  nameEn: Type.String(),
  nameGd: Nullable(Type.String()),
  website: Nullable(Type.String()),
  council: Nullable(Type.Object({ slug: Type.String(), nameEn: Type.String(), gssCode: Nullable(Type.String()) })),
  url: Type.String(),
  calendarUrl: Type.String(),
})

const MeetingSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  kind: Type.String({ enum: ['in-person', 'online', 'hybrid'] }),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  location: Type.String(),
  joiningUrl: Nullable(Type.String({ description: 'only when the community council publishes it to everyone' })),
  agendaMarkdown: Type.String(),
  minutesMarkdown: Nullable(Type.String()),
  cancelled: Type.Boolean(),
  url: Type.String(),
})

const RepresentativeSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  role: Type.String({ enum: ['councillor', 'msp'] }),
  party: Type.String(),
  areaKind: Type.String({ enum: ['ward', 'constituency', 'region'] }),
  areaCode: Type.String(),
  areaName: Type.String(),
  email: Type.String(),
  organisation: Nullable(Type.String({ description: 'slug of the body that keeps this record' })),
  url: Type.String(),
})

const ResultsSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  communityCouncil: Type.String(),
  kind: Type.String({ enum: ['poll', 'survey'] }),
  title: Type.String(),
  closesAt: Type.String({ format: 'date-time' }),
  responses: Type.Integer(),
  questions: Type.Array(
    Type.Object({
      title: Type.String(),
      options: Type.Array(Type.Object({ option: Type.String(), count: Type.Integer() })),
    }),
  ),
  url: Type.String(),
})

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  council: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
})
const RepQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  role: Type.Optional(Type.Union([Type.Literal('councillor'), Type.Literal('msp'), Type.Literal('')])),
  organisation: Type.Optional(Type.String({ maxLength: 100 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
})
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const PollParams = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) })
const PostcodeParams = Type.Object({ postcode: Type.String({ maxLength: 20 }) })

const csvHeaders = (reply: { header: (k: string, v: string) => unknown }, name: string) => {
  reply.header('content-type', 'text/csv; charset=utf-8')
  reply.header('content-disposition', `attachment; filename="${name}.csv"`)
}

export const communityApi: FastifyPluginAsyncTypebox<{
  councils: CommunityCouncilService
  representatives: RepresentativeService
  polls: PollService
}> = async (app, { councils, representatives, polls }) => {
  const { baseUrl } = app.kernel.config
  const tags = ['participation']

  const ccToApi = (cc: Organisation, council: Organisation | null) => ({
    slug: cc.slug,
    nameEn: cc.nameEn,
    nameGd: cc.nameGd,
    website: cc.website,
    council: council ? { slug: council.slug, nameEn: council.nameEn, gssCode: council.gssCode } : null,
    url: `${baseUrl}/community-councils/${cc.slug}`,
    calendarUrl: `${baseUrl}/community-councils/${cc.slug}/meetings.ics`,
  })
  const meetingToApi = (cc: Organisation, m: Meeting) => ({
    id: m.id,
    title: m.title,
    kind: m.kind,
    startsAt: m.startsAt.toISOString(),
    endsAt: m.endsAt.toISOString(),
    location: m.location,
    joiningUrl: m.kind !== 'in-person' && m.joiningVisibility === 'public' ? m.joiningUrl : null,
    agendaMarkdown: m.agendaMarkdown,
    minutesMarkdown: m.minutesPublishedAt ? m.minutesMarkdown : null,
    cancelled: m.cancelledAt !== null,
    url: `${baseUrl}/community-councils/${cc.slug}/meetings/${m.id}`,
  })
  const repToApi = (r: Representative & { organisation?: Organisation | null }) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    party: r.party,
    areaKind: r.areaKind,
    areaCode: r.areaCode,
    areaName: r.areaName,
    email: r.email,
    organisation: r.organisation?.slug ?? null,
    url: `${baseUrl}/representatives/${r.id}`,
  })
  const resultsToApi = (cc: Organisation, r: PollResults) => ({
    id: r.poll.id,
    communityCouncil: cc.slug,
    kind: r.poll.kind,
    title: r.poll.title,
    closesAt: r.poll.closesAt.toISOString(),
    responses: r.responses,
    questions: r.questions.map((q) => ({
      title: q.question.title,
      options: q.question.options.map((option, i) => ({ option, count: q.counts[i] ?? 0 })),
    })),
    url: `${baseUrl}/community-councils/${cc.slug}/polls/${r.poll.id}/results`,
  })
  const resultRows = (cc: Organisation, r: PollResults) =>
    r.questions.flatMap((q) =>
      q.question.options.map((option, i) => [
        cc.slug,
        r.poll.id,
        r.poll.title,
        q.question.title,
        option,
        q.counts[i] ?? 0,
      ]),
    )
  const RESULT_COLUMNS = ['community_council', 'poll_id', 'poll', 'question', 'option', 'count']

  app.get(
    '/community-councils',
    {
      schema: {
        tags,
        summary: 'Community councils, with the council each belongs to',
        querystring: ListQuery,
        response: { 200: PageOf(CommunityCouncilSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await councils.list(request.query)
      return { ...page, items: page.items.map((i) => ccToApi(i.cc, i.council)) }
    },
  )

  app.get(
    '/community-councils.csv',
    {
      schema: {
        tags,
        summary: 'Community councils as CSV',
        querystring: Type.Omit(ListQuery, ['page', 'pageSize']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      csvHeaders(reply, 'community-councils')
      const rows = (async function* () {
        for await (const i of councils.all(request.query))
          yield [
            i.cc.slug,
            i.cc.nameEn,
            i.cc.nameGd ?? '',
            i.council?.slug ?? '',
            i.council?.nameEn ?? '',
            i.cc.website ?? '',
            `${baseUrl}/community-councils/${i.cc.slug}`,
          ]
      })()
      return reply.send(csvStream(['slug', 'name_en', 'name_gd', 'council_slug', 'council', 'website', 'url'], rows))
    },
  )

  app.get(
    '/community-councils/:slug/meetings',
    {
      schema: {
        tags,
        summary: "A community council's published meetings, newest first",
        params: SlugParams,
        response: { 200: Type.Object({ items: Type.Array(MeetingSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const cc = await councils.get(request.params.slug)
      return { items: (await councils.meetings(cc)).map((m) => meetingToApi(cc, m)) }
    },
  )

  app.get(
    '/community-councils/:slug/meetings.csv',
    {
      schema: {
        tags,
        summary: "A community council's published meetings as CSV",
        params: SlugParams,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const cc = await councils.get(request.params.slug)
      const meetings = await councils.meetings(cc)
      csvHeaders(reply, `${cc.slug}-meetings`)
      return reply.send(
        csvStream(
          ['id', 'title', 'kind', 'starts_at', 'ends_at', 'location', 'cancelled', 'minutes_published', 'url'],
          meetings.map((m) => {
            const a = meetingToApi(cc, m)
            return [
              a.id,
              a.title,
              a.kind,
              a.startsAt,
              a.endsAt,
              a.location,
              a.cancelled ? 'yes' : 'no',
              a.minutesMarkdown === null ? 'no' : 'yes',
              a.url,
            ]
          }),
        ),
      )
    },
  )

  app.get(
    '/community-councils/:slug/polls/:id/results',
    {
      schema: {
        tags,
        summary: "A poll's or survey's published results",
        params: PollParams,
        response: { 200: ResultsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const cc = await councils.get(request.params.slug)
      return resultsToApi(cc, await polls.results(request.ctx(), cc, request.params.id))
    },
  )

  app.get(
    '/community-councils/:slug/polls/:id/results.csv',
    { schema: { tags, summary: "A poll's published results as CSV", params: PollParams, produces: ['text/csv'] } },
    async (request, reply) => {
      const cc = await councils.get(request.params.slug)
      const results = await polls.results(request.ctx(), cc, request.params.id)
      csvHeaders(reply, `poll-${results.poll.id}`)
      return reply.send(csvStream(RESULT_COLUMNS, resultRows(cc, results)))
    },
  )

  const publishedResults = async function* () {
    const anonymous = { principal: null, requestId: null, ip: null, locale: 'en' as const }
    for (const { organisationId, pollId } of await polls.allPublishedResults()) {
      const cc = await councils.getById(organisationId)
      yield { cc, results: await polls.results(anonymous, cc, pollId) }
    }
  }

  app.get(
    '/poll-results',
    {
      schema: {
        tags,
        summary: "Every community council's published poll and survey results",
        response: { 200: Type.Object({ items: Type.Array(ResultsSchema) }), ...errorResponses },
      },
    },
    async () => {
      const items = []
      for await (const { cc, results } of publishedResults()) items.push(resultsToApi(cc, results))
      return { items }
    },
  )

  app.get(
    '/poll-results.csv',
    {
      schema: { tags, summary: 'Published poll and survey results as CSV, one row an option', produces: ['text/csv'] },
    },
    async (_request, reply) => {
      csvHeaders(reply, 'poll-results')
      const rows = (async function* () {
        for await (const { cc, results } of publishedResults()) yield* resultRows(cc, results)
      })()
      return reply.send(csvStream(RESULT_COLUMNS, rows))
    },
  )

  app.get(
    '/representatives',
    {
      schema: {
        tags,
        summary: 'Councillors and MSPs with their wards, constituencies and regions',
        querystring: RepQuery,
        response: { 200: PageOf(RepresentativeSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await representatives.list(request.query)
      return { ...page, items: page.items.map(repToApi) }
    },
  )

  app.get(
    '/representatives.csv',
    {
      schema: {
        tags,
        summary: 'Representatives as CSV',
        querystring: Type.Omit(RepQuery, ['page', 'pageSize']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      csvHeaders(reply, 'representatives')
      const rows = (async function* () {
        for await (const r of representatives.all(request.query)) {
          const a = repToApi(r)
          yield [
            a.id,
            a.name,
            a.role,
            a.party,
            a.areaKind,
            a.areaCode,
            a.areaName,
            a.email,
            a.organisation ?? '',
            a.url,
          ]
        }
      })()
      return reply.send(
        csvStream(
          ['id', 'name', 'role', 'party', 'area_kind', 'area_code', 'area_name', 'email', 'organisation', 'url'],
          rows,
        ),
      )
    },
  )

  app.get(
    '/postcodes/:postcode/representatives',
    {
      schema: {
        tags,
        summary: 'The wards, constituency and region of a postcode, and their representatives',
        params: PostcodeParams,
        response: {
          200: Type.Object({
            postcode: Type.String(),
            ward: Type.Object({ code: Type.String(), name: Type.String() }),
            constituency: Type.Object({ code: Type.String(), name: Type.String() }),
            region: Type.Object({ code: Type.String(), name: Type.String() }),
            representatives: Type.Array(RepresentativeSchema),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { areas, representatives: reps } = await representatives.find(request.params.postcode)
      return {
        postcode: areas.postcode,
        ward: { code: areas.wardCode, name: areas.wardName },
        constituency: { code: areas.constituencyCode, name: areas.constituencyName },
        region: { code: areas.regionCode, name: areas.regionName },
        representatives: reps.map(repToApi),
      }
    },
  )
}

// The participatory budgeting JSON API under /api/v1: public lists of processes, projects and
// results, each also as CSV. Results are public once the body has published them.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses, PageOf } from '../../../../platform/api/api.schemas.js'
import { csvStream } from '../../../../platform/audit/audit.presenter.js'
import {
  IdParams,
  ListQuery,
  ProcessDetailSchema,
  ProcessSchema,
  ProjectListQuery,
  ProjectSchema,
  ResultsSchema,
} from '../pb.schemas.js'
import {
  PROCESS_CSV_COLUMNS,
  PROJECT_CSV_COLUMNS,
  RESULT_CSV_COLUMNS,
  areaToApi,
  processCsvRow,
  processToApi,
  projectCsvRow,
  projectToApi,
  resultCsvRows,
  resultRows,
} from '../pb.presenter.js'
import type { PbService } from '../pb.service.js'

export const budgetingApi: FastifyPluginAsyncTypebox<{ service: PbService }> = async (app, { service }) => {
  const { baseUrl } = app.kernel.config
  app.addSchema(ProcessSchema)
  app.addSchema(ProjectSchema)
  const tags = ['participatory budgeting']

  app.get(
    '/budgeting/processes',
    {
      schema: {
        tags,
        summary: 'Published participatory budgeting processes',
        querystring: ListQuery,
        response: { 200: PageOf(ProcessSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await service.listPublished(request.query)
      return { ...page, items: page.items.map((w) => processToApi(w, baseUrl)) }
    },
  )

  app.get(
    '/budgeting/processes.csv',
    { schema: { tags, summary: 'Published participatory budgeting processes as CSV', produces: ['text/csv'] } },
    async (_request, reply) => {
      const rows = (async function* () {
        for (let page = 1; ; page++) {
          const r = await service.listPublished({ page, pageSize: 200 })
          for (const w of r.items) yield processCsvRow(w, baseUrl)
          if (page >= r.pageCount) return
        }
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="budgeting-processes.csv"')
      return reply.send(csvStream(PROCESS_CSV_COLUMNS, rows))
    },
  )

  app.get(
    '/budgeting/processes/:id',
    {
      schema: {
        tags,
        summary: 'A published process with its areas and budgets',
        params: IdParams,
        response: { 200: ProcessDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const found = await service.getPublished(request.params.id)
      return { ...processToApi(found, baseUrl), areas: found.areas.map(areaToApi) }
    },
  )

  app.get(
    '/budgeting/processes/:id/projects',
    {
      schema: {
        tags,
        summary: "A process's projects and ideas, with their review outcome",
        params: IdParams,
        querystring: ProjectListQuery,
        response: { 200: PageOf(ProjectSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { found, page } = await service.projectsPage(request.params.id, request.query)
      return { ...page, items: page.items.map((p) => projectToApi(p, found.areas, baseUrl)) }
    },
  )

  app.get(
    '/budgeting/processes/:id/projects.csv',
    {
      schema: {
        tags,
        summary: "A process's projects as CSV",
        params: IdParams,
        querystring: Type.Omit(ProjectListQuery, ['page', 'pageSize']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const found = await service.getPublished(request.params.id)
      const rows = (async function* () {
        for await (const p of service.allProjects(found.process.id, request.query))
          yield projectCsvRow(p, found.areas, baseUrl)
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="budgeting-projects-${found.process.id}.csv"`)
      return reply.send(csvStream(PROJECT_CSV_COLUMNS, rows))
    },
  )

  app.get(
    '/budgeting/processes/:id/results',
    {
      schema: {
        tags,
        summary: "A process's published results by area: votes, and the projects selected",
        params: IdParams,
        response: { 200: ResultsSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { found, areas, projects } = await service.results(request.ctx(), request.params.id)
      return {
        processId: found.process.id,
        votingRule: found.process.votingRule,
        equalShares: found.process.equalShares,
        areas: resultRows(found.areas, areas, projects).map((a) => ({
          ...areaToApi(a.area),
          ballots: a.ballots,
          spentByVotes: a.greedySpent,
          spentByEqualShares: a.equalSharesSpent,
          projects: a.projects.map((p) => ({
            rank: p.rank,
            projectId: p.projectId,
            title: p.title,
            cost: p.cost,
            votes: p.votes,
            points: p.points,
            selectedByVotes: p.greedySelected,
            selectedByEqualShares: p.equalSharesSelected,
          })),
        })),
      }
    },
  )

  app.get(
    '/budgeting/processes/:id/results.csv',
    {
      schema: {
        tags,
        summary: "A process's published results as CSV, one row a project",
        params: IdParams,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const { found, areas, projects } = await service.results(request.ctx(), request.params.id)
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="budgeting-results-${found.process.id}.csv"`)
      return reply.send(csvStream(RESULT_CSV_COLUMNS, resultCsvRows(found.areas, areas, projects)))
    },
  )
}

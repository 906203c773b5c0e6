// Public pages: processes, projects and ideas with comments, voting (by account with a postcode,
// or with a voting code), and results. Every page works without JavaScript: the ballot's running
// total and its errors come from the server when the voter presses "Update total".
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf, fieldList, keepQuery } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Upload } from '../../../../platform/files/uploads.plugin.js'
import { PbError } from '../pb.errors.js'
import {
  IdParams,
  PageQuery,
  ProjectPageQuery,
  ProjectParams,
  AreaParams,
  ballotForm,
  codeForm,
  commentForm,
  projectForm,
  residentForm,
  emptyForm,
} from '../pb.schemas.js'
import { BallotInvalid, normaliseCode, type PbService } from '../pb.service.js'
import { areaView, chartBars, processView, projectDetailView, projectView, resultRows } from '../pb.presenter.js'
import { checkBallot, formatPounds, type BallotCheck } from '../pb.rules.js'
import type { PbArea, PbProject, Voter } from '../pb.types.js'

const codeCookie = 'comhla_pb_code'

/** The choices in a ballot form: project id → points ('1' for a ticked box). */
export function rawChoices(body: unknown, projects: PbProject[], points: boolean): Map<string, string> {
  const raw = new Map<string, string>()
  if (points) {
    for (const p of projects) {
      const v = field(body, `points-${p.id}`, 20)
      if (v.trim() !== '') raw.set(p.id, v)
    }
  } else for (const id of fieldList(body, 'project')) raw.set(id, '1')
  return raw
}

export function ballotView(
  check: BallotCheck,
  projects: PbProject[],
  area: PbArea,
  raw: Map<string, string>,
  rule: string,
  t: FastifyRequest['t'],
) {
  const totalText =
    rule === 'approval'
      ? t('participation.pb.ballot.totalApproval', { count: check.count, remaining: Math.max(0, check.remaining) })
      : rule === 'points'
        ? t('participation.pb.ballot.totalPoints', {
            count: check.totalPoints,
            remaining: Math.max(0, check.remaining),
          })
        : t('participation.pb.ballot.totalKnapsack', {
            total: formatPounds(check.totalCost),
            budget: formatPounds(area.budget),
            remaining: formatPounds(Math.max(0, check.remaining)),
          })
  return {
    totalText,
    over: check.remaining < 0,
    items: projects.map((p) => ({
      id: p.id,
      title: p.title,
      description: p.description,
      cost: p.cost,
      costText: formatPounds(p.cost),
      checked: raw.has(p.id),
      points: raw.get(p.id) ?? '',
    })),
  }
}

export const budgetingWeb: FastifyPluginAsyncTypebox<{ service: PbService }> = async (app, { service }) => {
  const { kernel } = app
  const secure = kernel.config.baseUrl.startsWith('https://')
  const limited = { rateLimit: { max: kernel.config.rateLimitMax * 6, timeWindow: '1 minute' } }
  const view = (request: FastifyRequest, w: Parameters<typeof processView>[0]) =>
    processView(w, request.t, request.locale)

  // --- processes ---

  app.get('/budgeting', { schema: { querystring: PageQuery } }, async (request, reply) => {
    const page = await service.listPublished({ page: request.query.page, pageSize: 20 })
    return reply.render('participation/budgeting/list.njk', {
      title: request.t('participation.pb.list.title'),
      section: 'budgeting',
      page,
      items: page.items.map((w) => view(request, w)),
      pageBase: '/budgeting?',
      canManage: (await service.manageableOrganisations(request.ctx()).catch(() => [])).length > 0,
    })
  })

  app.get('/budgeting/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    return reply.render('participation/budgeting/show.njk', {
      title: found.process.title,
      section: 'budgeting',
      process: view(request, found),
      areas: found.areas.map((a) => areaView(a, request.t)),
    })
  })

  // --- projects and ideas ---

  app.get(
    '/budgeting/:id/projects',
    { schema: { params: IdParams, querystring: ProjectPageQuery } },
    async (request, reply) => {
      const { found, page } = await service.projectsPage(request.params.id, { ...request.query, pageSize: 50 }, 50)
      const params = keepQuery(request.query)
      const t = request.t
      return reply.render('participation/budgeting/projects.njk', {
        title: t('participation.pb.projects.title'),
        headerLabel: found.process.title,
        section: 'budgeting',
        process: view(request, found),
        page,
        items: page.items.map((p) => projectView(p, found.areas, t)),
        query: { area: request.query.area ?? '', status: request.query.status ?? '', q: request.query.q ?? '' },
        areaOptions: [
          { value: '', text: t('participation.pb.projects.allAreas') },
          ...found.areas.map((a) => ({ value: a.id, text: a.name })),
        ],
        statusOptions: [
          { value: '', text: t('participation.pb.projects.allStatuses') },
          ...['proposed', 'feasible', 'not-feasible', 'merged'].map((s) => ({
            value: s,
            text: t(`participation.pb.status.${s}`),
          })),
        ],
        pageBase: `/budgeting/${found.process.id}/projects?${params ? `${params}&` : ''}`,
        csvHref: `/api/v1/budgeting/processes/${found.process.id}/projects.csv${params ? `?${params}` : ''}`,
        jsonHref: `/api/v1/budgeting/processes/${found.process.id}/projects${params ? `?${params}` : ''}`,
      })
    },
  )

  async function renderProject(
    request: FastifyRequest,
    reply: FastifyReply,
    ids: { id: string; projectId: string },
    pageQuery: string | undefined,
    form?: { comment: string; fieldErrors: Record<string, string> },
  ) {
    const { found, project } = await service.getProject(ids.id, ids.projectId)
    const comments = await service.comments(project.id, pageQuery)
    const mergedInto = project.mergedInto ? await service.repo.getProject(kernel.db, project.mergedInto) : null
    return reply.render(
      'participation/budgeting/project.njk',
      {
        title: project.title,
        headerLabel: found.process.title,
        section: 'budgeting',
        process: view(request, found),
        project: projectDetailView(project, found.areas, request.t, request.locale),
        mergedInto,
        comments,
        pageBase: `/budgeting/${found.process.id}/projects/${project.id}?`,
        values: { comment: form?.comment ?? '' },
        ...(form ? { fieldErrors: form.fieldErrors } : {}),
      },
      form ? 422 : 200,
    )
  }

  app.get(
    '/budgeting/:id/projects/:projectId',
    { schema: { params: ProjectParams, querystring: PageQuery } },
    async (request, reply) => renderProject(request, reply, request.params, request.query.page),
  )

  app.post(
    '/budgeting/:id/projects/:projectId/comments',
    { schema: { params: ProjectParams, body: commentForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const comment = field(request.body, 'comment', 3000)
      try {
        await service.addComment(request.ctx(), request.params.id, request.params.projectId, comment)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderProject(request, reply, request.params, undefined, { comment, fieldErrors })
      }
      const { project } = await service.getProject(request.params.id, request.params.projectId)
      const lastPage = Math.max(1, Math.ceil(project.commentCount / 20))
      return reply.redirect(
        `/budgeting/${request.params.id}/projects/${request.params.projectId}?page=${lastPage}#comments`,
        303,
      )
    },
  )

  async function renderIdea(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: Record<string, string>,
    fieldErrors?: Record<string, string>,
  ) {
    const found = await service.getPublished(id)
    if (found.phase !== 'ideas') throw new PbError('PB_WRONG_PHASE', 'participation.pb.idea.error.notIdeasPhase')
    return reply.render(
      'participation/budgeting/idea.njk',
      {
        title: request.t('participation.pb.idea.title'),
        headerLabel: found.process.title,
        section: 'budgeting',
        process: view(request, found),
        areaOptions: [
          { value: '', text: request.t('participation.pb.idea.chooseArea') },
          ...found.areas.map((a) => ({ value: a.id, text: areaView(a, request.t).label })),
        ],
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/budgeting/:id/ideas/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderIdea(request, reply, request.params.id, {
      title: '',
      description: '',
      areaId: '',
      cost: '',
      imageAlt: '',
    })
  })

  app.post(
    '/budgeting/:id/ideas/new',
    { schema: { params: IdParams, body: projectForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        title: field(request.body, 'title', 500),
        description: field(request.body, 'description', 6000),
        areaId: field(request.body, 'areaId', 100),
        cost: field(request.body, 'cost', 30),
        imageAlt: field(request.body, 'imageAlt', 500),
      }
      const image = (request.body as Record<string, unknown> | undefined)?.image
      const upload = image && typeof image === 'object' && 'path' in image ? (image as Upload) : undefined
      try {
        const project = await service.proposeIdea(request.ctx(), request.params.id, values, upload)
        return reply.redirect(`/budgeting/${request.params.id}/projects/${project.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderIdea(request, reply, request.params.id, values, fieldErrors)
      }
    },
  )

  app.get('/budgeting/:id/projects/:projectId/image', { schema: { params: ProjectParams } }, async (request, reply) =>
    kernel.files.send(reply, await service.projectImage(request.params.id, request.params.projectId)),
  )

  // --- voting ---

  const codeOf = (request: FastifyRequest, processId: string): string | undefined => {
    const value = request.cookies[`${codeCookie}_${processId.slice(0, 8)}`]
    return value && normaliseCode(value) ? value : undefined
  }
  const setCode = (reply: FastifyReply, processId: string, code: string | null) =>
    code
      ? reply.setCookie(`${codeCookie}_${processId.slice(0, 8)}`, code, {
          path: `/budgeting/${processId}/vote`,
          httpOnly: true,
          sameSite: 'lax',
          secure,
          maxAge: 3600,
        })
      : reply.clearCookie(`${codeCookie}_${processId.slice(0, 8)}`, { path: `/budgeting/${processId}/vote` })

  /** The voter behind this request: a code given on this device, else the signed-in person. */
  const voterOf = (request: FastifyRequest, processId: string): Voter | null => {
    const code = codeOf(request, processId)
    if (code) return { kind: 'code', code, channel: 'code' }
    if (request.principal?.via === 'session') return { kind: 'account', accountId: request.principal.accountId }
    return null
  }

  app.get('/budgeting/:id/vote', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    const voter = voterOf(request, found.process.id)
    if (found.phase === 'vote' && voter) {
      if (voter.kind === 'code') return reply.redirect(`/budgeting/${found.process.id}/vote/ballots`, 303)
      if (found.process.eligibility !== 'code' && (await service.residentOf(request.ctx(), found.process.id)))
        return reply.redirect(`/budgeting/${found.process.id}/vote/ballots`, 303)
    }
    return reply.render(
      'participation/budgeting/vote-start.njk',
      {
        title: request.t('participation.pb.vote.title'),
        headerLabel: found.process.title,
        section: 'budgeting',
        process: view(request, found),
        open: found.phase === 'vote',
        signedIn: request.principal?.via === 'session',
        accounts: found.process.eligibility !== 'code',
        codes: found.process.eligibility !== 'account',
      },
      found.phase === 'vote' ? 200 : 409,
    )
  })

  async function renderResident(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: Record<string, string>,
    fieldErrors?: Record<string, string>,
    status?: number,
  ) {
    const found = await service.getPublished(id)
    if (found.phase !== 'vote') throw new PbError('PB_WRONG_PHASE', 'participation.pb.vote.error.notOpen')
    return reply.render(
      'participation/budgeting/vote-resident.njk',
      {
        title: request.t('participation.pb.eligibility.title'),
        headerLabel: found.process.title,
        section: 'budgeting',
        process: view(request, found),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      status ?? (fieldErrors ? 422 : 200),
    )
  }

  app.get('/budgeting/:id/vote/resident', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderResident(request, reply, request.params.id, {
      postcode: '',
      birthDay: '',
      birthMonth: '',
      birthYear: '',
    })
  })

  app.post(
    '/budgeting/:id/vote/resident',
    { schema: { params: IdParams, body: residentForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        postcode: field(request.body, 'postcode', 20),
        birthDay: field(request.body, 'birthDay', 4),
        birthMonth: field(request.body, 'birthMonth', 4),
        birthYear: field(request.body, 'birthYear', 6),
      }
      try {
        await service.declareResident(request.ctx(), request.params.id, values)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        const status = error instanceof PbError && error.kind === 'forbidden' ? 403 : 422
        return renderResident(request, reply, request.params.id, values, fieldErrors, status)
      }
      setCode(reply, request.params.id, null)
      return reply.redirect(`/budgeting/${request.params.id}/vote/ballots`, 303)
    },
  )

  async function renderCode(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    code: string,
    fieldErrors?: Record<string, string>,
    status?: number,
  ) {
    const found = await service.getPublished(id)
    if (found.phase !== 'vote') throw new PbError('PB_WRONG_PHASE', 'participation.pb.vote.error.notOpen')
    return reply.render(
      'participation/budgeting/vote-code.njk',
      {
        title: request.t('participation.pb.code.title'),
        headerLabel: found.process.title,
        section: 'budgeting',
        process: view(request, found),
        values: { code },
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      status ?? (fieldErrors ? 422 : 200),
    )
  }

  app.get('/budgeting/:id/vote/code', { schema: { params: IdParams } }, async (request, reply) =>
    renderCode(request, reply, request.params.id, ''),
  )

  app.post(
    '/budgeting/:id/vote/code',
    { schema: { params: IdParams, body: codeForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const typed = field(request.body, 'code', 50)
      try {
        const checked = await service.checkCode(request.params.id, typed)
        setCode(reply, request.params.id, checked.code)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        const status = error instanceof PbError && error.code === 'PB_CODE_USED' ? 409 : 422
        return renderCode(request, reply, request.params.id, typed, fieldErrors, status)
      }
      return reply.redirect(`/budgeting/${request.params.id}/vote/ballots`, 303)
    },
  )

  app.get('/budgeting/:id/vote/ballots', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    const voter = voterOf(request, found.process.id)
    if (!voter || found.phase !== 'vote') return reply.redirect(`/budgeting/${found.process.id}/vote`, 303)
    if (voter.kind === 'account' && !(await service.residentOf(request.ctx(), found.process.id)))
      return reply.redirect(`/budgeting/${found.process.id}/vote/resident`, 303)
    const ballots = await service.ballotsFor(request.ctx(), found.process.id, voter)
    return reply.render('participation/budgeting/vote-ballots.njk', {
      title: request.t('participation.pb.ballots.title'),
      headerLabel: found.process.title,
      section: 'budgeting',
      process: view(request, found),
      ballots: ballots.map((b) => ({ ...areaView(b.area, request.t), voted: b.voted })),
      byCode: voter.kind === 'code',
      allDone: ballots.every((b) => b.voted),
      canChange: voter.kind === 'account' && found.process.allowChanges,
    })
  })

  app.post(
    '/budgeting/:id/vote/finish',
    { schema: { params: IdParams, body: emptyForm }, attachValidation: true },
    async (request, reply) => {
      setCode(reply, request.params.id, null)
      return reply.redirect(`/budgeting/${request.params.id}/vote/code`, 303)
    },
  )

  async function renderBallot(
    request: FastifyRequest,
    reply: FastifyReply,
    ids: { id: string; areaId: string },
    voter: Voter,
    raw: Map<string, string> | null,
    problems: { key: string; params?: Record<string, string | number> }[] | null,
    status = 200,
  ) {
    const b = await service.ballot(request.ctx(), ids.id, ids.areaId, voter)
    const chosen =
      raw ?? new Map([...(b.current ?? new Map<string, number>()).entries()].map(([k, v]) => [k, String(v)]))
    const check = checkBallot(b.found.process, b.area, b.projects, chosen)
    const t = request.t
    const errors = problems?.map((p) => ({ field: 'choices', text: t(p.key, p.params) }))
    return reply.render(
      'participation/budgeting/ballot.njk',
      {
        title: t('participation.pb.ballot.title', { area: b.area.name }),
        headerLabel: b.found.process.title,
        section: 'budgeting',
        process: view(request, b.found),
        area: areaView(b.area, t),
        rule: b.found.process.votingRule,
        ballotLimit: b.found.process.votingRule === 'points' ? b.found.process.pointsTotal : b.found.process.maxChoices,
        ruleText: processView(b.found, t, request.locale).ruleText,
        ballot: ballotView(check, b.projects, b.area, chosen, b.found.process.votingRule, t),
        voted: b.voted,
        canChange: voter.kind === 'account' && b.found.process.allowChanges,
        action: `/budgeting/${b.found.process.id}/vote/${b.area.id}`,
        errors,
        choicesError: errors?.map((e) => e.text).join(' '),
      },
      status,
    )
  }

  app.get('/budgeting/:id/vote/:areaId', { schema: { params: AreaParams } }, async (request, reply) => {
    const voter = voterOf(request, request.params.id)
    if (!voter) return reply.redirect(`/budgeting/${request.params.id}/vote`, 303)
    return renderBallot(request, reply, request.params, voter, null, null)
  })

  app.post(
    '/budgeting/:id/vote/:areaId',
    { schema: { params: AreaParams, body: ballotForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const voter = voterOf(request, request.params.id)
      if (!voter) return reply.redirect(`/budgeting/${request.params.id}/vote`, 303)
      const readChoices = (projects: PbProject[], rule: string) => rawChoices(request.body, projects, rule === 'points')
      if (field(request.body, 'action', 20) !== 'cast') {
        // "Update total": the running total and any problems, nothing cast.
        const { projects, found } = await service.preview(request.params.id, request.params.areaId, new Map())
        const raw = readChoices(projects, found.process.votingRule)
        const preview = checkBallot(
          found.process,
          found.areas.find((a) => a.id === request.params.areaId)!,
          projects,
          raw,
        )
        const problems = preview.problems.filter((p) => p.key !== 'participation.pb.ballot.error.empty')
        return renderBallot(request, reply, request.params, voter, raw, problems.length ? problems : null)
      }
      let raw = new Map<string, string>()
      try {
        await service.cast(request.ctx(), request.params.id, request.params.areaId, voter, (projects, process) => {
          raw = readChoices(projects, process.votingRule)
          return raw
        })
      } catch (error) {
        if (error instanceof BallotInvalid)
          return renderBallot(request, reply, request.params, voter, raw, error.problems, 422)
        if (error instanceof PbError && (error.code === 'PB_ALREADY_VOTED' || error.code === 'PB_CODE_USED'))
          return renderBallot(request, reply, request.params, voter, raw, [{ key: error.publicMessage }], 409)
        throw error
      }
      return reply.redirect(`/budgeting/${request.params.id}/vote/${request.params.areaId}/cast`, 303)
    },
  )

  app.get('/budgeting/:id/vote/:areaId/cast', { schema: { params: AreaParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    const voter = voterOf(request, found.process.id)
    const area = found.areas.find((a) => a.id === request.params.areaId)
    if (!area || !voter || found.phase !== 'vote') return reply.redirect(`/budgeting/${found.process.id}`, 303)
    const ballots = await service.ballotsFor(request.ctx(), found.process.id, voter)
    const next = ballots.find((b) => !b.voted)
    reply.header('cache-control', 'no-store')
    return reply.render('participation/budgeting/vote-cast.njk', {
      title: request.t('participation.pb.cast.title'),
      headerLabel: found.process.title,
      section: 'budgeting',
      process: view(request, found),
      area: areaView(area, request.t),
      next: next ? areaView(next.area, request.t) : null,
      byCode: voter.kind === 'code',
      canChange: voter.kind === 'account' && found.process.allowChanges,
    })
  })

  // --- results ---

  app.get('/budgeting/:id/results', { schema: { params: IdParams } }, async (request, reply) => {
    const { found, areas, projects } = await service.results(request.ctx(), request.params.id)
    const t = request.t
    const byPoints = found.process.votingRule === 'points'
    return reply.render('participation/budgeting/results.njk', {
      title: t('participation.pb.results.title'),
      headerLabel: found.process.title,
      section: 'budgeting',
      layoutClass: 'comhla-layout--wide',
      process: view(request, found),
      byPoints,
      preview: !found.process.resultsPublishedAt,
      areas: resultRows(found.areas, areas, projects).map((a) => ({
        ...a,
        area: areaView(a.area, t),
        budgetText: formatPounds(a.area.budget),
        greedySpentText: formatPounds(a.greedySpent),
        equalSharesSpentText: a.equalSharesSpent === null ? null : formatPounds(a.equalSharesSpent),
        bars: chartBars(a.projects, byPoints),
        chartHeight: Math.max(36, a.projects.length * 36),
      })),
      csvHref: `/api/v1/budgeting/processes/${found.process.id}/results.csv`,
      jsonHref: `/api/v1/budgeting/processes/${found.process.id}/results`,
    })
  })
}

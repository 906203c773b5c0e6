// Staff pages: a body's processes, setting one up (rules, dates, areas, the postcode lookup),
// reviewing ideas, voting codes in printable batches, paper ballots, and publishing results.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { PbError, areaNotFound, projectNotFound } from '../pb.errors.js'
import {
  AreaParams,
  BatchParams,
  IdParams,
  ProjectPageQuery,
  ProjectParams,
  areaForm,
  ballotForm,
  codesForm,
  emptyForm,
  postcodeForm,
  processForm,
  projectForm,
  reviewForm,
} from '../pb.schemas.js'
import {
  BallotInvalid,
  PostcodeImportInvalid,
  type PbService,
  type ProcessInput,
  type WithPhase,
} from '../pb.service.js'
import { areaView, processView, projectDetailView, projectView } from '../pb.presenter.js'
import { londonParts } from '../pb.dates.js'
import { checkBallot, formatPounds } from '../pb.rules.js'
import { ballotView, rawChoices } from './pb.web.js'
import type { PbArea, PbProject } from '../pb.types.js'

const processFields = [
  'organisationId',
  'title',
  'summary',
  'description',
  'votingRule',
  'maxChoices',
  'pointsTotal',
  'minSpendPercent',
  'allowChanges',
  'eligibility',
  'minAge',
  'equalShares',
  'ideasDate',
  'reviewDate',
  'voteDate',
  'closeDate',
  'closeTime',
] as const

export const manageBudgetingWeb: FastifyPluginAsyncTypebox<{ service: PbService }> = async (app, { service }) => {
  const base = (request: FastifyRequest, w?: WithPhase) => ({
    section: 'manage',
    ...(w
      ? {
          process: processView(w, request.t, request.locale),
          headerOrganisation:
            request.locale === 'gd' && w.organisation.nameGd ? w.organisation.nameGd : w.organisation.nameEn,
          headerLabel: w.process.title,
        }
      : {}),
  })
  const processInput = (body: unknown): ProcessInput =>
    Object.fromEntries(
      processFields.map((f) => [f, field(body, f, f === 'description' ? 20_000 : 1000)]),
    ) as ProcessInput

  async function renderProcessForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: ProcessInput,
    options: { w?: WithPhase; fieldErrors?: Record<string, string> },
  ) {
    const t = request.t
    const organisations = await service.manageableOrganisations(request.ctx())
    return reply.render(
      'participation/budgeting/manage-form.njk',
      {
        ...base(request, options.w),
        title: t(options.w ? 'participation.pb.manage.editTitle' : 'participation.pb.manage.newTitle'),
        action: options.w ? `/manage/budgeting/${options.w.process.id}/edit` : '/manage/budgeting/new',
        cancelHref: options.w ? `/manage/budgeting/${options.w.process.id}` : '/manage/budgeting',
        editing: Boolean(options.w),
        organisationOptions: [
          { value: '', text: t('participation.pb.form.chooseOrganisation') },
          ...organisations.map((o) => ({ value: o.id, text: o.nameEn })),
        ],
        ruleItems: ['approval', 'knapsack', 'points'].map((r) => ({ value: r, text: t(`participation.pb.rule.${r}`) })),
        eligibilityItems: ['either', 'account', 'code'].map((e) => ({
          value: e,
          text: t(`participation.pb.eligibility.${e}`),
        })),
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/budgeting', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const items = await service.listForStaff(request.ctx())
    const organisations = await service.manageableOrganisations(request.ctx())
    return reply.render('participation/budgeting/manage-list.njk', {
      ...base(request),
      title: request.t('participation.pb.manage.title'),
      items: items.map((w) => processView(w, request.t, request.locale)),
      canCreate: organisations.length > 0,
    })
  })

  app.get('/manage/budgeting/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisations = await service.manageableOrganisations(request.ctx())
    const values = Object.fromEntries(processFields.map((f) => [f, ''])) as ProcessInput
    values.organisationId = organisations.length === 1 ? organisations[0]!.id : ''
    values.votingRule = 'knapsack'
    values.eligibility = 'either'
    values.allowChanges = 'yes'
    values.closeTime = '23:59'
    return renderProcessForm(request, reply, values, {})
  })

  app.post(
    '/manage/budgeting/new',
    { schema: { body: processForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = processInput(request.body)
      try {
        const created = await service.createProcess(request.ctx(), values)
        return reply.redirect(`/manage/budgeting/${created.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderProcessForm(request, reply, values, { fieldErrors })
      }
    },
  )

  app.get('/manage/budgeting/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const o = await service.managerOverview(request.ctx(), request.params.id)
    const t = request.t
    return reply.render('participation/budgeting/manage-show.njk', {
      ...base(request, o),
      title: o.process.title,
      layoutClass: 'comhla-layout--wide',
      areas: o.areas.map((a) => ({
        ...areaView(a, t),
        postcodes: o.postcodeCounts.get(a.id) ?? 0,
        voters: o.turnout.get(a.id) ?? 0,
      })),
      statusCounts: o.statusCounts,
      batches: o.batches.map((b) => ({ ...b, areaName: o.areas.find((a) => a.id === b.areaId)?.name ?? '' })),
      nextPhase: ['upcoming', 'ideas', 'review', 'vote'].includes(o.phase)
        ? t(
            `participation.pb.phase.${{ upcoming: 'ideas', ideas: 'review', review: 'vote', vote: 'counting' }[o.phase as 'vote']}`,
          )
        : null,
    })
  })

  app.get('/manage/budgeting/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const p = found.process
    const close = londonParts(p.voteClosesAt)
    return renderProcessForm(
      request,
      reply,
      {
        organisationId: p.organisationId,
        title: p.title,
        summary: p.summary,
        description: p.description,
        votingRule: p.votingRule,
        maxChoices: p.maxChoices === null ? '' : String(p.maxChoices),
        pointsTotal: p.pointsTotal === null ? '' : String(p.pointsTotal),
        minSpendPercent: p.minSpendPercent ? String(p.minSpendPercent) : '',
        allowChanges: p.allowChanges ? 'yes' : '',
        eligibility: p.eligibility,
        minAge: p.minAge === null ? '' : String(p.minAge),
        equalShares: p.equalShares ? 'yes' : '',
        ideasDate: londonParts(p.ideasOpenAt).date,
        reviewDate: londonParts(p.reviewOpensAt).date,
        voteDate: londonParts(p.voteOpensAt).date,
        closeDate: close.date,
        closeTime: close.time,
      },
      { w: found },
    )
  })

  app.post(
    '/manage/budgeting/:id/edit',
    { schema: { params: IdParams, body: processForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = processInput(request.body)
      try {
        await service.updateProcess(request.ctx(), found.process.id, values)
        return reply.redirect(`/manage/budgeting/${found.process.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderProcessForm(request, reply, values, { w: found, fieldErrors })
      }
    },
  )

  for (const [path, act] of [
    ['publish', (r: FastifyRequest, id: string) => service.publishProcess(r.ctx(), id)],
    ['next-phase', (r: FastifyRequest, id: string) => service.startNextPhase(r.ctx(), id)],
    ['publish-results', (r: FastifyRequest, id: string) => service.publishResults(r.ctx(), id)],
  ] as const) {
    app.post(
      `/manage/budgeting/:id/${path}`,
      { schema: { params: IdParams, body: emptyForm }, attachValidation: true },
      async (request, reply) => {
        if (!signedIn(request, reply)) return reply
        await act(request, request.params.id)
        return reply.redirect(`/manage/budgeting/${request.params.id}`, 303)
      },
    )
  }

  // --- areas ---

  async function renderArea(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithPhase,
    values: Record<string, string>,
    options: { area?: PbArea; fieldErrors?: Record<string, string> },
  ) {
    return reply.render(
      'participation/budgeting/manage-area.njk',
      {
        ...base(request, found),
        title: request.t(options.area ? 'participation.pb.area.editTitle' : 'participation.pb.area.newTitle'),
        action: options.area
          ? `/manage/budgeting/${found.process.id}/areas/${options.area.id}/edit`
          : `/manage/budgeting/${found.process.id}/areas/new`,
        editing: Boolean(options.area),
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/budgeting/:id/areas/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    return renderArea(request, reply, found, { name: '', budget: '', areaWide: '' }, {})
  })

  app.post(
    '/manage/budgeting/:id/areas/new',
    { schema: { params: IdParams, body: areaForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = {
        name: field(request.body, 'name', 200),
        budget: field(request.body, 'budget', 30),
        areaWide: field(request.body, 'areaWide', 10),
      }
      try {
        await service.addArea(request.ctx(), found.process.id, values)
        return reply.redirect(`/manage/budgeting/${found.process.id}#areas`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderArea(request, reply, found, values, { fieldErrors })
      }
    },
  )

  app.get('/manage/budgeting/:id/areas/:areaId/edit', { schema: { params: AreaParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const area = found.areas.find((a) => a.id === request.params.areaId)
    if (!area) throw areaNotFound()
    return renderArea(request, reply, found, { name: area.name, budget: String(area.budget), areaWide: '' }, { area })
  })

  app.post(
    '/manage/budgeting/:id/areas/:areaId/edit',
    { schema: { params: AreaParams, body: areaForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const area = found.areas.find((a) => a.id === request.params.areaId)
      if (!area) throw areaNotFound()
      const values = { name: field(request.body, 'name', 200), budget: field(request.body, 'budget', 30) }
      try {
        await service.updateArea(request.ctx(), found.process.id, area.id, values)
        return reply.redirect(`/manage/budgeting/${found.process.id}#areas`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderArea(request, reply, found, { ...values, areaWide: '' }, { area, fieldErrors })
      }
    },
  )

  // --- the postcode lookup ---

  async function renderPostcodes(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithPhase & { areas: PbArea[] },
    csv: string,
    error?: unknown,
  ) {
    const t = request.t
    const fieldErrors = fieldErrorsOf(error)
    const lines =
      error instanceof PostcodeImportInvalid
        ? error.problems.map((p) =>
            t('participation.pb.postcodes.lineProblem', { line: p.line, problem: t(p.key), value: p.value }),
          )
        : []
    return reply.render(
      'participation/budgeting/manage-postcodes.njk',
      {
        ...base(request, found),
        title: t('participation.pb.postcodes.title'),
        areas: found.areas.filter((a) => !a.areaWide),
        values: { csv },
        lines,
        moreLines: error instanceof PostcodeImportInvalid ? error.total - error.problems.length : 0,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/budgeting/:id/postcodes', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderPostcodes(request, reply, await service.getForManager(request.ctx(), request.params.id), '')
  })

  app.post(
    '/manage/budgeting/:id/postcodes',
    { schema: { params: IdParams, body: postcodeForm }, attachValidation: true, bodyLimit: 3_000_000 },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const csv = field(request.body, 'csv', 2_000_000)
      try {
        await service.importPostcodes(request.ctx(), found.process.id, csv)
        return reply.redirect(`/manage/budgeting/${found.process.id}#areas`, 303)
      } catch (error) {
        if (!fieldErrorsOf(error)) throw error
        return renderPostcodes(request, reply, found, csv, error)
      }
    },
  )

  // --- projects and review ---

  app.get(
    '/manage/budgeting/:id/projects',
    { schema: { params: IdParams, querystring: ProjectPageQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const t = request.t
      const { page } = await service.projectsPage(found.process.id, { ...request.query, pageSize: 50 }, 50)
      return reply.render('participation/budgeting/manage-projects.njk', {
        ...base(request, found),
        title: t('participation.pb.review.listTitle'),
        layoutClass: 'comhla-layout--wide',
        page,
        items: page.items.map((p) => projectView(p, found.areas, t)),
        pageBase: `/manage/budgeting/${found.process.id}/projects?${request.query.status ? `status=${encodeURIComponent(request.query.status)}&` : ''}`,
        status: request.query.status ?? '',
        statusOptions: [
          { value: '', text: t('participation.pb.projects.allStatuses') },
          ...['proposed', 'feasible', 'not-feasible', 'merged'].map((s) => ({
            value: s,
            text: t(`participation.pb.status.${s}`),
          })),
        ],
      })
    },
  )

  const areaOptions = (request: FastifyRequest, areas: PbArea[]) => [
    { value: '', text: request.t('participation.pb.idea.chooseArea') },
    ...areas.map((a) => ({ value: a.id, text: areaView(a, request.t).label })),
  ]

  async function renderNewProject(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithPhase & { areas: PbArea[] },
    values: Record<string, string>,
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      'participation/budgeting/manage-project.njk',
      {
        ...base(request, found),
        title: request.t('participation.pb.review.newTitle'),
        action: `/manage/budgeting/${found.process.id}/projects/new`,
        areaOptions: areaOptions(request, found.areas),
        reviewing: false,
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/budgeting/:id/projects/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    return renderNewProject(request, reply, found, { title: '', description: '', areaId: '', cost: '' })
  })

  app.post(
    '/manage/budgeting/:id/projects/new',
    { schema: { params: IdParams, body: projectForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = {
        title: field(request.body, 'title', 500),
        description: field(request.body, 'description', 6000),
        areaId: field(request.body, 'areaId', 100),
        cost: field(request.body, 'cost', 30),
      }
      try {
        const project = await service.addProject(request.ctx(), found.process.id, values)
        return reply.redirect(`/manage/budgeting/${found.process.id}/projects/${project.id}/review`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderNewProject(request, reply, found, values, fieldErrors)
      }
    },
  )

  async function renderReview(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithPhase & { areas: PbArea[] },
    project: PbProject,
    values: Record<string, string>,
    fieldErrors?: Record<string, string>,
  ) {
    const t = request.t
    const others = await service.repo.searchProjects(
      app.kernel.db,
      found.process.id,
      { statuses: ['proposed', 'feasible', 'not-feasible'] },
      500,
      0,
    )
    return reply.render(
      'participation/budgeting/manage-project.njk',
      {
        ...base(request, found),
        title: t('participation.pb.review.title'),
        action: `/manage/budgeting/${found.process.id}/projects/${project.id}/review`,
        areaOptions: areaOptions(request, found.areas),
        reviewing: true,
        project: projectDetailView(project, found.areas, t, request.locale),
        statusItems: ['proposed', 'feasible', 'not-feasible', 'merged'].map((s) => ({
          value: s,
          text: t(`participation.pb.status.${s}`),
        })),
        mergeOptions: [
          { value: '', text: t('participation.pb.review.chooseMerge') },
          ...others.items.filter((o) => o.id !== project.id).map((o) => ({ value: o.id, text: o.title })),
        ],
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  const reviewedProject = async (request: FastifyRequest, id: string, projectId: string) => {
    const found = await service.getForManager(request.ctx(), id)
    const project = await service.repo.getProject(app.kernel.db, projectId)
    if (!project || project.processId !== found.process.id) throw projectNotFound()
    return { found, project }
  }

  app.get(
    '/manage/budgeting/:id/projects/:projectId/review',
    { schema: { params: ProjectParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { found, project } = await reviewedProject(request, request.params.id, request.params.projectId)
      return renderReview(request, reply, found, project, {
        title: project.title,
        description: project.description,
        areaId: project.areaId,
        cost: String(project.cost),
        status: project.status,
        publicReason: project.publicReason,
        mergedInto: project.mergedInto ?? '',
      })
    },
  )

  app.post(
    '/manage/budgeting/:id/projects/:projectId/review',
    { schema: { params: ProjectParams, body: reviewForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { found, project } = await reviewedProject(request, request.params.id, request.params.projectId)
      const values = {
        title: field(request.body, 'title', 500),
        description: field(request.body, 'description', 6000),
        areaId: field(request.body, 'areaId', 100),
        cost: field(request.body, 'cost', 30),
        status: field(request.body, 'status', 20),
        publicReason: field(request.body, 'publicReason', 3000),
        mergedInto: field(request.body, 'mergedInto', 100),
      }
      try {
        await service.reviewProject(request.ctx(), found.process.id, project.id, values)
        return reply.redirect(`/manage/budgeting/${found.process.id}/projects`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderReview(request, reply, found, project, values, fieldErrors)
      }
    },
  )

  // --- voting codes ---

  async function renderCodes(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithPhase & { areas: PbArea[] },
    values: Record<string, string>,
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      'participation/budgeting/manage-codes.njk',
      {
        ...base(request, found),
        title: request.t('participation.pb.codes.title'),
        areaOptions: areaOptions(request, found.areas),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/budgeting/:id/codes', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    return renderCodes(request, reply, found, { areaId: '', count: '', label: '' })
  })

  app.post(
    '/manage/budgeting/:id/codes',
    { schema: { params: IdParams, body: codesForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = {
        areaId: field(request.body, 'areaId', 100),
        count: field(request.body, 'count', 20),
        label: field(request.body, 'label', 200),
      }
      try {
        const batchId = await service.issueCodes(request.ctx(), found.process.id, values)
        return reply.redirect(`/manage/budgeting/${found.process.id}/codes/${batchId}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderCodes(request, reply, found, values, fieldErrors)
      }
    },
  )

  app.get('/manage/budgeting/:id/codes/:batchId', { schema: { params: BatchParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const { batch, codes } = await service.batch(request.ctx(), found.process.id, request.params.batchId)
    reply.header('cache-control', 'no-store')
    return reply.render('participation/budgeting/manage-batch.njk', {
      ...base(request, found),
      title: batch.label,
      batch,
      areaName: found.areas.find((a) => a.id === batch.areaId)?.name ?? '',
      codes,
      voteUrl: `${app.kernel.config.baseUrl}/budgeting/${found.process.id}/vote/code`,
    })
  })

  // --- paper ballots ---

  async function renderPaper(
    request: FastifyRequest,
    reply: FastifyReply,
    ids: { id: string; areaId: string },
    code: string,
    raw: Map<string, string>,
    problems: { key: string; params?: Record<string, string | number> }[] | null,
    options: { status?: number; codeError?: string; saved?: boolean } = {},
  ) {
    const found = await service.getForManager(request.ctx(), ids.id)
    const area = found.areas.find((a) => a.id === ids.areaId)
    if (!area) throw areaNotFound()
    const projects = await service.repo.ballotProjects(app.kernel.db, area.id)
    const t = request.t
    const check = checkBallot(found.process, area, projects, raw)
    const errors = [
      ...(options.codeError ? [{ field: 'code', text: t(options.codeError) }] : []),
      ...(problems ?? []).map((p) => ({ field: 'choices', text: t(p.key, p.params) })),
    ]
    return reply.render(
      'participation/budgeting/manage-paper.njk',
      {
        ...base(request, found),
        title: t('participation.pb.paper.title', { area: area.name }),
        area: areaView(area, t),
        areas: found.areas.map((a) => areaView(a, t)),
        rule: found.process.votingRule,
        ruleText: processView(found, t, request.locale).ruleText,
        ballot: ballotView(check, projects, area, raw, found.process.votingRule, t),
        action: `/manage/budgeting/${found.process.id}/paper/${area.id}`,
        open: found.phase === 'vote',
        values: { code },
        saved: options.saved ?? false,
        errors: errors.length ? errors : undefined,
        codeError: options.codeError ? t(options.codeError) : undefined,
        choicesError: problems?.map((p) => t(p.key, p.params)).join(' '),
        budgetText: formatPounds(area.budget),
      },
      options.status ?? (errors.length ? 422 : 200),
    )
  }

  app.get('/manage/budgeting/:id/paper/:areaId', { schema: { params: AreaParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderPaper(request, reply, request.params, '', new Map(), null, {
      saved: (request.query as Record<string, unknown>).saved === '1',
    })
  })

  app.post(
    '/manage/budgeting/:id/paper/:areaId',
    { schema: { params: AreaParams, body: ballotForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const projects = await service.repo.ballotProjects(app.kernel.db, request.params.areaId)
      const raw = rawChoices(request.body, projects, found.process.votingRule === 'points')
      const code = field(request.body, 'code', 50)
      if (code.trim() === '')
        return renderPaper(request, reply, request.params, code, raw, null, {
          codeError: 'participation.pb.paper.error.code',
        })
      try {
        await service.cast(
          request.ctx(),
          found.process.id,
          request.params.areaId,
          { kind: 'code', code, channel: 'paper' },
          raw,
        )
      } catch (error) {
        if (error instanceof BallotInvalid)
          return renderPaper(request, reply, request.params, code, raw, error.problems)
        if (
          error instanceof PbError &&
          ['PB_CODE_INVALID', 'PB_CODE_USED', 'PB_ALREADY_VOTED', 'PB_NOT_ELIGIBLE'].includes(error.code)
        )
          return renderPaper(request, reply, request.params, code, raw, null, {
            codeError: error.code === 'PB_ALREADY_VOTED' ? 'participation.pb.code.error.used' : error.publicMessage,
            status: error.code === 'PB_CODE_INVALID' ? 422 : 409,
          })
        throw error
      }
      return reply.redirect(`/manage/budgeting/${found.process.id}/paper/${request.params.areaId}?saved=1`, 303)
    },
  )
}

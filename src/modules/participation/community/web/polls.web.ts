// Local polls and surveys: community council staff create one, add questions and publish it;
// signed-in people answer once; results (a chart and a table) are published after it closes.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Organisation } from '../../../../platform/organisations/organisation.service.js'
import { formatDateTime } from '../../../../shared/dates.js'
import type { CommunityCouncilService } from '../councils.service.js'
import {
  pollKinds,
  pollStatus,
  type Poll,
  type PollInput,
  type PollResults,
  type PollService,
} from '../polls.service.js'
import { barChart } from '../chart.js'
import { CommunityError } from '../community.errors.js'
import { orgName } from './views.js'

const V = 'participation/community'
const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const PollParams = Type.Object({ slug: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) })
const pollForm = formSchema(
  ['kind', 'title', 'description', 'opensDate', 'opensTime', 'closesDate', 'closesTime', 'questionTitle', 'options'],
  6000,
)

export function resultsView(results: PollResults, t: FastifyRequest['t']) {
  return {
    responses: results.responses,
    questions: results.questions.map((q, i) => ({
      title: q.question.title,
      total: q.total,
      rows: q.question.options.map((o, j) => ({
        option: o,
        count: q.counts[j] ?? 0,
        percent: q.total ? Math.round(((q.counts[j] ?? 0) * 100) / q.total) : 0,
      })),
      chart: barChart(
        `chart-${i + 1}`,
        q.question.title,
        t('participation.poll.results.chartDescription', { count: q.total }),
        q.question.options.map((o, j) => ({ label: o, value: q.counts[j] ?? 0 })),
      ),
    })),
  }
}

export const pollsWeb: FastifyPluginAsyncTypebox<{ councils: CommunityCouncilService; polls: PollService }> = async (
  app,
  { councils, polls },
) => {
  const base = (request: FastifyRequest, cc: Organisation) => ({
    cc,
    ccName: orgName(cc, request.locale),
    headerOrganisation: orgName(cc, request.locale),
  })
  const pollView = (p: Poll, request: FastifyRequest) => ({
    ...p,
    status: pollStatus(p),
    statusText: request.t(`participation.poll.status.${pollStatus(p)}`),
    opens: formatDateTime(p.opensAt, request.locale),
    closes: formatDateTime(p.closesAt, request.locale),
    kindText: request.t(`participation.poll.kind.${p.kind}`),
  })

  // --- public ---

  async function renderPoll(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { slug: string; id: string },
    values: Record<string, string> = {},
    fieldErrors?: Record<string, string>,
  ) {
    const cc = await councils.get(params.slug)
    const poll = await polls.get(request.ctx(), cc, params.id)
    return reply.render(
      `${V}/poll.njk`,
      {
        ...base(request, cc),
        section: 'community-councils',
        title: poll.title,
        poll: pollView(poll, request),
        answered: await polls.hasAnswered(request.principal?.accountId, poll.id),
        questions: poll.questions.map((q, i) => ({
          ...q,
          name: `q-${q.id}`,
          legend: poll.questions.length > 1 ? `${i + 1}. ${q.title}` : q.title,
          items: q.options.map((o, j) => ({ value: String(j), text: o })),
        })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/community-councils/:slug/polls/:id', { schema: { params: PollParams } }, async (request, reply) =>
    renderPoll(request, reply, request.params),
  )

  app.post(
    '/community-councils/:slug/polls/:id',
    { schema: { params: PollParams, body: formSchema([], 100) }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await councils.get(request.params.slug)
      const answers: Record<string, string> = {}
      for (const [key, value] of Object.entries((request.body ?? {}) as Record<string, unknown>)) {
        if (key.startsWith('q-') && typeof value === 'string') answers[key.slice(2)] = value.slice(0, 5)
      }
      try {
        await polls.respond(request.ctx(), cc, request.params.id, answers)
        return reply.redirect(`/community-councils/${cc.slug}/polls/${request.params.id}`, 303)
      } catch (error) {
        // A second submit of the same answer shows the thanks, not an error.
        if (error instanceof CommunityError && error.code === 'POLL_ALREADY_ANSWERED')
          return reply.redirect(`/community-councils/${cc.slug}/polls/${request.params.id}`, 303)
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        const values = Object.fromEntries(Object.entries(answers).map(([k, v]) => [`q-${k}`, v]))
        return renderPoll(request, reply, request.params, values, fieldErrors)
      }
    },
  )

  app.get('/community-councils/:slug/polls/:id/results', { schema: { params: PollParams } }, async (request, reply) => {
    const cc = await councils.get(request.params.slug)
    const results = await polls.results(request.ctx(), cc, request.params.id)
    return reply.render(`${V}/poll-results.njk`, {
      ...base(request, cc),
      section: 'community-councils',
      title: request.t('participation.poll.results.title', { title: results.poll.title }),
      poll: pollView(results.poll, request),
      results: resultsView(results, request.t),
      csvHref: `/api/v1/community-councils/${cc.slug}/polls/${results.poll.id}/results.csv`,
      jsonHref: `/api/v1/community-councils/${cc.slug}/polls/${results.poll.id}/results`,
    })
  })

  // --- staff ---

  const pollInput = (body: unknown): PollInput => ({
    kind: field(body, 'kind', 20),
    title: field(body, 'title', 300),
    description: field(body, 'description', 6000),
    opensDate: field(body, 'opensDate', 20),
    opensTime: field(body, 'opensTime', 10),
    closesDate: field(body, 'closesDate', 20),
    closesTime: field(body, 'closesTime', 10),
  })

  async function renderNew(
    request: FastifyRequest,
    reply: FastifyReply,
    cc: Organisation,
    values: PollInput,
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      `${V}/poll-form.njk`,
      {
        ...base(request, cc),
        section: 'manage',
        title: request.t('participation.poll.form.newTitle'),
        kindItems: pollKinds.map((k) => ({ value: k, text: request.t(`participation.poll.kind.${k}`) })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/community-councils/:slug/polls/new', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const cc = await councils.get(request.params.slug)
    councils.requireManager(request.ctx(), cc)
    return renderNew(request, reply, cc, {
      kind: 'poll',
      title: '',
      description: '',
      opensDate: '',
      opensTime: '09:00',
      closesDate: '',
      closesTime: '17:00',
    })
  })

  app.post(
    '/manage/community-councils/:slug/polls/new',
    { schema: { params: SlugParams, body: pollForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await councils.get(request.params.slug)
      councils.requireManager(request.ctx(), cc)
      const values = pollInput(request.body)
      try {
        const poll = await polls.create(request.ctx(), cc, values)
        return reply.redirect(`/manage/community-councils/${cc.slug}/polls/${poll.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderNew(request, reply, cc, values, fieldErrors)
      }
    },
  )

  async function renderManage(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { slug: string; id: string },
    values: Record<string, string> = {},
    fieldErrors?: Record<string, string>,
  ) {
    const cc = await councils.get(params.slug)
    const poll = await polls.get(request.ctx(), cc, params.id, true)
    const results = await polls.results(request.ctx(), cc, poll.id)
    return reply.render(
      `${V}/poll-manage.njk`,
      {
        ...base(request, cc),
        section: 'manage',
        title: poll.title,
        poll: pollView(poll, request),
        results: resultsView(results, request.t),
        values: { questionTitle: '', options: '', ...values },
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/community-councils/:slug/polls/:id', { schema: { params: PollParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderManage(request, reply, request.params)
  })

  app.post(
    '/manage/community-councils/:slug/polls/:id/questions',
    { schema: { params: PollParams, body: pollForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const cc = await councils.get(request.params.slug)
      const values = {
        questionTitle: field(request.body, 'questionTitle', 400),
        options: field(request.body, 'options', 5000),
      }
      try {
        await polls.addQuestion(request.ctx(), cc, request.params.id, {
          title: values.questionTitle,
          options: values.options,
        })
        return reply.redirect(`/manage/community-councils/${cc.slug}/polls/${request.params.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderManage(request, reply, request.params, values, fieldErrors)
      }
    },
  )

  for (const action of ['publish', 'publish-results'] as const) {
    app.post(
      `/manage/community-councils/:slug/polls/:id/${action}`,
      { schema: { params: PollParams, body: pollForm }, attachValidation: true },
      async (request, reply) => {
        if (!signedIn(request, reply)) return reply
        const cc = await councils.get(request.params.slug)
        try {
          if (action === 'publish') await polls.publish(request.ctx(), cc, request.params.id)
          else await polls.publishResults(request.ctx(), cc, request.params.id)
          return reply.redirect(`/manage/community-councils/${cc.slug}/polls/${request.params.id}`, 303)
        } catch (error) {
          const fieldErrors = fieldErrorsOf(error)
          if (!fieldErrors) throw error
          return renderManage(request, reply, request.params, {}, fieldErrors)
        }
      },
    )
  }
}

// The public pages: finding consultations, reading one, and responding without an account —
// the questionnaire, the Respondent Information Form, "Check your answers" and the confirmation.
// Answers are kept server-side between the steps, keyed by a random id in a cookie.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldList, formSchema, keepQuery } from '../../../platform/http/forms.js'
import { ConsultationError } from '../consultation.errors.js'
import { LONG_TEXT_CEILING, type RespondentInput } from '../consultation.answers.js'
import { IdParams, PageListQuery, respondentForm } from '../consultation.schemas.js'
import { answerRows, consultationView, renderMarkdown } from '../consultation.presenter.js'
import { DRAFT_DAYS, type ConsultationService, type WithOrganisation } from '../consultation.service.js'
import type { Answers, Question, RespondentInfo } from '../consultation.types.js'
import { publicationChoices, respondentTypes } from '../consultation.types.js'

const statuses = ['open', 'forthcoming', 'closed'] as const
const answersForm = formSchema([], LONG_TEXT_CEILING + 5000)
const draftCookie = (consultationId: string) => `comhla_response_${consultationId}`

export type QuestionView = Question & { name: string; value: string | string[]; error: string | undefined }

export function questionViews(
  questions: Question[],
  answers: Answers,
  errors: Record<string, string>,
  t: FastifyRequest['t'],
): QuestionView[] {
  return questions.map((q) => {
    const name = `q-${q.id}`
    const given = answers[q.id]
    const value =
      q.type === 'multiple-choice'
        ? Array.isArray(given)
          ? given
          : given
            ? [given]
            : []
        : Array.isArray(given)
          ? (given[0] ?? '')
          : (given ?? '')
    return { ...q, name, value, error: errors[name] ? t(errors[name], { max: q.maxLength ?? '' }) : undefined }
  })
}

export const consultationWeb: FastifyPluginAsyncTypebox<{ service: ConsultationService }> = async (
  app,
  { service },
) => {
  const { kernel } = app
  const secure = kernel.config.baseUrl.startsWith('https://')
  const limited = { rateLimit: { max: kernel.config.rateLimitMax * 6, timeWindow: '1 minute' } }

  const view = (request: FastifyRequest, w: WithOrganisation) => consultationView(w, request.t, request.locale)

  function keepDraftId(reply: FastifyReply, consultationId: string, draftId: string): void {
    reply.setCookie(draftCookie(consultationId), draftId, {
      path: `/consultations/${consultationId}`,
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: DRAFT_DAYS * 86_400,
    })
  }

  const draftIdOf = (request: FastifyRequest, consultationId: string): string | undefined =>
    request.cookies[draftCookie(consultationId)]

  /** The open consultation; otherwise renders the page that says it is not open (or throws 404 for drafts). */
  async function openOrRefuse(request: FastifyRequest, reply: FastifyReply, id: string) {
    try {
      return await service.getOpen(id)
    } catch (error) {
      if (
        !(error instanceof ConsultationError) ||
        (error.code !== 'CONSULTATION_CLOSED' && error.code !== 'CONSULTATION_NOT_OPEN')
      )
        throw error
      const found = await service.getPublished(id)
      const c = view(request, found)
      await reply.render(
        'consultations/not-open.njk',
        {
          title: request.t(
            found.status === 'closed' ? 'consultations.notOpen.closedTitle' : 'consultations.notOpen.forthcomingTitle',
          ),
          consultation: c,
          section: 'consultations',
        },
        409,
      )
      return null
    }
  }

  // --- finding consultations ---

  app.get('/consultations', { schema: { querystring: PageListQuery } }, async (request, reply) => {
    const query = request.query
    const status = (statuses as readonly string[]).includes(query.status ?? '')
      ? (query.status as (typeof statuses)[number])
      : undefined
    const result = await service.searchPublished({
      q: query.q,
      organisationSlug: query.organisation || undefined,
      status,
      page: Number(query.page) || 1,
      pageSize: 20,
    })
    const organisations = await service.publishingOrganisations()
    const params = keepQuery(query)
    return reply.render('consultations/list.njk', {
      title: request.t('consultations.list.title'),
      section: 'consultations',
      result: { ...result, items: result.items.map((w) => view(request, w)) },
      query: { q: query.q ?? '', organisation: query.organisation ?? '', status: status ?? '' },
      organisations,
      statuses,
      pageBase: `/consultations?${params ? `${params}&` : ''}`,
      csvHref: `/api/v1/consultations.csv${params ? `?${params}` : ''}`,
      jsonHref: `/api/v1/consultations${params ? `?${params}` : ''}`,
    })
  })

  app.get('/consultations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    return reply.render('consultations/show.njk', {
      title: found.consultation.title,
      section: 'consultations',
      consultation: view(request, found),
      bodyHtml: renderMarkdown(found.consultation.bodyMarkdown),
      questionCount: found.questions.length,
    })
  })

  // --- responding: the questionnaire ---

  const renderQuestions = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithOrganisation & { questions: Question[] },
    answers: Answers,
    errors: Record<string, string>,
    status = 200,
  ) =>
    reply.render(
      'consultations/respond.njk',
      {
        title: request.t('consultations.respond.title'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        questions: questionViews(found.questions, answers, errors, request.t),
        errors: Object.keys(errors).length
          ? Object.entries(errors).map(([f, key]) => {
              // The summary names the question, so each link says which answer needs attention.
              const question = found.questions.find((q) => `q-${q.id}` === f)
              const message = request.t(key, { max: question?.maxLength ?? '' })
              return { field: f, text: question ? `${question.title}: ${message}` : message }
            })
          : undefined,
      },
      status,
    )

  app.get('/consultations/:id/respond', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    const draft = await service.draftFor(found.consultation.id, draftIdOf(request, found.consultation.id))
    return renderQuestions(request, reply, found, draft?.answers ?? {}, {})
  })

  app.post(
    '/consultations/:id/respond',
    { schema: { params: IdParams, body: answersForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const found = await openOrRefuse(request, reply, request.params.id)
      if (!found) return reply
      const raw: Record<string, string | string[]> = {}
      for (const q of found.questions)
        raw[q.id] =
          q.type === 'multiple-choice'
            ? fieldList(request.body, `q-${q.id}`)
            : field(request.body, `q-${q.id}`, LONG_TEXT_CEILING + 5000)
      const saved = await service.saveAnswers(found.consultation.id, draftIdOf(request, found.consultation.id), raw)
      keepDraftId(reply, found.consultation.id, saved.draftId)
      if (Object.keys(saved.errors).length > 0)
        return renderQuestions(request, reply, found, saved.answers, saved.errors, 422)
      return reply.redirect(`/consultations/${found.consultation.id}/respond/about-you`, 303)
    },
  )

  // --- responding: the Respondent Information Form ---

  const renderAboutYou = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithOrganisation,
    values: RespondentInput,
    fieldErrors?: Record<string, string>,
  ) =>
    reply.render(
      'consultations/about-you.njk',
      {
        title: request.t('consultations.rif.title'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        values,
        respondentTypes,
        publicationChoices,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  const respondentValues = (r: RespondentInfo | null): RespondentInput => ({
    respondentType: r?.respondentType ?? '',
    name: r?.name ?? '',
    organisationName: r?.organisationName ?? '',
    email: r?.email ?? '',
    publication: r?.publication ?? '',
    mayContact: r ? (r.mayContact ? 'yes' : 'no') : '',
  })

  app.get('/consultations/:id/respond/about-you', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    const draft = await service.draftFor(found.consultation.id, draftIdOf(request, found.consultation.id))
    if (!draft) return reply.redirect(`/consultations/${found.consultation.id}/respond`, 303)
    return renderAboutYou(request, reply, found, respondentValues(draft.respondent))
  })

  app.post(
    '/consultations/:id/respond/about-you',
    { schema: { params: IdParams, body: respondentForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const found = await openOrRefuse(request, reply, request.params.id)
      if (!found) return reply
      const values: RespondentInput = {
        respondentType: field(request.body, 'respondentType', 50),
        name: field(request.body, 'name', 1000),
        organisationName: field(request.body, 'organisationName', 1000),
        email: field(request.body, 'email', 1000),
        publication: field(request.body, 'publication', 50),
        mayContact: field(request.body, 'mayContact', 10),
      }
      const draftId = draftIdOf(request, found.consultation.id)
      if (!(await service.draftFor(found.consultation.id, draftId)))
        return reply.redirect(`/consultations/${found.consultation.id}/respond`, 303)
      const { errors } = await service.saveRespondent(found.consultation.id, draftId, values)
      if (Object.keys(errors).length > 0) return renderAboutYou(request, reply, found, values, errors)
      return reply.redirect(`/consultations/${found.consultation.id}/respond/check-answers`, 303)
    },
  )

  // --- responding: check, submit, confirmation ---

  /** Sends the respondent back to the step still to do. */
  function backToMissingStep(reply: FastifyReply, id: string, error: unknown): FastifyReply {
    if (error instanceof ConsultationError && error.code === 'CONSULTATION_RESPONSE_INCOMPLETE') {
      return reply.redirect(
        `/consultations/${id}/respond${error.publicMessage === 'consultations.respond.incomplete.respondent' ? '/about-you' : ''}`,
        303,
      )
    }
    throw error
  }

  app.get('/consultations/:id/respond/check-answers', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    const id = found.consultation.id
    try {
      const { draft } = await service.readyDraft(id, draftIdOf(request, id))
      const t = request.t
      const r = draft.respondent
      return reply.render('consultations/check-answers.njk', {
        title: t('consultations.check.title'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        answerRows: answerRows(found.questions, draft.answers, t, `/consultations/${id}/respond`),
        respondentRows: [
          {
            key: t('consultations.rif.respondentType'),
            value: t(`consultations.rif.respondentType.${r.respondentType}`),
          },
          { key: t('consultations.rif.name'), value: r.name },
          ...(r.respondentType === 'organisation'
            ? [{ key: t('consultations.rif.organisationName'), value: r.organisationName }]
            : []),
          { key: t('consultations.rif.email'), value: r.email || t('consultations.answer.notAnswered') },
          { key: t('consultations.rif.publication'), value: t(`consultations.rif.publication.${r.publication}`) },
          {
            key: t('consultations.rif.mayContact'),
            value: t(r.mayContact ? 'consultations.rif.mayContact.yes' : 'consultations.rif.mayContact.no'),
          },
        ].map((row) => ({
          ...row,
          action: { href: `/consultations/${id}/respond/about-you`, text: t('consultations.check.change') },
        })),
      })
    } catch (error) {
      return backToMissingStep(reply, id, error)
    }
  })

  app.post(
    '/consultations/:id/respond/check-answers',
    { schema: { params: IdParams, body: formSchema([], 100) }, attachValidation: true, config: limited },
    async (request, reply) => {
      const id = request.params.id
      const draftId = draftIdOf(request, id)
      // A second submission of the same draft (a double click, a retry) lands on the same confirmation.
      if (await service.submittedResponse(id, draftId))
        return reply.redirect(`/consultations/${id}/respond/confirmation`, 303)
      const found = await openOrRefuse(request, reply, id)
      if (!found) return reply
      try {
        await service.submit(request.ctx(), id, draftId)
      } catch (error) {
        return backToMissingStep(reply, id, error)
      }
      return reply.redirect(`/consultations/${id}/respond/confirmation`, 303)
    },
  )

  app.get('/consultations/:id/respond/confirmation', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    const response = await service.submittedResponse(found.consultation.id, draftIdOf(request, found.consultation.id))
    if (!response) return reply.redirect(`/consultations/${found.consultation.id}`, 303)
    reply.header('cache-control', 'no-store')
    return reply.render('consultations/confirmation.njk', {
      title: request.t('consultations.confirmation.title'),
      section: 'consultations',
      consultation: view(request, found),
      reference: response.reference,
      email: response.respondent.email,
    })
  })
}

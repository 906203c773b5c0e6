// Staff pages: a body's consultations, creating and editing one, its questionnaire, publishing,
// and its responses (paged, and as a streamed CSV download).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf } from '../../../platform/http/forms.js'
import { signedIn } from '../../../platform/http/guards.js'
import { csvStream } from '../../../platform/audit/audit.presenter.js'
import { instantToLondon } from '../consultation.dates.js'
import {
  IdParams,
  PageQuery,
  QuestionParams,
  consultationForm,
  moveForm,
  questionForm,
} from '../consultation.schemas.js'
import { answerRows, consultationView, responseCsvColumns, responseCsvRow } from '../consultation.presenter.js'
import type {
  ConsultationInput,
  ConsultationService,
  QuestionInput,
  WithOrganisation,
} from '../consultation.service.js'
import { questionTypes, type Question } from '../consultation.types.js'
import { LONG_TEXT_DEFAULT_MAX } from '../consultation.answers.js'

export const manageConsultationWeb: FastifyPluginAsyncTypebox<{ service: ConsultationService }> = async (
  app,
  { service },
) => {
  const base = (request: FastifyRequest, w?: WithOrganisation) => ({
    section: 'manage',
    ...(w
      ? {
          consultation: consultationView(w, request.t, request.locale),
          headerOrganisation:
            request.locale === 'gd' && w.organisation.nameGd ? w.organisation.nameGd : w.organisation.nameEn,
        }
      : {}),
  })

  const consultationInput = (body: unknown): ConsultationInput => ({
    organisationId: field(body, 'organisationId', 100),
    title: field(body, 'title', 1000),
    summary: field(body, 'summary', 5000),
    body: field(body, 'body', 60_000),
    opensDate: field(body, 'opensDate', 20),
    opensTime: field(body, 'opensTime', 20),
    closesDate: field(body, 'closesDate', 20),
    closesTime: field(body, 'closesTime', 20),
  })

  const questionInput = (body: unknown): QuestionInput => ({
    type: field(body, 'type', 50),
    title: field(body, 'title', 2000),
    hint: field(body, 'hint', 2000),
    required: field(body, 'required', 10),
    maxLength: field(body, 'maxLength', 20),
    options: field(body, 'options', 20_000),
  })

  async function renderConsultationForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: ConsultationInput,
    options: { w?: WithOrganisation; fieldErrors?: Record<string, string> },
  ) {
    const organisations = await service.manageableOrganisations(request.ctx())
    return reply.render(
      'consultations/manage-form.njk',
      {
        ...base(request, options.w),
        title: request.t(options.w ? 'consultations.manage.editTitle' : 'consultations.manage.newTitle'),
        action: options.w ? `/manage/consultations/${options.w.consultation.id}/edit` : '/manage/consultations/new',
        cancelHref: options.w ? `/manage/consultations/${options.w.consultation.id}` : '/manage/consultations',
        organisationOptions: [
          { value: '', text: request.t('consultations.form.chooseOrganisation') },
          ...organisations.map((o) => ({ value: o.id, text: o.nameEn })),
        ],
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  // --- the list and a new consultation ---

  app.get('/manage/consultations', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const items = await service.listForStaff(request.ctx())
    const organisations = await service.manageableOrganisations(request.ctx())
    return reply.render('consultations/manage-list.njk', {
      ...base(request),
      title: request.t('consultations.manage.title'),
      items: items.map((w) => consultationView(w, request.t, request.locale)),
      canCreate: organisations.length > 0,
    })
  })

  app.get('/manage/consultations/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisations = await service.manageableOrganisations(request.ctx())
    const only = organisations.length === 1 ? organisations[0]!.id : ''
    return renderConsultationForm(
      request,
      reply,
      {
        organisationId: only,
        title: '',
        summary: '',
        body: '',
        opensDate: '',
        opensTime: '09:00',
        closesDate: '',
        closesTime: '23:59',
      },
      {},
    )
  })

  app.post(
    '/manage/consultations/new',
    { schema: { body: consultationForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = consultationInput(request.body)
      try {
        const created = await service.create(request.ctx(), values)
        return reply.redirect(`/manage/consultations/${created.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderConsultationForm(request, reply, values, { fieldErrors })
      }
    },
  )

  // --- one consultation ---

  app.get('/manage/consultations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const t = request.t
    return reply.render('consultations/manage-show.njk', {
      ...base(request, found),
      title: found.consultation.title,
      questions: found.questions.map((q) => ({ ...q, typeText: t(`consultations.questionType.${q.type}`) })),
      responseCount: found.responseCount,
      questionnaireEditable: found.status === 'draft' || found.status === 'forthcoming',
      published: found.consultation.publishedAt !== null,
      preview: answerRows(found.questions, {}, t),
    })
  })

  app.get('/manage/consultations/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const c = found.consultation
    const opens = instantToLondon(c.opensAt)
    const closes = instantToLondon(c.closesAt)
    return renderConsultationForm(
      request,
      reply,
      {
        organisationId: c.organisationId,
        title: c.title,
        summary: c.summary,
        body: c.bodyMarkdown,
        opensDate: opens.date,
        opensTime: opens.time,
        closesDate: closes.date,
        closesTime: closes.time,
      },
      { w: found },
    )
  })

  app.post(
    '/manage/consultations/:id/edit',
    { schema: { params: IdParams, body: consultationForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = consultationInput(request.body)
      try {
        await service.update(request.ctx(), found.consultation.id, values)
        return reply.redirect(`/manage/consultations/${found.consultation.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderConsultationForm(request, reply, values, { w: found, fieldErrors })
      }
    },
  )

  app.post(
    '/manage/consultations/:id/publish',
    { schema: { params: IdParams, body: moveForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.publish(request.ctx(), request.params.id)
      return reply.redirect(`/manage/consultations/${request.params.id}`, 303)
    },
  )

  // --- the questionnaire ---

  async function renderQuestionForm(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithOrganisation,
    values: QuestionInput,
    options: { question?: Question; fieldErrors?: Record<string, string> },
  ) {
    const t = request.t
    return reply.render(
      'consultations/manage-question.njk',
      {
        ...base(request, found),
        title: t(options.question ? 'consultations.question.editTitle' : 'consultations.question.newTitle'),
        action: options.question
          ? `/manage/consultations/${found.consultation.id}/questions/${options.question.id}/edit`
          : `/manage/consultations/${found.consultation.id}/questions/new`,
        typeItems: questionTypes.map((ty) => ({ value: ty, text: t(`consultations.questionType.${ty}`) })),
        values,
        defaultMax: LONG_TEXT_DEFAULT_MAX,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/consultations/:id/questions/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    return renderQuestionForm(
      request,
      reply,
      found,
      { type: 'short-text', title: '', hint: '', required: '', maxLength: '', options: '' },
      {},
    )
  })

  app.post(
    '/manage/consultations/:id/questions/new',
    { schema: { params: IdParams, body: questionForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = questionInput(request.body)
      try {
        await service.addQuestion(request.ctx(), found.consultation.id, values)
        return reply.redirect(`/manage/consultations/${found.consultation.id}#questions`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderQuestionForm(request, reply, found, values, { fieldErrors })
      }
    },
  )

  const questionIn = (found: { questions: Question[] }, questionId: string): Question => {
    const question = found.questions.find((q) => q.id === questionId)
    if (!question) throw Object.assign(new Error('There is no such question'), { statusCode: 404, code: 'NOT_FOUND' })
    return question
  }

  app.get(
    '/manage/consultations/:id/questions/:questionId/edit',
    { schema: { params: QuestionParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const q = questionIn(found, request.params.questionId)
      return renderQuestionForm(
        request,
        reply,
        found,
        {
          type: q.type,
          title: q.title,
          hint: q.hint,
          required: q.required ? 'yes' : '',
          maxLength: q.maxLength === null ? '' : String(q.maxLength),
          options: q.options.join('\n'),
        },
        { question: q },
      )
    },
  )

  app.post(
    '/manage/consultations/:id/questions/:questionId/edit',
    { schema: { params: QuestionParams, body: questionForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const question = questionIn(found, request.params.questionId)
      const values = questionInput(request.body)
      try {
        await service.updateQuestion(request.ctx(), found.consultation.id, question.id, values)
        return reply.redirect(`/manage/consultations/${found.consultation.id}#questions`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderQuestionForm(request, reply, found, values, { question, fieldErrors })
      }
    },
  )

  app.post(
    '/manage/consultations/:id/questions/:questionId/move',
    { schema: { params: QuestionParams, body: moveForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const direction = field(request.body, 'direction', 10) === 'up' ? 'up' : 'down'
      await service.moveQuestion(request.ctx(), request.params.id, request.params.questionId, direction)
      return reply.redirect(`/manage/consultations/${request.params.id}#questions`, 303)
    },
  )

  app.post(
    '/manage/consultations/:id/questions/:questionId/remove',
    { schema: { params: QuestionParams, body: moveForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.removeQuestion(request.ctx(), request.params.id, request.params.questionId)
      return reply.redirect(`/manage/consultations/${request.params.id}#questions`, 303)
    },
  )

  // --- responses ---

  app.get(
    '/manage/consultations/:id/responses',
    { schema: { params: IdParams, querystring: PageQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { found, page } = await service.responsesPage(request.ctx(), request.params.id, {
        page: request.query.page,
        pageSize: 50,
      })
      return reply.render('consultations/manage-responses.njk', {
        ...base(request, found),
        title: request.t('consultations.responses.title'),
        page,
        items: page.items.map((r) => ({ ...r, rows: answerRows(found.questions, r.answers, request.t) })),
        pageBase: `/manage/consultations/${found.consultation.id}/responses?`,
        csvHref: `/manage/consultations/${found.consultation.id}/responses.csv`,
      })
    },
  )

  app.get('/manage/consultations/:id/responses.csv', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    // Checked before the first byte is sent, so a refusal is a proper error page.
    const found = await service.getForReader(request.ctx(), request.params.id)
    const rows = (async function* () {
      for await (const r of service.allResponses(request.ctx(), found.consultation.id))
        yield responseCsvRow(r, found.questions)
    })()
    reply.header('content-type', 'text/csv; charset=utf-8')
    reply.header('content-disposition', `attachment; filename="responses-${found.consultation.id}.csv"`)
    reply.header('cache-control', 'no-store')
    return reply.send(csvStream(responseCsvColumns(found.questions), rows))
  })
}

// Staff pages: a body's consultations, creating and editing one, its questionnaire, publishing,
// and its responses (paged, and as a streamed CSV download).
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf } from '../../../platform/http/forms.js'
import { signedIn } from '../../../platform/http/guards.js'
import { csvStream } from '../../../platform/audit/audit.presenter.js'
import { instantToLondon } from '../consultation.dates.js'
import {
  FileParams,
  IdParams,
  PageQuery,
  NewQuestionQuery,
  QuestionParams,
  SectionParams,
  consultationForm,
  documentForm,
  moveForm,
  pagingForm,
  questionForm,
  sectionForm,
} from '../consultation.schemas.js'
import {
  answerRows,
  consultationView,
  documentView,
  renderMarkdown,
  responseCsvColumns,
  responseCsvRow,
} from '../consultation.presenter.js'
import type {
  ConsultationInput,
  ConsultationService,
  QuestionInput,
  SectionInput,
  WithOrganisation,
  WithQuestionnaire,
} from '../consultation.service.js'
import { pagingModes, questionTypes, type Question, type Section } from '../consultation.types.js'
import { LONG_TEXT_DEFAULT_MAX } from '../consultation.answers.js'
import { conditionSources, groupQuestions, pagesOf } from '../consultation.questionnaire.js'
import { questionViews } from './consultation.web.js'
import type { Upload } from '../../../platform/files/uploads.plugin.js'
import type { DiscoveryService } from '../discovery/discovery.service.js'
import type { DetailsInput } from '../discovery/discovery.types.js'
import { detailsFormView, detailsInputOf, emptyDetails, readDetails } from '../discovery/discovery.form.js'

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)

export const manageConsultationWeb: FastifyPluginAsyncTypebox<{
  service: ConsultationService
  discovery: DiscoveryService
}> = async (app, { service, discovery }) => {
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

  const questionInput = (body: unknown): Required<QuestionInput> => ({
    type: field(body, 'type', 50),
    title: field(body, 'title', 2000),
    hint: field(body, 'hint', 2000),
    required: field(body, 'required', 10),
    maxLength: field(body, 'maxLength', 20),
    options: field(body, 'options', 20_000),
    section: field(body, 'section', 100),
    rows: field(body, 'rows', 20_000),
    allowOther: field(body, 'allowOther', 10),
    minValue: field(body, 'minValue', 30),
    maxValue: field(body, 'maxValue', 30),
    condition: field(body, 'condition', 200),
  })

  const sectionInput = (body: unknown): SectionInput => ({
    title: field(body, 'title', 1000),
    intro: field(body, 'intro', 5000),
  })

  /** "Shown only if question 3 is ‘Yes’", for staff. */
  const conditionText = (t: FastifyRequest['t'], q: Question, all: Question[]) => {
    if (!q.condition) return ''
    const source = all.findIndex((x) => x.id === q.condition!.questionId)
    return source === -1 ? '' : t('consultations.question.shownIf', { number: source + 1, value: q.condition.value })
  }

  async function renderConsultationForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: ConsultationInput,
    options: { w?: WithOrganisation; fieldErrors?: Record<string, string>; details?: DetailsInput },
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
        // topics and the Gaelic texts (discovery/discovery.form.ts)
        discoveryForm: detailsFormView(options.details ?? emptyDetails(), request.t, request.locale),
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
      const details = readDetails(request.body)
      try {
        const created = await discovery.saveWith(request.ctx(), details, () => service.create(request.ctx(), values))
        return reply.redirect(`/manage/consultations/${created.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderConsultationForm(request, reply, values, {
          fieldErrors: discovery.mergeProblems(fieldErrors, details),
          details,
        })
      }
    },
  )

  // --- one consultation ---

  app.get('/manage/consultations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const t = request.t
    const sectionTitle = (id: string | null) => found.sections.find((x) => x.id === id)?.title ?? ''
    return reply.render('consultations/manage-show.njk', {
      ...base(request, found),
      title: found.consultation.title,
      questions: found.questions.map((q, i) => {
        const previous = found.questions[i - 1]
        const next = found.questions[i + 1]
        return {
          ...q,
          typeText: t(`consultations.questionType.${q.type}`),
          sectionTitle: sectionTitle(q.sectionId),
          conditionText: conditionText(t, q, found.questions),
          // Questions move within their section.
          canMoveUp: previous !== undefined && previous.sectionId === q.sectionId,
          canMoveDown: next !== undefined && next.sectionId === q.sectionId,
        }
      }),
      sections: found.sections.map((x) => ({
        ...x,
        count: found.questions.filter((q) => q.sectionId === x.id).length,
      })),
      pagingItems: pagingModes.map((m) => ({ value: m, text: t(`consultations.paging.${m}`) })),
      pagingText: t(`consultations.paging.${found.consultation.paging}`),
      paging: found.consultation.paging,
      documents: (await service.documents(found.consultation.id)).map((d) =>
        documentView(d, `/manage/consultations/${found.consultation.id}/documents/${d.id}`),
      ),
      responseCount: found.responseCount,
      questionnaireEditable: found.status === 'draft' || found.status === 'forthcoming',
      published: found.consultation.publishedAt !== null,
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
      { w: found, details: detailsInputOf(await discovery.details(c.id)) },
    )
  })

  app.post(
    '/manage/consultations/:id/edit',
    { schema: { params: IdParams, body: consultationForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = consultationInput(request.body)
      const details = readDetails(request.body)
      try {
        await discovery.saveWith(request.ctx(), details, () =>
          service.update(request.ctx(), found.consultation.id, values),
        )
        return reply.redirect(`/manage/consultations/${found.consultation.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderConsultationForm(request, reply, values, {
          w: found,
          fieldErrors: discovery.mergeProblems(fieldErrors, details),
          details,
        })
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
    found: WithQuestionnaire,
    values: Required<QuestionInput>,
    options: { question?: Question; fieldErrors?: Record<string, string> },
  ) {
    const t = request.t
    // Conditions may depend on any choice question before this one (for a new one: any).
    const sources = conditionSources(found.questions, options.question?.id ?? null)
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
        sectionOptions: [
          { value: '', text: t('consultations.question.noSection') },
          ...found.sections.map((x: Section) => ({ value: x.id, text: x.title })),
        ],
        conditionOptions: [
          { value: '', text: t('consultations.question.always') },
          ...sources.flatMap((source) =>
            source.options.map((option, i) => ({
              value: `${source.id}|${i + 1}`,
              text: t('consultations.question.conditionOption', {
                number: found.questions.indexOf(source) + 1,
                title: source.title,
                value: option,
              }),
            })),
          ),
        ],
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/questions/new',
    { schema: { params: IdParams, querystring: NewQuestionQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const section = found.sections.find((x) => x.id === request.query.section)?.id ?? ''
      return renderQuestionForm(
        request,
        reply,
        found,
        {
          type: 'short-text',
          title: '',
          hint: '',
          required: '',
          maxLength: '',
          options: '',
          section,
          rows: '',
          allowOther: '',
          minValue: '',
          maxValue: '',
          condition: '',
        },
        {},
      )
    },
  )

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
          section: q.sectionId ?? '',
          rows: q.rows.join('\n'),
          allowOther: q.allowOther ? 'yes' : '',
          minValue: q.minValue === null ? '' : String(q.minValue),
          maxValue: q.maxValue === null ? '' : String(q.maxValue),
          condition: q.condition
            ? `${q.condition.questionId}|${(found.questions.find((x) => x.id === q.condition!.questionId)?.options.indexOf(q.condition.value) ?? -1) + 1}`
            : '',
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

  // --- supporting documents ---

  const renderDocumentForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithOrganisation,
    fieldErrors?: Record<string, string>,
  ) =>
    reply.render(
      'consultations/manage-document.njk',
      {
        ...base(request, found),
        title: request.t('consultations.document.newTitle'),
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  app.get('/manage/consultations/:id/documents/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderDocumentForm(request, reply, await service.getForManager(request.ctx(), request.params.id))
  })

  app.post(
    '/manage/consultations/:id/documents/new',
    { schema: { params: IdParams, body: documentForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const given = (request.body as { document?: unknown } | undefined)?.document
      const upload = typeof given === 'object' && given !== null ? (given as Upload) : undefined
      try {
        await service.addDocument(request.ctx(), found.consultation.id, upload)
        return reply.redirect(`/manage/consultations/${found.consultation.id}#documents`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderDocumentForm(request, reply, found, fieldErrors)
      }
    },
  )

  app.get('/manage/consultations/:id/documents/:fileId', { schema: { params: FileParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const file = await service.managedDocument(request.ctx(), request.params.id, request.params.fileId)
    if (!file) throw Object.assign(new Error('There is no such document'), { statusCode: 404, code: 'NOT_FOUND' })
    return request.server.kernel.files.send(reply, file)
  })

  app.post(
    '/manage/consultations/:id/documents/:fileId/remove',
    { schema: { params: FileParams, body: moveForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.removeDocument(request.ctx(), request.params.id, request.params.fileId)
      return reply.redirect(`/manage/consultations/${request.params.id}#documents`, 303)
    },
  )

  // --- sections, paging and the preview ---

  async function renderSectionForm(
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithOrganisation,
    values: SectionInput,
    options: { section?: Section; fieldErrors?: Record<string, string> },
  ) {
    const t = request.t
    return reply.render(
      'consultations/manage-section.njk',
      {
        ...base(request, found),
        title: t(options.section ? 'consultations.section.editTitle' : 'consultations.section.newTitle'),
        action: options.section
          ? `/manage/consultations/${found.consultation.id}/sections/${options.section.id}/edit`
          : `/manage/consultations/${found.consultation.id}/sections/new`,
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  const sectionIn = (found: { sections: Section[] }, sectionId: string): Section => {
    const section = found.sections.find((x) => x.id === sectionId)
    if (!section) throw Object.assign(new Error('There is no such section'), { statusCode: 404, code: 'NOT_FOUND' })
    return section
  }

  app.get('/manage/consultations/:id/sections/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    return renderSectionForm(request, reply, found, { title: '', intro: '' }, {})
  })

  app.post(
    '/manage/consultations/:id/sections/new',
    { schema: { params: IdParams, body: sectionForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const values = sectionInput(request.body)
      try {
        await service.addSection(request.ctx(), found.consultation.id, values)
        return reply.redirect(`/manage/consultations/${found.consultation.id}#sections`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderSectionForm(request, reply, found, values, { fieldErrors })
      }
    },
  )

  app.get(
    '/manage/consultations/:id/sections/:sectionId/edit',
    { schema: { params: SectionParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const section = sectionIn(found, request.params.sectionId)
      return renderSectionForm(request, reply, found, { title: section.title, intro: section.intro }, { section })
    },
  )

  app.post(
    '/manage/consultations/:id/sections/:sectionId/edit',
    { schema: { params: SectionParams, body: sectionForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const found = await service.getForManager(request.ctx(), request.params.id)
      const section = sectionIn(found, request.params.sectionId)
      const values = sectionInput(request.body)
      try {
        await service.updateSection(request.ctx(), found.consultation.id, section.id, values)
        return reply.redirect(`/manage/consultations/${found.consultation.id}#sections`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderSectionForm(request, reply, found, values, { section, fieldErrors })
      }
    },
  )

  app.post(
    '/manage/consultations/:id/sections/:sectionId/move',
    { schema: { params: SectionParams, body: moveForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const direction = field(request.body, 'direction', 10) === 'up' ? 'up' : 'down'
      await service.moveSection(request.ctx(), request.params.id, request.params.sectionId, direction)
      return reply.redirect(`/manage/consultations/${request.params.id}#sections`, 303)
    },
  )

  app.post(
    '/manage/consultations/:id/sections/:sectionId/remove',
    { schema: { params: SectionParams, body: moveForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.removeSection(request.ctx(), request.params.id, request.params.sectionId)
      return reply.redirect(`/manage/consultations/${request.params.id}#sections`, 303)
    },
  )

  app.post(
    '/manage/consultations/:id/paging',
    { schema: { params: IdParams, body: pagingForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.setPaging(request.ctx(), request.params.id, field(request.body, 'paging', 20))
      return reply.redirect(`/manage/consultations/${request.params.id}#paging`, 303)
    },
  )

  /** Every page of the questionnaire as a respondent sees it, one after another; nothing is saved. */
  app.get('/manage/consultations/:id/preview', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const found = await service.getForManager(request.ctx(), request.params.id)
    const t = request.t
    // Every question is shown, each condition said in words.
    const unconditional = found.questions.map((q) => ({ ...q, condition: null }))
    const pages = pagesOf(groupQuestions(unconditional, found.sections), found.consultation.paging, {})
    const everyId = new Set(found.questions.map((q) => q.id))
    return reply.render('consultations/manage-preview.njk', {
      ...base(request, found),
      title: t('consultations.preview.title'),
      pages: pages.map((page, i) => ({
        heading: t('consultations.respond.progress', { page: i + 1, count: pages.length }),
        section: page.section
          ? { ...page.section, introHtml: page.section.intro ? renderMarkdown(page.section.intro) : '' }
          : null,
        questions: questionViews(
          page.questions.map((q) => found.questions.find((x) => x.id === q.id)!),
          {},
          {},
          t,
          { all: found.questions, onPage: everyId },
        ).map((q) => ({ ...q, name: `preview-${i + 1}-${q.name}` })),
      })),
    })
  })

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
        items: page.items.map((r) => ({
          ...r,
          // A file given as an answer links to it.
          rows: answerRows(found.questions, r.answers, request.t, undefined, request.locale).map((row, i) => {
            const q = found.questions[i]!
            const fileId = r.answers[q.id]
            return q.type === 'file' && typeof fileId === 'string' && fileId !== ''
              ? {
                  ...row,
                  html: `<a class="ds_link" href="/manage/consultations/${found.consultation.id}/responses/files/${encodeURIComponent(fileId)}">${escapeHtml(row.value)}</a>`,
                }
              : row
          }),
        })),
        pageBase: `/manage/consultations/${found.consultation.id}/responses?`,
        csvHref: `/manage/consultations/${found.consultation.id}/responses.csv`,
      })
    },
  )

  app.get(
    '/manage/consultations/:id/responses/files/:fileId',
    { schema: { params: FileParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const file = await service.answerFile(request.ctx(), request.params.id, request.params.fileId)
      if (!file) throw Object.assign(new Error('There is no such file'), { statusCode: 404, code: 'NOT_FOUND' })
      return request.server.kernel.files.send(reply, file)
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

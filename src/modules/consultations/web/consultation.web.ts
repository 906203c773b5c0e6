// The public pages: finding consultations, reading one, and responding without an account (or
// signed in) — the questionnaire page by page, saving to come back later by an emailed link, the
// Respondent Information Form, "Check your answers" and the confirmation. Answers are kept
// server-side between the steps, keyed by a random id in a cookie.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf, fieldList, formSchema } from '../../../platform/http/forms.js'
import { formatDateTime } from '../../../shared/dates.js'
import { ConsultationError, notFound } from '../consultation.errors.js'
import {
  LONG_TEXT_CEILING,
  OTHER,
  SHORT_TEXT_MAX,
  fileNameKey,
  otherKey,
  type RawAnswer,
  type RespondentInput,
} from '../consultation.answers.js'
import {
  FileParams,
  IdParams,
  RespondQuery,
  ResumeParams,
  respondentForm,
  saveForLaterForm,
} from '../consultation.schemas.js'
import { answerRows, consultationView, documentView, renderMarkdown } from '../consultation.presenter.js'
import type { DiscoveryService } from '../discovery/discovery.service.js'
import { pageContent } from '../discovery/discovery.presenter.js'
import type { QuestionPage } from '../consultation.questionnaire.js'
import {
  DRAFT_DAYS,
  type ConsultationService,
  type WithOrganisation,
  type WithQuestionnaire,
} from '../consultation.service.js'
import type { Answers, Question, RespondentInfo } from '../consultation.types.js'
import { publicationChoices, respondentTypes } from '../consultation.types.js'
import type { PublicationService } from '../publication/publication.service.js'
import type { Translate } from '../../../platform/i18n/i18n.js'
import type { Upload } from '../../../platform/files/uploads.plugin.js'

const answersForm = formSchema([], LONG_TEXT_CEILING + 5000)
const draftCookie = (consultationId: string) => `comhla_response_${consultationId}`

export type QuestionView = Question & {
  name: string
  number: number
  value: string | string[]
  error: string | undefined
  /** multiple choice with "other": whether it is chosen, and its text */
  otherChecked: boolean
  otherValue: string
  /** date: the three fields as typed */
  date: { day: string; month: string; year: string }
  /** a condition on an answer given on the same page: said in words, since the page cannot hide it */
  conditionText: string
  /** number: the acceptable range in words */
  limitText: string
  /** file upload: the name of the file already given */
  fileName: string
}

/** A question's message, naming the question and its limits. */
export function answerMessage(t: Translate, key: string, q: Question): string {
  return t(key, {
    title: q.title,
    max: q.type === 'long-text' ? (q.maxLength ?? '') : SHORT_TEXT_MAX,
    minValue: q.minValue ?? '',
    maxValue: q.maxValue ?? '',
  })
}

export function questionViews(
  questions: Question[],
  answers: Answers,
  errors: Record<string, string>,
  t: FastifyRequest['t'],
  context: { all?: Question[]; onPage?: Set<string>; fileNames?: Record<string, string> } = {},
): QuestionView[] {
  const all = context.all ?? questions
  return questions.map((q) => {
    const name = `q-${q.id}`
    const given = answers[q.id]
    const listLike = q.type === 'multiple-choice' || q.type === 'choice-grid'
    const value = listLike
      ? Array.isArray(given)
        ? given
        : given
          ? [given]
          : []
      : q.type === 'date'
        ? ''
        : Array.isArray(given)
          ? (given[0] ?? '')
          : (given ?? '')
    const dateParts = Array.isArray(given)
      ? given
      : typeof given === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(given)
        ? given
            .split('-')
            .reverse()
            .map((p) => String(Number(p)))
        : []
    const other = answers[otherKey(q.id)]
    const otherValue = typeof other === 'string' ? other : ''
    const source = q.condition ? all.find((x) => x.id === q.condition!.questionId) : undefined
    const conditionText =
      source && context.onPage?.has(source.id)
        ? t('consultations.respond.conditional', {
            number: all.indexOf(source) + 1,
            value: q.condition!.value,
          })
        : ''
    return {
      ...q,
      name,
      number: all.indexOf(q) + 1,
      value,
      error: errors[name] ? answerMessage(t, errors[name], q) : undefined,
      otherChecked: Array.isArray(given) && given.includes(OTHER) ? true : otherValue !== '',
      otherValue,
      date: { day: dateParts[0] ?? '', month: dateParts[1] ?? '', year: dateParts[2] ?? '' },
      conditionText,
      limitText:
        q.type !== 'number'
          ? ''
          : q.minValue !== null && q.maxValue !== null
            ? t('consultations.respond.numberBetween', { minValue: q.minValue, maxValue: q.maxValue })
            : q.minValue !== null
              ? t('consultations.respond.numberMin', { minValue: q.minValue })
              : q.maxValue !== null
                ? t('consultations.respond.numberMax', { maxValue: q.maxValue })
                : '',
      fileName: context.fileNames?.[q.id] ?? '',
    }
  })
}

/** What was submitted for these questions, by question id (and the text of "other"). */
export function rawAnswers(body: unknown, questions: Question[]): Record<string, RawAnswer> {
  const raw: Record<string, RawAnswer> = {}
  for (const q of questions) {
    const name = `q-${q.id}`
    if (q.type === 'multiple-choice') {
      raw[q.id] = fieldList(body, name)
      if (q.allowOther) raw[otherKey(q.id)] = field(body, `${name}-other`, 2000)
    } else if (q.type === 'choice-grid') raw[q.id] = q.rows.map((_, i) => field(body, `${name}-${i + 1}`, 300))
    else if (q.type === 'date')
      raw[q.id] = ['day', 'month', 'year'].map((part) => field(body, `${name}-${part}`, 10).trim())
    else if (q.type !== 'file') raw[q.id] = field(body, name, LONG_TEXT_CEILING + 5000)
  }
  return raw
}

export const consultationWeb: FastifyPluginAsyncTypebox<{
  service: ConsultationService
  discovery: DiscoveryService
  /** whether a consultation's responses and its outcome are published (the publication part) */
  publication: Pick<PublicationService, 'responsesArePublished' | 'outcomesPublished'>
}> = async (app, { service, discovery, publication }) => {
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

  // --- finding consultations: the list is in discovery/discovery.web.ts ---

  app.get('/consultations/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await service.getPublished(request.params.id)
    // the texts in the reader's language where the consultation has them, with topics (discovery)
    const content = pageContent({ ...found, ...(await discovery.details(found.consultation.id)) }, request.locale)
    return reply.render('consultations/show.njk', {
      title: content.title.text,
      section: 'consultations',
      consultation: view(request, found),
      content,
      bodyHtml: content.body.html,
      questionCount: found.questions.length,
      responsesPublished: await publication.responsesArePublished(found.consultation.id),
      outcomePublished: (await publication.outcomesPublished([found.consultation.id])).has(found.consultation.id),
      documents: (await service.documents(found.consultation.id)).map((d) =>
        documentView(d, `/consultations/${found.consultation.id}/documents/${d.id}`),
      ),
    })
  })

  app.get('/consultations/:id/documents/:fileId', { schema: { params: FileParams } }, async (request, reply) => {
    const file = await service.publicDocument(request.params.id, request.params.fileId)
    if (!file) throw notFound()
    return kernel.files.send(reply, file)
  })

  // --- responding: the questionnaire, page by page ---

  const respondBase = (id: string) => `/consultations/${id}/respond`
  const pageHref = (id: string, key: string, change = false) => {
    const params = new URLSearchParams()
    if (key !== 'all') params.set('page', key)
    if (change) params.set('change', '1')
    const query = params.toString()
    return `${respondBase(id)}${query ? `?${query}` : ''}`
  }

  const renderPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithQuestionnaire,
    pages: QuestionPage[],
    page: QuestionPage,
    answers: Answers,
    errors: Record<string, string>,
    change: boolean,
    status = 200,
  ) => {
    const t = request.t
    const id = found.consultation.id
    const index = pages.findIndex((p) => p.key === page.key)
    const previous = index > 0 ? pages[index - 1] : undefined
    // Progress counts the pages that may yet be asked, given the answers so far.
    const possible = service.possiblePages(found, answers)
    const at = possible.findIndex((p) => p.key === page.key)
    const onPage = new Set(page.questions.map((q) => q.id))
    const single = found.consultation.paging === 'question'
    return reply.render(
      'consultations/respond.njk',
      {
        title: page.section?.title ?? t('consultations.respond.title'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        pageSection: page.section
          ? { ...page.section, introHtml: page.section.intro ? renderMarkdown(page.section.intro) : '' }
          : null,
        // A question a page: the question is the page's heading; its section is the caption.
        singleQuestion: single,
        progress:
          found.consultation.paging !== 'all'
            ? t('consultations.respond.progress', {
                page: (at === -1 ? index : at) + 1,
                count: Math.max(possible.length, pages.length),
              })
            : '',
        backHref: change
          ? `${respondBase(id)}/check-answers`
          : previous
            ? pageHref(id, previous.key)
            : `/consultations/${id}`,
        action: pageHref(id, page.key, change),
        questions: questionViews(page.questions, answers, errors, t, {
          all: found.questions,
          onPage,
          fileNames: Object.fromEntries(page.questions.map((q) => [q.id, String(answers[fileNameKey(q.id)] ?? '')])),
        }),
        multipart: page.questions.some((q) => q.type === 'file'),
        errors: Object.keys(errors).length
          ? Object.entries(errors).map(([f]) => {
              const question = found.questions.find((q) => `q-${q.id}` === f)
              return { field: f, text: question ? answerMessage(t, errors[f]!, question) : t(errors[f]!) }
            })
          : undefined,
      },
      status,
    )
  }

  app.get(
    '/consultations/:id/respond',
    { schema: { params: IdParams, querystring: RespondQuery } },
    async (request, reply) => {
      const found = await openOrRefuse(request, reply, request.params.id)
      if (!found) return reply
      const draft = await service.draftFor(found.consultation.id, draftIdOf(request, found.consultation.id))
      const answers = draft?.answers ?? {}
      const pages = service.pages(found, answers)
      const key = request.query.page
      const page = key ? pages.find((p) => p.key === key) : pages[0]
      if (!page) return reply.redirect(respondBase(found.consultation.id), 303)
      return renderPage(request, reply, found, pages, page, answers, {}, request.query.change === '1')
    },
  )

  app.post(
    '/consultations/:id/respond',
    {
      schema: { params: IdParams, querystring: RespondQuery, body: answersForm },
      attachValidation: true,
      config: limited,
    },
    async (request, reply) => {
      const found = await openOrRefuse(request, reply, request.params.id)
      if (!found) return reply
      const id = found.consultation.id
      const draftId = draftIdOf(request, id)
      const draft = await service.draftFor(id, draftId)
      const key = request.query.page
      const change = request.query.change === '1'
      const current = service.pages(found, draft?.answers ?? {})
      const page = key ? current.find((p) => p.key === key) : current[0]
      if (!page) return reply.redirect(respondBase(id), 303)
      const raw = rawAnswers(request.body, page.questions)
      // A file chosen now is stored; with none chosen, the file given before stays.
      const fileErrors: Record<string, string> = {}
      for (const q of page.questions.filter((x) => x.type === 'file')) {
        const given = (request.body as Record<string, unknown> | undefined)?.[`q-${q.id}`]
        if (typeof given === 'object' && given !== null && 'path' in given) {
          try {
            const stored = await service.storeAnswerFile(id, q.id, given as Upload)
            // The file it replaces is no longer needed.
            const before = draft?.answers[q.id]
            if (typeof before === 'string' && before !== '') await service.removeAnswerFile(id, before)
            raw[q.id] = stored.id
            raw[fileNameKey(q.id)] = stored.filename
            continue
          } catch (error) {
            const fields = fieldErrorsOf(error)
            if (!fields) throw error
            Object.assign(fileErrors, fields)
          }
        }
        raw[q.id] = draft?.answers[q.id] ?? ''
        raw[fileNameKey(q.id)] = draft?.answers[fileNameKey(q.id)] ?? ''
      }
      const saved = await service.saveAnswers(id, draftId, raw, { pageKey: page.key, ctx: request.ctx() })
      keepDraftId(reply, id, saved.draftId)
      if (field(request.body, 'action', 20) === 'save') return reply.redirect(`${respondBase(id)}/save`, 303)
      const errors = { ...saved.errors, ...fileErrors }
      if (Object.keys(errors).length > 0)
        return renderPage(request, reply, found, saved.pages, saved.page, saved.answers, errors, change, 422)
      const incomplete = service.firstIncompletePage(found, saved.answers)
      if (change)
        return reply.redirect(incomplete ? pageHref(id, incomplete.key, true) : `${respondBase(id)}/check-answers`, 303)
      const next = saved.pages[saved.pages.findIndex((p) => p.key === saved.page.key) + 1]
      if (next) return reply.redirect(pageHref(id, next.key), 303)
      return reply.redirect(incomplete ? pageHref(id, incomplete.key) : `${respondBase(id)}/about-you`, 303)
    },
  )

  // --- responding: save and come back later ---

  const renderSave = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithOrganisation,
    values: { email: string },
    fieldErrors?: Record<string, string>,
  ) =>
    reply.render(
      'consultations/save.njk',
      {
        title: request.t('consultations.save.title'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        values,
        days: DRAFT_DAYS,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  app.get('/consultations/:id/respond/save', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    const draft = await service.draftFor(found.consultation.id, draftIdOf(request, found.consultation.id))
    if (!draft) return reply.redirect(respondBase(found.consultation.id), 303)
    return renderSave(request, reply, found, {
      email: draft.respondent?.email || request.principal?.email || '',
    })
  })

  app.post(
    '/consultations/:id/respond/save',
    { schema: { params: IdParams, body: saveForLaterForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const found = await openOrRefuse(request, reply, request.params.id)
      if (!found) return reply
      const id = found.consultation.id
      const draftId = draftIdOf(request, id)
      if (!(await service.draftFor(id, draftId))) return reply.redirect(respondBase(id), 303)
      const email = field(request.body, 'email', 1000)
      try {
        const saved = await service.saveForLater(request.ctx(), id, draftId, email)
        return await reply.render('consultations/saved.njk', {
          title: request.t('consultations.saved.title'),
          headerLabel: found.consultation.title,
          section: 'consultations',
          consultation: view(request, found),
          email: saved.email,
          expires: formatDateTime(saved.expiresAt, request.locale),
          continueHref: respondBase(id),
        })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderSave(request, reply, found, { email }, fieldErrors)
      }
    },
  )

  app.get('/consultations/:id/respond/resume/:token', { schema: { params: ResumeParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    reply.header('cache-control', 'no-store')
    reply.header('referrer-policy', 'no-referrer')
    const works = await service.canResume(found.consultation.id, request.params.token)
    return reply.render(
      'consultations/resume.njk',
      {
        title: request.t(works ? 'consultations.resume.title' : 'consultations.resume.expiredTitle'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        works,
        action: `${respondBase(found.consultation.id)}/resume/${request.params.token}`,
      },
      works ? 200 : 404,
    )
  })

  app.post(
    '/consultations/:id/respond/resume/:token',
    { schema: { params: ResumeParams, body: formSchema([], 100) }, attachValidation: true, config: limited },
    async (request, reply) => {
      const found = await openOrRefuse(request, reply, request.params.id)
      if (!found) return reply
      const id = found.consultation.id
      const resumed = await service.resume(id, request.params.token)
      if (!resumed) return reply.redirect(`${respondBase(id)}/resume/${request.params.token}`, 303)
      keepDraftId(reply, id, resumed.draftId)
      const draft = await service.draftFor(id, resumed.draftId)
      const incomplete = service.firstIncompletePage(found, draft?.answers ?? {})
      if (incomplete) return reply.redirect(pageHref(id, incomplete.key), 303)
      return reply.redirect(`${respondBase(id)}/${draft?.respondent ? 'check-answers' : 'about-you'}`, 303)
    },
  )

  // --- responding: the Respondent Information Form ---

  const lastPageHref = (found: WithQuestionnaire, answers: Answers) => {
    const pages = service.pages(found, answers)
    const last = pages[pages.length - 1]
    return last ? pageHref(found.consultation.id, last.key) : respondBase(found.consultation.id)
  }

  const renderAboutYou = (
    request: FastifyRequest,
    reply: FastifyReply,
    found: WithQuestionnaire,
    answers: Answers,
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
        backHref: lastPageHref(found, answers),
        signedInAs: request.principal?.email ?? '',
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  const respondentValues = (r: RespondentInfo | null, request: FastifyRequest): RespondentInput => ({
    respondentType: r?.respondentType ?? '',
    // A signed-in respondent's name and email are filled in from their account.
    name: r?.name ?? request.principal?.displayName ?? '',
    organisationName: r?.organisationName ?? '',
    email: r ? r.email : (request.principal?.email ?? ''),
    publication: r?.publication ?? '',
    mayContact: r ? (r.mayContact ? 'yes' : 'no') : '',
  })

  app.get('/consultations/:id/respond/about-you', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    const draft = await service.draftFor(found.consultation.id, draftIdOf(request, found.consultation.id))
    if (!draft) return reply.redirect(respondBase(found.consultation.id), 303)
    const incomplete = service.firstIncompletePage(found, draft.answers)
    if (incomplete) return reply.redirect(pageHref(found.consultation.id, incomplete.key), 303)
    return renderAboutYou(request, reply, found, draft.answers, respondentValues(draft.respondent, request))
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
      const draft = await service.draftFor(found.consultation.id, draftId)
      if (!draft) return reply.redirect(respondBase(found.consultation.id), 303)
      const { errors } = await service.saveRespondent(found.consultation.id, draftId, values)
      if (Object.keys(errors).length > 0) return renderAboutYou(request, reply, found, draft.answers, values, errors)
      return reply.redirect(`${respondBase(found.consultation.id)}/check-answers`, 303)
    },
  )

  // --- responding: check, submit, confirmation ---

  /** Sends the respondent back to the step still to do. */
  async function backToMissingStep(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    error: unknown,
  ): Promise<FastifyReply> {
    if (error instanceof ConsultationError && error.code === 'CONSULTATION_RESPONSE_INCOMPLETE') {
      if (error.publicMessage === 'consultations.respond.incomplete.respondent')
        return reply.redirect(`${respondBase(id)}/about-you`, 303)
      const found = await service.getOpen(id)
      const draft = await service.draftFor(id, draftIdOf(request, id))
      const incomplete = draft ? service.firstIncompletePage(found, draft.answers) : null
      return reply.redirect(incomplete ? pageHref(id, incomplete.key) : respondBase(id), 303)
    }
    throw error
  }

  app.get('/consultations/:id/respond/check-answers', { schema: { params: IdParams } }, async (request, reply) => {
    const found = await openOrRefuse(request, reply, request.params.id)
    if (!found) return reply
    const id = found.consultation.id
    try {
      const { draft, visible } = await service.readyDraft(id, draftIdOf(request, id))
      const t = request.t
      const r = draft.respondent
      const pages = service.pages(found, draft.answers)
      const pageOf = (q: Question) => pages.find((p) => p.questions.some((x) => x.id === q.id))?.key ?? 'all'
      return await reply.render('consultations/check-answers.njk', {
        title: t('consultations.check.title'),
        headerLabel: found.consultation.title,
        section: 'consultations',
        consultation: view(request, found),
        backHref: `${respondBase(id)}/about-you`,
        answerRows: answerRows(visible, draft.answers, t, undefined, request.locale).map((row, i) => {
          const q = visible[i]!
          return {
            ...row,
            action: { href: `${pageHref(id, pageOf(q), true)}#q-${q.id}`, text: t('consultations.check.change') },
          }
        }),
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
          action: { href: `${respondBase(id)}/about-you`, text: t('consultations.check.change') },
        })),
      })
    } catch (error) {
      return backToMissingStep(request, reply, id, error)
    }
  })

  app.post(
    '/consultations/:id/respond/check-answers',
    { schema: { params: IdParams, body: formSchema([], 100) }, attachValidation: true, config: limited },
    async (request, reply) => {
      const id = request.params.id
      const draftId = draftIdOf(request, id)
      // A second submission of the same draft (a double click, a retry) lands on the same confirmation.
      if (await service.submittedResponse(id, draftId)) return reply.redirect(`${respondBase(id)}/confirmation`, 303)
      const found = await openOrRefuse(request, reply, id)
      if (!found) return reply
      try {
        await service.submit(request.ctx(), id, draftId)
      } catch (error) {
        return backToMissingStep(request, reply, id, error)
      }
      return reply.redirect(`${respondBase(id)}/confirmation`, 303)
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

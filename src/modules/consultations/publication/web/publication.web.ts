// Publication pages. For a consultation's managers: the switch that publishes its responses, and
// the outcome ("We asked, you said, we did") with its documents. For everyone: the published
// responses, page by page, and the published outcome.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Translate } from '../../../../platform/i18n/i18n.js'
import { formatDate } from '../../../../shared/dates.js'
import { IdParams, PageQuery } from '../../consultation.schemas.js'
import { consultationView, renderMarkdown } from '../../consultation.presenter.js'
import type { RedactionReason } from '../../moderation/moderation.tables.js'
import { staffBase } from '../../moderation/web/helpers.js'
import type { PublicationService } from '../publication.service.js'
import { PublicationError } from '../../moderation/moderation.errors.js'
import type { Upload } from '../../../../platform/files/uploads.plugin.js'

const switchForm = formSchema(['publish'], 10)
const outcomeForm = formSchema(['body', 'bodyGd'], 60_000)
const documentForm = formSchema(['title', 'url'], 3000)
const DocumentParams = Type.Object({ id: Type.String({ maxLength: 100 }), documentId: Type.String({ maxLength: 100 }) })

export const redactionLabel =
  (t: Translate) =>
  (reason: RedactionReason): string =>
    t('consultations.published.redacted', { reason: t(`consultations.moderation.reason.${reason}`) })

export const publicationWeb: FastifyPluginAsyncTypebox<{ publication: PublicationService }> = async (
  app,
  { publication },
) => {
  // --- staff: publishing responses ---

  app.get('/manage/consultations/:id/publication', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const s = await publication.settings(request.ctx(), request.params.id)
    return reply.render('consultations/publication/manage.njk', {
      ...staffBase(request, s.found),
      title: request.t('consultations.publication.title'),
      settings: s,
      canPublish:
        s.found.consultation.publishedAt !== null && (s.found.status === 'open' || s.found.status === 'closed'),
    })
  })

  app.post(
    '/manage/consultations/:id/publication',
    { schema: { params: IdParams, body: switchForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await publication.setResponsesPublished(
        request.ctx(),
        request.params.id,
        field(request.body, 'publish', 10) === 'yes',
      )
      return reply.redirect(`/manage/consultations/${request.params.id}/publication`, 303)
    },
  )

  // --- staff: the outcome ---

  async function renderOutcome(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    options: {
      values?: { body: string; bodyGd: string }
      documentValues?: { title: string; url: string }
      fieldErrors?: Record<string, string>
    } = {},
  ) {
    const s = await publication.settings(request.ctx(), id)
    return reply.render(
      'consultations/publication/outcome-manage.njk',
      {
        ...staffBase(request, s.found),
        title: request.t('consultations.outcome.manageTitle'),
        settings: s,
        closed: s.found.status === 'closed',
        values: options.values ?? { body: s.outcome?.bodyMarkdown ?? '', bodyGd: s.outcome?.bodyMarkdownGd ?? '' },
        documentValues: options.documentValues ?? { title: '', url: '' },
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/consultations/:id/outcome', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderOutcome(request, reply, request.params.id)
  })

  app.post(
    '/manage/consultations/:id/outcome',
    { schema: { params: IdParams, body: outcomeForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = { body: field(request.body, 'body', 60_000), bodyGd: field(request.body, 'bodyGd', 60_000) }
      try {
        await publication.saveOutcome(request.ctx(), request.params.id, values)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderOutcome(request, reply, request.params.id, { values, fieldErrors })
      }
      return reply.redirect(`/manage/consultations/${request.params.id}/outcome`, 303)
    },
  )

  app.post(
    '/manage/consultations/:id/outcome/publish',
    { schema: { params: IdParams, body: switchForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      try {
        await publication.setOutcomePublished(
          request.ctx(),
          request.params.id,
          field(request.body, 'publish', 10) === 'yes',
        )
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderOutcome(request, reply, request.params.id, { fieldErrors })
      }
      return reply.redirect(`/manage/consultations/${request.params.id}/outcome`, 303)
    },
  )

  app.post(
    '/manage/consultations/:id/outcome/documents',
    {
      schema: { params: IdParams, body: documentForm },
      attachValidation: true,
      config: { multipartOptions: { limits: { fileSize: 25 * 1024 * 1024 } } },
    },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const documentValues = { title: field(request.body, 'title', 1000), url: field(request.body, 'url', 3000) }
      const file = (request.body as Record<string, unknown> | undefined)?.file
      const upload = file && typeof file === 'object' && 'path' in file ? (file as Upload) : undefined
      try {
        await publication.addDocument(request.ctx(), request.params.id, { ...documentValues, upload })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderOutcome(request, reply, request.params.id, { documentValues, fieldErrors })
      }
      return reply.redirect(`/manage/consultations/${request.params.id}/outcome#documents`, 303)
    },
  )

  app.post(
    '/manage/consultations/:id/outcome/documents/:documentId/remove',
    { schema: { params: DocumentParams, body: switchForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await publication.removeDocument(request.ctx(), request.params.id, request.params.documentId)
      return reply.redirect(`/manage/consultations/${request.params.id}/outcome#documents`, 303)
    },
  )

  // --- the public ---

  app.get(
    '/consultations/:id/published-responses',
    { schema: { params: IdParams, querystring: PageQuery } },
    async (request, reply) => {
      const t = request.t
      const { found, page } = await publication.publicPage(
        request.params.id,
        { page: request.query.page },
        redactionLabel(t),
      )
      const id = found.consultation.id
      const outcomes = await publication.outcomesPublished([id])
      return reply.render('consultations/publication/responses.njk', {
        section: 'consultations',
        title: t('consultations.published.title'),
        consultation: consultationView(found, t, request.locale),
        outcomePublished: outcomes.has(id),
        page,
        items: page.items.map((r) => ({
          reference: r.reference,
          name: r.name,
          organisationName: r.organisationName,
          rows: [
            {
              key: t('consultations.published.respondentType'),
              value: t(`consultations.published.respondentType.${r.respondentType}`),
            },
            { key: t('consultations.published.submitted'), value: formatDate(r.submittedAt, request.locale) },
            ...(r.name ? [{ key: t('consultations.published.name'), value: r.name }] : []),
            ...r.answers.map((a) => ({
              key: a.other ? t('consultations.published.otherAnswer', { question: a.question }) : a.question,
              value:
                a.state === 'awaiting-moderation'
                  ? t('consultations.published.awaitingModeration')
                  : Array.isArray(a.value)
                    ? a.value.join('; ')
                    : (a.value ?? ''),
            })),
          ],
        })),
        pageBase: `/consultations/${id}/published-responses?`,
        csvHref: `/api/v1/consultations/${id}/published-responses.csv`,
        jsonHref: `/api/v1/consultations/${id}/published-responses.json`,
      })
    },
  )

  app.get(
    '/consultations/:id/outcome/documents/:documentId',
    { schema: { params: DocumentParams } },
    async (request, reply) => {
      const file = await publication.outcomeFile(request.ctx(), request.params.id, request.params.documentId)
      if (!file) throw new PublicationError('CONSULTATION_OUTCOME_NOT_PUBLISHED', 'There is no such document')
      return app.kernel.files.send(reply, file)
    },
  )

  app.get('/consultations/:id/outcome', { schema: { params: IdParams } }, async (request, reply) => {
    const t = request.t
    const { found, outcome, documents, responsesPublished } = await publication.publicOutcome(request.params.id)
    const body = request.locale === 'gd' && outcome.bodyMarkdownGd ? outcome.bodyMarkdownGd : outcome.bodyMarkdown
    return reply.render('consultations/publication/outcome.njk', {
      section: 'consultations',
      title: t('consultations.outcome.title'),
      consultation: consultationView(found, t, request.locale),
      outcome,
      bodyHtml: renderMarkdown(body),
      documents,
      responsesPublished,
    })
  })
}

// Moderation pages for a consultation's managers: the queue of free-text answers, and one answer
// with its decisions (approve, redact a span, remove a redaction, return to the queue) and history.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { IdParams } from '../../consultation.schemas.js'
import type { DecisionInput, ModerationService } from '../moderation.service.js'
import { redactionReasons } from '../moderation.tables.js'
import { segments } from '../redaction.js'
import { AnswerParams, QueueQuery, staffBase } from './helpers.js'

const decisionForm = formSchema(['revision', 'text', 'reason', 'note', 'index'], 25_000)

export const moderationWeb: FastifyPluginAsyncTypebox<{ moderation: ModerationService }> = async (
  app,
  { moderation },
) => {
  const answerPath = (id: string, responseId: string, answerKey: string) =>
    `/manage/consultations/${id}/moderation/${responseId}/${encodeURIComponent(answerKey)}`

  app.get(
    '/manage/consultations/:id/moderation',
    { schema: { params: IdParams, querystring: QueueQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const { found, status, counts, page } = await moderation.queue(request.ctx(), request.params.id, request.query)
      const id = found.consultation.id
      return reply.render('consultations/moderation/queue.njk', {
        ...staffBase(request, found),
        title: t('consultations.moderation.title'),
        status,
        counts,
        tabs: (['pending', 'approved', 'redacted', 'all'] as const).map((s) => ({
          status: s,
          href: `/manage/consultations/${id}/moderation?status=${s}`,
          text: t(`consultations.moderation.status.${s}`),
          count: s === 'all' ? counts.pending + counts.approved + counts.redacted : counts[s],
          current: s === status,
        })),
        page,
        items: page.items.map((item) => ({
          ...item,
          href: answerPath(id, item.responseId, item.answerKey),
          statusText: t(`consultations.moderation.status.${item.status}`),
          questionText: item.other
            ? t('consultations.published.otherAnswer', { question: item.questionTitle })
            : item.questionTitle,
        })),
        pageBase: `/manage/consultations/${id}/moderation?status=${status}&`,
      })
    },
  )

  async function renderAnswer(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { id: string; responseId: string; answerKey: string },
    options: { values?: Record<string, string>; fieldErrors?: Record<string, string> } = {},
  ) {
    const t = request.t
    const { id, responseId, answerKey } = params
    const a = await moderation.answer(request.ctx(), id, responseId, answerKey)
    const reasonText = (reason: string) => t(`consultations.moderation.reason.${reason}`)
    return reply.render(
      'consultations/moderation/answer.njk',
      {
        ...staffBase(request, a.found),
        title: t('consultations.moderation.answerTitle', { reference: a.response.reference }),
        action: answerPath(id, responseId, answerKey),
        answer: a,
        questionText: a.other
          ? t('consultations.published.otherAnswer', { question: a.question.title })
          : a.question.title,
        statusText: t(`consultations.moderation.status.${a.status}`),
        segments: segments(a.value, a.redactions).map((s) =>
          'text' in s ? s : { ...s, label: reasonText(s.redacted) },
        ),
        redactionList: a.redactions.map((r, index) => ({
          index,
          text: a.value.slice(r.start, r.end),
          reason: reasonText(r.reason),
        })),
        reasonItems: redactionReasons.map((r) => ({ value: r, text: reasonText(r) })),
        history: a.history.map((h) => ({
          ...h,
          actionText: t(`consultations.moderation.action.${h.action}`),
          statusText: t(`consultations.moderation.status.${h.statusAfter}`),
          reasonText: h.reason ? reasonText(h.reason) : '',
        })),
        values: options.values ?? { text: '', reason: '', note: '' },
        queueHref: `/manage/consultations/${id}/moderation`,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/moderation/:responseId/:answerKey',
    { schema: { params: AnswerParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderAnswer(request, reply, request.params)
    },
  )

  for (const action of ['approve', 'redact', 'remove-redaction', 'reopen'] as const) {
    app.post(
      `/manage/consultations/:id/moderation/:responseId/:answerKey/${action}`,
      { schema: { params: AnswerParams, body: decisionForm }, attachValidation: true },
      async (request, reply) => {
        if (!signedIn(request, reply)) return reply
        const { id, responseId, answerKey } = request.params
        const body = request.body
        const values = {
          text: field(body, 'text', 20_000),
          reason: field(body, 'reason', 50),
          note: field(body, 'note', 2000),
        }
        const input: DecisionInput =
          action === 'redact'
            ? { action, revision: field(body, 'revision', 20), ...values }
            : action === 'remove-redaction'
              ? { action, revision: field(body, 'revision', 20), index: field(body, 'index', 10), note: values.note }
              : { action, revision: field(body, 'revision', 20), note: values.note }
        try {
          await moderation.decide(request.ctx(), id, responseId, answerKey, input)
        } catch (error) {
          const fieldErrors = fieldErrorsOf(error)
          if (!fieldErrors) throw error
          return renderAnswer(request, reply, request.params, { values, fieldErrors })
        }
        // After approving, on to the next answer waiting; after other decisions, back to this answer.
        if (action === 'approve') {
          const next = await moderation.nextPending(request.ctx(), id)
          return reply.redirect(
            next ? answerPath(id, next.responseId, next.answerKey) : `/manage/consultations/${id}/moderation`,
            303,
          )
        }
        return reply.redirect(answerPath(id, responseId, answerKey), 303)
      },
    )
  }
}

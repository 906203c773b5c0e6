// Casework pages: a constituent sends an enquiry to a representative and follows their own
// enquiries; the representative's office lists its cases, adds notes, replies and sets a status.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { formatDateTime } from '../../../../shared/dates.js'
import { caseStatuses, type CaseEntry, type CaseworkService, type EnquiryInput } from '../casework.service.js'
import type { RepresentativeService } from '../representatives.service.js'
import { representativeView } from './views.js'

const V = 'participation/community'
const IdParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
const CaseParams = Type.Object({ id: Type.String({ maxLength: 100 }), caseId: Type.String({ maxLength: 100 }) })
const StatusQuery = Type.Object({ status: Type.Optional(Type.String({ maxLength: 20 })) })
const caseForm = formSchema(['subject', 'message', 'postcode', 'note', 'reply', 'status'], 12_000)

export const caseworkWeb: FastifyPluginAsyncTypebox<{
  casework: CaseworkService
  representatives: RepresentativeService
}> = async (app, { casework, representatives }) => {
  const section = { section: 'representatives' }
  const entryView = (e: CaseEntry, request: FastifyRequest) => ({
    ...e,
    when: formatDateTime(e.createdAt, request.locale),
    kindText: request.t(`participation.case.entry.${e.kind}`),
    paragraphs: (e.kind === 'status' ? request.t(`participation.case.status.${e.body}`) : e.body)
      .split(/\r?\n/)
      .filter((line) => line.trim() !== ''),
  })

  async function renderNew(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    values: EnquiryInput,
    fieldErrors?: Record<string, string>,
  ) {
    const rep = await representatives.get(id)
    return reply.render(
      `${V}/case-new.njk`,
      {
        ...section,
        title: request.t('participation.case.new.title', { name: rep.name }),
        rep: representativeView(rep, request.t),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/representatives/:id/enquiries/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderNew(request, reply, request.params.id, { subject: '', message: '', postcode: '' })
  })

  app.post(
    '/representatives/:id/enquiries/new',
    { schema: { params: IdParams, body: caseForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        subject: field(request.body, 'subject', 300),
        message: field(request.body, 'message', 12_000),
        postcode: field(request.body, 'postcode', 20),
      }
      try {
        const created = await casework.send(request.ctx(), request.params.id, values)
        return reply.redirect(`/enquiries/${created.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderNew(request, reply, request.params.id, values, fieldErrors)
      }
    },
  )

  app.get('/enquiries', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const cases = await casework.mine(request.ctx())
    return reply.render(`${V}/case-mine.njk`, {
      ...section,
      title: request.t('participation.case.mine.title'),
      cases: cases.map((c) => ({
        ...c,
        statusText: request.t(`participation.case.status.${c.status}`),
        sent: formatDateTime(c.createdAt, request.locale),
      })),
    })
  })

  app.get('/enquiries/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const { found, representative, entries } = await casework.mineOne(request.ctx(), request.params.id)
    return reply.render(`${V}/case-mine-one.njk`, {
      ...section,
      title: found.subject,
      found: { ...found, statusText: request.t(`participation.case.status.${found.status}`) },
      rep: representativeView(representative, request.t),
      entries: entries.map((e) => entryView(e, request)),
    })
  })

  // --- the office ---

  app.get('/office/:id/cases', { schema: { params: IdParams, querystring: StatusQuery } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const { representative, cases } = await casework.list(request.ctx(), request.params.id, request.query.status)
    return reply.render(`${V}/case-office-list.njk`, {
      ...section,
      title: request.t('participation.case.office.title'),
      rep: representativeView(representative, request.t),
      status: request.query.status ?? '',
      statusOptions: [
        { value: '', text: request.t('participation.case.office.allStatuses') },
        ...caseStatuses.map((s) => ({ value: s, text: request.t(`participation.case.status.${s}`) })),
      ],
      cases: cases.map((c) => ({
        ...c,
        statusText: request.t(`participation.case.status.${c.status}`),
        updated: formatDateTime(c.updatedAt, request.locale),
      })),
    })
  })

  async function renderCase(
    request: FastifyRequest,
    reply: FastifyReply,
    params: { id: string; caseId: string },
    values: Record<string, string> = {},
    fieldErrors?: Record<string, string>,
  ) {
    const { representative, found, entries } = await casework.get(request.ctx(), params.id, params.caseId)
    return reply.render(
      `${V}/case-office-one.njk`,
      {
        ...section,
        title: found.subject,
        rep: representativeView(representative, request.t),
        found: {
          ...found,
          statusText: request.t(`participation.case.status.${found.status}`),
          sent: formatDateTime(found.createdAt, request.locale),
        },
        entries: entries.map((e) => entryView(e, request)),
        statusItems: caseStatuses.map((s) => ({ value: s, text: request.t(`participation.case.status.${s}`) })),
        values: { note: '', reply: '', status: found.status, ...values },
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/office/:id/cases/:caseId', { schema: { params: CaseParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderCase(request, reply, request.params)
  })

  for (const action of ['note', 'reply', 'status'] as const) {
    app.post(
      `/office/:id/cases/:caseId/${action}`,
      { schema: { params: CaseParams, body: caseForm }, attachValidation: true },
      async (request, reply) => {
        if (!signedIn(request, reply)) return reply
        const value = field(request.body, action, 12_000)
        const { id, caseId } = request.params
        try {
          if (action === 'note') await casework.addNote(request.ctx(), id, caseId, value)
          else if (action === 'reply') await casework.reply(request.ctx(), id, caseId, value)
          else await casework.setStatus(request.ctx(), id, caseId, value)
          return reply.redirect(`/office/${id}/cases/${caseId}#history`, 303)
        } catch (error) {
          const fieldErrors = fieldErrorsOf(error)
          if (!fieldErrors) throw error
          return renderCase(request, reply, request.params, { [action]: value }, fieldErrors)
        }
      },
    )
  }
}

// Pages for responses received by post or email: the list of those entered, a form to enter one
// (also after closing, marked late), and importing many from a CSV file with a preview.
import { readFile } from 'node:fs/promises'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, fieldList, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Upload } from '../../../../platform/files/uploads.plugin.js'
import { instantToLondon } from '../../consultation.dates.js'
import { IdParams } from '../../consultation.schemas.js'
import type { Question } from '../../consultation.types.js'
import { otherKey } from '../../moderation/moderation.rules.js'
import { staffBase } from '../../moderation/web/helpers.js'
import {
  CSV_FIXED_COLUMNS,
  allowsOther,
  gridRows,
  offlineChannels,
  questionColumns,
  transcribable,
  typeOf,
} from '../offline.input.js'
import { MAX_IMPORT_BYTES, type OfflineService } from '../offline.service.js'

type RawAnswer = string | string[] | undefined

const entryForm = formSchema([], 25_000)
const importForm = formSchema(['csvText'], MAX_IMPORT_BYTES)
const ListQuery = Type.Object({
  page: Type.Optional(Type.String({ maxLength: 10 })),
  recorded: Type.Optional(Type.String({ maxLength: 20 })),
})
const ImportParams = Type.Object({ id: Type.String({ maxLength: 100 }), importId: Type.String({ maxLength: 100 }) })

const RIF_FIELDS = ['respondentType', 'name', 'organisationName', 'email', 'publication', 'mayContact'] as const

/** What the form sent for each question, by question id (and the text of "other"). */
function rawFromBody(body: unknown, questions: Question[]): Record<string, RawAnswer> {
  const raw: Record<string, RawAnswer> = {}
  for (const q of transcribable(questions)) {
    const name = `q-${q.id}`
    if (typeOf(q) === 'multiple-choice') raw[q.id] = fieldList(body, name)
    else if (typeOf(q) === 'choice-grid') raw[q.id] = gridRows(q).map((_, i) => field(body, `${name}-${i + 1}`, 300))
    else raw[q.id] = field(body, name, 25_000)
    if (allowsOther(q)) raw[otherKey(q.id)] = field(body, `${name}-other`, 2000)
  }
  return raw
}

export const offlineWeb: FastifyPluginAsyncTypebox<{ offline: OfflineService }> = async (app, { offline }) => {
  const base = (id: string) => `/manage/consultations/${id}/offline-responses`

  app.get(
    '/manage/consultations/:id/offline-responses',
    { schema: { params: IdParams, querystring: ListQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const recorded = /^CR-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(request.query.recorded ?? '') ? request.query.recorded : null
      const { found, page } = await offline.list(request.ctx(), request.params.id, request.query)
      const t = request.t
      return reply.render('consultations/offline/list.njk', {
        ...staffBase(request, found),
        title: t('consultations.offline.title'),
        ...(recorded
          ? { flash: { title: t('consultations.offline.recorded', { reference: recorded }), text: '' } }
          : {}),
        canEnter: found.consultation.publishedAt !== null && (found.status === 'open' || found.status === 'closed'),
        closed: found.status === 'closed',
        page,
        items: page.items.map((r) => ({
          ...r,
          channelText: t(`consultations.offline.channel.${r.channel}`),
          receivedText: r.receivedOn,
        })),
        pageBase: `${base(found.consultation.id)}?`,
      })
    },
  )

  // --- one response ---

  async function renderEntry(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    body: unknown,
    fieldErrors?: Record<string, string>,
  ) {
    const found = await offline.consultation(request.ctx(), id)
    const t = request.t
    const raw = body ? rawFromBody(body, found.questions) : {}
    const err = (name: string) => (fieldErrors?.[name] ? t(fieldErrors[name]) : '')
    const questions = transcribable(found.questions).map((q, i) => {
      const name = `q-${q.id}`
      const value = raw[q.id]
      const values = Array.isArray(value) ? value : value ? [value] : []
      return {
        ...q,
        number: i + 1,
        name,
        value: Array.isArray(value) ? '' : (value ?? ''),
        items: q.options.map((o) => ({ value: o, text: o, checked: values.includes(o) })),
        gridRows: gridRows(q).map((row, r) => ({
          label: row,
          name: `${name}-${r + 1}`,
          options: [
            { value: '', text: t('consultations.offline.noAnswer') },
            ...q.options.map((o) => ({ value: o, text: o })),
          ],
          value: values[r] ?? '',
        })),
        allowOther: allowsOther(q),
        otherValue: raw[otherKey(q.id)] ?? '',
        error: err(name),
      }
    })
    const values: Record<string, string> = {
      channel: field(body, 'channel', 20),
      receivedDate: body ? field(body, 'receivedDate', 20) : instantToLondon(new Date()).date,
    }
    for (const f of RIF_FIELDS) values[f] = field(body, f, 500)
    return reply.render(
      'consultations/offline/new.njk',
      {
        ...staffBase(request, found),
        title: t('consultations.offline.newTitle'),
        action: `${base(id)}/new`,
        closed: found.status === 'closed',
        questions,
        values,
        channelItems: offlineChannels.map((c) => ({ value: c, text: t(`consultations.offline.channel.${c}`) })),
        typeItems: ['individual', 'organisation'].map((v) => ({
          value: v,
          text: t(`consultations.offline.type.${v}`),
        })),
        publicationItems: ['publish-with-name', 'publish-without-name', 'do-not-publish'].map((v) => ({
          value: v,
          text: t(`consultations.offline.publication.${v}`),
        })),
        contactItems: ['yes', 'no'].map((v) => ({ value: v, text: t(`consultations.offline.mayContact.${v}`) })),
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/offline-responses/new',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderEntry(request, reply, request.params.id, undefined)
    },
  )

  app.post(
    '/manage/consultations/:id/offline-responses/new',
    { schema: { params: IdParams, body: entryForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const id = request.params.id
      const body = request.body
      const found = await offline.consultation(request.ctx(), id)
      try {
        const created = await offline.record(
          request.ctx(),
          id,
          {
            channel: field(body, 'channel', 20),
            received: field(body, 'receivedDate', 20),
            respondent: {
              respondentType: field(body, 'respondentType', 50),
              name: field(body, 'name', 500),
              organisationName: field(body, 'organisationName', 500),
              email: field(body, 'email', 500),
              publication: field(body, 'publication', 50),
              mayContact: field(body, 'mayContact', 10),
            },
          },
          rawFromBody(body, found.questions),
        )
        return reply.redirect(`${base(id)}?recorded=${encodeURIComponent(created.reference)}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderEntry(request, reply, id, body, fieldErrors)
      }
    },
  )

  // --- importing a CSV file ---

  async function renderImport(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    options: {
      csvText?: string
      rowErrors?: { row: number; column: string; message: string }[]
      fieldErrors?: Record<string, string>
    } = {},
  ) {
    const found = await offline.consultation(request.ctx(), id)
    const t = request.t
    const failed = options.rowErrors && options.rowErrors.length > 0
    return reply.render(
      'consultations/offline/import.njk',
      {
        ...staffBase(request, found),
        title: t('consultations.offline.importTitle'),
        action: `${base(id)}/import`,
        fixedColumns: CSV_FIXED_COLUMNS,
        questionColumns: questionColumns(found.questions).map((c) => ({
          column: c.column,
          title: c.key.endsWith(':other')
            ? t('consultations.published.otherAnswer', { question: c.question.title })
            : c.question.title,
          type: t(`consultations.offline.columnType.${c.key.endsWith(':other') ? 'other' : c.question.type}`),
          options: c.key.endsWith(':other') ? [] : c.question.options,
        })),
        values: { csvText: options.csvText ?? '' },
        rowErrors: (options.rowErrors ?? []).map((e) => ({ ...e, text: t(e.message) })),
        ...(failed ? { fieldErrors: { file: 'consultations.offline.error.csvHasErrors' } } : {}),
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      failed || options.fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/consultations/:id/offline-responses/import',
    { schema: { params: IdParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderImport(request, reply, request.params.id)
    },
  )

  app.post(
    '/manage/consultations/:id/offline-responses/import',
    {
      schema: { params: IdParams, body: importForm },
      attachValidation: true,
      config: { multipartOptions: { limits: { fileSize: MAX_IMPORT_BYTES } } },
    },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const id = request.params.id
      const upload = (request.body as Record<string, unknown> | undefined)?.file as Upload | undefined
      const csvText = field(request.body, 'csvText', MAX_IMPORT_BYTES)
      let text = csvText
      let filename = 'pasted.csv'
      if (upload && typeof upload === 'object' && 'path' in upload) {
        if (upload.size > MAX_IMPORT_BYTES)
          return renderImport(request, reply, id, { fieldErrors: { file: 'consultations.offline.error.csvTooLarge' } })
        text = await readFile(upload.path, 'utf8')
        filename = upload.filename
      }
      if (text.trim() === '')
        return renderImport(request, reply, id, {
          csvText,
          fieldErrors: { file: 'consultations.offline.error.csvMissing' },
        })
      const result = await offline.previewImport(request.ctx(), id, { filename, text })
      if (!result.importId) return renderImport(request, reply, id, { csvText, rowErrors: result.errors })
      return reply.redirect(`${base(id)}/imports/${result.importId}`, 303)
    },
  )

  app.get(
    '/manage/consultations/:id/offline-responses/imports/:importId',
    { schema: { params: ImportParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const { found, imported, lateCount } = await offline.getImport(
        request.ctx(),
        request.params.id,
        request.params.importId,
      )
      return reply.render('consultations/offline/preview.njk', {
        ...staffBase(request, found),
        title: t('consultations.offline.previewTitle'),
        imported,
        lateCount,
        action: `${base(found.consultation.id)}/imports/${imported.id}`,
        sample: imported.rows.slice(0, 20).map((r, i) => ({
          row: i + 2,
          channel: t(`consultations.offline.channel.${r.channel}`),
          receivedOn: r.receivedOn,
          name: r.respondent.name,
          organisationName: r.respondent.organisationName,
          publication: t(`consultations.offline.publication.${r.respondent.publication}`),
          answered: Object.keys(r.answers).length,
        })),
      })
    },
  )

  for (const action of ['confirm', 'discard'] as const) {
    app.post(
      `/manage/consultations/:id/offline-responses/imports/:importId/${action}`,
      { schema: { params: ImportParams, body: entryForm }, attachValidation: true },
      async (request, reply) => {
        if (!signedIn(request, reply)) return reply
        const { id, importId } = request.params
        if (action === 'confirm') await offline.confirmImport(request.ctx(), id, importId)
        else await offline.discardImport(request.ctx(), id, importId)
        return reply.redirect(action === 'confirm' ? `${base(id)}/imports/${importId}` : base(id), 303)
      },
    )
  }
}

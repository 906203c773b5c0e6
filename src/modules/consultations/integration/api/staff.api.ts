// The staff API of consultations, for a body's own systems with a personal API token: the body's
// consultations (scope consultations:read; their responses are at /consultations/{id}/responses),
// and recording responses received by post or email (scope consultations:record).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../../platform/api/api.schemas.js'
import { requirePrincipal, requireScope } from '../../../../platform/auth/authorisation.js'
import { idempotent } from '../../../../platform/http/idempotent.js'
import { IdParams } from '../../consultation.schemas.js'
import { READ_SCOPE, type ConsultationService } from '../../consultation.service.js'
import type { OfflineService } from '../../offline/offline.service.js'

export const RECORD_SCOPE = 'consultations:record'

const StaffConsultation = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.String(),
  status: Type.String({ enum: ['draft', 'forthcoming', 'open', 'closed'] }),
  organisation: Type.Object({ id: Type.String(), slug: Type.String(), nameEn: Type.String() }),
  opensAt: Type.String({ format: 'date-time' }),
  closesAt: Type.String({ format: 'date-time' }),
  responsesUrl: Type.String(),
})

const AnswerValue = Type.Union([
  Type.String({ maxLength: 25_000 }),
  Type.Array(Type.String({ maxLength: 500 }), { maxItems: 100 }),
])

const OfflineResponseBody = Type.Object(
  {
    channel: Type.String({ enum: ['post', 'email'] }),
    receivedOn: Type.String({ description: 'The day it was received: YYYY-MM-DD', maxLength: 20 }),
    respondent: Type.Object(
      {
        type: Type.String({ enum: ['individual', 'organisation'] }),
        name: Type.String({ maxLength: 500 }),
        organisationName: Type.Optional(Type.String({ maxLength: 500 })),
        email: Type.Optional(Type.String({ maxLength: 500 })),
        publication: Type.String({ enum: ['publish-with-name', 'publish-without-name', 'do-not-publish'] }),
        mayContact: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    answers: Type.Record(Type.String({ maxLength: 100 }), AnswerValue, {
      description:
        'By question id; a list for multiple choice and choice grids; "<question id>:other" for the text of Other',
    }),
  },
  { additionalProperties: false },
)

const Recorded = Type.Object({
  id: Type.String({ format: 'uuid' }),
  reference: Type.String(),
  late: Type.Boolean(),
})

export const staffApi: FastifyPluginAsyncTypebox<{
  consultations: ConsultationService
  offline: OfflineService
}> = async (app, { consultations, offline }) => {
  const { baseUrl } = app.kernel.config
  const secured = [{ bearer: [] }]

  app.get(
    '/staff/consultations',
    {
      schema: {
        tags: ['consultations'],
        summary: "The consultations of the caller's bodies, drafts included (scope consultations:read)",
        security: secured,
        response: { 200: Type.Object({ items: Type.Array(StaffConsultation) }), ...errorResponses },
      },
    },
    async (request) => {
      const principal = requirePrincipal(request.ctx())
      requireScope(principal, READ_SCOPE)
      const items = await consultations.listForStaff(request.ctx())
      return {
        items: items.map((w) => ({
          id: w.consultation.id,
          title: w.consultation.title,
          status: w.status,
          organisation: { id: w.organisation.id, slug: w.organisation.slug, nameEn: w.organisation.nameEn },
          opensAt: w.consultation.opensAt.toISOString(),
          closesAt: w.consultation.closesAt.toISOString(),
          responsesUrl: `${baseUrl}/api/v1/consultations/${w.consultation.id}/responses`,
        })),
      }
    },
  )

  app.post(
    '/consultations/:id/offline-responses',
    {
      schema: {
        tags: ['consultations'],
        summary:
          'Record a response received by post or email (consultation managers; scope consultations:record). Honours Idempotency-Key.',
        security: secured,
        params: IdParams,
        body: OfflineResponseBody,
        response: { 201: Recorded, ...errorResponses },
      },
    },
    async (request, reply) => {
      const b = request.body
      await idempotent(request, reply, 201, async () =>
        offline.record(
          request.ctx(),
          request.params.id,
          {
            channel: b.channel,
            received: b.receivedOn,
            respondent: {
              respondentType: b.respondent.type,
              name: b.respondent.name,
              organisationName: b.respondent.organisationName ?? '',
              email: b.respondent.email ?? '',
              publication: b.respondent.publication,
              mayContact: b.respondent.mayContact ? 'yes' : 'no',
            },
          },
          b.answers,
          RECORD_SCOPE,
        ),
      )
      return reply
    },
  )
}

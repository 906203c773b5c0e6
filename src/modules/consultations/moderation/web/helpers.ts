// What every staff page of moderation, publication, outcome, offline responses and integration
// shares: the section, the consultation as the pages show it, and the body in the header.
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import { consultationView } from '../../consultation.presenter.js'
import type { WithOrganisation } from '../../consultation.service.js'

export function staffBase(request: FastifyRequest, w?: WithOrganisation) {
  return {
    section: 'manage',
    ...(w
      ? {
          consultation: consultationView(w, request.t, request.locale),
          headerOrganisation:
            request.locale === 'gd' && w.organisation.nameGd ? w.organisation.nameGd : w.organisation.nameEn,
        }
      : {}),
  }
}

export const AnswerParams = Type.Object({
  id: Type.String({ maxLength: 100 }),
  responseId: Type.String({ maxLength: 100 }),
  answerKey: Type.String({ maxLength: 100 }),
})

export const QueueQuery = Type.Object({
  status: Type.Optional(Type.String({ maxLength: 20 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})

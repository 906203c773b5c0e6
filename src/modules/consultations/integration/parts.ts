// Moderation, publication, outcome, offline responses and integration: their services, jobs and
// routes, made once by the consultations module's factory.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { ConsultationService } from '../consultation.service.js'
import { ModerationService } from '../moderation/moderation.service.js'
import { moderationWeb } from '../moderation/web/moderation.web.js'
import { PublicationService } from '../publication/publication.service.js'
import { publicationWeb } from '../publication/web/publication.web.js'
import { publicationApi } from '../publication/api/publication.api.js'
import { OfflineService } from '../offline/offline.service.js'
import { offlineWeb } from '../offline/web/offline.web.js'

export type PublicationParts = {
  moderation: ModerationService
  publication: PublicationService
  offline: OfflineService
  plugin: FastifyPluginAsync
}

export function createPublicationParts(kernel: Kernel, consultations: ConsultationService): PublicationParts {
  const moderation = new ModerationService(kernel, consultations)
  const publication = new PublicationService(kernel, consultations)
  const offline = new OfflineService(kernel, consultations)
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(moderationWeb, { moderation })
    await app.register(publicationWeb, { publication })
    await app.register(publicationApi, { publication, prefix: '/api/v1' })
    await app.register(offlineWeb, { offline })
  }
  return { moderation, publication, offline, plugin }
}

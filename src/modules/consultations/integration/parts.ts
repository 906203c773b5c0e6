// Moderation, publication, outcome, offline responses and integration: their services, jobs,
// API scope, dataset provider and routes, made once by the consultations module's factory.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import { registerScope } from '../../../platform/accounts/scopes.js'
import type { ConsultationService } from '../consultation.service.js'
import { ModerationService } from '../moderation/moderation.service.js'
import { moderationWeb } from '../moderation/web/moderation.web.js'
import { PublicationService } from '../publication/publication.service.js'
import { publicationWeb } from '../publication/web/publication.web.js'
import { publicationApi } from '../publication/api/publication.api.js'
import { OfflineService } from '../offline/offline.service.js'
import { offlineWeb } from '../offline/web/offline.web.js'
import { RECORD_SCOPE, staffApi } from './api/staff.api.js'
import { publishedResponsesProvider } from './datasets.js'
import { DELIVER_JOB, MAX_ATTEMPTS, WATCH_JOB, WebhookService } from './webhook.service.js'
import { webhooksWeb } from './web/webhooks.web.js'

export type PublicationParts = {
  moderation: ModerationService
  publication: PublicationService
  offline: OfflineService
  webhooks: WebhookService
  plugin: FastifyPluginAsync
}

export function createPublicationParts(kernel: Kernel, consultations: ConsultationService): PublicationParts {
  const moderation = new ModerationService(kernel, consultations)
  const publication = new PublicationService(kernel, consultations)
  const offline = new OfflineService(kernel, consultations)
  const webhooks = new WebhookService(kernel)
  registerScope({ id: RECORD_SCOPE, labelKey: 'consultations.scope.record' })
  kernel.datasets.register(publishedResponsesProvider(publication, kernel.i18n.translator('en')))
  kernel.jobs.define({
    name: WATCH_JOB,
    cron: '* * * * *',
    retryLimit: 1,
    handler: async () => {
      await webhooks.watch()
    },
  })
  kernel.jobs.define<{ deliveryId: string }>({
    name: DELIVER_JOB,
    retryLimit: MAX_ATTEMPTS,
    retryDelaySeconds: kernel.config.env === 'test' ? 1 : 30,
    retryBackoff: true,
    handler: async ({ deliveryId }) => {
      await webhooks.deliver(deliveryId)
    },
  })
  kernel.jobs.define({
    name: 'consultations.published-responses-announce',
    cron: '*/15 * * * *',
    retryLimit: 1,
    handler: async () => {
      await publication.announceModerationChanges()
    },
  })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(moderationWeb, { moderation })
    await app.register(publicationWeb, { publication })
    await app.register(publicationApi, { publication, prefix: '/api/v1' })
    await app.register(offlineWeb, { offline })
    await app.register(webhooksWeb, { webhooks })
    await app.register(staffApi, { consultations, offline, prefix: '/api/v1' })
  }
  return { moderation, publication, offline, webhooks, plugin }
}

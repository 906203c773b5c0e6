// Wires finding consultations into the consultations module: email templates, the jobs that tell
// subscribers and forget unconfirmed addresses, and the pages and API.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import { registerMailTemplates } from '../../../platform/mail/mail.templates.js'
import type { ConsultationService } from '../consultation.service.js'
import { DiscoveryService, NOTIFY_JOB, PURGE_SUBSCRIPTIONS_JOB } from './discovery.service.js'
import { discoveryMailTemplates } from './discovery.mail.js'
import { discoveryWeb } from './discovery.web.js'
import { discoveryApi } from './discovery.api.js'

export function createDiscovery(
  kernel: Kernel,
  consultations: ConsultationService,
): { service: DiscoveryService; plugin: FastifyPluginAsync } {
  const service = new DiscoveryService(kernel, consultations)
  registerMailTemplates(discoveryMailTemplates)
  kernel.jobs.define<{ consultationId: string }>({
    name: NOTIFY_JOB,
    retryLimit: 5,
    handler: async ({ consultationId }) => {
      await service.notifyBatch(consultationId)
    },
  })
  kernel.jobs.define({
    name: PURGE_SUBSCRIPTIONS_JOB,
    cron: '37 4 * * *',
    retryLimit: 1,
    handler: async () => {
      await service.purgeUnconfirmed()
    },
  })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(discoveryWeb, { discovery: service })
    await app.register(discoveryApi, { discovery: service, prefix: '/api/v1' })
  }
  return { service, plugin }
}

// The consultations module: a consultation hub for Scotland's public bodies. Its public surface
// is this factory; other modules use consultations only through what it exports.
import type { FastifyPluginAsync } from 'fastify'
import type { ComhlaModule } from '../index.js'
import type { Kernel } from '../../platform/kernel.js'
import { registerScope } from '../../platform/accounts/scopes.js'
import { registerMailTemplates } from '../../platform/mail/mail.templates.js'
import { ConsultationService, READ_SCOPE } from './consultation.service.js'
import { consultationWeb } from './web/consultation.web.js'
import { manageConsultationWeb } from './web/manage.web.js'
import { consultationApi } from './api/consultation.api.js'
import { createPublicationParts } from './integration/parts.js'
import { consultationMailTemplates } from './consultation.mail.js'
import { createDiscovery } from './discovery/discovery.module.js'
import { createConsultationAnalysis } from './analysis/index.js'

export type { ConsultationService } from './consultation.service.js'
export type { Consultation, ConsultationStatus } from './consultation.types.js'

export function createConsultationsModule(kernel: Kernel): ComhlaModule & { service: ConsultationService } {
  const service = new ConsultationService(kernel)
  const publicationParts = createPublicationParts(kernel, service)
  const discovery = createDiscovery(kernel, service)
  const analysis = createConsultationAnalysis(kernel, {
    moderation: (ids) => publicationParts.moderation.summaryFor(ids),
  })
  registerScope({ id: READ_SCOPE, labelKey: 'consultations.scope.read' })
  registerMailTemplates(consultationMailTemplates)
  kernel.jobs.define({
    name: 'consultations.open-close',
    cron: '* * * * *',
    retryLimit: 1,
    handler: async () => {
      await service.recordStatusChanges()
      // subscribers hear about each consultation that has just opened
      await discovery.service.announceOpened()
    },
  })
  kernel.jobs.define({
    name: 'consultations.purge-drafts',
    cron: '23 3 * * *',
    retryLimit: 1,
    handler: async () => {
      await service.purgeAbandonedDrafts()
    },
  })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(discovery.plugin)
    await app.register(consultationWeb, {
      service,
      discovery: discovery.service,
      publication: publicationParts.publication,
    })
    await app.register(manageConsultationWeb, { service, discovery: discovery.service })
    await app.register(consultationApi, { service, discovery: discovery.service, prefix: '/api/v1' })
    await app.register(publicationParts.plugin)
    await app.register(analysis.plugin)
  }
  return {
    name: 'consultations',
    service,
    plugin,
    nav: [{ href: '/consultations', section: 'consultations', labelKey: 'consultations.nav' }],
  }
}

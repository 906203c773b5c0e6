// The consultations module: a consultation hub for Scotland's public bodies. Its public surface
// is this factory; other modules use consultations only through what it exports.
import type { FastifyPluginAsync } from 'fastify'
import type { ComhlaModule } from '../index.js'
import type { Kernel } from '../../platform/kernel.js'
import { registerScope } from '../../platform/accounts/scopes.js'
import { ConsultationService, READ_SCOPE } from './consultation.service.js'
import { consultationWeb } from './web/consultation.web.js'
import { manageConsultationWeb } from './web/manage.web.js'
import { consultationApi } from './api/consultation.api.js'
import { createConsultationAnalysis } from './analysis/index.js'

export type { ConsultationService } from './consultation.service.js'
export type { Consultation, ConsultationStatus } from './consultation.types.js'

export function createConsultationsModule(kernel: Kernel): ComhlaModule & { service: ConsultationService } {
  const service = new ConsultationService(kernel)
  const analysis = createConsultationAnalysis(kernel)
  registerScope({ id: READ_SCOPE, labelKey: 'consultations.scope.read' })
  kernel.jobs.define({
    name: 'consultations.open-close',
    cron: '* * * * *',
    retryLimit: 1,
    handler: async () => {
      await service.recordStatusChanges()
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
    await app.register(consultationWeb, { service })
    await app.register(manageConsultationWeb, { service })
    await app.register(consultationApi, { service, prefix: '/api/v1' })
    await app.register(analysis.plugin)
  }
  return {
    name: 'consultations',
    service,
    plugin,
    nav: [{ href: '/consultations', section: 'consultations', labelKey: 'consultations.nav' }],
  }
}

// Analysis of a consultation's responses: counts and charts, cross-tabulation, searching and
// coding free text, data quality, and exports. Registered by the consultations module.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import { registerScope } from '../../../platform/accounts/scopes.js'
import { AnalysisService, ANALYSIS_SCOPE, DETECT_JOB, EXPORT_JOB, type ModerationLookup } from './analysis.service.js'
import { analysisWeb } from './web/analysis.web.js'
import { analysisApi } from './api/analysis.api.js'

export { AnalysisService } from './analysis.service.js'

export function createConsultationAnalysis(
  kernel: Kernel,
  options: { moderation?: ModerationLookup } = {},
): { service: AnalysisService; plugin: FastifyPluginAsync } {
  const service = new AnalysisService(kernel)
  registerScope({ id: ANALYSIS_SCOPE, labelKey: 'consultations.analysis.scope' })
  kernel.jobs.define<{ runId: string }>({
    name: DETECT_JOB,
    retryLimit: 2,
    expireInSeconds: 1800,
    handler: async ({ runId }) => {
      await service.runDetection(runId)
    },
  })
  kernel.jobs.define<{ exportId: string }>({
    name: EXPORT_JOB,
    retryLimit: 2,
    expireInSeconds: 3600,
    handler: async ({ exportId }) => {
      await service.runExport(exportId, options.moderation)
    },
  })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(analysisWeb, { service })
    await app.register(analysisApi, { service, prefix: '/api/v1' })
  }
  return { service, plugin }
}

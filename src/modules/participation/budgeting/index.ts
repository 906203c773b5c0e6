// Part of the participation module (see ../index.ts): participatory budgeting.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import { DATASET_PROVIDER, PbService } from './pb.service.js'
import { budgetingWeb } from './web/pb.web.js'
import { manageBudgetingWeb } from './web/pb-manage.web.js'
import { budgetingApi } from './api/pb.api.js'
import { RESULT_CSV_COLUMNS, resultCsvRows } from './pb.presenter.js'

export type { PbService } from './pb.service.js'

export function createBudgeting(kernel: Kernel): { plugin: FastifyPluginAsync; nav: NavModule[]; service: PbService } {
  const service = new PbService(kernel)
  kernel.jobs.define({
    name: 'participation.pb-phases',
    cron: '* * * * *',
    retryLimit: 1,
    handler: async () => {
      await service.recordPhases()
    },
  })
  // Published results go to the open-data outlet as one dataset per process.
  kernel.datasets.register({
    id: DATASET_PROVIDER,
    describe: async (key) => {
      const found = await service.getPublished(key).catch(() => null)
      if (!found || !found.process.resultsPublishedAt) return null
      return {
        key,
        organisationId: found.process.organisationId,
        title: `Participatory budgeting results: ${found.process.title}`,
        description: `Votes for each project and the projects selected, by area. ${found.process.summary}`,
        keywords: ['participatory budgeting', 'community choices', 'results'],
        landingPage: `/budgeting/${key}/results`,
        columns: RESULT_CSV_COLUMNS.map((name) => ({
          name,
          title: name.replace(/_/g, ' '),
          type: ['area_budget', 'area_ballots', 'rank', 'cost', 'votes', 'points'].includes(name)
            ? ('integer' as const)
            : ('text' as const),
        })),
        updatedAt: found.process.resultsPublishedAt,
      }
    },
    rows: async function* (key) {
      const found = await service.getPublished(key).catch(() => null)
      if (!found?.process.resultsPublishedAt) return
      const areas = await service.repo.areaResults(kernel.db, key)
      const projects = await service.repo.projectResults(kernel.db, key)
      for (const row of resultCsvRows(found.areas, areas, projects))
        yield Object.fromEntries(
          RESULT_CSV_COLUMNS.map((name, i) => {
            const v = row[i] ?? ''
            return [name, /^(area_budget|area_ballots|rank|cost|votes|points)$/.test(name) ? Number(v) : v]
          }),
        )
    },
  })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(budgetingWeb, { service })
    await app.register(manageBudgetingWeb, { service })
    await app.register(budgetingApi, { service, prefix: '/api/v1' })
  }
  return {
    plugin,
    service,
    nav: [{ href: '/budgeting', section: 'budgeting', labelKey: 'participation.pb.nav' }],
  }
}

// The participation module: participatory budgeting (./budgeting), and community councils with
// representatives' surgeries and casework (./community). Its public surface is this factory.
import type { FastifyPluginAsync } from 'fastify'
import type { ComhlaModule } from '../index.js'
import type { Kernel } from '../../platform/kernel.js'
import { createBudgeting } from './budgeting/index.js'
import { createCommunity } from './community/index.js'

export function createParticipationModule(kernel: Kernel): ComhlaModule {
  const budgeting = createBudgeting(kernel)
  const community = createCommunity(kernel)
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(budgeting.plugin)
    await app.register(community.plugin)
  }
  return { name: 'participation', plugin, nav: [...budgeting.nav, ...community.nav] }
}

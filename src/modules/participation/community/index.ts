// Part of the participation module: see ../index.ts. Community councils (organisations under a
// council) with meetings, calendars and local polls; representatives with the postcode lookup,
// remote surgeries and casework.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import { CommunityCouncilService } from './councils.service.js'
import { RepresentativeService } from './representatives.service.js'
import { CaseworkService } from './casework.service.js'
import { PollService } from './polls.service.js'
import { registerCommunityMail } from './community.mail.js'
import { registerCommunityDatasets } from './community.datasets.js'
import { councilsWeb } from './web/councils.web.js'
import { representativesWeb } from './web/representatives.web.js'
import { caseworkWeb } from './web/casework.web.js'
import { pollsWeb } from './web/polls.web.js'
import { communityApi } from './api/community.api.js'

export type { CommunityCouncilService } from './councils.service.js'
export type { RepresentativeService } from './representatives.service.js'

export function createCommunity(kernel: Kernel): { plugin: FastifyPluginAsync; nav: NavModule[] } {
  registerCommunityMail()
  const councils = new CommunityCouncilService(kernel)
  const representatives = new RepresentativeService(kernel)
  const casework = new CaseworkService(kernel, representatives)
  const polls = new PollService(kernel)
  registerCommunityDatasets(kernel, { councils, representatives, polls })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(councilsWeb, { councils, polls })
    await app.register(pollsWeb, { councils, polls })
    await app.register(representativesWeb, { representatives })
    await app.register(caseworkWeb, { casework, representatives })
    await app.register(communityApi, { councils, representatives, polls, prefix: '/api/v1' })
  }
  return {
    plugin,
    nav: [
      { href: '/community-councils', section: 'community-councils', labelKey: 'participation.nav.communityCouncils' },
      { href: '/representatives', section: 'representatives', labelKey: 'participation.nav.representatives' },
    ],
  }
}

// The domain modules, each a folder under src/modules with a small public surface.
// A module is a factory that receives the kernel and returns its Fastify plugin.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../platform/kernel.js'
import type { NavModule } from '../platform/http/context.plugin.js'
import { createConsultationsModule } from './consultations/index.js'
import { createOpenDataModule } from './open-data/index.js'
import { createParticipationModule } from './participation/index.js'

export type ComhlaModule = {
  name: string
  plugin: FastifyPluginAsync
  /** links in the site's main navigation */
  nav?: NavModule[]
}

export type ModuleFactory = (kernel: Kernel) => ComhlaModule

export const modules: ModuleFactory[] = [createConsultationsModule, createParticipationModule, createOpenDataModule]

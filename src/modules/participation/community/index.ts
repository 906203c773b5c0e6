// Part of the participation module: see ../index.ts.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'

export function createCommunity(kernel: Kernel): { plugin: FastifyPluginAsync; nav: NavModule[] } {
  void kernel
  const plugin: FastifyPluginAsync = async () => {}
  return { plugin, nav: [] }
}

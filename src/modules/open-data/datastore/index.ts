// Part of the open-data module: the data store. See ../index.ts.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import type { DatastoreService } from './datastore.public.js'

export function createDatastore(kernel: Kernel): {
  service: DatastoreService
  plugin: FastifyPluginAsync
  nav: NavModule[]
} {
  void kernel
  const service: DatastoreService = {}
  const plugin: FastifyPluginAsync = async () => {}
  return { service, plugin, nav: [] }
}

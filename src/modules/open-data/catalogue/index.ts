// Part of the open-data module: the catalogue. See ../index.ts.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import type { DatastoreService } from '../datastore/datastore.public.js'

export function createCatalogue(
  kernel: Kernel,
  deps: { datastore: DatastoreService },
): { plugin: FastifyPluginAsync; nav: NavModule[] } {
  void kernel
  void deps
  const plugin: FastifyPluginAsync = async () => {}
  return { plugin, nav: [] }
}

// Part of the open-data module: the data store. See ../index.ts and ./datastore.public.ts.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import { DatastoreError, type DatastoreService } from './datastore.public.js'

export function createDatastore(kernel: Kernel): {
  service: DatastoreService
  plugin: FastifyPluginAsync
  nav: NavModule[]
} {
  void kernel
  const notYet = (): never => {
    throw new DatastoreError('DATASTORE_NOT_FOUND', 'not-found', 'Not yet available')
  }
  const service: DatastoreService = {
    attachTable: async () => undefined,
    setPublic: async () => undefined,
    detachTable: async () => undefined,
    summary: async () => null,
    summaries: async () => new Map(),
    query: async () => notYet(),
    parseQuery: () => ({}),
    preview: async () => null,
    chart: async () => null,
    partials: { preview: 'open-data/datastore/_preview.njk', chart: 'open-data/datastore/_chart.njk' },
  }
  const plugin: FastifyPluginAsync = async () => {}
  return { service, plugin, nav: [] }
}

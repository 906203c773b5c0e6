// The open-data module: the national catalogue (./catalogue) and the data store of typed tables
// (./datastore). Its public surface is this factory.
import type { FastifyPluginAsync } from 'fastify'
import type { ComhlaModule } from '../index.js'
import type { Kernel } from '../../platform/kernel.js'
import { createCatalogue } from './catalogue/index.js'
import { createDatastore } from './datastore/index.js'

export function createOpenDataModule(kernel: Kernel): ComhlaModule {
  const datastore = createDatastore(kernel)
  const catalogue = createCatalogue(kernel, { datastore: datastore.service })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(datastore.plugin)
    await app.register(catalogue.plugin)
  }
  return { name: 'open-data', plugin, nav: [...catalogue.nav, ...datastore.nav] }
}

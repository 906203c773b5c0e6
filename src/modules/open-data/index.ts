// The open-data module: the national catalogue (./catalogue) and the data store of typed tables
// (./datastore). Its public surface is this factory.
import type { FastifyPluginAsync } from 'fastify'
import type { ComhlaModule } from '../index.js'
import type { Kernel } from '../../platform/kernel.js'
import type { DatasetColumnType } from '../../platform/datasets/dataset-outlet.js'
import { createCatalogue, type RecordLoader } from './catalogue/index.js'
import { createDatastore } from './datastore/index.js'

const frictionlessTypes: Record<DatasetColumnType, string> = {
  integer: 'integer',
  decimal: 'number',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  text: 'string',
}

export function createOpenDataModule(kernel: Kernel): ComhlaModule {
  const datastore = createDatastore(kernel)
  // The platform's datasets are loaded as records through the data store's own upload, replacing
  // the table each time, with the provider's column types as the table schema.
  const loadRecords: RecordLoader = async (resourceId, records, columns, ctx) => {
    await datastore.impl.uploadRecords(ctx, resourceId, records, {
      mode: 'replace',
      keyColumn: null,
      onInvalid: 'skip',
      schema: {
        fields: columns.map((c) => ({
          name: c.name,
          type: frictionlessTypes[c.type],
          title: c.title,
          ...(c.description ? { description: c.description } : {}),
        })),
      },
    })
  }
  const catalogue = createCatalogue(kernel, { datastore: datastore.service, loadRecords })
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(datastore.plugin)
    await app.register(catalogue.plugin)
  }
  return { name: 'open-data', plugin, nav: [...catalogue.nav, ...datastore.nav] }
}

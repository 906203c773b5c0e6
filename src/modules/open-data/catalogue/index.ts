// Part of the open-data module: the catalogue. See ../index.ts.
import type { FastifyPluginAsync } from 'fastify'
import type { Kernel } from '../../../platform/kernel.js'
import type { NavModule } from '../../../platform/http/context.plugin.js'
import { registerScope } from '../../../platform/accounts/scopes.js'
import type { DatastoreService } from '../datastore/datastore.public.js'
import { CatalogueService, NOTIFY_JOB, PUBLISH_SCOPE } from './dataset.service.js'
import { SubscriptionService, registerSubscriptionTemplates } from './subscription.service.js'
import { catalogueWeb } from './web/catalogue.web.js'
import { manageCatalogueWeb } from './web/manage.web.js'
import { subscriptionWeb } from './web/subscription.web.js'
import { PlatformOutlet, type RecordLoader } from './platform.outlet.js'
import { DATASET_CHANGED, type DatasetChanged } from '../../../platform/datasets/dataset-outlet.js'
import { HARVEST_DUE_JOB, HARVEST_JOB, HarvestService } from './harvest.service.js'
import { harvestWeb } from './web/harvest.web.js'
import { CollectionService } from './collection.service.js'
import { collectionWeb } from './web/collection.web.js'
import { catalogueApi } from './api/catalogue.api.js'
import { ckanApi } from './api/ckan.api.js'

export type { CatalogueService } from './dataset.service.js'
export type { RecordLoader } from './platform.outlet.js'

export function createCatalogue(
  kernel: Kernel,
  deps: { datastore: DatastoreService; loadRecords?: RecordLoader },
): { plugin: FastifyPluginAsync; nav: NavModule[]; service: CatalogueService } {
  const service = new CatalogueService(kernel, deps.datastore)
  const subscriptions = new SubscriptionService(kernel, service.repo)
  registerScope({ id: PUBLISH_SCOPE, labelKey: 'open-data.scope.publish' })
  registerSubscriptionTemplates()
  kernel.jobs.define<{ datasetId: string }>({
    name: NOTIFY_JOB,
    retryLimit: 5,
    handler: async ({ datasetId }) => {
      await subscriptions.notify(datasetId)
    },
  })
  // Harvesting: a scheduler tick sends a job for each source that is due, and each source's run is its own job.
  const harvests = new HarvestService(kernel, service)
  kernel.jobs.define<{ sourceId: string }>({
    name: HARVEST_JOB,
    retryLimit: 2,
    expireInSeconds: 1800,
    handler: async ({ sourceId }) => {
      await harvests.harvest(sourceId)
    },
  })
  kernel.jobs.define({
    name: HARVEST_DUE_JOB,
    cron: '*/5 * * * *',
    retryLimit: 1,
    handler: async () => {
      await harvests.sendDue()
    },
  })
  // Fed by the platform: every module's announced dataset is published (or withdrawn) by itself.
  const outlet = new PlatformOutlet(kernel, service, deps.loadRecords ?? null)
  kernel.events.subscribe<DatasetChanged>(DATASET_CHANGED, 'open-data', async ({ provider, key }) => {
    await outlet.refresh(provider, key)
  })
  const collections = new CollectionService(kernel, service)
  const plugin: FastifyPluginAsync = async (app) => {
    await app.register(catalogueWeb, { service })
    await app.register(manageCatalogueWeb, { service })
    await app.register(subscriptionWeb, { service, subscriptions })
    await app.register(harvestWeb, { service, harvests })
    await app.register(collectionWeb, { service, collections })
    await app.register(catalogueApi, { service, prefix: '/api/v1' })
    await app.register(ckanApi, { service })
  }
  return { plugin, service, nav: [{ href: '/datasets', section: 'open-data', labelKey: 'open-data.nav' }] }
}

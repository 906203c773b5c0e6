// Staff pages for harvesting: a body's harvest sources with their last run, adding one, and
// asking for a run now.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { formatDateTime } from '../../../../shared/dates.js'
import { IdParams, emptyForm, harvestForm } from '../dataset.schemas.js'
import { orgName } from '../dataset.presenter.js'
import type { CatalogueService } from '../dataset.service.js'
import type { HarvestInput, HarvestService } from '../harvest.service.js'

export const harvestWeb: FastifyPluginAsyncTypebox<{ service: CatalogueService; harvests: HarvestService }> = async (
  app,
  { service, harvests },
) => {
  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    values: HarvestInput,
    fieldErrors?: Record<string, string>,
  ) {
    const t = request.t
    const locale = request.locale
    const organisations = await service.publishingOrganisations(request.ctx())
    const names = new Map(organisations.map((o) => [o.id, orgName(o, locale)]))
    const sources = await harvests.sourcesFor(request.ctx())
    return reply.render(
      'open-data/catalogue/manage-harvest.njk',
      {
        section: 'manage',
        title: t('open-data.harvest.title'),
        sources: sources.map((s) => ({
          ...s,
          organisationName: names.get(s.organisationId) ?? '',
          kindText: t(`open-data.harvest.kind.${s.kind}`),
          frequencyText: t(`open-data.harvest.frequency.${s.frequency}`),
          lastRun: s.lastRunAt ? formatDateTime(s.lastRunAt, locale) : t('open-data.harvest.never'),
          lastStatusText: s.lastStatus ? t(`open-data.harvest.status.${s.lastStatus}`) : '',
          counts: s.lastCounts ? t('open-data.harvest.counts', s.lastCounts) : '',
        })),
        organisationOptions: [
          { value: '', text: t('open-data.form.chooseOrganisation') },
          ...organisations.map((o) => ({ value: o.id, text: orgName(o, locale) })),
        ],
        kindItems: ['ckan', 'dcat'].map((k) => ({ value: k, text: t(`open-data.harvest.kind.${k}`) })),
        frequencyOptions: ['hourly', 'daily', 'weekly'].map((f) => ({
          value: f,
          text: t(`open-data.harvest.frequency.${f}`),
        })),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/datasets/harvest', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisations = await service.publishingOrganisations(request.ctx())
    return render(request, reply, {
      organisationId: organisations.length === 1 ? organisations[0]!.id : '',
      title: '',
      url: '',
      kind: 'ckan',
      frequency: 'daily',
    })
  })

  app.post(
    '/manage/datasets/harvest',
    { schema: { body: harvestForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values: HarvestInput = {
        organisationId: field(request.body, 'organisationId', 100),
        title: field(request.body, 'title', 1000),
        url: field(request.body, 'url', 2000),
        kind: field(request.body, 'kind', 20),
        frequency: field(request.body, 'frequency', 20),
      }
      try {
        await harvests.create(request.ctx(), values)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return render(request, reply, values, fieldErrors)
      }
      return reply.redirect('/manage/datasets/harvest', 303)
    },
  )

  app.post(
    '/manage/datasets/harvest/:id/run',
    { schema: { params: IdParams, body: emptyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await harvests.runSoon(request.ctx(), request.params.id)
      return reply.redirect('/manage/datasets/harvest', 303)
    },
  )
}

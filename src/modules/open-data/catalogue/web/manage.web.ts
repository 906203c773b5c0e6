// Staff pages of the catalogue: a body's datasets, creating and editing one, its resources,
// publishing, withdrawal with a reason, and deleting a draft.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf, fieldList } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import type { Upload } from '../../../../platform/files/uploads.plugin.js'
import { IdParams, ResourceParams, datasetForm, emptyForm, resourceForm, withdrawForm } from '../dataset.schemas.js'
import { datasetDetailView, datasetSummaryView, orgName } from '../dataset.presenter.js'
import type { CatalogueService, DatasetInput, DatasetView, ResourceInput } from '../dataset.service.js'
import { SCOTLAND_GSS, DEFAULT_LICENCE, frequencies, licences, localName, themes } from '../taxonomy.js'
import type { Resource } from '../dataset.types.js'

export const manageCatalogueWeb: FastifyPluginAsyncTypebox<{ service: CatalogueService }> = async (
  app,
  { service },
) => {
  const base = (request: FastifyRequest, view?: DatasetView) => ({
    section: 'manage',
    ...(view
      ? {
          dataset: datasetDetailView(view, request.t, request.locale, []),
          headerOrganisation: orgName(view.organisation, request.locale),
        }
      : {}),
  })

  const datasetInput = (body: unknown): DatasetInput => ({
    organisationId: field(body, 'organisationId', 100),
    title: field(body, 'title', 1000),
    description: field(body, 'description', 60_000),
    keywords: field(body, 'keywords', 5000),
    theme: field(body, 'theme', 50),
    licence: field(body, 'licence', 50),
    frequency: field(body, 'frequency', 50),
    temporalStart: field(body, 'temporalStart', 20),
    temporalEnd: field(body, 'temporalEnd', 20),
    spatial: fieldList(body, 'spatial'),
    contactName: field(body, 'contactName', 1000),
    contactEmail: field(body, 'contactEmail', 1000),
  })

  const resourceInput = (body: unknown): ResourceInput => ({
    kind: field(body, 'kind', 20),
    name: field(body, 'name', 1000),
    description: field(body, 'description', 10_000),
    format: field(body, 'format', 50),
    url: field(body, 'url', 2000),
  })

  async function renderDatasetForm(
    request: FastifyRequest,
    reply: FastifyReply,
    values: DatasetInput,
    options: { view?: DatasetView; fieldErrors?: Record<string, string> },
  ) {
    const t = request.t
    const locale = request.locale
    const organisations = await service.publishingOrganisations(request.ctx())
    const councils = await service.councils()
    const id = options.view?.dataset.id
    return reply.render(
      'open-data/catalogue/manage-form.njk',
      {
        ...base(request, options.view),
        title: t(id ? 'open-data.manage.editTitle' : 'open-data.manage.newTitle'),
        action: id ? `/manage/datasets/${id}/edit` : '/manage/datasets/new',
        cancelHref: id ? `/manage/datasets/${id}` : '/manage/datasets',
        organisationOptions: [
          { value: '', text: t('open-data.form.chooseOrganisation') },
          ...organisations.map((o) => ({ value: o.id, text: orgName(o, locale) })),
        ],
        themeOptions: [
          { value: '', text: t('open-data.form.chooseTheme') },
          ...themes.map((th) => ({ value: th.id, text: localName(th.name, locale) })),
        ],
        licenceItems: licences.map((l) => ({ value: l.id, text: localName(l.name, locale) })),
        frequencyOptions: frequencies.map((f) => ({ value: f.id, text: t(`open-data.frequency.${f.id}`) })),
        spatialItems: [
          { value: SCOTLAND_GSS, text: t('open-data.field.scotland'), checked: values.spatial.includes(SCOTLAND_GSS) },
          ...councils.map((c) => ({
            value: c.gssCode,
            text: locale === 'gd' && c.nameGd ? c.nameGd : c.nameEn,
            checked: values.spatial.includes(c.gssCode),
          })),
        ],
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  const valuesOf = (view: DatasetView): DatasetInput => {
    const d = view.dataset
    return {
      organisationId: d.organisationId,
      title: d.title,
      description: d.description,
      keywords: d.keywords.join(', '),
      theme: d.theme,
      licence: d.licence,
      frequency: d.frequency,
      temporalStart: d.temporalStart ?? '',
      temporalEnd: d.temporalEnd ?? '',
      spatial: d.spatial,
      contactName: d.contactName,
      contactEmail: d.contactEmail,
    }
  }

  // --- the list and a new dataset ---

  app.get('/manage/datasets', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const items = await service.listForPublisher(request.ctx())
    const organisations = await service.publishingOrganisations(request.ctx())
    return reply.render('open-data/catalogue/manage-list.njk', {
      ...base(request),
      title: request.t('open-data.manage.title'),
      items: items.map((v) => datasetSummaryView(v, request.t, request.locale)),
      canCreate: organisations.length > 0,
    })
  })

  app.get('/manage/datasets/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisations = await service.publishingOrganisations(request.ctx())
    return renderDatasetForm(
      request,
      reply,
      {
        organisationId: organisations.length === 1 ? organisations[0]!.id : '',
        title: '',
        description: '',
        keywords: '',
        theme: '',
        licence: DEFAULT_LICENCE,
        frequency: 'irregular',
        temporalStart: '',
        temporalEnd: '',
        spatial: [],
        contactName: '',
        contactEmail: '',
      },
      {},
    )
  })

  app.post(
    '/manage/datasets/new',
    { schema: { body: datasetForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = datasetInput(request.body)
      try {
        const created = await service.create(request.ctx(), values)
        return reply.redirect(`/manage/datasets/${created.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderDatasetForm(request, reply, values, { fieldErrors })
      }
    },
  )

  // --- one dataset ---

  async function renderShow(
    request: FastifyRequest,
    reply: FastifyReply,
    view: DatasetView,
    options: { withdrawValue?: string; fieldErrors?: Record<string, string>; problem?: string } = {},
  ) {
    const t = request.t
    const councils = await service.councils()
    const tables = await service.datastore.summaries(
      view.resources.filter((r) => r.kind === 'datastore').map((r) => r.id),
      { kind: 'context', ctx: request.ctx() },
    )
    const d = view.dataset
    return reply.render(
      'open-data/catalogue/manage-show.njk',
      {
        ...base(request, view),
        dataset: datasetDetailView(view, t, request.locale, councils),
        title: d.title,
        resources: view.resources.map((r: Resource) => {
          const table = tables.get(r.id)
          return {
            ...r,
            kindText: t(`open-data.resource.kind.${r.kind}`),
            table: table
              ? {
                  rows: table.rowCount,
                  status: table.ingestion ? t(`open-data.resource.ingestion.${table.ingestion.status}`) : '',
                  manageHref: table.links.manage,
                }
              : null,
          }
        }),
        editable: d.origin === 'local',
        problems: d.status !== 'published' ? service.publishProblems(view).map((k) => t(k)) : [],
        canPublish: d.status !== 'published',
        canWithdraw: d.status === 'published',
        canDelete: d.status === 'draft' && d.publishedAt === null,
        withdrawValue: options.withdrawValue ?? '',
        problem: options.problem ? t(options.problem) : '',
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors || options.problem ? 422 : 200,
    )
  }

  app.get('/manage/datasets/:id', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderShow(request, reply, await service.getForPublisher(request.ctx(), request.params.id))
  })

  app.get('/manage/datasets/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const view = await service.getForPublisher(request.ctx(), request.params.id)
    return renderDatasetForm(request, reply, valuesOf(view), { view })
  })

  app.post(
    '/manage/datasets/:id/edit',
    { schema: { params: IdParams, body: datasetForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const view = await service.getForPublisher(request.ctx(), request.params.id)
      const values = datasetInput(request.body)
      try {
        await service.update(request.ctx(), view.dataset.id, values)
        return reply.redirect(`/manage/datasets/${view.dataset.id}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderDatasetForm(request, reply, values, { view, fieldErrors })
      }
    },
  )

  app.post(
    '/manage/datasets/:id/publish',
    { schema: { params: IdParams, body: emptyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const view = await service.getForPublisher(request.ctx(), request.params.id)
      try {
        await service.publish(request.ctx(), view.dataset.id)
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code !== 'DATASET_NOT_PUBLISHABLE') throw error
        return renderShow(request, reply, view, { problem: (error as { publicMessage: string }).publicMessage })
      }
      return reply.redirect(`/manage/datasets/${view.dataset.id}`, 303)
    },
  )

  app.post(
    '/manage/datasets/:id/withdraw',
    { schema: { params: IdParams, body: withdrawForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const view = await service.getForPublisher(request.ctx(), request.params.id)
      const reason = field(request.body, 'reason', 5000)
      try {
        await service.withdraw(request.ctx(), view.dataset.id, reason)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderShow(request, reply, view, { withdrawValue: reason, fieldErrors })
      }
      return reply.redirect(`/manage/datasets/${view.dataset.id}`, 303)
    },
  )

  app.post(
    '/manage/datasets/:id/delete',
    { schema: { params: IdParams, body: emptyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.deleteDraft(request.ctx(), request.params.id)
      return reply.redirect('/manage/datasets', 303)
    },
  )

  // --- resources ---

  async function renderResourceForm(
    request: FastifyRequest,
    reply: FastifyReply,
    view: DatasetView,
    values: ResourceInput,
    options: { resource?: Resource; fieldErrors?: Record<string, string> },
  ) {
    const t = request.t
    const id = view.dataset.id
    return reply.render(
      'open-data/catalogue/manage-resource.njk',
      {
        ...base(request, view),
        title: t(options.resource ? 'open-data.resource.editTitle' : 'open-data.resource.newTitle'),
        action: options.resource
          ? `/manage/datasets/${id}/resources/${options.resource.id}/edit`
          : `/manage/datasets/${id}/resources/new`,
        cancelHref: `/manage/datasets/${id}`,
        kindItems: options.resource
          ? []
          : [
              { value: 'datastore', text: t('open-data.resource.kind.datastore') },
              { value: 'link', text: t('open-data.resource.kind.link') },
              { value: 'file', text: t('open-data.resource.kind.file') },
            ],
        kind: options.resource?.kind ?? values.kind,
        fileTypes: 'PDF, CSV, TXT, XLSX, ODS, DOCX, ODT',
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/datasets/:id/resources/new', { schema: { params: IdParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const view = await service.getForPublisher(request.ctx(), request.params.id)
    return renderResourceForm(
      request,
      reply,
      view,
      { kind: 'datastore', name: '', description: '', format: '', url: '' },
      {},
    )
  })

  app.post(
    '/manage/datasets/:id/resources/new',
    { schema: { params: IdParams, body: resourceForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const view = await service.getForPublisher(request.ctx(), request.params.id)
      const values = resourceInput(request.body)
      try {
        if (values.kind === 'file') {
          const upload = (request.body as { file?: unknown } | undefined)?.file
          await service.addFileResource(
            request.ctx(),
            view.dataset.id,
            values,
            upload && typeof upload === 'object' && 'path' in upload ? (upload as Upload) : undefined,
          )
        } else await service.addResource(request.ctx(), view.dataset.id, values)
        return reply.redirect(`/manage/datasets/${view.dataset.id}#resources`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderResourceForm(request, reply, view, values, { fieldErrors })
      }
    },
  )

  const resourceIn = (view: DatasetView, resourceId: string): Resource => {
    const resource = view.resources.find((r) => r.id === resourceId)
    if (!resource) throw Object.assign(new Error('There is no such resource'), { statusCode: 404, code: 'NOT_FOUND' })
    return resource
  }

  app.get(
    '/manage/datasets/:id/resources/:resourceId/edit',
    { schema: { params: ResourceParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const view = await service.getForPublisher(request.ctx(), request.params.id)
      const r = resourceIn(view, request.params.resourceId)
      return renderResourceForm(
        request,
        reply,
        view,
        { kind: r.kind, name: r.name, description: r.description, format: r.format, url: r.url ?? '' },
        { resource: r },
      )
    },
  )

  app.post(
    '/manage/datasets/:id/resources/:resourceId/edit',
    { schema: { params: ResourceParams, body: resourceForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const view = await service.getForPublisher(request.ctx(), request.params.id)
      const resource = resourceIn(view, request.params.resourceId)
      const values = { ...resourceInput(request.body), kind: resource.kind }
      try {
        await service.updateResource(request.ctx(), view.dataset.id, resource.id, values)
        return reply.redirect(`/manage/datasets/${view.dataset.id}#resources`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderResourceForm(request, reply, view, values, { resource, fieldErrors })
      }
    },
  )

  app.post(
    '/manage/datasets/:id/resources/:resourceId/remove',
    { schema: { params: ResourceParams, body: emptyForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await service.removeResource(request.ctx(), request.params.id, request.params.resourceId)
      return reply.redirect(`/manage/datasets/${request.params.id}#resources`, 303)
    },
  )
}

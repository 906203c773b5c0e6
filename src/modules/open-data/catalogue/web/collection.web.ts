// National collections: the public list and a collection's page, its JSON and the national table
// as CSV; platform administrators open collections; publishers add their body's data tables.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../../platform/api/api.schemas.js'
import { csvStream } from '../../../../platform/audit/audit.presenter.js'
import { field, fieldErrorsOf, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { NameParams, ResourceParams } from '../dataset.schemas.js'
import { orgName, renderMarkdown } from '../dataset.presenter.js'
import type { CatalogueService } from '../dataset.service.js'
import type { Collection, CollectionMember, CollectionService } from '../collection.service.js'

const collectionForm = formSchema(['title', 'description'], 10_000)
const memberForm = formSchema(['collection'], 200)

const CollectionSchema = Type.Object({
  name: Type.String(),
  title: Type.String(),
  description: Type.String(),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  members: Type.Array(
    Type.Object({
      organisation: Type.Object({
        slug: Type.String(),
        nameEn: Type.String(),
        gssCode: Type.Union([Type.String(), Type.Null()]),
      }),
      dataset: Type.Object({ name: Type.String(), title: Type.String(), url: Type.String() }),
      resourceId: Type.String(),
      rowCount: Type.Integer(),
    }),
  ),
  csv: Type.String(),
})

export const collectionWeb: FastifyPluginAsyncTypebox<{
  service: CatalogueService
  collections: CollectionService
}> = async (app, { service, collections }) => {
  const { baseUrl } = app.kernel.config
  const tags = ['open data: catalogue']

  const toApi = (c: Collection, members: CollectionMember[]) => ({
    name: c.name,
    title: c.title,
    description: c.description,
    columns: c.columns ?? [],
    members: members.map((m) => ({
      organisation: { slug: m.organisation.slug, nameEn: m.organisation.nameEn, gssCode: m.organisation.gssCode },
      dataset: { name: m.dataset.name, title: m.dataset.title, url: `${baseUrl}/datasets/${m.dataset.name}` },
      resourceId: m.resource.id,
      rowCount: m.rowCount,
    })),
    csv: `${baseUrl}/api/v1/collections/${c.name}/rows.csv`,
  })

  app.get('/collections', async (request, reply) => {
    const list = await collections.list()
    return reply.render('open-data/catalogue/collections.njk', {
      section: 'open-data',
      title: request.t('open-data.collection.listTitle'),
      items: list,
      canCreate: request.principal?.isPlatformAdmin ?? false,
    })
  })

  app.get('/collections/:name', { schema: { params: NameParams } }, async (request, reply) => {
    const c = await collections.get(request.params.name)
    const members = await collections.members(c)
    return reply.render('open-data/catalogue/collection.njk', {
      section: 'open-data',
      title: c.title,
      collection: c,
      descriptionHtml: renderMarkdown(c.description),
      members: members.map((m) => ({
        organisationName: orgName(m.organisation, request.locale),
        datasetTitle: m.dataset.title,
        href: `/datasets/${m.dataset.name}`,
        rows: m.rowCount,
      })),
      total: members.reduce((n, m) => n + m.rowCount, 0),
      csvHref: `/api/v1/collections/${c.name}/rows.csv`,
      jsonHref: `/api/v1/collections/${c.name}`,
    })
  })

  app.get(
    '/api/v1/collections',
    {
      schema: {
        tags,
        summary: 'National collections: one kind of data table from many bodies',
        response: { 200: Type.Array(CollectionSchema), ...errorResponses },
      },
    },
    async () => {
      const out = []
      for (const c of await collections.list()) out.push(toApi(c, await collections.members(c)))
      return out
    },
  )

  app.get(
    '/api/v1/collections/:name',
    {
      schema: {
        tags,
        summary: 'A national collection and its members',
        params: NameParams,
        response: { 200: CollectionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const c = await collections.get(request.params.name)
      return toApi(c, await collections.members(c))
    },
  )

  app.get(
    '/api/v1/collections/:name/rows.csv',
    {
      schema: {
        tags,
        summary: "A collection's national table as CSV: every member's rows, each with its publishing body",
        params: NameParams,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const c = await collections.get(request.params.name)
      const rows = (async function* () {
        for await (const r of collections.rows(c)) yield r.map((v) => (typeof v === 'boolean' ? String(v) : v))
      })()
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${c.name}.csv"`)
      return reply.send(
        csvStream(['publisher', 'publisher_gss_code', ...(c.columns ?? []).map((col) => col.name)], rows),
      )
    },
  )

  // --- platform administrators open collections ---

  const renderNew = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: { title: string; description: string },
    fieldErrors?: Record<string, string>,
  ) =>
    reply.render(
      'open-data/catalogue/collection-new.njk',
      {
        section: 'manage',
        title: request.t('open-data.collection.newTitle'),
        values,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )

  app.get('/manage/collections/new', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    if (!request.principal?.isPlatformAdmin)
      throw Object.assign(new Error('Only platform administrators can do this'), { statusCode: 403, code: 'FORBIDDEN' })
    return renderNew(request, reply, { title: '', description: '' })
  })

  app.post(
    '/manage/collections/new',
    { schema: { body: collectionForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        title: field(request.body, 'title', 1000),
        description: field(request.body, 'description', 10_000),
      }
      try {
        const c = await collections.create(request.ctx(), values)
        return reply.redirect(`/collections/${c.name}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderNew(request, reply, values, fieldErrors)
      }
    },
  )

  // --- publishers add a data table ---

  const renderAdd = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ids: { id: string; resourceId: string },
    value: string,
    fieldErrors?: Record<string, string>,
  ) => {
    const view = await service.getForPublisher(request.ctx(), ids.id)
    const resource = view.resources.find((r) => r.id === ids.resourceId && r.kind === 'datastore')
    if (!resource) throw Object.assign(new Error('There is no such data table'), { statusCode: 404, code: 'NOT_FOUND' })
    const list = await collections.list()
    return reply.render(
      'open-data/catalogue/collection-add.njk',
      {
        section: 'manage',
        title: request.t('open-data.collection.addTitle'),
        headerLabel: resource.name,
        action: `/manage/datasets/${ids.id}/resources/${ids.resourceId}/collection`,
        cancelHref: `/manage/datasets/${ids.id}`,
        options: [
          { value: '', text: request.t('open-data.collection.choose') },
          ...list.map((c) => ({ value: c.name, text: c.title })),
        ],
        value,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get(
    '/manage/datasets/:id/resources/:resourceId/collection',
    { schema: { params: ResourceParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      return renderAdd(request, reply, request.params, '')
    },
  )

  app.post(
    '/manage/datasets/:id/resources/:resourceId/collection',
    { schema: { params: ResourceParams, body: memberForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const name = field(request.body, 'collection', 200)
      if (!name)
        return renderAdd(request, reply, request.params, name, { collection: 'open-data.collection.error.choose' })
      try {
        await collections.addMember(request.ctx(), name, request.params.id, request.params.resourceId)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderAdd(request, reply, request.params, name, fieldErrors)
      }
      return reply.redirect(`/collections/${name}`, 303)
    },
  )
}

// The kernel's JSON API under /api/v1. Every route has TypeBox schemas, so it is validated
// and documented in the OpenAPI document; services make every access check.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from '@sinclair/typebox'
import { errorResponses, PageOf } from './api.schemas.js'
import { idempotent } from '../http/idempotent.js'
import { organisationTypes, type Organisation } from '../organisations/organisation.service.js'
import { requirePrincipal, requireOrganisationAdmin, requireScope } from '../auth/authorisation.js'
import {
  AuditEntrySchema,
  AuditQuery,
  auditCsv,
  auditSearchFromQuery,
  auditToApi,
  csvStream,
} from '../audit/audit.presenter.js'
import type { Member, InvitationView } from '../organisations/staff.service.js'

const OrganisationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    slug: Type.String(),
    nameEn: Type.String(),
    nameGd: Type.Union([Type.String(), Type.Null()]),
    gaelicNameReviewed: Type.Boolean(),
    type: Type.String({ enum: [...organisationTypes] }),
    gssCode: Type.Union([Type.String(), Type.Null()]),
    website: Type.Union([Type.String(), Type.Null()]),
    parentId: Type.Union([Type.String(), Type.Null()]),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Organisation' },
)

const OrganisationBody = Type.Object(
  {
    nameEn: Type.String({ minLength: 1, maxLength: 200 }),
    nameGd: Type.Optional(Type.String({ maxLength: 200 })),
    type: Type.String({ enum: [...organisationTypes] }),
    slug: Type.Optional(Type.String({ maxLength: 80 })),
    gssCode: Type.Optional(Type.String({ maxLength: 20 })),
    website: Type.Optional(Type.String({ maxLength: 500 })),
    parentSlug: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
)

const OrganisationPatch = Type.Partial(OrganisationBody, { additionalProperties: false })

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.Optional(Type.String({ enum: [...organisationTypes] })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
})

const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }) })

const MemberSchema = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(Type.String()),
  joinedAt: Type.String({ format: 'date-time' }),
})

const InvitationSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  roles: Type.Array(Type.String()),
  status: Type.String({ enum: ['pending', 'accepted', 'revoked', 'expired'] }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
})

const MeSchema = Type.Object({
  accountId: Type.String(),
  email: Type.String(),
  displayName: Type.String(),
  isPlatformAdmin: Type.Boolean(),
  authenticatedBy: Type.String({ enum: ['session', 'token', 'system'] }),
  scopes: Type.Union([Type.Array(Type.String()), Type.Null()]),
  memberships: Type.Array(
    Type.Object({
      organisationId: Type.String(),
      organisationSlug: Type.String(),
      organisationName: Type.String(),
      roles: Type.Array(Type.String()),
    }),
  ),
})

const toApi = (o: Organisation): Static<typeof OrganisationSchema> => ({
  id: o.id,
  slug: o.slug,
  nameEn: o.nameEn,
  nameGd: o.nameGd,
  gaelicNameReviewed: o.gaelicReviewed,
  type: o.type,
  gssCode: o.gssCode,
  website: o.website,
  parentId: o.parentId,
  updatedAt: o.updatedAt.toISOString(),
})

const memberToApi = (m: Member) => ({
  accountId: m.accountId,
  email: m.email,
  displayName: m.displayName,
  roles: m.roles,
  joinedAt: m.joinedAt.toISOString(),
})
const invitationToApi = (
  i: InvitationView | (Omit<InvitationView, 'organisation' | 'status'> & { status?: string }),
) => ({
  id: i.id,
  email: i.email,
  roles: i.roles,
  status: (i.status ?? 'pending') as 'pending',
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
})

export const kernelApi: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app
  app.addSchema(OrganisationSchema)
  const secured = [{ bearer: [] }]

  app.get(
    '/organisations',
    {
      schema: {
        tags: ['organisations'],
        summary: "The directory of Scotland's public bodies",
        querystring: ListQuery,
        response: { 200: PageOf(OrganisationSchema), ...errorResponses },
      },
    },
    async (request) => {
      const page = await kernel.organisations.list({ ...request.query })
      return { ...page, items: page.items.map(toApi) }
    },
  )

  app.get(
    '/organisations.csv',
    {
      schema: {
        tags: ['organisations'],
        summary: 'The directory as CSV',
        querystring: Type.Omit(ListQuery, ['page', 'pageSize']),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const rows: Organisation[] = []
      for (let p = 1; ; p++) {
        const page = await kernel.organisations.list({ ...request.query, page: p, pageSize: 500 })
        rows.push(...page.items)
        if (p >= page.pageCount) break
      }
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="organisations.csv"')
      return reply.send(
        csvStream(
          ['slug', 'name_en', 'name_gd', 'type', 'gss_code', 'website', 'updated_at'],
          rows.map((o) => [
            o.slug,
            o.nameEn,
            o.nameGd ?? '',
            o.type,
            o.gssCode ?? '',
            o.website ?? '',
            o.updatedAt.toISOString(),
          ]),
        ),
      )
    },
  )

  app.get(
    '/organisations/:slug',
    {
      schema: { tags: ['organisations'], params: SlugParams, response: { 200: OrganisationSchema, ...errorResponses } },
    },
    async (request) => toApi(await kernel.organisations.getBySlug(request.params.slug)),
  )

  app.post(
    '/organisations',
    {
      schema: {
        tags: ['organisations'],
        summary: 'Add a body (platform administrators)',
        security: secured,
        body: OrganisationBody,
        response: { 201: OrganisationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, 201, async () => {
        const b = request.body
        const created = await kernel.organisations.create(request.ctx(), {
          nameEn: b.nameEn,
          nameGd: b.nameGd ?? '',
          type: b.type,
          ...(b.slug ? { slug: b.slug } : {}),
          gssCode: b.gssCode ?? '',
          website: b.website ?? '',
          parentSlug: b.parentSlug ?? '',
        })
        return toApi(created)
      }),
  )

  app.patch(
    '/organisations/:slug',
    {
      schema: {
        tags: ['organisations'],
        summary: "Change a body's details",
        security: secured,
        params: SlugParams,
        body: OrganisationPatch,
        response: { 200: OrganisationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, 200, async () => {
        const current = await kernel.organisations.getBySlug(request.params.slug)
        const parent = current.parentId ? await kernel.organisations.getById(current.parentId) : null
        const b = request.body
        const updated = await kernel.organisations.update(request.ctx(), current.slug, {
          nameEn: b.nameEn ?? current.nameEn,
          nameGd: b.nameGd ?? current.nameGd ?? '',
          type: b.type ?? current.type,
          gssCode: b.gssCode ?? current.gssCode ?? '',
          website: b.website ?? current.website ?? '',
          parentSlug: b.parentSlug ?? parent?.slug ?? '',
        })
        return toApi(updated)
      }),
  )

  app.get(
    '/me',
    {
      schema: {
        tags: ['account'],
        summary: 'Who the token or session belongs to',
        security: secured,
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (request) => {
      const p = requirePrincipal(request.ctx())
      requireScope(p, 'account:read')
      return {
        accountId: p.accountId,
        email: p.email,
        displayName: p.displayName,
        isPlatformAdmin: p.isPlatformAdmin,
        authenticatedBy: p.via,
        scopes: p.scopes ? [...p.scopes] : null,
        memberships: p.memberships,
      }
    },
  )

  app.get(
    '/organisations/:slug/members',
    {
      schema: {
        tags: ['staff'],
        security: secured,
        params: SlugParams,
        response: { 200: Type.Object({ items: Type.Array(MemberSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const o = await kernel.organisations.getBySlug(request.params.slug)
      return { items: (await kernel.staff.members(request.ctx(), o.id)).map(memberToApi) }
    },
  )

  app.put(
    '/organisations/:slug/members/:accountId',
    {
      schema: {
        tags: ['staff'],
        summary: "Set a member's roles",
        security: secured,
        params: Type.Object({
          slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }),
          accountId: Type.String({ format: 'uuid' }),
        }),
        body: Type.Object(
          { roles: Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: MemberSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, 200, async () => {
        const o = await kernel.organisations.getBySlug(request.params.slug)
        return memberToApi(
          await kernel.staff.changeRoles(request.ctx(), o.id, request.params.accountId, request.body.roles),
        )
      }),
  )

  app.delete(
    '/organisations/:slug/members/:accountId',
    {
      schema: {
        tags: ['staff'],
        summary: 'Remove a member',
        security: secured,
        params: Type.Object({
          slug: Type.String({ pattern: '^[a-z0-9-]{1,100}$' }),
          accountId: Type.String({ format: 'uuid' }),
        }),
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, 204, async () => {
        const o = await kernel.organisations.getBySlug(request.params.slug)
        await kernel.staff.removeMember(request.ctx(), o.id, request.params.accountId)
        return null
      }),
  )

  app.get(
    '/organisations/:slug/invitations',
    {
      schema: {
        tags: ['staff'],
        security: secured,
        params: SlugParams,
        response: { 200: Type.Object({ items: Type.Array(InvitationSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const o = await kernel.organisations.getBySlug(request.params.slug)
      return { items: (await kernel.staff.invitations(request.ctx(), o.id)).map(invitationToApi) }
    },
  )

  app.post(
    '/organisations/:slug/invitations',
    {
      schema: {
        tags: ['staff'],
        summary: 'Invite someone by email',
        security: secured,
        params: SlugParams,
        body: Type.Object(
          {
            email: Type.String({ maxLength: 320 }),
            roles: Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: InvitationSchema, ...errorResponses },
      },
    },
    async (request, reply) =>
      idempotent(request, reply, 201, async () => {
        const o = await kernel.organisations.getBySlug(request.params.slug)
        return invitationToApi(await kernel.staff.invite(request.ctx(), o.id, request.body))
      }),
  )

  app.get(
    '/organisations/:slug/audit',
    {
      schema: {
        tags: ['audit'],
        summary: "The body's audit trail, newest first",
        security: secured,
        params: SlugParams,
        querystring: AuditQuery,
        response: { 200: PageOf(AuditEntrySchema), ...errorResponses },
      },
    },
    async (request) => {
      const o = await kernel.organisations.getBySlug(request.params.slug)
      requireOrganisationAdmin(request.ctx(), o.id, 'audit:read')
      const page = await kernel.audit.search({
        ...auditSearchFromQuery(request.query),
        organisationId: o.id,
        pageSize: 100,
      })
      return { ...page, items: page.items.map(auditToApi) }
    },
  )

  app.get(
    '/organisations/:slug/audit.csv',
    {
      schema: {
        tags: ['audit'],
        summary: "The body's audit trail as CSV",
        security: secured,
        params: SlugParams,
        querystring: AuditQuery,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const o = await kernel.organisations.getBySlug(request.params.slug)
      requireOrganisationAdmin(request.ctx(), o.id, 'audit:read')
      reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${o.slug}.csv"`)
      return reply.send(auditCsv(kernel.audit.stream({ ...auditSearchFromQuery(request.query), organisationId: o.id })))
    },
  )
}

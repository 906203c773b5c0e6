// Organisation administration: staff, roles, invitations, the body's own audit trail, its details.
import type { FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, fieldList, formSchema, keepQuery } from '../http/forms.js'
import { signedIn } from '../http/guards.js'
import { requireOrganisationAdmin } from '../auth/authorisation.js'
import { allRoles } from '../accounts/roles.js'
import { organisationTypes, type Organisation } from './organisation.service.js'
import { auditCsv, auditSearchFromQuery, AuditQuery } from '../audit/audit.presenter.js'

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 200 }) })
const MemberParams = Type.Object({ slug: Type.String({ maxLength: 200 }), accountId: Type.String({ maxLength: 100 }) })

export const manageWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app

  /** The organisation, if the signed-in person administers it; throws 403/404 otherwise. */
  async function administered(request: FastifyRequest, slug: string): Promise<Organisation> {
    const organisation = await kernel.organisations.getBySlug(slug)
    requireOrganisationAdmin(request.ctx(), organisation.id)
    return organisation
  }

  /** The organisation and one of its members, for the member pages. */
  async function administeredMember(request: FastifyRequest, params: { slug: string; accountId: string }) {
    const organisation = await administered(request, params.slug)
    const member = await kernel.staff.member(request.ctx(), organisation.id, params.accountId)
    return { organisation, member }
  }

  const base = (request: FastifyRequest, organisation: Organisation) => ({
    section: 'manage',
    organisation,
    headerOrganisation: request.locale === 'gd' && organisation.nameGd ? organisation.nameGd : organisation.nameEn,
    roles: allRoles(),
  })

  app.get('/manage', async (request, reply) => {
    const principal = signedIn(request, reply)
    if (!principal) return reply
    return reply.render('manage/index.njk', {
      title: request.t('manage.title'),
      section: 'manage',
      memberships: principal.memberships,
    })
  })

  app.get('/manage/organisations/:slug', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisation = await kernel.organisations.getBySlug(request.params.slug)
    const principal = request.principal!
    const isAdmin =
      principal.isPlatformAdmin ||
      principal.memberships.some((m) => m.organisationId === organisation.id && m.roles.includes('org-admin'))
    if (!isAdmin) {
      const membership = principal.memberships.find((m) => m.organisationId === organisation.id)
      if (!membership) requireOrganisationAdmin(request.ctx(), organisation.id)
      return reply.render('manage/member-view.njk', {
        ...base(request, organisation),
        title: organisation.nameEn,
        membership,
        joined: (request.query as Record<string, string>).joined === '1',
      })
    }
    const [members, invitations] = await Promise.all([
      kernel.staff.members(request.ctx(), organisation.id),
      kernel.staff.invitations(request.ctx(), organisation.id),
    ])
    return reply.render('manage/organisation.njk', {
      ...base(request, organisation),
      title: organisation.nameEn,
      members,
      invitations: invitations.filter((i) => i.status === 'pending'),
      joined: (request.query as Record<string, string>).joined === '1',
      invited: (request.query as Record<string, string>).invited ?? null,
      reminded: (request.query as Record<string, string>).reminded ?? null,
      withoutTwoFactor: members.filter((m) => !m.twoFactorEnabled).length,
    })
  })

  // --- invite ---
  app.get('/manage/organisations/:slug/invite', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisation = await administered(request, request.params.slug)
    return reply.render('manage/invite.njk', {
      ...base(request, organisation),
      title: request.t('invite.title'),
      values: { roles: [] },
    })
  })

  app.post(
    '/manage/organisations/:slug/invite',
    { schema: { params: SlugParams, body: formSchema(['email', 'roles'], 400) }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      const values = { email: field(request.body, 'email', 320), roles: fieldList(request.body, 'roles') }
      try {
        await kernel.staff.invite(request.ctx(), organisation.id, values)
        return reply.redirect(
          `/manage/organisations/${organisation.slug}?invited=${encodeURIComponent(values.email.trim())}`,
          303,
        )
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'manage/invite.njk',
          { ...base(request, organisation), title: request.t('invite.title'), values, fieldErrors },
          422,
        )
      }
    },
  )

  app.post(
    '/manage/organisations/:slug/invitations/:id/revoke',
    { schema: { params: Type.Object({ slug: Type.String({ maxLength: 200 }), id: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      await kernel.staff.revokeInvitation(request.ctx(), organisation.id, request.params.id)
      return reply.redirect(`/manage/organisations/${organisation.slug}`, 303)
    },
  )

  // --- one member ---
  app.get(
    '/manage/organisations/:slug/members/:accountId',
    { schema: { params: MemberParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { organisation, member } = await administeredMember(request, request.params)
      return reply.render('manage/member.njk', {
        ...base(request, organisation),
        title: member.displayName,
        member,
        values: { roles: member.roles },
      })
    },
  )

  app.post(
    '/manage/organisations/:slug/members/:accountId',
    { schema: { params: MemberParams, body: formSchema(['roles'], 100) }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { organisation, member } = await administeredMember(request, request.params)
      const values = { roles: fieldList(request.body, 'roles') }
      try {
        await kernel.staff.changeRoles(request.ctx(), organisation.id, member.accountId, values.roles)
        return reply.redirect(`/manage/organisations/${organisation.slug}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'manage/member.njk',
          { ...base(request, organisation), title: member.displayName, member, values, fieldErrors },
          422,
        )
      }
    },
  )

  app.get(
    '/manage/organisations/:slug/members/:accountId/remove',
    { schema: { params: MemberParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { organisation, member } = await administeredMember(request, request.params)
      return reply.render('manage/remove.njk', {
        ...base(request, organisation),
        title: request.t('remove.title', { name: member.displayName }),
        member,
      })
    },
  )

  app.post(
    '/manage/organisations/:slug/members/:accountId/remove',
    { schema: { params: MemberParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { organisation, member } = await administeredMember(request, request.params)
      try {
        await kernel.staff.removeMember(request.ctx(), organisation.id, member.accountId)
        return reply.redirect(`/manage/organisations/${organisation.slug}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'manage/remove.njk',
          {
            ...base(request, organisation),
            title: request.t('remove.title', { name: member.displayName }),
            member,
            fieldErrors,
          },
          409,
        )
      }
    },
  )

  app.post(
    '/manage/organisations/:slug/members/:accountId/remind-two-factor',
    { schema: { params: MemberParams } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const { organisation, member } = await administeredMember(request, request.params)
      if (!member.twoFactorEnabled) await kernel.twoFactor.remind(request.ctx(), organisation.id, member)
      return reply.redirect(
        `/manage/organisations/${organisation.slug}?reminded=${encodeURIComponent(member.email)}`,
        303,
      )
    },
  )

  // --- the body's details ---
  app.get('/manage/organisations/:slug/edit', { schema: { params: SlugParams } }, async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    const organisation = await administered(request, request.params.slug)
    const parent = organisation.parentId ? await kernel.organisations.getById(organisation.parentId) : null
    return reply.render('manage/edit.njk', {
      ...base(request, organisation),
      title: request.t('editOrganisation.title'),
      types: organisationTypes,
      values: {
        nameEn: organisation.nameEn,
        nameGd: organisation.nameGd ?? '',
        type: organisation.type,
        gssCode: organisation.gssCode ?? '',
        website: organisation.website ?? '',
        parentSlug: parent?.slug ?? '',
      },
    })
  })

  app.post(
    '/manage/organisations/:slug/edit',
    {
      schema: {
        params: SlugParams,
        body: formSchema(['nameEn', 'nameGd', 'type', 'gssCode', 'website', 'parentSlug'], 500),
      },
      attachValidation: true,
    },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      const values = {
        nameEn: field(request.body, 'nameEn', 300),
        nameGd: field(request.body, 'nameGd', 300),
        type: field(request.body, 'type', 50) || organisation.type,
        gssCode: field(request.body, 'gssCode', 20),
        website: field(request.body, 'website', 500),
        parentSlug: field(request.body, 'parentSlug', 200),
      }
      try {
        await kernel.organisations.update(request.ctx(), organisation.slug, values)
        return reply.redirect(`/organisations/${organisation.slug}`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'manage/edit.njk',
          {
            ...base(request, organisation),
            title: request.t('editOrganisation.title'),
            types: organisationTypes,
            values,
            fieldErrors,
          },
          422,
        )
      }
    },
  )

  // --- audit ---
  app.get(
    '/manage/organisations/:slug/audit',
    { schema: { params: SlugParams, querystring: AuditQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      const search = auditSearchFromQuery(request.query)
      const result = await kernel.audit.search({ ...search, organisationId: organisation.id, pageSize: 50 })
      const params = keepQuery(request.query)
      return reply.render('manage/audit.njk', {
        ...base(request, organisation),
        title: request.t('audit.title'),
        result,
        query: request.query,
        pageBase: `/manage/organisations/${organisation.slug}/audit?${params ? `${params}&` : ''}`,
        csvHref: `/manage/organisations/${organisation.slug}/audit.csv${params ? `?${params}` : ''}`,
      })
    },
  )

  app.get(
    '/manage/organisations/:slug/audit.csv',
    { schema: { params: SlugParams, querystring: AuditQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const organisation = await administered(request, request.params.slug)
      const search = auditSearchFromQuery(request.query)
      reply.header('content-type', 'text/csv; charset=utf-8')
      reply.header('content-disposition', `attachment; filename="audit-${organisation.slug}.csv"`)
      return reply.send(auditCsv(kernel.audit.stream({ ...search, organisationId: organisation.id })))
    },
  )
}

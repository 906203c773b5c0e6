// The public directory of bodies, and invitations to join one.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { organisationTypes } from './organisation.service.js'
import { DomainError } from '../errors/domain-error.js'

const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  type: Type.Optional(Type.String({ maxLength: 50 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})

export const organisationWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app

  app.get('/organisations', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const type = (organisationTypes as readonly string[]).includes(request.query.type ?? '')
      ? request.query.type
      : undefined
    const q = request.query.q?.trim() ?? ''
    const result = await kernel.organisations.list({
      q,
      ...(type ? { type } : {}),
      page: Number(request.query.page) || 1,
      pageSize: 100,
    })
    const params = new URLSearchParams()
    if (q) params.set('q', q)
    if (type) params.set('type', type)
    const query = params.toString()
    return reply.render('organisations/list.njk', {
      title: request.t('organisations.title'),
      section: 'organisations',
      result,
      q,
      type: type ?? '',
      types: organisationTypes,
      pageBase: `/organisations?${query ? `${query}&` : ''}`,
      csvHref: `/api/v1/organisations.csv${query ? `?${query}` : ''}`,
      jsonHref: `/api/v1/organisations${query ? `?${query}` : ''}`,
    })
  })

  app.get(
    '/organisations/:slug',
    { schema: { params: Type.Object({ slug: Type.String({ maxLength: 200 }) }) } },
    async (request, reply) => {
      const organisation = await kernel.organisations.getBySlug(request.params.slug)
      const parent = organisation.parentId ? await kernel.organisations.getById(organisation.parentId) : null
      const canManage = request.principal
        ? request.principal.isPlatformAdmin ||
          request.principal.memberships.some(
            (m) => m.organisationId === organisation.id && m.roles.includes('org-admin'),
          )
        : false
      return reply.render('organisations/show.njk', {
        title: request.locale === 'gd' && organisation.nameGd ? organisation.nameGd : organisation.nameEn,
        section: 'organisations',
        organisation,
        parent,
        canManage,
      })
    },
  )

  // --- invitations ---
  const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) })

  app.get('/invitations/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    const invitation = await kernel.staff.findInvitation(request.params.token)
    if (!invitation || invitation.status !== 'pending') {
      return reply.render(
        'organisations/invitation-invalid.njk',
        { title: request.t('invitation.invalidTitle'), invitation },
        410,
      )
    }
    const principal = request.principal
    const matches = principal ? principal.email.trim().toLowerCase() === invitation.email.trim().toLowerCase() : false
    return reply.render('organisations/invitation.njk', {
      title: request.t('invitation.title'),
      invitation,
      token: request.params.token,
      matches,
    })
  })

  app.post('/invitations/:token', { schema: { params: TokenParams } }, async (request, reply) => {
    if (!request.principal)
      return reply.redirect(`/sign-in?return=${encodeURIComponent(`/invitations/${request.params.token}`)}`, 303)
    try {
      const accepted = await kernel.staff.acceptInvitation(request.ctx(), request.params.token)
      return reply.redirect(`/manage/organisations/${accepted.organisation.slug}?joined=1`, 303)
    } catch (error) {
      if (
        error instanceof DomainError &&
        (error.code === 'INVITATION_INVALID' || error.code === 'INVITATION_WRONG_ACCOUNT')
      ) {
        const invitation = await kernel.staff.findInvitation(request.params.token)
        return reply.render(
          'organisations/invitation-invalid.njk',
          {
            title: request.t('invitation.invalidTitle'),
            invitation,
            wrongAccount: error.code === 'INVITATION_WRONG_ACCOUNT',
          },
          error.code === 'INVITATION_WRONG_ACCOUNT' ? 403 : 410,
        )
      }
      throw error
    }
  })
}

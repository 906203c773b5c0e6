// Platform administration: bodies, the email outbox, jobs and the platform-wide audit trail.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, formSchema, keepQuery } from '../http/forms.js'
import { signedIn } from '../http/guards.js'
import { requirePlatformAdmin } from '../auth/authorisation.js'
import { organisationTypes } from '../organisations/organisation.service.js'
import { AuditQuery, auditCsv, auditSearchFromQuery } from '../audit/audit.presenter.js'
import { inTransaction } from '../db/transaction.js'

export const adminWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app

  function admin(request: FastifyRequest, reply: FastifyReply): boolean {
    if (!signedIn(request, reply)) return false
    requirePlatformAdmin(request.ctx())
    return true
  }

  app.get('/admin', async (request, reply) => {
    if (!admin(request, reply)) return reply
    const [organisations, outbox, queues] = await Promise.all([
      kernel.organisations.list({ pageSize: 1 }),
      kernel.mail.list({}),
      kernel.jobs.counts(),
    ])
    return reply.render('admin/index.njk', {
      title: request.t('admin.title'),
      section: 'admin',
      organisationCount: organisations.total,
      outboxCount: outbox.total,
      failedJobs: queues.reduce((n, q) => n + q.failed, 0),
      deliversBySmtp: kernel.mail.deliversBySmtp,
      welcome: (request.query as Record<string, string>).welcome === '1',
    })
  })

  const OrgForm = formSchema(['nameEn', 'nameGd', 'type', 'slug', 'gssCode', 'website', 'parentSlug'], 500)

  app.get('/admin/organisations/new', async (request, reply) => {
    if (!admin(request, reply)) return reply
    return reply.render('admin/organisation-new.njk', {
      title: request.t('newOrganisation.title'),
      section: 'admin',
      types: organisationTypes,
      values: { type: 'community-council' },
    })
  })

  app.post(
    '/admin/organisations/new',
    { schema: { body: OrgForm }, attachValidation: true },
    async (request, reply) => {
      if (!admin(request, reply)) return reply
      const values = {
        nameEn: field(request.body, 'nameEn', 300),
        nameGd: field(request.body, 'nameGd', 300),
        type: field(request.body, 'type', 50),
        slug: field(request.body, 'slug', 100),
        gssCode: field(request.body, 'gssCode', 20),
        website: field(request.body, 'website', 500),
        parentSlug: field(request.body, 'parentSlug', 200),
      }
      try {
        const created = await kernel.organisations.create(request.ctx(), values)
        return reply.redirect(`/organisations/${created.slug}?created=1`, 303)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return reply.render(
          'admin/organisation-new.njk',
          {
            title: request.t('newOrganisation.title'),
            section: 'admin',
            types: organisationTypes,
            values,
            fieldErrors,
          },
          422,
        )
      }
    },
  )

  app.get(
    '/admin/outbox',
    {
      schema: {
        querystring: Type.Object({
          page: Type.Optional(Type.String({ maxLength: 10 })),
          status: Type.Optional(Type.String({ maxLength: 20 })),
          to: Type.Optional(Type.String({ maxLength: 320 })),
        }),
      },
    },
    async (request, reply) => {
      if (!admin(request, reply)) return reply
      const result = await kernel.mail.list({
        page: Number(request.query.page) || 1,
        ...(request.query.status ? { status: request.query.status } : {}),
        ...(request.query.to ? { to: request.query.to } : {}),
      })
      const params = keepQuery(request.query)
      return reply.render('admin/outbox.njk', {
        title: request.t('outbox.title'),
        section: 'admin',
        result,
        query: request.query,
        deliversBySmtp: kernel.mail.deliversBySmtp,
        pageBase: `/admin/outbox?${params ? `${params}&` : ''}`,
      })
    },
  )

  app.get(
    '/admin/outbox/:id',
    { schema: { params: Type.Object({ id: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      if (!admin(request, reply)) return reply
      const message = await kernel.mail.get(request.params.id)
      if (!message) return reply.callNotFound()
      return reply.render('admin/outbox-message.njk', { title: message.subject, section: 'admin', message })
    },
  )

  app.get('/admin/jobs', async (request, reply) => {
    if (!admin(request, reply)) return reply
    const [queues, failed] = await Promise.all([kernel.jobs.counts(), kernel.jobs.failed(100)])
    return reply.render('admin/jobs.njk', { title: request.t('jobs.title'), section: 'admin', queues, failed })
  })

  app.post(
    '/admin/jobs/:name/:id/retry',
    { schema: { params: Type.Object({ name: Type.String({ maxLength: 100 }), id: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      if (!admin(request, reply)) return reply
      if (
        !/^[0-9a-f-]{36}$/i.test(request.params.id) ||
        !(await kernel.jobs.retry(request.params.name, request.params.id))
      )
        return reply.callNotFound()
      await inTransaction(kernel.db, (trx) =>
        kernel.audit.record(trx, request.ctx(), {
          action: 'job.retried',
          targetType: 'job',
          targetId: request.params.id,
          details: { name: request.params.name },
        }),
      )
      return reply.redirect('/admin/jobs', 303)
    },
  )

  app.get('/admin/audit', { schema: { querystring: AuditQuery } }, async (request, reply) => {
    if (!admin(request, reply)) return reply
    const result = await kernel.audit.search({ ...auditSearchFromQuery(request.query), pageSize: 50 })
    const params = keepQuery(request.query)
    return reply.render('admin/audit.njk', {
      title: request.t('audit.platformTitle'),
      section: 'admin',
      result,
      query: request.query,
      pageBase: `/admin/audit?${params ? `${params}&` : ''}`,
      csvHref: `/admin/audit.csv${params ? `?${params}` : ''}`,
    })
  })

  app.post('/admin/audit/verify', async (request, reply) => {
    if (!admin(request, reply)) return reply
    const verification = await kernel.audit.verify()
    return reply.render('admin/audit-verify.njk', {
      title: request.t('audit.verifyTitle'),
      section: 'admin',
      verification,
    })
  })

  app.get('/admin/audit.csv', { schema: { querystring: AuditQuery } }, async (request, reply) => {
    if (!admin(request, reply)) return reply
    reply.header('content-type', 'text/csv; charset=utf-8')
    reply.header('content-disposition', 'attachment; filename="audit-platform.csv"')
    return reply.send(auditCsv(kernel.audit.stream(auditSearchFromQuery(request.query))))
  })
}

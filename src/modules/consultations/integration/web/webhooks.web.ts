// Pages for a body's administrators: its webhooks, adding one (the secret is shown once), and
// each webhook's delivery log, with a test event and a switch.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf, fieldList, formSchema } from '../../../../platform/http/forms.js'
import { signedIn } from '../../../../platform/http/guards.js'
import { PageQuery } from '../../consultation.schemas.js'
import { webhookEvents } from '../webhook.repository.js'
import { MAX_ATTEMPTS, type WebhookService } from '../webhook.service.js'

const webhookForm = formSchema(['organisationId', 'url', 'events'], 3000)
const switchForm = formSchema(['active'], 10)
const WebhookParams = Type.Object({ webhookId: Type.String({ maxLength: 100 }) })

export const webhooksWeb: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (app, { webhooks }) => {
  const eventText = (request: FastifyRequest, e: string) => request.t(`consultations.webhooks.event.${e}`)

  async function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      values?: { organisationId: string; url: string; events: string[] }
      fieldErrors?: Record<string, string>
    } = {},
  ) {
    const t = request.t
    const { organisations, webhooks: items } = await webhooks.list(request.ctx())
    const values = options.values ?? {
      organisationId: organisations.length === 1 ? organisations[0]!.id : '',
      url: '',
      events: [...webhookEvents],
    }
    const names = new Map(organisations.map((o) => [o.id, request.locale === 'gd' && o.nameGd ? o.nameGd : o.nameEn]))
    return reply.render(
      'consultations/integration/webhooks.njk',
      {
        section: 'manage',
        title: t('consultations.webhooks.title'),
        canAdd: organisations.length > 0,
        items: items.map((w) => ({
          ...w,
          organisationName: names.get(w.organisationId) ?? '',
          eventsText: w.events.map((e) => eventText(request, e)).join(', '),
        })),
        organisationOptions: [
          { value: '', text: t('consultations.webhooks.chooseOrganisation') },
          ...organisations.map((o) => ({ value: o.id, text: names.get(o.id) ?? o.nameEn })),
        ],
        eventItems: webhookEvents.map((e) => ({
          value: e,
          text: eventText(request, e),
          checked: values.events.includes(e),
        })),
        values,
        ...(options.fieldErrors ? { fieldErrors: options.fieldErrors } : {}),
      },
      options.fieldErrors ? 422 : 200,
    )
  }

  app.get('/manage/consultations/webhooks', async (request, reply) => {
    if (!signedIn(request, reply)) return reply
    return renderList(request, reply)
  })

  app.post(
    '/manage/consultations/webhooks',
    { schema: { body: webhookForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const values = {
        organisationId: field(request.body, 'organisationId', 100),
        url: field(request.body, 'url', 3000),
        events: fieldList(request.body, 'events'),
      }
      try {
        const { webhook, secret } = await webhooks.create(request.ctx(), values)
        // The secret is shown on this page once, and never again.
        return await reply.render('consultations/integration/created.njk', {
          section: 'manage',
          title: request.t('consultations.webhooks.createdTitle'),
          webhook,
          secret,
        })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderList(request, reply, { values, fieldErrors })
      }
    },
  )

  app.get(
    '/manage/consultations/webhooks/:webhookId',
    { schema: { params: WebhookParams, querystring: PageQuery } },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      const t = request.t
      const { webhook, organisation, deliveries } = await webhooks.get(
        request.ctx(),
        request.params.webhookId,
        request.query,
      )
      return reply.render('consultations/integration/webhook.njk', {
        section: 'manage',
        title: t('consultations.webhooks.webhookTitle'),
        headerOrganisation: request.locale === 'gd' && organisation.nameGd ? organisation.nameGd : organisation.nameEn,
        webhook,
        eventsText: webhook.events.map((e) => eventText(request, e)).join(', '),
        deliveries,
        maxAttempts: MAX_ATTEMPTS,
        items: deliveries.items.map((d) => ({
          ...d,
          eventText: eventText(request, d.event),
          statusText: t(`consultations.webhooks.status.${d.status}`),
          statusColour: d.status === 'delivered' ? 'green' : d.status === 'failed' ? 'red' : 'grey',
        })),
        pageBase: `/manage/consultations/webhooks/${webhook.id}?`,
      })
    },
  )

  app.post(
    '/manage/consultations/webhooks/:webhookId/test',
    { schema: { params: WebhookParams, body: switchForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await webhooks.sendTest(request.ctx(), request.params.webhookId)
      return reply.redirect(`/manage/consultations/webhooks/${request.params.webhookId}`, 303)
    },
  )

  app.post(
    '/manage/consultations/webhooks/:webhookId/active',
    { schema: { params: WebhookParams, body: switchForm }, attachValidation: true },
    async (request, reply) => {
      if (!signedIn(request, reply)) return reply
      await webhooks.setActive(request.ctx(), request.params.webhookId, field(request.body, 'active', 10) === 'yes')
      return reply.redirect(`/manage/consultations/webhooks/${request.params.webhookId}`, 303)
    },
  )
}

// Email subscriptions to a dataset: the form (on the dataset's page and its own page), the
// confirmation and unsubscribe links, each a page with a button so that link checkers in mail
// systems change nothing.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { field, fieldErrorsOf } from '../../../../platform/http/forms.js'
import { NameParams, emptyForm, subscribeForm } from '../dataset.schemas.js'
import type { CatalogueService } from '../dataset.service.js'
import type { SubscriptionService } from '../subscription.service.js'

const LinkParams = Type.Object({ id: Type.String({ maxLength: 100 }) })
const LinkQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })) })

export const subscriptionWeb: FastifyPluginAsyncTypebox<{
  service: CatalogueService
  subscriptions: SubscriptionService
}> = async (app, { service, subscriptions }) => {
  const limited = { rateLimit: { max: app.kernel.config.rateLimitMax * 3, timeWindow: '1 minute' } }

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    email: string,
    fieldErrors?: Record<string, string>,
  ) {
    const view = await service.getPublic(name)
    return reply.render(
      'open-data/catalogue/subscribe.njk',
      {
        section: 'open-data',
        title: request.t('open-data.subscribe.title'),
        headerLabel: view.dataset.title,
        datasetHref: `/datasets/${view.dataset.name}`,
        datasetTitle: view.dataset.title,
        action: `/datasets/${view.dataset.name}/subscribe`,
        email,
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/datasets/:name/subscribe', { schema: { params: NameParams } }, async (request, reply) =>
    renderForm(request, reply, request.params.name, ''),
  )

  app.post(
    '/datasets/:name/subscribe',
    { schema: { params: NameParams, body: subscribeForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const view = await service.getPublic(request.params.name)
      const email = field(request.body, 'email', 500)
      try {
        await subscriptions.subscribe(request.ctx(), view.dataset, email)
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderForm(request, reply, view.dataset.name, email, fieldErrors)
      }
      return reply.redirect(`/datasets/${view.dataset.name}/subscribe/sent`, 303)
    },
  )

  app.get('/datasets/:name/subscribe/sent', { schema: { params: NameParams } }, async (request, reply) => {
    const view = await service.getPublic(request.params.name)
    return reply.render('open-data/catalogue/subscription-done.njk', {
      section: 'open-data',
      title: request.t('open-data.subscribe.sentTitle'),
      text: request.t('open-data.subscribe.sentText', { title: view.dataset.title }),
      datasetHref: `/datasets/${view.dataset.name}`,
      datasetTitle: view.dataset.title,
    })
  })

  for (const purpose of ['confirm', 'unsubscribe'] as const) {
    const path = `/datasets/subscriptions/:id/${purpose}`
    app.get(path, { schema: { params: LinkParams, querystring: LinkQuery } }, async (request, reply) => {
      const token = request.query.token ?? ''
      const sub = await subscriptions.byLink(purpose, request.params.id, token)
      const dataset = await service.repo.getDataset(service.db, sub.datasetId)
      return reply.render('open-data/catalogue/subscription-link.njk', {
        section: 'open-data',
        title: request.t(`open-data.subscribe.${purpose}Title`),
        text: request.t(`open-data.subscribe.${purpose}Text`, { title: dataset?.title ?? '' }),
        button: request.t(`open-data.subscribe.${purpose}Button`),
        action: `/datasets/subscriptions/${sub.id}/${purpose}?token=${encodeURIComponent(token)}`,
      })
    })
    app.post(
      path,
      {
        schema: { params: LinkParams, querystring: LinkQuery, body: emptyForm },
        attachValidation: true,
        config: limited,
      },
      async (request, reply) => {
        const token = request.query.token ?? ''
        const sub = await subscriptions.byLink(purpose, request.params.id, token)
        const dataset = await service.repo.getDataset(service.db, sub.datasetId)
        if (purpose === 'confirm') await subscriptions.confirm(request.ctx(), sub.id, token)
        else await subscriptions.unsubscribe(request.ctx(), sub.id, token)
        return reply.render('open-data/catalogue/subscription-done.njk', {
          section: 'open-data',
          title: request.t(`open-data.subscribe.${purpose}DoneTitle`),
          text: request.t(`open-data.subscribe.${purpose}DoneText`, { title: dataset?.title ?? '' }),
          datasetHref: dataset && dataset.status !== 'draft' ? `/datasets/${dataset.name}` : '',
          datasetTitle: dataset?.title ?? '',
        })
      },
    )
  }
}

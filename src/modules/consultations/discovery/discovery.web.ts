// Pages for finding consultations — the public list with its filters, search and downloads — and
// for email alerts: subscribing, confirming from the emailed link, and the one-click unsubscribe.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { field, fieldErrorsOf, keepQuery } from '../../../platform/http/forms.js'
import type { DiscoveryService, Interest } from './discovery.service.js'
import { foundView } from './discovery.presenter.js'
import {
  ListPageQuery,
  SubscribePageQuery,
  SubscriptionParams,
  TokenQuery,
  confirmForm,
  subscribeForm,
} from './discovery.schemas.js'
import { listStatuses, type ListStatus } from './discovery.types.js'
import { topicBySlug, topicName, topicsFor } from './topics.js'

type SubscribeValues = { email: string; organisation: string; topic: string }

export const discoveryWeb: FastifyPluginAsyncTypebox<{ discovery: DiscoveryService }> = async (app, { discovery }) => {
  const { kernel } = app
  const limited = { rateLimit: { max: kernel.config.rateLimitMax, timeWindow: '1 minute' } }

  const topicOptions = (request: FastifyRequest, anyKey: string) => [
    { value: '', text: request.t(anyKey) },
    ...topicsFor(request.locale).map((t) => ({ value: t.slug, text: topicName(t, request.locale) })),
  ]

  const organisationOptions = async (request: FastifyRequest, anyKey: string) => [
    { value: '', text: request.t(anyKey) },
    ...(await discovery.publishingOrganisations()).map((o) => ({
      value: o.slug,
      text: request.locale === 'gd' && o.nameGd ? o.nameGd : o.nameEn,
    })),
  ]

  // --- the list ---

  app.get('/consultations', { schema: { querystring: ListPageQuery } }, async (request, reply) => {
    const query = request.query
    const status = (listStatuses as readonly string[]).includes(query.status ?? '')
      ? (query.status as ListStatus)
      : undefined
    const topic = query.topic && topicBySlug(query.topic) ? query.topic : ''
    const result = await discovery.search({
      q: query.q,
      organisation: query.organisation || undefined,
      topic: topic || undefined,
      status,
      page: Number(query.page) || 1,
      pageSize: 20,
    })
    const params = keepQuery(query)
    const interest = keepQuery({ organisation: query.organisation ?? '', topic }, [])
    return reply.render('consultations/list.njk', {
      title: request.t('consultations.list.title'),
      section: 'consultations',
      result: { ...result, items: result.items.map((f) => foundView(f, request.t, request.locale)) },
      query: { q: query.q ?? '', organisation: query.organisation ?? '', status: status ?? '', topic },
      organisationOptions: await organisationOptions(request, 'consultations.list.allOrganisations'),
      topicOptions: topicOptions(request, 'consultations.discovery.list.allTopics'),
      statusOptions: [
        { value: '', text: request.t('consultations.list.allStatuses') },
        ...listStatuses.map((s) => ({ value: s, text: request.t(`consultations.status.${s}`) })),
      ],
      subscribeHref: `/consultations/subscribe${interest ? `?${interest}` : ''}`,
      subscribeText: request.t(
        interest ? 'consultations.discovery.list.subscribeLikeThese' : 'consultations.discovery.list.subscribe',
      ),
      pageBase: `/consultations?${params ? `${params}&` : ''}`,
      csvHref: `/api/v1/consultations.csv${params ? `?${params}` : ''}`,
      jsonHref: `/api/v1/consultations${params ? `?${params}` : ''}`,
    })
  })

  // --- subscribing ---

  async function renderSubscribe(
    request: FastifyRequest,
    reply: FastifyReply,
    values: SubscribeValues,
    fieldErrors?: Record<string, string>,
  ) {
    return reply.render(
      'consultations/discovery/subscribe.njk',
      {
        title: request.t('consultations.discovery.subscribe.title'),
        section: 'consultations',
        values,
        organisationOptions: await organisationOptions(request, 'consultations.discovery.subscribe.anyOrganisation'),
        topicOptions: topicOptions(request, 'consultations.discovery.subscribe.anyTopic'),
        ...(fieldErrors ? { fieldErrors } : {}),
      },
      fieldErrors ? 422 : 200,
    )
  }

  app.get('/consultations/subscribe', { schema: { querystring: SubscribePageQuery } }, async (request, reply) =>
    renderSubscribe(request, reply, {
      email: '',
      organisation: request.query.organisation ?? '',
      topic: request.query.topic && topicBySlug(request.query.topic) ? request.query.topic : '',
    }),
  )

  app.post(
    '/consultations/subscribe',
    { schema: { body: subscribeForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const values: SubscribeValues = {
        email: field(request.body, 'email', 300),
        organisation: field(request.body, 'organisation', 100),
        topic: field(request.body, 'topic', 100),
      }
      try {
        await discovery.subscribe(request.ctx(), { ...values, locale: request.locale })
      } catch (error) {
        const fieldErrors = fieldErrorsOf(error)
        if (!fieldErrors) throw error
        return renderSubscribe(request, reply, values, fieldErrors)
      }
      return reply.redirect('/consultations/subscribe/check-email', 303)
    },
  )

  app.get('/consultations/subscribe/check-email', async (request, reply) =>
    reply.render('consultations/discovery/check-email.njk', {
      title: request.t('consultations.discovery.checkEmail.title'),
      section: 'consultations',
    }),
  )

  // --- confirming, from the emailed link ---

  const interestText = (request: FastifyRequest, interest: Interest) => discovery.describe(interest, request.locale)

  app.get(
    '/consultations/subscriptions/:id/confirm',
    { schema: { params: SubscriptionParams, querystring: TokenQuery } },
    async (request, reply) => {
      const { subscription, interest } = await discovery.forConfirmation(request.params.id, request.query.token)
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      return reply.render('consultations/discovery/confirm.njk', {
        title: request.t(
          subscription.confirmedAt
            ? 'consultations.discovery.confirmed.title'
            : 'consultations.discovery.confirm.title',
        ),
        section: 'consultations',
        confirmed: subscription.confirmedAt !== null,
        interest: interestText(request, interest),
        email: subscription.email,
        action: `/consultations/subscriptions/${subscription.id}/confirm`,
        token: request.query.token,
        listHref: `/consultations?${keepQuery({ organisation: interest.organisation?.slug ?? '', topic: interest.topic ?? '' }, [])}`,
      })
    },
  )

  app.post(
    '/consultations/subscriptions/:id/confirm',
    { schema: { params: SubscriptionParams, body: confirmForm }, attachValidation: true, config: limited },
    async (request, reply) => {
      const token = field(request.body, 'token', 200)
      await discovery.confirm(request.ctx(), request.params.id, token)
      return reply.redirect(
        `/consultations/subscriptions/${request.params.id}/confirm?token=${encodeURIComponent(token)}`,
        303,
      )
    },
  )

  // --- the one-click unsubscribe in every email ---

  app.get(
    '/consultations/subscriptions/:id/unsubscribe',
    { schema: { params: SubscriptionParams, querystring: TokenQuery }, config: limited },
    async (request, reply) => {
      const interest = await discovery.unsubscribe(request.ctx(), request.params.id, request.query.token)
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      return reply.render('consultations/discovery/unsubscribed.njk', {
        title: request.t(
          interest ? 'consultations.discovery.unsubscribed.title' : 'consultations.discovery.unsubscribed.alreadyTitle',
        ),
        section: 'consultations',
        interest: interest ? interestText(request, interest) : null,
        subscribeHref: interest
          ? `/consultations/subscribe?${keepQuery({ organisation: interest.organisation?.slug ?? '', topic: interest.topic ?? '' }, [])}`
          : '/consultations/subscribe',
      })
    },
  )
}

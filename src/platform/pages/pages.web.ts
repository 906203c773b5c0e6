// The home page, the site's fixed pages and the language switch.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { LANG_COOKIE } from '../http/context.plugin.js'
import { safeReturnPath } from '../http/forms.js'
import { isLocale } from '../i18n/i18n.js'

export const pagesWeb: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app

  app.get('/', async (request, reply) => {
    const counts = await kernel.organisations.list({ pageSize: 1 })
    return reply.render('pages/home.njk', { title: request.t('home.title'), organisationCount: counts.total })
  })

  for (const page of ['accessibility', 'privacy', 'cookies', 'contact'] as const) {
    app.get(`/${page}`, async (request, reply) =>
      reply.render(`pages/${page}.njk`, { title: request.t(`${page}.title`) }),
    )
  }

  app.get(
    '/language/:locale',
    {
      schema: {
        params: Type.Object({ locale: Type.String({ maxLength: 10 }) }),
        querystring: Type.Object({ return: Type.Optional(Type.String({ maxLength: 2000 })) }),
      },
    },
    async (request, reply) => {
      const { locale } = request.params
      const back = safeReturnPath(request.query.return)
      if (!isLocale(locale)) return reply.redirect(back)
      reply.setCookie(LANG_COOKIE, locale, {
        path: '/',
        sameSite: 'lax',
        httpOnly: true,
        maxAge: 365 * 86_400,
        secure: kernel.config.baseUrl.startsWith('https://'),
      })
      if (request.principal && request.principal.via === 'session')
        await kernel.accounts.setLocale(request.principal.accountId, locale)
      return reply.redirect(back)
    },
  )
}

// The composition root: platform plugins first, then the kernel's pages and API, then the modules.
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import path from 'node:path'
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import fastifyStatic from '@fastify/static'
import fastifyView from '@fastify/view'
import swagger from '@fastify/swagger'
import nunjucks from 'nunjucks'
import { pino, type Logger } from 'pino'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config/config.js'
import { createDatabase, type Database } from './platform/db/database.js'
import { migrateToLatest } from './platform/db/migrate.js'
import { createKernel, type Kernel } from './platform/kernel.js'
import { securityPlugin } from './platform/http/security.plugin.js'
import { contextPlugin, layoutContext } from './platform/http/context.plugin.js'
import { errorsPlugin } from './platform/http/errors.plugin.js'
import { metricsPlugin } from './platform/metrics/metrics.plugin.js'
import { configureNunjucks, templateDirs } from './platform/views/views.js'
import { healthRoutes } from './platform/health/health.routes.js'
import { pagesWeb } from './platform/pages/pages.web.js'
import { authWeb } from './platform/auth/auth.web.js'
import { twoFactorWeb } from './platform/auth/two-factor.web.js'
import { oidcWeb } from './platform/oidc/oidc.web.js'
import { accountWeb } from './platform/accounts/account.web.js'
import { organisationWeb } from './platform/organisations/organisation.web.js'
import { manageWeb } from './platform/organisations/manage.web.js'
import { adminWeb } from './platform/admin/admin.web.js'
import { kernelApi } from './platform/api/kernel.api.js'
import { apiDocsWeb } from './platform/api/api-docs.web.js'
import { modules } from './modules/index.js'
import { uploadsPlugin } from './platform/files/uploads.plugin.js'

export type App = FastifyInstance & { kernel: Kernel }

declare module 'fastify' {
  interface FastifyInstance {
    kernel: Kernel
  }
}

export type BuildOptions = {
  /** a database made by the caller (tests); otherwise one is made from config */
  database?: Database
  logger?: Logger
  /** apply pending migrations and load reference data before serving (default true) */
  prepare?: boolean
  /** work the job queue in this process (default: config.runJobs); jobs can always be sent */
  runJobWorkers?: boolean
}

const requireCjs = createRequire(import.meta.url)
const designSystemDist = path.join(
  path.dirname(requireCjs.resolve('@scottish-government/design-system/package.json')),
  'dist',
)
const staticDir = new URL('./web/static/', import.meta.url).pathname

export function createLogger(config: Config): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.email',
        '*.token',
      ],
      censor: '[redacted]',
    },
  })
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config)
  const database =
    options.database ??
    (await createDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
    }))
  if (options.prepare !== false) await migrateToLatest(database.db)
  const kernel = createKernel(
    config,
    database,
    logger,
    options.runJobWorkers === undefined ? {} : { runJobWorkers: options.runJobWorkers },
  )
  const mods = modules.map((factory) => factory(kernel))
  if (options.prepare !== false) await kernel.organisations.loadReferenceData()

  const app = Fastify({
    loggerInstance: logger,
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
    return503OnClosing: true,
    // Addresses Fastify cannot route (bad percent-encoding, over-long parameters) get the same
    // answers as every other error: the API's error body, or the design system's error page.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
      const code = (error.code ?? 'BAD_REQUEST').replace(/^FST_ERR_/, '')
      if (request.url.startsWith('/api/')) {
        void (reply as FastifyReply).code(status).send({ error: { code, message: 'This address is not valid' } })
        return
      }
      // The request never reached the routes, so the page has no session, form token or nonce.
      const t = kernel.i18n.translator('en')
      void app
        .view('errors/error.njk', {
          title: t(`errors.title.${status}`),
          status,
          message: 'This address is not valid.',
          requestId: request.id,
          err: {},
          ...layoutContext({
            t,
            locale: 'en',
            principal: null,
            csrfToken: '',
            nonce: '',
            currentPath: '/',
            navModules: [],
            baseUrl: config.baseUrl,
          }),
        })
        .then((html) => (reply as FastifyReply).code(status).type('text/html; charset=utf-8').send(html))
    },
  }).withTypeProvider<TypeBoxTypeProvider>()
  app.decorate('kernel', kernel)

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Còmhla API',
        version: config.version,
        description:
          'The JSON API of Còmhla. Authenticate with `Authorization: Bearer <token>`; create tokens under Your account › API tokens.',
      },
      servers: [{ url: config.baseUrl }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: ({ schema, url }) => {
      if (url.startsWith('/api/v1') || url.startsWith('/health') || url === '/info') return { schema, url }
      return { schema: { ...(schema ?? {}), hide: true }, url }
    },
  })
  await app.register(uploadsPlugin)
  await app.register(securityPlugin, { config, formActionOrigins: () => kernel.oidc.formActionOrigins() })
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: templateDirs,
    production: config.env === 'production',
    options: { onConfigure: (env: nunjucks.Environment) => configureNunjucks(env) },
  })
  await app.register(contextPlugin, { kernel, navModules: mods.flatMap((m) => m.nav ?? []) })
  await app.register(errorsPlugin)
  await app.register(metricsPlugin, { kernel })
  await app.register(fastifyStatic, {
    root: designSystemDist,
    prefix: '/assets/ds/',
    decorateReply: false,
    maxAge: '1d',
  })
  await app.register(fastifyStatic, { root: staticDir, prefix: '/assets/', decorateReply: false, maxAge: '1h' })

  await app.register(healthRoutes)
  await app.register(pagesWeb)
  await app.register(authWeb)
  await app.register(twoFactorWeb)
  await app.register(oidcWeb)
  await app.register(accountWeb)
  await app.register(organisationWeb)
  await app.register(manageWeb)
  await app.register(adminWeb)
  await app.register(kernelApi, { prefix: '/api/v1' })
  await app.register(apiDocsWeb)
  for (const m of mods) await app.register(m.plugin)

  app.addHook('onClose', async () => {
    await kernel.jobs.stop()
    await kernel.mail.close()
    if (!options.database) await database.close()
  })

  await kernel.jobs.start()
  return app as unknown as App
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'

const Status = Type.Object({ status: Type.String(), database: Type.Optional(Type.String()) })

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { kernel } = app
  app.get('/health/live', { schema: { tags: ['health'], response: { 200: Status } } }, async () => ({ status: 'ok' }))

  app.get(
    '/health/ready',
    { schema: { tags: ['health'], response: { 200: Status, 503: Status } } },
    async (_request, reply) => {
      try {
        await Promise.race([
          kernel.database.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('database ping timed out')), 2000).unref()),
        ])
        return { status: 'ok', database: 'ok' }
      } catch {
        return reply.code(503).header('retry-after', '5').send({ status: 'unavailable', database: 'unreachable' })
      }
    },
  )

  app.get(
    '/info',
    {
      schema: {
        tags: ['health'],
        response: {
          200: Type.Object({
            name: Type.String(),
            version: Type.String(),
            commit: Type.String(),
            database: Type.String(),
            node: Type.String(),
          }),
        },
      },
    },
    async () => ({
      name: 'Còmhla',
      version: kernel.config.version,
      commit: kernel.config.commit,
      database: kernel.database.kind,
      node: process.version,
    }),
  )
}

// The OpenAPI document, and a readable page generated from it (no JavaScript needed).
import type { FastifyPluginAsync } from 'fastify'

type Operation = {
  summary?: string
  tags?: string[]
  security?: unknown[]
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: { type?: string } }>
}

export const apiDocsWeb: FastifyPluginAsync = async (app) => {
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  app.get('/api/docs', { schema: { hide: true } }, async (request, reply) => {
    const doc = app.swagger() as { paths?: Record<string, Record<string, Operation>> }
    const groups = new Map<
      string,
      Array<{ method: string; path: string; summary: string; secured: boolean; parameters: Operation['parameters'] }>
    >()
    for (const [path, methods] of Object.entries(doc.paths ?? {})) {
      for (const [method, op] of Object.entries(methods)) {
        const tag = op.tags?.[0] ?? 'other'
        const list = groups.get(tag) ?? []
        list.push({
          method: method.toUpperCase(),
          path,
          summary: op.summary ?? '',
          secured: (op.security?.length ?? 0) > 0,
          parameters: op.parameters ?? [],
        })
        groups.set(tag, list)
      }
    }
    return reply.render('api/docs.njk', {
      title: request.t('apiDocs.title'),
      section: 'api',
      groups: [...groups.entries()].map(([tag, operations]) => ({ tag, operations })),
    })
  })
}

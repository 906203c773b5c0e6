// Prometheus metrics at /metrics: requests by route and status, their durations, the job queue's
// depth and failures, and database pool use. Protected by METRICS_TOKEN, or loopback-only without one.
import fp from 'fastify-plugin'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { Kernel } from '../kernel.js'
import { safeEqual } from '../../shared/crypto.js'

export const metricsPlugin = fp(
  async (app, opts: { kernel: Kernel }) => {
    const { kernel } = opts
    const registry = new Registry()
    collectDefaultMetrics({ register: registry, prefix: 'comhla_' })

    const requests = new Counter({
      name: 'comhla_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    })
    const durations = new Histogram({
      name: 'comhla_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    })
    new Gauge({
      name: 'comhla_jobs',
      help: 'Jobs in the queue by queue and state (created, active, retry, failed, completed)',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset()
        for (const q of await kernel.jobs.counts()) {
          for (const state of ['created', 'active', 'retry', 'failed', 'completed'] as const)
            this.set({ queue: q.name, state }, q[state])
        }
      },
    })
    new Gauge({
      name: 'comhla_db_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting for one, max)',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const s = kernel.database.poolStats()
        this.set({ state: 'total' }, s.total)
        this.set({ state: 'idle' }, s.idle)
        this.set({ state: 'waiting' }, s.waiting)
        this.set({ state: 'max' }, s.max)
      },
    })

    app.addHook('onResponse', async (request, reply) => {
      // The route's pattern, never the raw URL, so labels stay few and carry no personal data.
      const route = request.routeOptions.url ?? 'unmatched'
      if (route === '/metrics') return
      requests.inc({ method: request.method, route, status: String(reply.statusCode) })
      durations.observe({ method: request.method, route }, reply.elapsedTime / 1000)
    })

    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      const token = kernel.config.metricsToken
      const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
      const allowed = token
        ? given !== undefined && safeEqual(given, token)
        : ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(request.socket.remoteAddress ?? '')
      if (!allowed) return reply.code(403).type('text/plain').send('Forbidden')
      return reply.type(registry.contentType).send(await registry.metrics())
    })
  },
  { name: 'comhla-metrics' },
)

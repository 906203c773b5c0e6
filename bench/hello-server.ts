// The HTTP limit: a bare Fastify "hello" route, served the same way as Còmhla (one Node process, started through tsx).
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/', async () => 'hello')
app.get('/health/ready', async () => ({ status: 'ok' }))
await app.listen({ port: Number(process.env.PORT ?? 3999), host: '127.0.0.1' })

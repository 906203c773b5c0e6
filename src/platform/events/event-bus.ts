// Events between modules, carried by the job queue. A module publishes an event inside the
// transaction of the change it describes, so the event exists if and only if the change committed;
// each subscriber gets its own queue, so one slow or failing subscriber does not hold up the others,
// and its handler is retried with back-off until it succeeds (at least once: handlers are idempotent).
import type { Transaction } from 'kysely'
import type { JobQueue } from '../jobs/job-queue.js'

export type EventMeta = { event: string; publishedAt: Date }
export type EventHandler<T> = (payload: T, meta: EventMeta) => Promise<void>

type Envelope<T> = { payload: T; publishedAt: string }

const NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/

export class EventBus {
  private readonly queues = new Map<string, string[]>()

  constructor(private readonly jobs: JobQueue) {}

  /**
   * `event` is "<module>.<what happened>", such as "consultations.closed"; `subscriber` names the
   * module and purpose, such as "open-data". Call it in the module's factory, before the queue starts.
   */
  subscribe<T extends object>(
    event: string,
    subscriber: string,
    handler: EventHandler<T>,
    options: { retryLimit?: number } = {},
  ): void {
    if (!NAME.test(event)) throw new Error(`Event names look like "module.what-happened", not ${event}`)
    if (!/^[a-z][a-z0-9.-]*$/.test(subscriber)) throw new Error(`Bad subscriber name ${subscriber}`)
    const queue = `event.${event}.${subscriber}`
    const existing = this.queues.get(event) ?? []
    if (existing.includes(queue)) throw new Error(`${subscriber} already subscribes to ${event}`)
    this.jobs.define<Envelope<T>>({
      name: queue,
      retryLimit: options.retryLimit ?? 10,
      retryDelaySeconds: 5,
      retryBackoff: true,
      handler: async (data) => handler(data.payload, { event, publishedAt: new Date(data.publishedAt) }),
    })
    this.queues.set(event, [...existing, queue])
  }

  /** Publishes in the caller's transaction; returns how many subscribers will receive it. */
  async publish<T extends object>(trx: Transaction<any>, event: string, payload: T): Promise<number> {
    if (!NAME.test(event)) throw new Error(`Event names look like "module.what-happened", not ${event}`)
    const queues = this.queues.get(event) ?? []
    const envelope: Envelope<T> = { payload, publishedAt: new Date().toISOString() }
    for (const queue of queues) await this.jobs.send(queue, envelope, { trx })
    return queues.length
  }

  subscribers(event: string): string[] {
    return (this.queues.get(event) ?? []).map((q) => q.slice(`event.${event}.`.length))
  }
}

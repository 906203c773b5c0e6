// The job queue: pg-boss on PostgreSQL (and on the embedded PGlite through the same
// executor gate). Jobs are taken with SKIP LOCKED, so any number of processes share it.
import { CompiledQuery, type Transaction } from 'kysely'
import PgBoss from 'pg-boss'
import type { Logger } from 'pino'
import type { Database } from '../db/database.js'

export type JobHandler<T> = (data: T, job: { id: string; name: string }) => Promise<void>

export type JobDefinition<T = unknown> = {
  name: string
  handler: JobHandler<T>
  retryLimit?: number
  retryDelaySeconds?: number
  retryBackoff?: boolean
  expireInSeconds?: number
  /** a cron expression (Europe/London) to run this job on a schedule */
  cron?: string
}

export type FailedJob = {
  id: string
  name: string
  data: unknown
  output: unknown
  retryCount: number
  createdOn: Date
  completedOn: Date | null
}

export type QueueCount = {
  name: string
  created: number
  active: number
  retry: number
  failed: number
  completed: number
}

/** A pg-boss executor bound to a Kysely transaction, so a job is sent only if the change commits. */
function transactionExecutor(trx: Transaction<any>): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []))
      return { rows: result.rows as any[] }
    },
  }
}

export class JobQueue {
  private readonly boss: PgBoss
  private readonly definitions = new Map<string, JobDefinition<any>>()
  private started = false

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly options: {
      runWorkers: boolean
      pollingIntervalSeconds?: number
      schedules?: Readonly<Record<string, string>>
    },
  ) {
    const common = { schema: 'pgboss', migrate: true, supervise: options.runWorkers, schedule: options.runWorkers }
    this.boss = database.connectionString
      ? new PgBoss({ ...common, connectionString: database.connectionString, max: 4, application_name: 'comhla-jobs' })
      : new PgBoss({ ...common, db: { executeSql: async (text, values) => await database.executeSql(text, values) } })
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'))
  }

  define<T>(definition: JobDefinition<T>): void {
    if (this.started) throw new Error(`Job ${definition.name} must be defined before the queue starts`)
    this.definitions.set(definition.name, definition as JobDefinition<any>)
  }

  async start(): Promise<void> {
    await this.boss.start()
    for (const d of this.definitions.values()) {
      await this.boss.createQueue(d.name, {
        name: d.name,
        retryLimit: d.retryLimit ?? 5,
        retryDelay: d.retryDelaySeconds ?? 10,
        retryBackoff: d.retryBackoff ?? true,
        expireInSeconds: d.expireInSeconds ?? 300,
      })
      const cron = this.options.schedules?.[d.name] ?? d.cron
      if (cron) await this.boss.schedule(d.name, cron, {}, { tz: 'Europe/London' })
      if (this.options.runWorkers) {
        await this.boss.work<unknown>(
          d.name,
          { pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 2, batchSize: 1 },
          async (jobs) => {
            for (const job of jobs) {
              try {
                await d.handler(job.data, { id: job.id, name: job.name })
              } catch (error) {
                this.logger.warn({ err: error, job: job.name, jobId: job.id }, 'job failed; it will be retried')
                throw error
              }
            }
          },
        )
      }
    }
    this.started = true
  }

  async send<T extends object>(
    name: string,
    data: T,
    options: { trx?: Transaction<any>; singletonKey?: string; startAfterSeconds?: number } = {},
  ): Promise<string | null> {
    if (!this.definitions.has(name)) throw new Error(`Unknown job ${name}`)
    return this.boss.send(name, data, {
      ...(options.trx ? { db: transactionExecutor(options.trx) } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    })
  }

  async failed(limit = 100): Promise<FailedJob[]> {
    const { rows } = await this.database.executeSql(
      `select id, name, data, output, retry_count, created_on, completed_on from pgboss.job
       where state = 'failed' order by completed_on desc nulls last limit $1`,
      [limit],
    )
    return (rows as Array<Record<string, unknown>>).map((r) => ({
      id: String(r.id),
      name: String(r.name),
      data: r.data,
      output: r.output,
      retryCount: Number(r.retry_count),
      createdOn: new Date(r.created_on as string),
      completedOn: r.completed_on ? new Date(r.completed_on as string) : null,
    }))
  }

  async counts(): Promise<QueueCount[]> {
    const { rows } = await this.database.executeSql(
      `select name, state, count(*)::int as n from pgboss.job group by name, state order by name`,
      [],
    )
    const byName = new Map<string, QueueCount>()
    for (const name of this.definitions.keys()) {
      byName.set(name, { name, created: 0, active: 0, retry: 0, failed: 0, completed: 0 })
    }
    for (const r of rows as Array<{ name: string; state: string; n: number }>) {
      const entry = byName.get(r.name) ?? { name: r.name, created: 0, active: 0, retry: 0, failed: 0, completed: 0 }
      if (r.state in entry && r.state !== 'name') (entry as Record<string, number | string>)[r.state] = Number(r.n)
      byName.set(r.name, entry)
    }
    return [...byName.values()]
  }

  /** Puts a failed job back on the queue; false when there is no such queue. */
  async retry(name: string, id: string): Promise<boolean> {
    if (!this.definitions.has(name)) return false
    await this.boss.retry(name, id)
    return true
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 })
  }
}

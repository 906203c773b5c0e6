// A Kysely dialect for PGlite. PGlite is one PostgreSQL session, so every user of it
// (Kysely connections and the job queue) takes turns through one gate; a transaction
// holds the gate from BEGIN to COMMIT so nothing else runs inside it.
import type { PGlite } from '@electric-sql/pglite'
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'

export class PgliteGate {
  private tail: Promise<void> = Promise.resolve()

  /** Waits for the gate; the returned function opens it again. */
  async enter(): Promise<() => void> {
    let open!: () => void
    const next = new Promise<void>((resolve) => (open = resolve))
    const previous = this.tail
    this.tail = previous.then(() => next)
    await previous
    return open
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const leave = await this.enter()
    try {
      return await fn()
    } finally {
      leave()
    }
  }
}

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters])
    const affected = result.affectedRows
    return {
      rows: result.rows,
      ...(affected !== undefined && affected !== null ? { numAffectedRows: BigInt(affected) } : {}),
    }
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming is not supported on the embedded database')
  }
}

class PgliteDriver implements Driver {
  private readonly leaves = new WeakMap<DatabaseConnection, () => void>()
  constructor(
    private readonly pglite: PGlite,
    private readonly gate: PgliteGate,
  ) {}

  async init(): Promise<void> {
    await this.pglite.waitReady
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const leave = await this.gate.enter()
    const connection = new PgliteConnection(this.pglite)
    this.leaves.set(connection, leave)
    return connection
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : ''
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.leaves.get(connection)?.()
    this.leaves.delete(connection)
  }

  async destroy(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close()
  }
}

export class PgliteDialect implements Dialect {
  constructor(
    private readonly pglite: PGlite,
    private readonly gate: PgliteGate,
  ) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver(): Driver {
    return new PgliteDriver(this.pglite, this.gate)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db)
  }
}

// One unit of work per operation. inTransaction() joins the transaction already open in this
// async context (for example an idempotent API request) or opens one, so a service's change, its
// audit entry and an idempotency record commit or roll back together. Inside a unit of work every
// query made through the ordinary Kysely instance runs on the unit's own connection (and so inside
// its transaction): it never waits for a second connection from the pool, which under load would
// deadlock, and it sees the unit's own uncommitted changes.
import { AsyncLocalStorage } from 'node:async_hooks'
import type { DatabaseConnection, Dialect, Driver, Kysely, Transaction, TransactionSettings } from 'kysely'
import type { CoreDatabase } from './core.tables.js'
import type { Db } from './database.js'

type Unit = { connection: Promise<DatabaseConnection> | null; trx: Transaction<CoreDatabase> | null }

const unitOfWork = new AsyncLocalStorage<Unit>()

export function inTransaction<T>(db: Db, fn: (trx: Transaction<CoreDatabase>) => Promise<T>): Promise<T> {
  const current = unitOfWork.getStore()
  if (current?.trx) return fn(current.trx)
  const unit: Unit = { connection: null, trx: null }
  return unitOfWork.run(unit, () =>
    db.connection().execute((connection) =>
      connection.transaction().execute(async (trx) => {
        unit.trx = trx
        try {
          return await fn(trx)
        } finally {
          unit.trx = null
        }
      }),
    ),
  )
}

/** True inside inTransaction(). */
export function insideTransaction(): boolean {
  return unitOfWork.getStore()?.trx != null
}

/** A connection lent to a query inside a unit of work; releasing it gives nothing back to the pool. */
class Borrowed implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}
  executeQuery: DatabaseConnection['executeQuery'] = (q) => this.inner.executeQuery(q)
  streamQuery: DatabaseConnection['streamQuery'] = (q, chunk) => this.inner.streamQuery(q, chunk)
}

const unwrap = (c: DatabaseConnection) => (c instanceof Borrowed ? c.inner : c)

class UnitOfWorkDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return this.inner.init()
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const unit = unitOfWork.getStore()
    if (!unit) return this.inner.acquireConnection()
    if (unit.connection) return new Borrowed(await unit.connection)
    unit.connection = this.inner.acquireConnection()
    return unit.connection
  }
  beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(unwrap(c), settings)
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(unwrap(c))
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(unwrap(c))
  }
  async releaseConnection(c: DatabaseConnection): Promise<void> {
    if (c instanceof Borrowed) return
    const unit = unitOfWork.getStore()
    if (unit) unit.connection = null
    await this.inner.releaseConnection(c)
  }
  destroy(): Promise<void> {
    return this.inner.destroy()
  }
}

/** Wraps a dialect so that queries inside a unit of work share its connection. */
export class UnitOfWorkDialect implements Dialect {
  constructor(private readonly inner: Dialect) {}
  createAdapter() {
    return this.inner.createAdapter()
  }
  createDriver(): Driver {
    return new UnitOfWorkDriver(this.inner.createDriver())
  }
  createQueryCompiler() {
    return this.inner.createQueryCompiler()
  }
  createIntrospector(db: Kysely<any>) {
    return this.inner.createIntrospector(db)
  }
}

// Idempotent writes: a client sends an Idempotency-Key with a POST, PUT, PATCH or DELETE, and a
// retry with the same key (after a timeout, a lost connection or a crash) gets the first answer
// instead of making the change twice. The key is recorded in the same transaction as the change,
// so either both exist or neither; a concurrent duplicate waits on the key's row and then replays.
import type { Db } from '../db/database.js'
import { inTransaction } from '../db/transaction.js'
import { DomainError } from '../errors/domain-error.js'
import { sha256 } from '../../shared/crypto.js'

export type IdempotencyErrorCode = 'IDEMPOTENCY_KEY_INVALID' | 'IDEMPOTENCY_KEY_REUSED'

export type StoredResponse = { status: number; body: unknown; location?: string | null }

const KEY = /^[A-Za-z0-9_.:-]{8,200}$/

export class IdempotencyService {
  constructor(private readonly db: Db) {}

  /**
   * Runs fn once per (owner, key). The owner is who is acting (an account, or an anonymous client),
   * the fingerprint what was asked; the same key with a different request is refused.
   */
  async run(
    owner: string,
    key: string,
    fingerprint: string,
    fn: () => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    if (!KEY.test(key)) {
      throw new DomainError<IdempotencyErrorCode>(
        'IDEMPOTENCY_KEY_INVALID',
        'invalid',
        'Idempotency-Key must be 8 to 200 letters, digits or ._:-',
      )
    }
    const print = sha256(fingerprint)
    return inTransaction(this.db, async (trx) => {
      const claimed = await trx
        .insertInto('core.idempotency_key')
        .values({ owner, key, fingerprint: print })
        .onConflict((oc) => oc.columns(['owner', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst()
      if (!claimed) {
        const existing = await trx
          .selectFrom('core.idempotency_key')
          .selectAll()
          .where('owner', '=', owner)
          .where('key', '=', key)
          .executeTakeFirstOrThrow()
        if (existing.fingerprint !== print) {
          throw new DomainError<IdempotencyErrorCode>(
            'IDEMPOTENCY_KEY_REUSED',
            'conflict',
            'This Idempotency-Key was already used for a different request',
          )
        }
        return { status: existing.status ?? 200, body: existing.body, location: existing.location, replayed: true }
      }
      const response = await fn()
      await trx
        .updateTable('core.idempotency_key')
        .set({
          status: response.status,
          body: JSON.stringify(response.body ?? null),
          location: response.location ?? null,
        })
        .where('owner', '=', owner)
        .where('key', '=', key)
        .execute()
      return { ...response, replayed: false }
    })
  }

  /** Keys are kept for a day, long enough for any sensible retry. */
  async purge(olderThanHours = 24): Promise<number> {
    const result = await this.db
      .deleteFrom('core.idempotency_key')
      .where('created_at', '<', new Date(Date.now() - olderThanHours * 3_600_000))
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }
}

// The keys Còmhla signs its client assertions (private_key_jwt) with. Kept in the database with the
// private half sealed, so every instance signs with the same key; the public halves are served as a
// JWKS at /.well-known/jwks.json.
//
// Providers cache that set, so a rotated key is published at once but signed with only after a
// delay (an hour unless told otherwise), by when every provider has fetched the set again. The key
// it replaces is retired by the next rotation and stays published for a week after that.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose'
import type { Transaction } from 'kysely'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import type { AuditService } from '../audit/audit.service.js'
import type { ActionContext } from '../auth/principal.js'
import type { SecretBox } from '../../shared/secret-box.js'
import { inTransaction } from '../db/transaction.js'
import type { OidcRepository, StoredKey } from './oidc.repository.js'

export const SIGNING_ALG = 'RS256'
export const DEFAULT_ACTIVATION_MINUTES = 60
const PUBLISHED_AFTER_RETIRING_MS = 7 * 86_400_000
/** How long the JWKS may be cached; rotations must wait longer than this before signing. */
export const JWKS_MAX_AGE_SECONDS = 300

export type SigningKey = { kid: string; alg: string; key: CryptoKey }

export type Rotation = { kid: string; activatesAt: Date; retired: string[]; deleted: string[] }

export class SigningKeys {
  private readonly imported = new Map<string, Promise<CryptoKey>>()

  constructor(
    private readonly db: Db,
    private readonly repo: OidcRepository,
    private readonly audit: AuditService,
    private readonly box: SecretBox,
  ) {}

  private async create(
    trx: Transaction<CoreDatabase>,
    ctx: ActionContext,
    activatesAt: Date,
    reason: 'first' | 'rotation',
  ): Promise<StoredKey> {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 })
    const publicJwk = await exportJWK(publicKey)
    const kid = await calculateJwkThumbprint(publicJwk)
    const published = { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' }
    const sealed = this.box.seal(JSON.stringify(await exportJWK(privateKey)))
    await this.repo.insertKey(trx, {
      kid,
      alg: SIGNING_ALG,
      publicJwk: published,
      sealedPrivateJwk: sealed,
      activatesAt,
    })
    await this.audit.record(trx, ctx, {
      action: 'oidc.signing-key-created',
      targetType: 'signing-key',
      targetId: kid,
      details: { alg: SIGNING_ALG, reason, activatesAt: activatesAt.toISOString() },
    })
    return {
      kid,
      alg: SIGNING_ALG,
      publicJwk: published,
      sealedPrivateJwk: sealed,
      createdAt: new Date(),
      activatesAt,
      retiredAt: null,
    }
  }

  /** The newest key that is active now (keys are listed newest activation first). */
  private static signing(keys: StoredKey[]): StoredKey | undefined {
    const now = Date.now()
    return keys.find((k) => k.retiredAt === null && k.activatesAt.getTime() <= now)
  }

  /** The key to sign with now, made on first use. */
  async current(ctx: ActionContext): Promise<SigningKey> {
    let stored = SigningKeys.signing(await this.repo.keys(this.db))
    if (!stored) {
      stored = await inTransaction(this.db, async (trx) => {
        await this.repo.lockKeys(trx)
        return SigningKeys.signing(await this.repo.keys(trx)) ?? (await this.create(trx, ctx, new Date(), 'first'))
      })
    }
    return { kid: stored.kid, alg: stored.alg, key: await this.importPrivate(stored) }
  }

  private importPrivate(stored: StoredKey): Promise<CryptoKey> {
    let key = this.imported.get(stored.kid)
    if (!key) {
      const plain = this.box.open(stored.sealedPrivateJwk)
      if (!plain)
        throw new Error(`signing key ${stored.kid} cannot be opened: SESSION_SECRET has changed since it was made`)
      key = importJWK(JSON.parse(plain) as JWK, stored.alg) as Promise<CryptoKey>
      this.imported.set(stored.kid, key)
    }
    return key
  }

  /** The public keys: those not retired (including one waiting to become active) and those retired within a week. */
  async jwks(ctx: ActionContext): Promise<{ keys: JWK[] }> {
    await this.current(ctx)
    const cutoff = Date.now() - PUBLISHED_AFTER_RETIRING_MS
    const keys = (await this.repo.keys(this.db)).filter((k) => k.retiredAt === null || k.retiredAt.getTime() > cutoff)
    return { keys: keys.map((k) => k.publicJwk as JWK) }
  }

  /**
   * Makes a new key, published now and signed with after `activateAfterMinutes` (0 for at once, when a
   * key may have leaked; at once too when no key is in use yet). Keys older than the one in use are
   * retired, and those retired over a week ago deleted; with 0, the key in use is retired too.
   */
  async rotate(ctx: ActionContext, activateAfterMinutes = DEFAULT_ACTIVATION_MINUTES): Promise<Rotation> {
    if (!Number.isFinite(activateAfterMinutes) || activateAfterMinutes < 0)
      throw new Error('the activation delay must be zero or more minutes')
    return inTransaction(this.db, async (trx) => {
      await this.repo.lockKeys(trx)
      const before = await this.repo.keys(trx)
      const inUse = activateAfterMinutes === 0 ? undefined : SigningKeys.signing(before)
      // With no key in use there is nothing to wait for.
      const activatesAt = new Date(inUse ? Date.now() + activateAfterMinutes * 60_000 : Date.now())
      const created = await this.create(trx, ctx, activatesAt, 'rotation')
      const retired = before.filter((k) => k.retiredAt === null && k.kid !== inUse?.kid).map((k) => k.kid)
      await this.repo.retireKeys(trx, retired)
      const deleted = await this.repo.deleteKeysRetiredBefore(trx, new Date(Date.now() - PUBLISHED_AFTER_RETIRING_MS))
      await this.audit.record(trx, ctx, {
        action: 'oidc.signing-keys-rotated',
        targetType: 'signing-key',
        targetId: created.kid,
        details: { activatesAt: activatesAt.toISOString(), retired, deleted },
      })
      return { kid: created.kid, activatesAt, retired, deleted }
    })
  }
}

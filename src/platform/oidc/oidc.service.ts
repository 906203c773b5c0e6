// OpenID Connect sign-in as a relying party (openid-client): providers from the environment and
// from platform administrators, the authorization code flow with PKCE (S256), state and nonce
// (kept server-side, bound to the browser by a cookie), client authentication by private_key_jwt
// or client secret, the ScotAccount and staff profiles, linking identities to accounts, verified
// attributes after consent, and signing out at the provider too (RP-initiated logout).
import { actingAccountId } from '../auth/principal.js'
import * as client from 'openid-client'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { Logger } from 'pino'
import type { Config, OidcProviderConfig } from '../../config/config.js'
import type { Db } from '../db/database.js'
import type { AuditService } from '../audit/audit.service.js'
import type { JobQueue } from '../jobs/job-queue.js'
import type { SessionService } from '../auth/session.service.js'
import type { ActionContext } from '../auth/principal.js'
import { requireOrganisationAdmin, requirePlatformAdmin, requirePrincipal } from '../auth/authorisation.js'
import { DomainError, assertNoFieldErrors, type ErrorKind, type FieldErrors } from '../errors/domain-error.js'
import { inTransaction } from '../db/transaction.js'
import { SecretBox } from '../../shared/secret-box.js'
import { randomToken, safeEqual, sha256 } from '../../shared/crypto.js'
import { isValidEmail, normaliseEmail } from '../../shared/email.js'
import { OidcRepository } from './oidc.repository.js'
import { SigningKeys, type Rotation } from './signing-keys.js'
import {
  attributeScopes,
  attributeService,
  isAttributeName,
  readAttributes,
  type AttributeName,
  type AttributeService,
} from './attributes.js'
import type {
  AccountIdentity,
  AttemptPurpose,
  AttributeConsent,
  CallbackOutcome,
  IdentityDomain,
  LoginAttempt,
  OidcErrorCode,
  OidcProvider,
  RefusalCode,
} from './oidc.types.js'

const ATTEMPT_MINUTES = 10
const METADATA_TTL_MS = 3_600_000
const PROVIDER_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** The message-catalogue name of each refusal, for its page. */
export const refusalNames: Record<RefusalCode, string> = {
  OIDC_STATE_INVALID: 'stateInvalid',
  OIDC_ATTEMPT_EXPIRED: 'attemptExpired',
  OIDC_CODE_INVALID: 'codeInvalid',
  OIDC_NONCE_INVALID: 'nonceInvalid',
  OIDC_ISSUER_INVALID: 'issuerInvalid',
  OIDC_RESPONSE_INVALID: 'responseInvalid',
  OIDC_PROVIDER_REFUSED: 'providerRefused',
  OIDC_PROVIDER_UNAVAILABLE: 'providerUnavailable',
  OIDC_EMAIL_CLASH: 'emailClash',
  OIDC_EMAIL_MISSING: 'emailMissing',
  OIDC_NO_ORGANISATION: 'noOrganisation',
  OIDC_IDENTITY_TAKEN: 'identityTaken',
  OIDC_WRONG_PERSON: 'wrongPerson',
  OIDC_ATTRIBUTES_UNAVAILABLE: 'attributesUnavailable',
}

const refusalKinds: Record<RefusalCode, ErrorKind> = {
  OIDC_STATE_INVALID: 'invalid',
  OIDC_ATTEMPT_EXPIRED: 'gone',
  OIDC_CODE_INVALID: 'invalid',
  OIDC_NONCE_INVALID: 'invalid',
  OIDC_ISSUER_INVALID: 'invalid',
  OIDC_RESPONSE_INVALID: 'unavailable',
  OIDC_PROVIDER_REFUSED: 'unauthenticated',
  OIDC_PROVIDER_UNAVAILABLE: 'unavailable',
  OIDC_EMAIL_CLASH: 'conflict',
  OIDC_EMAIL_MISSING: 'forbidden',
  OIDC_NO_ORGANISATION: 'forbidden',
  OIDC_IDENTITY_TAKEN: 'conflict',
  OIDC_WRONG_PERSON: 'forbidden',
  OIDC_ATTRIBUTES_UNAVAILABLE: 'unavailable',
}

export function refusal(code: RefusalCode, logMessage?: string, cause?: unknown): DomainError<OidcErrorCode> {
  return new DomainError<OidcErrorCode>(code, refusalKinds[code], `oidc.refused.${refusalNames[code]}.text`, {
    logMessage: logMessage ?? code,
    cause,
  })
}

const notFound = () =>
  new DomainError<OidcErrorCode>('OIDC_PROVIDER_NOT_FOUND', 'not-found', 'There is no such sign-in provider')

export type ProviderInput = {
  id: string
  name: string
  issuer: string
  clientId: string
  auth: string
  clientSecret: string
  profile: string
  scopes: string
  attributesEndpoint: string
}

export type DomainView = IdentityDomain & { providerName: string }
export type IdentityView = AccountIdentity & { providerName: string; available: boolean }
export type ConsentView = AttributeConsent & { labelKey: string | null }

/** What the consent page needs: the service, what it asks for, and the provider that can vouch for it. */
export type AttributeRequest = { service: AttributeService; attributes: AttributeName[]; provider: OidcProvider | null }

/** The messages and codes of an error and its causes (not their data, which may quote any claim). */
function errorChain(error: unknown): string {
  const parts: string[] = []
  let current: unknown = error
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code
    parts.push(current.message, typeof code === 'string' ? code : '')
    current = current.cause
  }
  return parts.join(' | ')
}

function stringClaim(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null
}

export class OidcService {
  readonly keys: SigningKeys
  private readonly repo = new OidcRepository()
  private readonly metadataCache = new Map<string, { issuer: string; metadata: client.ServerMetadata; at: number }>()
  private readonly clientSecrets: SecretBox
  private readonly sealed: SecretBox
  /** Origins that forms may be redirected to (providers' sign-in and sign-out pages), for the CSP. */
  private readonly knownOrigins = new Set<string>()

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly sessions: SessionService,
    jobs: JobQueue,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.keys = new SigningKeys(db, this.repo, audit, new SecretBox(config.sessionSecret, 'oidc-keys'))
    this.clientSecrets = new SecretBox(config.sessionSecret, 'oidc-client-secrets')
    this.sealed = new SecretBox(config.sessionSecret, 'oidc-tokens')
    for (const p of config.oidcProviders) this.rememberOrigin(p.issuer)
    jobs.define({
      name: 'oidc.purge',
      cron: '29 * * * *',
      retryLimit: 1,
      handler: async () => {
        await this.repo.purge(this.db, new Date(Date.now() - config.sessionAbsoluteHours * 3_600_000))
      },
    })
  }

  private rememberOrigin(url: string | undefined | null): void {
    if (!url) return
    try {
      this.knownOrigins.add(new URL(url).origin)
    } catch {
      // not a URL: nothing to allow
    }
  }

  /**
   * Where a form post may end up: signing in, linking and signing out each answer a form with a
   * redirect to a provider, and browsers apply the CSP's form-action to that redirect too.
   */
  formActionOrigins(): string[] {
    return [...this.knownOrigins]
  }

  redirectUri(providerId: string): string {
    return `${this.config.baseUrl}/sign-in/oidc/${providerId}/callback`
  }

  get jwksUri(): string {
    return `${this.config.baseUrl}/.well-known/jwks.json`
  }

  // --- providers ---

  private fromConfig(p: OidcProviderConfig): OidcProvider {
    return {
      id: p.id,
      name: p.name,
      issuer: p.issuer,
      clientId: p.clientId,
      auth: p.auth,
      profile: p.profile,
      scopes: p.scopes,
      attributesEndpoint: p.attributesEndpoint,
      source: 'environment',
      createdAt: null,
    }
  }

  /** Every provider: those set by environment first, then those added by administrators. */
  async providers(): Promise<OidcProvider[]> {
    const fromEnv = this.config.oidcProviders.map((p) => this.fromConfig(p))
    const envIds = new Set(fromEnv.map((p) => p.id))
    const rows = await this.repo.providers(this.db)
    const fromDb = rows
      .filter((r) => !envIds.has(r.id))
      .map((r): OidcProvider => ({
        id: r.id,
        name: r.name,
        issuer: r.issuer,
        clientId: r.client_id,
        auth: r.auth_method,
        profile: r.profile,
        scopes: r.scopes,
        attributesEndpoint: r.attributes_endpoint,
        source: 'database',
        createdAt: r.created_at,
      }))
    for (const p of fromDb) this.rememberOrigin(p.issuer)
    return [...fromEnv, ...fromDb]
  }

  async provider(id: string): Promise<OidcProvider | null> {
    if (!PROVIDER_ID.test(id)) return null
    return (await this.providers()).find((p) => p.id === id) ?? null
  }

  private async clientSecret(p: OidcProvider): Promise<string> {
    if (p.source === 'environment') return this.config.oidcProviders.find((c) => c.id === p.id)?.clientSecret ?? ''
    const row = (await this.repo.providers(this.db)).find((r) => r.id === p.id)
    return row?.client_secret ? (this.clientSecrets.open(row.client_secret) ?? '') : ''
  }

  /** Plain http to a provider, for development and tests only; in production openid-client then refuses it. */
  private insecure(url: string): boolean {
    return url.startsWith('http:') && this.config.env !== 'production'
  }

  /** The provider's discovered metadata, cached for an hour; its issuer must be the one configured. */
  private async metadata(p: { id: string; issuer: string; clientId: string }): Promise<client.ServerMetadata> {
    const cached = this.metadataCache.get(p.id)
    if (cached && cached.issuer === p.issuer && Date.now() - cached.at < METADATA_TTL_MS) return cached.metadata
    try {
      const configuration = await client.discovery(new URL(p.issuer), p.clientId, undefined, undefined, {
        execute: this.insecure(p.issuer) ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      const metadata = configuration.serverMetadata()
      this.metadataCache.set(p.id, { issuer: p.issuer, metadata, at: Date.now() })
      this.rememberOrigin(metadata.authorization_endpoint)
      this.rememberOrigin(metadata.end_session_endpoint)
      return metadata
    } catch (error) {
      throw this.classify(error)
    }
  }

  private async configuration(p: OidcProvider, ctx: ActionContext): Promise<client.Configuration> {
    const metadata = await this.metadata(p)
    let auth: client.ClientAuth
    if (p.auth === 'private_key_jwt') {
      const signing = await this.keys.current(ctx)
      auth = client.PrivateKeyJwt({ key: signing.key, kid: signing.kid })
    } else {
      auth = client.ClientSecretBasic(await this.clientSecret(p))
    }
    const configuration = new client.Configuration(metadata, p.clientId, {}, auth)
    if (this.insecure(p.issuer)) client.allowInsecureRequests(configuration)
    configuration.timeout = 10
    return configuration
  }

  /** Turns what openid-client threw into a refusal a person can be shown. */
  private classify(error: unknown): DomainError<OidcErrorCode> {
    if (error instanceof DomainError) return error as DomainError<OidcErrorCode>
    const chain = errorChain(error)
    if (error instanceof client.AuthorizationResponseError)
      return refusal('OIDC_PROVIDER_REFUSED', `provider answered ${error.error}`, error)
    if (error instanceof client.ResponseBodyError) {
      if (error.error === 'invalid_grant')
        return refusal('OIDC_CODE_INVALID', `token endpoint: ${error.error} ${error.error_description ?? ''}`, error)
      this.logger.warn({ err: error }, 'OpenID Connect token endpoint refused the client')
      return refusal('OIDC_RESPONSE_INVALID', `token endpoint: ${error.error}`, error)
    }
    if (/"iss"|issuer/i.test(chain)) return refusal('OIDC_ISSUER_INVALID', chain, error)
    if (/"nonce"/.test(chain)) return refusal('OIDC_NONCE_INVALID', chain, error)
    if (/"state"/.test(chain)) return refusal('OIDC_STATE_INVALID', chain, error)
    if (
      /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|aborted|timeout|unexpected HTTP response status code|unexpected response content-type/i.test(
        chain,
      )
    ) {
      this.logger.warn({ err: error }, 'OpenID Connect provider unavailable')
      return refusal('OIDC_PROVIDER_UNAVAILABLE', chain, error)
    }
    this.logger.warn({ err: error }, 'OpenID Connect response refused')
    return refusal('OIDC_RESPONSE_INVALID', chain, error)
  }

  validateProvider(input: ProviderInput, existingIds: Set<string>): FieldErrors {
    const fields: FieldErrors = {}
    const production = this.config.env === 'production'
    const okUrl = (value: string) => {
      try {
        const url = new URL(value)
        return url.protocol === 'https:' || (url.protocol === 'http:' && !production)
      } catch {
        return false
      }
    }
    if (!PROVIDER_ID.test(input.id)) fields.id = 'validation.oidc.idFormat'
    else if (existingIds.has(input.id)) fields.id = 'validation.oidc.idTaken'
    if (input.name.trim() === '') fields.name = 'validation.oidc.nameRequired'
    else if (input.name.trim().length > 100) fields.name = 'validation.oidc.nameTooLong'
    if (input.issuer.trim() === '') fields.issuer = 'validation.oidc.issuerRequired'
    else if (!okUrl(input.issuer.trim())) fields.issuer = 'validation.oidc.issuerFormat'
    if (input.clientId.trim() === '') fields.clientId = 'validation.oidc.clientIdRequired'
    if (input.auth !== 'private_key_jwt' && input.auth !== 'client_secret_basic')
      fields.auth = 'validation.oidc.authRequired'
    else if (input.auth === 'client_secret_basic' && input.clientSecret === '')
      fields.clientSecret = 'validation.oidc.secretRequired'
    if (input.profile !== 'scotaccount' && input.profile !== 'staff') fields.profile = 'validation.oidc.profileRequired'
    const scopes = input.scopes.split(/\s+/).filter(Boolean)
    if (scopes.length > 20 || !scopes.every((s) => SCOPE.test(s))) fields.scopes = 'validation.oidc.scopesFormat'
    if (input.attributesEndpoint.trim() !== '' && !okUrl(input.attributesEndpoint.trim()))
      fields.attributesEndpoint = 'validation.oidc.endpointFormat'
    return fields
  }

  /** A platform administrator adds a provider; its discovery document must be readable and name the same issuer. */
  async addProvider(ctx: ActionContext, input: ProviderInput): Promise<OidcProvider> {
    const principal = requirePlatformAdmin(ctx)
    const existing = new Set((await this.providers()).map((p) => p.id))
    const fields = this.validateProvider(input, existing)
    assertNoFieldErrors('OIDC_INVALID', fields)
    const issuer = input.issuer.trim()
    try {
      await this.metadata({ id: `new:${input.id}`, issuer, clientId: input.clientId.trim() })
    } catch (error) {
      const code = error instanceof DomainError ? error.code : ''
      assertNoFieldErrors('OIDC_INVALID', {
        issuer: code === 'OIDC_ISSUER_INVALID' ? 'validation.oidc.issuerMismatch' : 'validation.oidc.issuerUnreachable',
      })
    } finally {
      this.metadataCache.delete(`new:${input.id}`)
    }
    const scopes = [...new Set(input.scopes.split(/\s+/).filter(Boolean))]
    return inTransaction(this.db, async (trx) => {
      const inserted = await this.repo.insertProvider(trx, {
        id: input.id,
        name: input.name.trim(),
        issuer,
        clientId: input.clientId.trim(),
        sealedSecret: input.auth === 'client_secret_basic' ? this.clientSecrets.seal(input.clientSecret) : null,
        auth: input.auth,
        profile: input.profile,
        scopes,
        attributesEndpoint: input.attributesEndpoint.trim() || null,
        createdBy: actingAccountId(principal),
      })
      if (!inserted) assertNoFieldErrors('OIDC_INVALID', { id: 'validation.oidc.idTaken' })
      await this.audit.record(trx, ctx, {
        action: 'oidc.provider-added',
        targetType: 'oidc-provider',
        targetId: input.id,
        details: { name: input.name.trim(), issuer, auth: input.auth, profile: input.profile, scopes },
      })
      const added = (await this.providers()).find((p) => p.id === input.id)
      if (!added) throw notFound()
      return added
    })
  }

  async removeProvider(ctx: ActionContext, id: string): Promise<void> {
    requirePlatformAdmin(ctx)
    const p = await this.provider(id)
    if (!p || p.source !== 'database') throw notFound()
    await inTransaction(this.db, async (trx) => {
      if (!(await this.repo.deleteProvider(trx, id))) throw notFound()
      await this.audit.record(trx, ctx, {
        action: 'oidc.provider-removed',
        targetType: 'oidc-provider',
        targetId: id,
        details: { name: p.name, issuer: p.issuer },
      })
    })
    this.metadataCache.delete(id)
  }

  // --- the flow ---

  private scopesFor(p: OidcProvider, purpose: AttemptPurpose, attributes: readonly AttributeName[]): string {
    const wanted =
      purpose === 'attributes'
        ? attributes.map((a) => attributeScopes[a])
        : p.scopes.length > 0
          ? p.scopes
          : p.profile === 'staff'
            ? ['email', 'profile']
            : []
    return [...new Set(['openid', ...wanted])].join(' ')
  }

  /**
   * Starts an authorization code flow: returns the provider's address to send the browser to.
   * `binding` is the random value of this browser's cookie; only that browser can finish the flow.
   */
  async begin(
    ctx: ActionContext,
    input: {
      providerId: string
      purpose: AttemptPurpose
      binding: string
      service?: string
      attributes?: AttributeName[]
      returnPath?: string | null
    },
  ): Promise<string> {
    const p = await this.provider(input.providerId)
    if (!p) throw notFound()
    const accountId = input.purpose === 'sign-in' ? null : requirePrincipal(ctx).accountId
    if (input.purpose === 'attributes' && (p.profile !== 'scotaccount' || !p.attributesEndpoint))
      throw refusal('OIDC_ATTRIBUTES_UNAVAILABLE')
    const configuration = await this.configuration(p, ctx)
    const state = client.randomState()
    const nonce = client.randomNonce()
    const verifier = client.randomPKCECodeVerifier()
    await this.repo.insertAttempt(this.db, {
      stateHash: sha256(state),
      bindingHash: sha256(input.binding),
      providerId: p.id,
      purpose: input.purpose,
      nonce,
      sealedVerifier: this.sealed.seal(verifier),
      accountId,
      service: input.service ?? null,
      attributes: input.attributes ?? [],
      returnPath: input.returnPath ?? null,
      expiresAt: new Date(Date.now() + ATTEMPT_MINUTES * 60_000),
    })
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri(p.id),
      scope: this.scopesFor(p, input.purpose, input.attributes ?? []),
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      ui_locales: ctx.locale === 'gd' ? 'gd en' : 'en',
    })
    return url.href
  }

  /** A new random value for the browser-binding cookie. */
  newBinding(): string {
    return randomToken()
  }

  /**
   * Finishes a flow at the callback: checks the state belongs to this browser and is fresh, then has
   * openid-client check the issuer, exchange the code (with the PKCE verifier and client
   * authentication) and verify the ID token and its nonce. Every refusal is audited.
   */
  async complete(
    ctx: ActionContext,
    providerId: string,
    currentUrl: URL,
    binding: string | null,
  ): Promise<CallbackOutcome> {
    const p = await this.provider(providerId)
    if (!p) throw notFound()
    try {
      return await this.completeFor(ctx, p, currentUrl, binding)
    } catch (error) {
      const refused = this.classify(error)
      if (refused.code in refusalNames) {
        await inTransaction(this.db, async (trx) => {
          await this.audit.record(trx, ctx, {
            action: 'oidc.sign-in-refused',
            targetType: 'oidc-provider',
            targetId: p.id,
            details: { code: refused.code, reason: refused.message.slice(0, 300) },
          })
        })
      }
      throw refused
    }
  }

  private async completeFor(
    ctx: ActionContext,
    p: OidcProvider,
    currentUrl: URL,
    binding: string | null,
  ): Promise<CallbackOutcome> {
    const state = currentUrl.searchParams.get('state')
    if (!state || state.length > 500) throw refusal('OIDC_STATE_INVALID', 'no state in the response')
    const attempt = await this.repo.findAttempt(this.db, sha256(state))
    if (!attempt || attempt.providerId !== p.id) throw refusal('OIDC_STATE_INVALID', 'unknown state')
    if (!binding || !safeEqual(sha256(binding), attempt.bindingHash))
      throw refusal('OIDC_STATE_INVALID', 'state was issued to another browser')
    if (attempt.usedAt) throw refusal('OIDC_STATE_INVALID', 'state already used')
    if (attempt.expiresAt.getTime() <= Date.now()) throw refusal('OIDC_ATTEMPT_EXPIRED', 'attempt expired')
    if (!(await this.repo.claimAttempt(this.db, attempt.stateHash)))
      throw refusal('OIDC_STATE_INVALID', 'state already used')
    const verifier = this.sealed.open(attempt.codeVerifier)
    if (!verifier) throw refusal('OIDC_STATE_INVALID', 'verifier cannot be opened')
    const configuration = await this.configuration(p, ctx)
    const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    if (!claims || !tokens.id_token) throw refusal('OIDC_RESPONSE_INVALID', 'no ID token')
    switch (attempt.purpose) {
      case 'sign-in':
        return this.signIn(ctx, p, configuration, tokens, claims, attempt)
      case 'link':
        return this.link(ctx, p, configuration, tokens, claims, attempt)
      case 'attributes':
        return this.shareAttributes(ctx, p, configuration, tokens, claims, attempt)
    }
  }

  private async staffClaims(
    configuration: client.Configuration,
    tokens: client.TokenEndpointResponse,
    claims: client.IDToken,
  ): Promise<{ email: string | null; emailVerified: boolean | null; name: string | null }> {
    let source: Record<string, unknown> = claims
    // Providers that follow the specification strictly put the profile claims in UserInfo only.
    if (!stringClaim(claims.email) && configuration.serverMetadata().userinfo_endpoint) {
      source = { ...(await client.fetchUserInfo(configuration, tokens.access_token, claims.sub)), ...claims }
    }
    const given = stringClaim(source.given_name)
    const family = stringClaim(source.family_name)
    return {
      email: stringClaim(source.email),
      emailVerified: typeof source.email_verified === 'boolean' ? source.email_verified : null,
      name: stringClaim(source.name) ?? (given || family ? [given, family].filter(Boolean).join(' ') : null),
    }
  }

  private async signIn(
    ctx: ActionContext,
    p: OidcProvider,
    configuration: client.Configuration,
    tokens: client.TokenEndpointResponse,
    claims: client.IDToken,
    attempt: LoginAttempt,
  ): Promise<CallbackOutcome> {
    const idToken = tokens.id_token!
    const done = (accountId: string, joined: string | null = null): CallbackOutcome => ({
      purpose: 'sign-in',
      accountId,
      providerId: p.id,
      idToken,
      returnPath: attempt.returnPath,
      joined,
    })
    const known = await this.repo.findIdentity(this.db, p.id, claims.sub)
    if (known) {
      await this.repo.touchIdentity(this.db, known.id)
      return done(known.accountId)
    }
    const anonymous = { ...ctx, principal: null }
    if (p.profile === 'scotaccount') {
      // The ID token carries only a subject: the account holds nothing else until a service needs it.
      const accountId = await inTransaction(this.db, async (trx) => {
        const id = await this.repo.insertAccount(trx, {
          email: '',
          emailNormalised: `oidc:${p.id}:${sha256(claims.sub).slice(0, 40)}`,
          displayName: '',
          locale: ctx.locale,
          emailVerified: false,
        })
        const identity = await this.repo.insertIdentity(trx, {
          accountId: id,
          providerId: p.id,
          subject: claims.sub,
          email: null,
        })
        if (!identity) throw refusal('OIDC_IDENTITY_TAKEN', 'identity linked by a concurrent sign-in')
        await this.audit.record(trx, anonymous, {
          action: 'account.registered',
          targetType: 'account',
          targetId: id,
          details: { method: `oidc:${p.id}` },
        })
        await this.audit.record(trx, anonymous, {
          action: 'account.identity-linked',
          targetType: 'account',
          targetId: id,
          details: { provider: p.id },
        })
        return id
      })
      return done(accountId)
    }
    const staff = await this.staffClaims(configuration, tokens, claims)
    if (!staff.email || !isValidEmail(staff.email) || staff.emailVerified === false)
      throw refusal('OIDC_EMAIL_MISSING', 'no verified email address from the provider')
    const email = staff.email
    const domain = normaliseEmail(email).split('@')[1] ?? ''
    const link = await this.repo.findDomain(this.db, p.id, domain)
    if (!link) throw refusal('OIDC_NO_ORGANISATION', `no organisation has linked ${domain} with ${p.id}`)
    // Never merge silently: the owner of the address signs in with their password and links this identity.
    if (await this.repo.accountByEmail(this.db, normaliseEmail(email)))
      throw refusal('OIDC_EMAIL_CLASH', 'an account already has this email address')
    try {
      const accountId = await inTransaction(this.db, async (trx) => {
        const id = await this.repo.insertAccount(trx, {
          email,
          emailNormalised: normaliseEmail(email),
          displayName: (staff.name ?? email.split('@')[0] ?? email).slice(0, 100),
          locale: ctx.locale,
          emailVerified: true,
        })
        const identity = await this.repo.insertIdentity(trx, {
          accountId: id,
          providerId: p.id,
          subject: claims.sub,
          email,
        })
        if (!identity) throw refusal('OIDC_IDENTITY_TAKEN', 'identity linked by a concurrent sign-in')
        await this.repo.joinWithoutRole(trx, link.organisationId, id)
        await this.audit.record(trx, anonymous, {
          action: 'account.registered',
          targetType: 'account',
          targetId: id,
          details: { email, method: `oidc:${p.id}`, verifiedBy: p.id },
        })
        await this.audit.record(trx, anonymous, {
          action: 'account.identity-linked',
          targetType: 'account',
          targetId: id,
          details: { provider: p.id },
        })
        await this.audit.record(trx, anonymous, {
          action: 'staff.joined-by-domain',
          organisationId: link.organisationId,
          targetType: 'account',
          targetId: id,
          details: { email, provider: p.id, domain, roles: [] },
        })
        return id
      })
      return done(accountId, link.organisationId)
    } catch (error) {
      // Two first sign-ins racing for one address: the loser is told, as for any clash.
      if ((error as { code?: unknown }).code === '23505')
        throw refusal('OIDC_EMAIL_CLASH', 'an account was made with this email address meanwhile', error)
      throw error
    }
  }

  private async link(
    ctx: ActionContext,
    p: OidcProvider,
    configuration: client.Configuration,
    tokens: client.TokenEndpointResponse,
    claims: client.IDToken,
    attempt: LoginAttempt,
  ): Promise<CallbackOutcome> {
    const principal = ctx.principal
    if (!principal || principal.accountId !== attempt.accountId)
      throw refusal('OIDC_WRONG_PERSON', 'linking was started by another account')
    const existing = await this.repo.findIdentity(this.db, p.id, claims.sub)
    if (existing && existing.accountId !== principal.accountId)
      throw refusal('OIDC_IDENTITY_TAKEN', 'identity is linked to another account')
    if (!existing) {
      // Shown beside the link so the person knows which of their accounts it is; ScotAccount's has none.
      const email = p.profile === 'staff' ? (await this.staffClaims(configuration, tokens, claims)).email : null
      await inTransaction(this.db, async (trx) => {
        const identity = await this.repo.insertIdentity(trx, {
          accountId: principal.accountId,
          providerId: p.id,
          subject: claims.sub,
          email,
        })
        if (!identity) throw refusal('OIDC_IDENTITY_TAKEN', 'identity linked by a concurrent request')
        await this.audit.record(trx, ctx, {
          action: 'account.identity-linked',
          targetType: 'account',
          targetId: principal.accountId,
          details: { provider: p.id },
        })
      })
    }
    return { purpose: 'link', accountId: principal.accountId, providerId: p.id, returnPath: attempt.returnPath }
  }

  private async shareAttributes(
    ctx: ActionContext,
    p: OidcProvider,
    configuration: client.Configuration,
    tokens: client.TokenEndpointResponse,
    claims: client.IDToken,
    attempt: LoginAttempt,
  ): Promise<CallbackOutcome> {
    const principal = ctx.principal
    if (!principal || principal.accountId !== attempt.accountId || !attempt.service)
      throw refusal('OIDC_WRONG_PERSON', 'attributes were asked for by another account')
    const identity = await this.repo.findIdentity(this.db, p.id, claims.sub)
    if (!identity || identity.accountId !== principal.accountId)
      throw refusal('OIDC_WRONG_PERSON', 'the provider signed in someone else')
    if (!p.attributesEndpoint) throw refusal('OIDC_ATTRIBUTES_UNAVAILABLE', 'no attributes endpoint')
    let body: unknown
    try {
      const response = await client.fetchProtectedResource(
        configuration,
        tokens.access_token,
        new URL(p.attributesEndpoint),
        'GET',
      )
      if (!response.ok) throw new Error(`attributes endpoint answered ${response.status}`)
      body = await response.json()
      const signed =
        (body as Record<string, unknown> | null)?.claimsToken ?? (body as Record<string, unknown> | null)?.claims_token
      if (typeof signed === 'string') body = await this.verifyClaimsToken(configuration, p, signed)
    } catch (error) {
      this.logger.warn({ err: error }, 'verified attributes could not be fetched')
      throw refusal('OIDC_ATTRIBUTES_UNAVAILABLE', errorChain(error), error)
    }
    const all = readAttributes(body)
    // Only what the service asked for is kept.
    const values: Record<string, string> = {}
    for (const a of attempt.attributes) {
      if (isAttributeName(a) && all[a]) values[a] = all[a]
    }
    const service = attempt.service
    await inTransaction(this.db, async (trx) => {
      await this.repo.upsertConsent(trx, {
        accountId: principal.accountId,
        service,
        providerId: p.id,
        attributes: Object.keys(values),
        sealedValues: this.sealed.seal(JSON.stringify(values)),
      })
      await this.audit.record(trx, ctx, {
        action: 'account.attributes-shared',
        targetType: 'account',
        targetId: principal.accountId,
        details: { service, provider: p.id, attributes: Object.keys(values) },
      })
    })
    return { purpose: 'attributes', accountId: principal.accountId, service, returnPath: attempt.returnPath }
  }

  /** A signed claims token from the attributes endpoint, checked against the provider's own keys. */
  private async verifyClaimsToken(
    configuration: client.Configuration,
    p: OidcProvider,
    token: string,
  ): Promise<Record<string, unknown>> {
    const jwksUri = configuration.serverMetadata().jwks_uri
    if (!jwksUri) throw new Error('the provider publishes no keys to check the claims token with')
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(jwksUri)), { issuer: p.issuer })
    return payload
  }

  // --- sessions and signing out ---

  /** Remembers the ID token of a provider sign-in, to send back as id_token_hint on signing out. */
  async rememberSession(sessionToken: string, accountId: string, providerId: string, idToken: string): Promise<void> {
    await this.repo.insertSession(this.db, {
      accountId,
      providerId,
      sessionIdHash: sha256(sessionToken),
      sealedIdToken: this.sealed.seal(idToken),
    })
  }

  /** For a session begun at a provider: the provider's end-session address to send the browser on to, or null. */
  async endSessionUrl(sessionToken: string, ctx: ActionContext): Promise<string | null> {
    const session = await this.sessions.resolve(sessionToken)
    const providerId = session ? /^oidc:([a-z0-9-]+)/.exec(session.method)?.[1] : undefined
    if (!session || !providerId) return null
    try {
      const p = await this.provider(providerId)
      if (!p) return null
      const sealedToken = await this.repo.takeSession(this.db, session.accountId, p.id, sha256(sessionToken))
      const idToken = sealedToken ? this.sealed.open(sealedToken) : null
      const configuration = await this.configuration(p, ctx)
      if (!configuration.serverMetadata().end_session_endpoint) return null
      return client.buildEndSessionUrl(configuration, {
        post_logout_redirect_uri: `${this.config.baseUrl}/signed-out`,
        ...(idToken ? { id_token_hint: idToken } : {}),
      }).href
    } catch (error) {
      // Signing out of Còmhla never waits on the provider.
      this.logger.warn({ err: error }, 'could not sign out at the OpenID Connect provider')
      return null
    }
  }

  // --- linked identities ---

  async identities(ctx: ActionContext): Promise<IdentityView[]> {
    const principal = requirePrincipal(ctx)
    const providers = await this.providers()
    return (await this.repo.identitiesOf(this.db, principal.accountId)).map((i) => {
      const p = providers.find((x) => x.id === i.providerId)
      return { ...i, providerName: p?.name ?? i.providerId, available: p !== undefined }
    })
  }

  /** Removes a linked identity, unless it is the only way left to sign in. */
  async unlink(ctx: ActionContext, identityId: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    if (!/^[0-9a-f-]{36}$/i.test(identityId))
      throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'There is no such sign-in method')
    await inTransaction(this.db, async (trx) => {
      const identities = await this.repo.identitiesOf(trx, principal.accountId)
      if (!identities.some((i) => i.id === identityId))
        throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'There is no such sign-in method')
      if (identities.length <= 1 && !(await this.repo.hasPassword(trx, principal.accountId))) {
        throw new DomainError<OidcErrorCode>('OIDC_LAST_METHOD', 'conflict', 'validation.oidc.lastMethod', {
          fields: { identity: 'validation.oidc.lastMethod' },
        })
      }
      const removed = await this.repo.deleteIdentity(trx, principal.accountId, identityId)
      if (!removed)
        throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'There is no such sign-in method')
      await this.audit.record(trx, ctx, {
        action: 'account.identity-unlinked',
        targetType: 'account',
        targetId: principal.accountId,
        details: { provider: removed.providerId },
      })
    })
  }

  // --- email domains that let staff join a body ---

  async domains(ctx: ActionContext, organisationId: string): Promise<DomainView[]> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:read')
    const providers = await this.providers()
    return (await this.repo.domainsOf(this.db, organisationId)).map((d) => ({
      ...d,
      providerName: providers.find((p) => p.id === d.providerId)?.name ?? d.providerId,
    }))
  }

  /**
   * Links a staff provider and an email domain to a body: new people from that domain who sign in
   * with that provider join it with no role. An organisation administrator may link only the domain
   * of their own email address (or a parent of it); platform administrators any.
   */
  async addDomain(
    ctx: ActionContext,
    organisationId: string,
    input: { providerId: string; domain: string },
  ): Promise<IdentityDomain> {
    const principal = requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    const fields: FieldErrors = {}
    const p = input.providerId ? await this.provider(input.providerId) : null
    if (!p || p.profile !== 'staff') fields.providerId = 'validation.oidc.providerRequired'
    const domain = input.domain.trim().toLowerCase().replace(/^@/, '')
    const ownDomain = normaliseEmail(principal.email).split('@')[1] ?? ''
    if (domain === '') fields.domain = 'validation.oidc.domainRequired'
    else if (!DOMAIN.test(domain)) fields.domain = 'validation.oidc.domainFormat'
    else if (!principal.isPlatformAdmin && ownDomain !== domain && !ownDomain.endsWith(`.${domain}`))
      fields.domain = 'validation.oidc.domainNotYours'
    assertNoFieldErrors('OIDC_INVALID', fields)
    return inTransaction(this.db, async (trx) => {
      const added = await this.repo.insertDomain(trx, {
        organisationId,
        providerId: p!.id,
        domain,
        createdBy: actingAccountId(principal),
      })
      if (!added)
        throw new DomainError<OidcErrorCode>('OIDC_INVALID', 'conflict', 'validation.oidc.domainTaken', {
          fields: { domain: 'validation.oidc.domainTaken' },
        })
      await this.audit.record(trx, ctx, {
        action: 'oidc.domain-linked',
        organisationId,
        targetType: 'identity-domain',
        targetId: added.id,
        details: { provider: p!.id, domain },
      })
      return added
    })
  }

  async removeDomain(ctx: ActionContext, organisationId: string, id: string): Promise<void> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    if (!/^[0-9a-f-]{36}$/i.test(id))
      throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'There is no such link')
    await inTransaction(this.db, async (trx) => {
      const removed = await this.repo.deleteDomain(trx, organisationId, id)
      if (!removed) throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'There is no such link')
      await this.audit.record(trx, ctx, {
        action: 'oidc.domain-unlinked',
        organisationId,
        targetType: 'identity-domain',
        targetId: id,
        details: { provider: removed.providerId, domain: removed.domain },
      })
    })
  }

  // --- verified attributes ---

  /** Checks a service's request for attributes; the provider is the person's linked ScotAccount-profile one, if any. */
  async attributeRequest(ctx: ActionContext, serviceId: string, attributesParam: string): Promise<AttributeRequest> {
    const principal = requirePrincipal(ctx)
    const service = attributeService(serviceId)
    if (!service) throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'There is no such service')
    const asked = [...new Set(attributesParam.split(/[\s,]+/).filter(Boolean))]
    const attributes = asked.filter((a): a is AttributeName => isAttributeName(a) && service.attributes.includes(a))
    if (attributes.length === 0 || attributes.length !== asked.length) {
      throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'This service cannot ask for those details')
    }
    const linked = new Set((await this.repo.identitiesOf(this.db, principal.accountId)).map((i) => i.providerId))
    const provider =
      (await this.providers()).find((p) => p.profile === 'scotaccount' && p.attributesEndpoint && linked.has(p.id)) ??
      null
    return { service, attributes, provider }
  }

  async consents(ctx: ActionContext): Promise<ConsentView[]> {
    const principal = requirePrincipal(ctx)
    return (await this.repo.consents(this.db, principal.accountId)).map((c) => ({
      service: c.service,
      providerId: c.providerId,
      attributes: c.attributes,
      values: JSON.parse(this.sealed.open(c.sealedValues) ?? '{}') as Record<string, string>,
      consentedAt: c.consentedAt,
      labelKey: attributeService(c.service)?.labelKey ?? null,
    }))
  }

  /** What the person agreed to share with a service, for that service to use; null when nothing. */
  async sharedAttributes(accountId: string, serviceId: string): Promise<Partial<Record<AttributeName, string>> | null> {
    const found = (await this.repo.consents(this.db, accountId)).find((c) => c.service === serviceId)
    if (!found) return null
    return JSON.parse(this.sealed.open(found.sealedValues) ?? '{}') as Partial<Record<AttributeName, string>>
  }

  async withdrawConsent(ctx: ActionContext, serviceId: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    await inTransaction(this.db, async (trx) => {
      if (!(await this.repo.deleteConsent(trx, principal.accountId, serviceId)))
        throw new DomainError<OidcErrorCode>('OIDC_NOT_FOUND', 'not-found', 'Nothing is shared with this service')
      await this.audit.record(trx, ctx, {
        action: 'account.attributes-withdrawn',
        targetType: 'account',
        targetId: principal.accountId,
        details: { service: serviceId },
      })
    })
  }
}

/** `comhla keys rotate`: a new signing key for private_key_jwt, published now and used after a delay. */
export async function rotateSigningKeys(
  kernel: { oidc: OidcService },
  ctx: ActionContext,
  activateAfterMinutes?: number,
): Promise<Rotation> {
  return kernel.oidc.keys.rotate(ctx, activateAfterMinutes)
}

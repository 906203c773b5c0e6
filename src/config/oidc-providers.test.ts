import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError, loadConfig } from './config.js'

const scotAccount = {
  id: 'scotaccount',
  name: 'ScotAccount',
  issuer: 'https://authz.signin.scotaccount.service.gov.scot',
  clientId: 'comhla',
  auth: 'private_key_jwt',
  profile: 'scotaccount',
  attributesEndpoint: 'https://issuer.main.scotaccount.service.gov.scot/attributes/values',
}
const entra = {
  id: 'fife-entra',
  name: 'Fife Council',
  issuer: 'https://login.microsoftonline.com/tenant/v2.0',
  clientId: 'abc',
  clientSecret: 's3cret',
  auth: 'client_secret_basic',
  profile: 'staff',
  scopes: ['openid', 'email', 'profile'],
}

function problems(value: unknown, env: Record<string, string> = {}): string[] {
  try {
    loadConfig({ OIDC_PROVIDERS: JSON.stringify(value), ...env })
    return []
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    return error.problems
  }
}

describe('OpenID Connect providers from the environment', () => {
  it('has none unless OIDC_PROVIDERS is set', () => {
    assert.deepEqual(loadConfig({}).oidcProviders, [])
  })

  it('reads a list of providers', () => {
    const { oidcProviders } = loadConfig({ OIDC_PROVIDERS: JSON.stringify([scotAccount, entra]) })
    assert.equal(oidcProviders.length, 2)
    assert.deepEqual(oidcProviders[0], { ...scotAccount, clientSecret: null, scopes: [] })
    assert.equal(oidcProviders[1]!.clientSecret, 's3cret')
    assert.deepEqual(oidcProviders[1]!.scopes, ['openid', 'email', 'profile'])
    assert.ok(Object.isFrozen(oidcProviders[0]))
  })

  it('names each problem with the provider it belongs to', () => {
    assert.deepEqual(problems('not a list'), ['OIDC_PROVIDERS must be a JSON array of providers'])
    assert.throws(() => loadConfig({ OIDC_PROVIDERS: '[{' }), /OIDC_PROVIDERS must be a JSON array/)
    assert.deepEqual(problems([{ ...entra, id: 'Fife Council' }]), [
      'OIDC_PROVIDERS[0].id must be 1 to 40 lower-case letters, digits or hyphens (got "Fife Council")',
    ])
    assert.deepEqual(problems([entra, entra]), ['OIDC_PROVIDERS[1].id "fife-entra" is used by another provider'])
    assert.deepEqual(problems([{ ...entra, clientSecret: undefined }]), [
      'OIDC_PROVIDERS[0].clientSecret is required when auth is client_secret_basic',
    ])
    assert.deepEqual(problems([{ ...entra, auth: 'none', profile: 'citizens' }]), [
      'OIDC_PROVIDERS[0].auth must be private_key_jwt or client_secret_basic',
      'OIDC_PROVIDERS[0].profile must be scotaccount or staff',
    ])
    assert.deepEqual(problems([{ ...entra, scopes: 'openid email' }]), [
      'OIDC_PROVIDERS[0].scopes must be an array of scope names',
    ])
    assert.deepEqual(problems([{ ...scotAccount, issuer: 'not a url', attributesEndpoint: 'ftp://x' }]), [
      'OIDC_PROVIDERS[0].issuer must be an http or https address',
      'OIDC_PROVIDERS[0].attributesEndpoint must be an http or https address',
    ])
  })

  it('insists on https in production', () => {
    const production = {
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      DATABASE_URL: 'postgres://db/comhla',
      BASE_URL: 'https://comhla.example.scot',
    }
    assert.deepEqual(problems([{ ...entra, issuer: 'http://login.example' }], production), [
      'OIDC_PROVIDERS[0].issuer must be an https address',
    ])
    assert.equal(problems([entra], production).length, 0)
  })
})

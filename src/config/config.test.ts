import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigError, loadConfig } from './config.js'

describe('configuration', () => {
  it('starts with no configuration on the embedded database at localhost:3000', () => {
    const config = loadConfig({})
    assert.equal(config.port, 3000)
    assert.equal(config.baseUrl, 'http://localhost:3000')
    assert.equal(config.databaseUrl, null)
    assert.equal(config.env, 'development')
    assert.ok(config.sessionSecret.length >= 32)
    assert.ok(Object.isFrozen(config))
  })

  it('refuses to start in production without its secrets, naming each one', () => {
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.ok(error.problems.some((p) => p.includes('SESSION_SECRET')))
        assert.ok(error.problems.some((p) => p.includes('DATABASE_URL')))
        assert.ok(error.problems.some((p) => p.includes('BASE_URL')))
        return true
      },
    )
  })

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      DATABASE_URL: 'postgres://db/comhla',
      BASE_URL: 'https://comhla.example.scot/',
    })
    assert.equal(config.baseUrl, 'https://comhla.example.scot')
    assert.equal(config.host, '0.0.0.0')
  })

  it('explains malformed values', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), /PORT must be a whole number/)
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must start with postgres/)
    assert.throws(() => loadConfig({ SESSION_SECRET: 'short' }), /at least 32 characters/)
    assert.throws(() => loadConfig({ SMTP_HOST: 'mail', SMTP_SECURE: 'perhaps' }), /SMTP_SECURE must be true or false/)
  })
})

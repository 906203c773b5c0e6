import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { attributeRequestPath, readAttributes } from './attributes.js'

describe('verified attributes', () => {
  it('reads plain claims', () => {
    assert.deepEqual(
      readAttributes({ name: 'Morag MacLeod', email: 'morag@example.scot', address: '1 Cromwell Street, Stornoway' }),
      {
        name: 'Morag MacLeod',
        email: 'morag@example.scot',
        address: '1 Cromwell Street, Stornoway',
      },
    )
  })

  it('reads verified claims, structured addresses and lists of addresses', () => {
    assert.deepEqual(
      readAttributes({
        verified_claims: { claims: { given_name: 'Iain', family_name: 'Morrison' } },
        addresses: [{ street_address: '2 Bayhead', locality: 'Stornoway', postal_code: 'HS1 2DU' }],
      }),
      {
        name: 'Iain Morrison',
        address: '2 Bayhead, Stornoway, HS1 2DU',
      },
    )
    assert.deepEqual(readAttributes({ address: { formatted: 'Flat 1, 3 Kenneth Street' } }), {
      address: 'Flat 1, 3 Kenneth Street',
    })
  })

  it('ignores what it does not understand', () => {
    assert.deepEqual(readAttributes(null), {})
    assert.deepEqual(readAttributes({ name: '', email: 'not an address', address: 42, other: 'x' }), {})
  })

  it('makes the address a service sends a person to', () => {
    assert.equal(
      attributeRequestPath('blue-badge', ['name', 'address'], '/apply?step=2'),
      '/account/verified-attributes/blue-badge?attributes=name+address&return=%2Fapply%3Fstep%3D2',
    )
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { sign, verify } from './signature.js'

describe('webhook signatures', () => {
  const body = '{"event":"consultation.closed"}'
  const at = new Date('2026-11-28T10:00:00Z')

  it('verifies a signature made with the same secret over the same body', () => {
    const header = sign('s3cret', body, at)
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/)
    assert.equal(verify('s3cret', body, header, at), true)
  })

  it('refuses another secret, a changed body, an old signature and nonsense', () => {
    const header = sign('s3cret', body, at)
    assert.equal(verify('other', body, header, at), false)
    assert.equal(verify('s3cret', body.replace('closed', 'opened'), header, at), false)
    assert.equal(verify('s3cret', body, header, new Date(at.getTime() + 600_000)), false)
    assert.equal(verify('s3cret', body, 'v1=abc', at), false)
    assert.equal(verify('s3cret', body, undefined, at), false)
  })
})

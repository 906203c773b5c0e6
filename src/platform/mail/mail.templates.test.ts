import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mailTemplates, registerMailTemplates, renderMail } from './mail.templates.js'

describe('mail templates', () => {
  it('renders a template a module registered, in either language', () => {
    registerMailTemplates({
      'example.thanks': {
        placeholders: ['name'],
        en: { subject: 'Thank you, ((name))', body: 'Dear ((name)),\n\nThank you.' },
        gd: { subject: 'Tapadh leat, ((name))', body: 'A ((name)),\n\nTapadh leat.' },
        gaelicAwaitingReview: true,
      },
    })
    assert.deepEqual(renderMail('example.thanks', 'gd', { name: 'Màiri' }), {
      subject: 'Tapadh leat, Màiri',
      body: 'A Màiri,\n\nTapadh leat.',
    })
    assert.equal(mailTemplates().get('example.thanks')?.gaelicAwaitingReview, true)
  })

  it('refuses a template whose text uses a placeholder it does not declare', () => {
    assert.throws(
      () =>
        registerMailTemplates({
          'example.broken': {
            placeholders: [],
            en: { subject: 'Hello ((name))', body: 'x' },
            gd: { subject: 'Halò', body: 'x' },
          },
        }),
      /undeclared \(\(name\)\)/,
    )
  })

  it('refuses to render an unknown template or one missing a value', () => {
    assert.throws(() => renderMail('example.nothing', 'en', {}), /No email template/)
    assert.throws(() => renderMail('verify-email', 'en', { name: 'A' }), /needs \(\(link\)\)/)
  })

  it('flags the kernel templates whose Gaelic awaits review', () => {
    assert.equal(mailTemplates().get('verify-email')?.gaelicAwaitingReview, true)
  })
})

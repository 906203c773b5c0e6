import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { instantToLondon, londonToInstant, statusAt } from './consultation.dates.js'
import { checkAnswer, checkRespondent } from './consultation.answers.js'
import type { Question } from './consultation.types.js'

describe('London dates', () => {
  it('reads winter times as GMT and summer times as BST', () => {
    assert.equal(londonToInstant('2027-01-15', '09:00')?.toISOString(), '2027-01-15T09:00:00.000Z')
    assert.equal(londonToInstant('2027-07-15', '09:00')?.toISOString(), '2027-07-15T08:00:00.000Z')
    assert.equal(londonToInstant('15/07/2027', '23:59')?.toISOString(), '2027-07-15T22:59:00.000Z')
  })

  it('handles the hours when the clocks change', () => {
    // 28 March 2027: 01:00 GMT becomes 02:00 BST, so 01:30 does not exist and is read an hour later.
    assert.equal(londonToInstant('2027-03-28', '01:30')?.toISOString(), '2027-03-28T01:30:00.000Z')
    assert.equal(londonToInstant('2027-03-28', '00:30')?.toISOString(), '2027-03-28T00:30:00.000Z')
    assert.equal(londonToInstant('2027-03-28', '03:00')?.toISOString(), '2027-03-28T02:00:00.000Z')
    // 31 October 2027: 01:30 happens twice; the first (BST) is taken.
    assert.equal(londonToInstant('2027-10-31', '01:30')?.toISOString(), '2027-10-31T00:30:00.000Z')
  })

  it('refuses dates and times that do not exist', () => {
    for (const [d, t] of [
      ['2027-02-30', '09:00'],
      ['31/04/2027', '09:00'],
      ['2027-13-01', '09:00'],
      ['2027-01-01', '24:00'],
      ['2027-01-01', '9'],
      ['', ''],
      ['tomorrow', 'noon'],
    ] as const) {
      assert.equal(londonToInstant(d, t), null, `${d} ${t}`)
    }
  })

  it('shows an instant as London date and time fields', () => {
    assert.deepEqual(instantToLondon(new Date('2027-07-15T08:00:00Z')), { date: '2027-07-15', time: '09:00' })
    assert.deepEqual(instantToLondon(new Date('2027-01-15T23:30:00Z')), { date: '2027-01-15', time: '23:30' })
  })
})

describe('consultation status', () => {
  const opensAt = new Date('2027-03-01T09:00:00Z')
  const closesAt = new Date('2027-06-01T09:00:00Z')
  const published = { publishedAt: new Date('2027-02-01T00:00:00Z'), opensAt, closesAt }

  it('is draft until published, whatever the dates', () => {
    assert.equal(statusAt({ ...published, publishedAt: null }, new Date('2027-04-01T00:00:00Z')), 'draft')
  })

  it('is forthcoming, open and closed by the dates once published', () => {
    assert.equal(statusAt(published, new Date('2027-02-28T09:00:00Z')), 'forthcoming')
    assert.equal(statusAt(published, new Date('2027-03-01T08:59:59.999Z')), 'forthcoming')
    assert.equal(statusAt(published, opensAt), 'open')
    assert.equal(statusAt(published, new Date('2027-06-01T08:59:59.999Z')), 'open')
    assert.equal(statusAt(published, closesAt), 'closed')
  })
})

describe('answers', () => {
  const q = (type: Question['type'], extra: Partial<Question> = {}): Question => ({
    id: 'q',
    consultationId: 'c',
    position: 1,
    type,
    title: 'Q',
    hint: '',
    required: true,
    maxLength: null,
    options: ['Yes', 'No'],
    sectionId: null,
    rows: [],
    allowOther: false,
    minValue: null,
    maxValue: null,
    condition: null,
    ...extra,
  })

  it('checks each question type', () => {
    assert.equal(checkAnswer(q('short-text'), '  ').error, 'consultations.answer.required')
    assert.equal(checkAnswer(q('short-text', { required: false }), '').error, undefined)
    assert.equal(checkAnswer(q('long-text', { maxLength: 5 }), '123456').error, 'consultations.answer.tooLong')
    assert.equal(checkAnswer(q('long-text', { maxLength: 5 }), '12345').value, '12345')
    assert.equal(checkAnswer(q('single-choice'), 'Maybe').error, 'consultations.answer.chooseFromList')
    assert.equal(checkAnswer(q('single-choice'), '').error, 'consultations.answer.chooseOne')
    assert.deepEqual(checkAnswer(q('multiple-choice'), ['No', 'Yes', 'No']).value, ['Yes', 'No'])
    assert.equal(checkAnswer(q('multiple-choice'), []).error, 'consultations.answer.chooseAtLeastOne')
    assert.equal(checkAnswer(q('email'), 'not-an-email').error, 'consultations.answer.email')
    assert.equal(checkAnswer(q('postcode'), 'ky11aa').value, 'KY1 1AA')
    assert.equal(checkAnswer(q('postcode'), 'EH1 3DG').value, 'EH1 3DG')
    assert.equal(checkAnswer(q('postcode'), '12345').error, 'consultations.answer.postcode')
    assert.equal(checkAnswer(q('number'), '1,200.5').value, '1200.5')
    assert.equal(checkAnswer(q('number'), 'twelve').error, 'consultations.answer.number')
  })

  it('checks the Respondent Information Form', () => {
    const empty = checkRespondent({
      respondentType: '',
      name: '',
      organisationName: '',
      email: '',
      publication: '',
      mayContact: '',
    })
    assert.deepEqual(Object.keys(empty.errors).sort(), ['mayContact', 'name', 'publication', 'respondentType'])
    const noEmail = checkRespondent({
      respondentType: 'organisation',
      name: 'A',
      organisationName: '',
      email: '',
      publication: 'do-not-publish',
      mayContact: 'yes',
    })
    assert.deepEqual(Object.keys(noEmail.errors).sort(), ['email', 'organisationName'])
    const ok = checkRespondent({
      respondentType: 'individual',
      name: ' Ailsa  Craig ',
      organisationName: 'ignored',
      email: '',
      publication: 'publish-without-name',
      mayContact: 'no',
    })
    assert.deepEqual(ok.respondent, {
      respondentType: 'individual',
      name: 'Ailsa Craig',
      organisationName: '',
      email: '',
      publication: 'publish-without-name',
      mayContact: false,
    })
  })
})

import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Question } from '../consultation.types.js'
import { checkCsv, parseDay } from './offline.input.js'

const question = (id: string, type: string, title: string, options: string[] = []) =>
  ({
    id,
    consultationId: 'c',
    position: 1,
    type,
    title,
    hint: '',
    required: true,
    maxLength: null,
    options,
  }) as Question

const questions = [
  question('11111111-1111-1111-1111-111111111111', 'long-text', 'How could the service improve?'),
  question('22222222-2222-2222-2222-222222222222', 'single-choice', 'How often?', ['Every day', 'Rarely']),
  question('33333333-3333-3333-3333-333333333333', 'postcode', 'Your postcode'),
]
const dates = { opensOn: '2026-11-01', today: '2026-11-28' }
const HEADER = 'channel,received_date,respondent_type,name,organisation_name,email,publication,may_contact,q1,q2,q3'

describe('offline responses from a CSV file', () => {
  it('reads dates written either way, and refuses days that do not exist', () => {
    assert.equal(parseDay('27/11/2026'), '2026-11-27')
    assert.equal(parseDay('2026-11-27'), '2026-11-27')
    assert.equal(parseDay('31/02/2026'), null)
    assert.equal(parseDay('yesterday'), null)
  })

  it('accepts a good file, cleaning answers as online ones are, with no question required', () => {
    const { rows, errors } = checkCsv(
      [
        HEADER,
        'post,27/11/2026,individual,Ailsa Craig,,,publish-with-name,no,"Buses, more of them",Every day,ky11aa',
        'EMAIL,2026-11-02,organisation,Morag,Fife Bus Users,morag@example.com,do-not-publish,yes,,,',
      ].join('\n'),
      questions,
      dates,
    )
    assert.deepEqual(errors, [])
    assert.equal(rows.length, 2)
    assert.equal(rows[0]!.channel, 'post')
    assert.equal(rows[0]!.receivedOn, '2026-11-27')
    assert.equal(rows[0]!.answers[questions[2]!.id], 'KY1 1AA')
    assert.equal(rows[0]!.answers[questions[0]!.id], 'Buses, more of them')
    assert.deepEqual(rows[1]!.answers, {}, 'unanswered questions are left out')
    assert.equal(rows[1]!.respondent.organisationName, 'Fife Bus Users')
  })

  it('reports every problem by row and column and accepts nothing from a file with any problem', () => {
    const { rows, errors } = checkCsv(
      [
        HEADER,
        'post,27/11/2026,individual,Ailsa Craig,,,publish-with-name,no,Fine,Every day,KY1 1AA',
        'pigeon,31/02/2026,individual,,,,maybe,no,Fine,Sometimes,NOT A POSTCODE',
        'email,2027-01-01,individual,Bob,,,publish-with-name,yes,,,',
      ].join('\n'),
      questions,
      dates,
    )
    assert.deepEqual(rows, [], 'nothing is accepted when any row is wrong')
    const found = errors.map((e) => `${e.row}:${e.column}:${e.message}`)
    for (const expected of [
      '3:channel:consultations.offline.error.channel',
      '3:received_date:consultations.offline.error.receivedReal',
      '3:name:consultations.rif.error.name',
      '3:publication:consultations.rif.error.publication',
      '3:q2:consultations.answer.chooseFromList',
      '3:q3:consultations.answer.postcode',
      '4:received_date:consultations.offline.error.receivedFuture',
      '4:email:consultations.rif.error.emailForContact',
    ])
      assert.ok(found.includes(expected), `${expected} in ${found.join(' | ')}`)
    assert.ok(!found.some((f) => f.startsWith('2:')), 'the good row has no errors')
  })

  it('checks the header: unknown, repeated and missing columns', () => {
    const { errors } = checkCsv('channel,channel,colour,q1: How could it improve?\npost,post,red,x', questions, dates)
    const found = errors.map((e) => `${e.row}:${e.column}:${e.message}`)
    assert.ok(found.includes('1:channel:consultations.offline.error.repeatedColumn'))
    assert.ok(found.includes('1:colour:consultations.offline.error.unknownColumn'))
    assert.ok(found.includes('1:received_date:consultations.offline.error.missingColumn'))
    assert.ok(!found.some((f) => f.includes('q1')), '"q1: title" is read as q1')
  })
})

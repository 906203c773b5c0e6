import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { OTHER, checkAnswer, checkAnswers, checkDate, otherKey } from './consultation.answers.js'
import {
  groupQuestions,
  orderQuestions,
  pagesOf,
  pruneAnswers,
  visibleQuestions,
} from './consultation.questionnaire.js'
import type { Question, Section } from './consultation.types.js'

let position = 0
const q = (id: string, type: Question['type'], extra: Partial<Question> = {}): Question => ({
  id,
  consultationId: 'c',
  position: ++position,
  type,
  title: id,
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
const section = (id: string, pos: number): Section => ({ id, consultationId: 'c', position: pos, title: id, intro: '' })

describe('the questionnaire', () => {
  const s1 = section('s1', 2)
  const s2 = section('s2', 1)
  const drives = q('drives', 'single-choice', { sectionId: 's1' })
  const car = q('car', 'short-text', { sectionId: 's1', condition: { questionId: 'drives', value: 'Yes' } })
  const intro = q('intro', 'short-text')
  const later = q('later', 'number', { sectionId: 's2' })
  const questions = [drives, car, intro, later]
  const sections = [s1, s2]

  it('orders questions outside sections first, then each section in its order', () => {
    assert.deepEqual(
      orderQuestions(questions, sections).map((x) => x.id),
      ['intro', 'later', 'drives', 'car'],
    )
  })

  it('shows a question only when the earlier answer has the value, and keeps no answer to a skipped one', () => {
    const ordered = orderQuestions(questions, sections)
    assert.deepEqual(
      visibleQuestions(ordered, { drives: 'No' }).map((x) => x.id),
      ['intro', 'later', 'drives'],
    )
    assert.deepEqual(
      visibleQuestions(ordered, { drives: 'Yes' }).map((x) => x.id),
      ['intro', 'later', 'drives', 'car'],
    )
    assert.deepEqual(pruneAnswers(ordered, { drives: 'No', car: 'A Skoda', intro: 'Hi' }), {
      drives: 'No',
      intro: 'Hi',
    })
    // A condition on a later question never holds.
    const backwards = orderQuestions([{ ...car, sectionId: null }, drives], sections)
    assert.deepEqual(
      visibleQuestions(backwards, { drives: 'Yes' }).map((x) => x.id),
      ['drives'],
    )
  })

  it('pages everything at once, a section a page, or a question a page, leaving out skipped pages', () => {
    const groups = groupQuestions(questions, sections)
    // A question conditional on an answer on the same page is on that page, whatever the answer so far.
    assert.deepEqual(
      pagesOf(groups, 'all', {}).map((p) => p.questions.map((x) => x.id)),
      [['intro', 'later', 'drives', 'car']],
    )
    assert.deepEqual(
      pagesOf(groups, 'section', { drives: 'No' }).map((p) => p.questions.map((x) => x.id)),
      [['intro'], ['later'], ['drives', 'car']],
    )
    assert.deepEqual(
      pagesOf(groups, 'section', { drives: 'Yes' }).map((p) => [p.key, p.questions.length]),
      [
        ['start', 1],
        ['s2', 1],
        ['s1', 2],
      ],
    )
    assert.deepEqual(
      pagesOf(groups, 'question', { drives: 'No' }).map((p) => p.key),
      ['intro', 'later', 'drives'],
    )
    assert.deepEqual(
      pagesOf(groups, 'question', { drives: 'Yes' }).map((p) => p.key),
      ['intro', 'later', 'drives', 'car'],
    )
  })
})

describe('the new question types', () => {
  it('checks dates given as day, month and year, saying which part is wrong', () => {
    assert.deepEqual(checkDate(['27', '3', '2027']), { value: '2027-03-27' })
    assert.equal(checkDate(['', '', '']), null)
    assert.deepEqual(checkDate(['', '3', '2027']), { error: 'consultations.answer.date.day' })
    assert.deepEqual(checkDate(['27', '', '2027']), { error: 'consultations.answer.date.month' })
    assert.deepEqual(checkDate(['27', '3', '']), { error: 'consultations.answer.date.year' })
    assert.deepEqual(checkDate(['31', '2', '2027']), { error: 'consultations.answer.date.real' })
    assert.deepEqual(checkDate(['29', '2', '2028']), { value: '2028-02-29' })
    assert.deepEqual(checkDate(['1', '1', '27']), { error: 'consultations.answer.date.yearDigits' })
    assert.deepEqual(checkDate(['a', '1', '2027']), { error: 'consultations.answer.date.real' })
    const date = q('d', 'date')
    assert.equal(checkAnswer(date, ['', '', '']).error, 'consultations.answer.date.required')
    assert.deepEqual(checkAnswer(date, ['31', '2', '2027']).value, ['31', '2', '2027'], 'what was typed is kept')
    assert.equal(checkAnswer(date, '2027-03-27').value, '2027-03-27', 'a stored answer checks again')
    assert.equal(checkAnswer({ ...date, required: false }, ['', '', '']).error, undefined)
  })

  it('checks a choice grid row by row', () => {
    const grid = q('g', 'choice-grid', { rows: ['Buses', 'Trains'], options: ['Good', 'Poor'] })
    assert.deepEqual(checkAnswer(grid, ['Good', 'Poor']).value, ['Good', 'Poor'])
    assert.equal(checkAnswer(grid, ['Good', '']).error, 'consultations.answer.gridEachRow')
    assert.equal(checkAnswer(grid, ['', '']).error, 'consultations.answer.gridNone')
    assert.equal(checkAnswer(grid, ['Great', 'Poor']).error, 'consultations.answer.chooseFromList')
    assert.deepEqual(checkAnswer({ ...grid, required: false }, ['', 'Poor']).value, ['', 'Poor'])
    assert.deepEqual(checkAnswer({ ...grid, required: false }, ['', '']).value, [])
  })

  it('takes "Other, please specify" with its text, and asks for the text when Other is ticked', () => {
    const many = q('m', 'multiple-choice', { allowOther: true, options: ['Work', 'Family'] })
    assert.deepEqual(checkAnswer(many, ['Work', OTHER], 'Fishing'), { value: ['Work'], other: 'Fishing' })
    assert.equal(checkAnswer(many, [OTHER], '  ').error, 'consultations.answer.otherMissing')
    assert.deepEqual(checkAnswer(many, [], 'Fishing'), { value: [], other: 'Fishing' }, 'typing is choosing')
    assert.equal(checkAnswer(many, [OTHER], 'x'.repeat(501)).error, 'consultations.answer.otherTooLong')
    assert.equal(checkAnswer({ ...many, allowOther: false }, [OTHER]).error, 'consultations.answer.chooseFromList')
    const { answers, errors } = checkAnswers([many], { m: ['Family', OTHER], [otherKey('m')]: 'Fishing' })
    assert.deepEqual(errors, {})
    assert.deepEqual(answers, { m: ['Family'], 'm:other': 'Fishing' })
  })

  it('keeps numbers within the limits the manager set', () => {
    const n = q('n', 'number', { minValue: 1, maxValue: 10 })
    assert.equal(checkAnswer(n, '0').error, 'consultations.answer.numberBetween')
    assert.equal(checkAnswer(n, '11').error, 'consultations.answer.numberBetween')
    assert.equal(checkAnswer(n, 'ten').error, 'consultations.answer.numberBetween')
    assert.equal(checkAnswer(n, '10').value, '10')
    assert.equal(checkAnswer({ ...n, maxValue: null }, '0').error, 'consultations.answer.numberMin')
    assert.equal(checkAnswer({ ...n, minValue: null }, '11').error, 'consultations.answer.numberMax')
  })
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { convert, copyText, defuseFormula, TypeInferrer } from './datastore.infer.js'

test('each type reads its usual spellings and refuses the rest', () => {
  assert.equal(convert('integer', ' +42 '), '42')
  assert.equal(convert('integer', '4.2'), null)
  assert.equal(convert('number', '1,234,567.89'), '1234567.89')
  assert.equal(convert('number', '1e3'), '1e3')
  assert.equal(convert('number', 'TBC'), null)
  assert.equal(convert('boolean', 'Yes'), 'true')
  assert.equal(convert('boolean', 'maybe'), null)
  assert.equal(convert('date', '31/03/2025'), '2025-03-31')
  assert.equal(convert('date', '2025-02-29'), null)
  assert.equal(convert('date', '31/02/2025'), null)
  assert.equal(convert('datetime', '2025-03-31 14:30'), '2025-03-31T14:30:00')
  assert.equal(convert('datetime', '2025-03-31T25:00:00Z'), null)
})

test('types are inferred from a sample, codes keep their leading zeros, and a few odd values are tolerated', () => {
  const inferrer = new TypeInferrer(6)
  for (let i = 0; i < 40; i++)
    inferrer.add([
      String(i),
      `${i}.5`,
      '2025-01-0' + ((i % 9) + 1),
      i === 7 ? 'TBC' : String(i * 2),
      'S12000036',
      '0' + i,
    ])
  assert.deepEqual(
    inferrer.result().map((r) => `${r.type}/${r.format}`),
    ['integer/default', 'number/default', 'date/default', 'integer/default', 'string/gss-code', 'string/default'],
  )
  const few = new TypeInferrer(1)
  for (const v of ['1', '2', 'x']) few.add([v])
  assert.equal(few.result()[0]!.type, 'string', 'with under 20 values, one odd value makes the column text')
})

test('COPY text escapes and spreadsheet formulas are defused', () => {
  assert.equal(copyText(null), '\\N')
  assert.equal(copyText('a\tb\nc\\d'), 'a\\tb\\nc\\\\d')
  assert.equal(defuseFormula('=cmd|'), "'=cmd|")
  assert.equal(defuseFormula('@SUM(A1)'), "'@SUM(A1)")
  assert.equal(defuseFormula('plain'), 'plain')
})

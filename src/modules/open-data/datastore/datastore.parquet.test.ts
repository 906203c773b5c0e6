import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parquetReadObjects, parquetMetadata } from 'hyparquet'
import { ParquetWriter } from './datastore.parquet.js'

function write(columns: ConstructorParameters<typeof ParquetWriter>[0], rows: unknown[][], groupSize = 3): ArrayBuffer {
  const w = new ParquetWriter(columns, groupSize)
  const parts: Buffer[] = [w.start()]
  for (const r of rows) {
    const b = w.add(r)
    if (b) parts.push(b)
  }
  parts.push(w.finish())
  const all = Buffer.concat(parts)
  return all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)
}

test('a Parquet file written here is read back by an independent reader, nulls and all', async () => {
  const columns = [
    { name: 'id', type: 'integer' as const },
    { name: 'amount', type: 'number' as const },
    { name: 'paid', type: 'boolean' as const },
    { name: 'on', type: 'date' as const },
    { name: 'at', type: 'datetime' as const },
    { name: 'supplier', type: 'string' as const },
  ]
  const rows = [
    [1, '12.5', true, '2024-01-31', '2024-01-31T10:00:00Z', 'Àite Ùr'],
    [2, null, false, null, null, null],
    [3, '-3', null, '1999-12-31', '2000-01-01T00:00:00Z', '=cmd'],
    [4, '1e3', true, '2024-02-29', '2024-06-01T12:30:15Z', ''],
    ['9007199254740993', '0', false, '2024-03-01', '2024-03-01T00:00:00Z', 'x'.repeat(300)],
  ]
  const file = write(columns, rows)
  const meta = parquetMetadata(file)
  assert.equal(Number(meta.num_rows), 5)
  assert.equal(meta.row_groups.length, 2)
  const read = await parquetReadObjects({ file })
  assert.equal(read.length, 5)
  assert.equal(read[0]!.id, 1n)
  assert.equal(read[0]!.amount, 12.5)
  assert.equal(read[0]!.paid, true)
  assert.equal((read[0]!.on as Date).toISOString().slice(0, 10), '2024-01-31')
  assert.equal((read[0]!.at as Date).toISOString(), '2024-01-31T10:00:00.000Z')
  assert.equal(read[0]!.supplier, 'Àite Ùr')
  assert.deepEqual(
    [read[1]!.amount, read[1]!.on, read[1]!.at, read[1]!.supplier, read[2]!.paid],
    [null, null, null, null, null],
  )
  assert.equal(read[3]!.amount, 1000)
  assert.equal(read[4]!.id, 9007199254740993n)
  assert.equal(read[4]!.supplier, 'x'.repeat(300))
})

test('an empty table is a valid Parquet file with its schema', async () => {
  const file = write([{ name: 'a', type: 'string' }], [])
  assert.equal(Number(parquetMetadata(file).num_rows), 0)
  assert.deepEqual(await parquetReadObjects({ file }), [])
})

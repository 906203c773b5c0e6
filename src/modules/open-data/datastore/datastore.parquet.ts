// A small, streaming Apache Parquet writer for the data store's downloads: flat schemas of optional
// columns, PLAIN encoding, no compression, one data page per column per row group. The Node
// libraries we looked at were unmaintained or shipped without their built code, so this writes the
// format itself (Thrift compact protocol for the metadata); the tests read its files back with an
// independent reader (hyparquet).
import type { ColumnType } from './datastore.public.js'

// Parquet enums
const T = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const
const CONVERTED = { UTF8: 0, DATE: 6, TIMESTAMP_MILLIS: 9 } as const
const OPTIONAL = 1
const PLAIN = 0
const RLE = 3

// Thrift compact protocol types
const CT = { I32: 5, I64: 6, BINARY: 8, LIST: 9, STRUCT: 12 } as const

class ThriftWriter {
  private bytes: number[] = []
  private last: number[] = [0]

  private varint(n: bigint): void {
    let v = n
    while (v >= 0x80n) {
      this.bytes.push(Number((v & 0x7fn) | 0x80n))
      v >>= 7n
    }
    this.bytes.push(Number(v))
  }
  private zigzag(n: number | bigint): void {
    const b = BigInt(n)
    this.varint(b >= 0n ? b << 1n : (-b << 1n) - 1n)
  }
  private header(id: number, type: number): void {
    const delta = id - this.last[this.last.length - 1]!
    if (delta > 0 && delta <= 15) this.bytes.push((delta << 4) | type)
    else {
      this.bytes.push(type)
      this.zigzag(id)
    }
    this.last[this.last.length - 1] = id
  }
  i32(id: number, v: number): this {
    this.header(id, CT.I32)
    this.zigzag(v)
    return this
  }
  i64(id: number, v: number | bigint): this {
    this.header(id, CT.I64)
    this.zigzag(v)
    return this
  }
  string(id: number, v: string): this {
    this.header(id, CT.BINARY)
    const b = Buffer.from(v, 'utf8')
    this.varint(BigInt(b.length))
    for (const x of b) this.bytes.push(x)
    return this
  }
  private listHeader(size: number, type: number): void {
    if (size < 15) this.bytes.push((size << 4) | type)
    else {
      this.bytes.push(0xf0 | type)
      this.varint(BigInt(size))
    }
  }
  i32List(id: number, values: number[]): this {
    this.header(id, CT.LIST)
    this.listHeader(values.length, CT.I32)
    for (const v of values) this.zigzag(v)
    return this
  }
  stringList(id: number, values: string[]): this {
    this.header(id, CT.LIST)
    this.listHeader(values.length, CT.BINARY)
    for (const v of values) {
      const b = Buffer.from(v, 'utf8')
      this.varint(BigInt(b.length))
      for (const x of b) this.bytes.push(x)
    }
    return this
  }
  struct(id: number, body: (w: this) => void): this {
    this.header(id, CT.STRUCT)
    this.last.push(0)
    body(this)
    this.bytes.push(0)
    this.last.pop()
    return this
  }
  structList<V>(id: number, values: V[], body: (w: this, v: V) => void): this {
    this.header(id, CT.LIST)
    this.listHeader(values.length, CT.STRUCT)
    for (const v of values) {
      this.last.push(0)
      body(this, v)
      this.bytes.push(0)
      this.last.pop()
    }
    return this
  }
  end(): Buffer {
    this.bytes.push(0)
    return Buffer.from(this.bytes)
  }
}

export type ParquetColumn = { name: string; type: ColumnType }

function physicalOf(type: ColumnType): { type: number; converted?: number } {
  switch (type) {
    case 'integer':
      return { type: T.INT64 }
    case 'number':
      return { type: T.DOUBLE }
    case 'boolean':
      return { type: T.BOOLEAN }
    case 'date':
      return { type: T.INT32, converted: CONVERTED.DATE }
    case 'datetime':
      return { type: T.INT64, converted: CONVERTED.TIMESTAMP_MILLIS }
    case 'string':
      return { type: T.BYTE_ARRAY, converted: CONVERTED.UTF8 }
    default: {
      const unreachable: never = type
      return unreachable
    }
  }
}

/** Definition levels (0 = null, 1 = present) as RLE runs, with the 4-byte length prefix of a v1 data page. */
function definitionLevels(present: boolean[]): Buffer {
  const out: number[] = []
  let i = 0
  while (i < present.length) {
    const v = present[i]!
    let run = 1
    while (i + run < present.length && present[i + run] === v) run++
    let header = run << 1
    while (header >= 0x80) {
      out.push((header & 0x7f) | 0x80)
      header >>>= 7
    }
    out.push(header)
    out.push(v ? 1 : 0)
    i += run
  }
  const b = Buffer.alloc(4 + out.length)
  b.writeUInt32LE(out.length, 0)
  Buffer.from(out).copy(b, 4)
  return b
}

function plainValues(type: ColumnType, values: unknown[]): Buffer {
  switch (type) {
    case 'integer':
    case 'datetime': {
      const b = Buffer.alloc(values.length * 8)
      values.forEach((v, k) => {
        const n = type === 'datetime' ? BigInt(Date.parse(String(v))) : BigInt(String(v))
        b.writeBigInt64LE(n, k * 8)
      })
      return b
    }
    case 'number': {
      const b = Buffer.alloc(values.length * 8)
      values.forEach((v, k) => b.writeDoubleLE(Number(v), k * 8))
      return b
    }
    case 'date': {
      const b = Buffer.alloc(values.length * 4)
      values.forEach((v, k) => b.writeInt32LE(Math.round(Date.parse(`${String(v)}T00:00:00Z`) / 86_400_000), k * 4))
      return b
    }
    case 'boolean': {
      const b = Buffer.alloc(Math.ceil(values.length / 8))
      values.forEach((v, k) => {
        if (v === true || v === 'true' || v === 't') b[k >> 3]! |= 1 << (k & 7)
      })
      return b
    }
    case 'string': {
      const parts = values.map((v) => Buffer.from(String(v), 'utf8'))
      const b = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0))
      let at = 0
      for (const p of parts) {
        b.writeUInt32LE(p.length, at)
        p.copy(b, at + 4)
        at += 4 + p.length
      }
      return b
    }
    default: {
      const unreachable: never = type
      return unreachable
    }
  }
}

type ChunkMeta = { column: number; offset: number; size: number; values: number }
type GroupMeta = { rows: number; bytes: number; chunks: ChunkMeta[] }

/** Writes a Parquet file as chunks of bytes: feed rows (arrays of values, null for none) and take what each call returns. */
export class ParquetWriter {
  private offset = 0
  private groups: GroupMeta[] = []
  private pending: unknown[][] = []
  private totalRows = 0

  constructor(
    private readonly columns: ParquetColumn[],
    private readonly rowGroupSize = 50_000,
  ) {}

  start(): Buffer {
    this.offset = 4
    return Buffer.from('PAR1')
  }

  /** Adds a row; returns bytes to write when a row group is full. */
  add(row: unknown[]): Buffer | null {
    this.pending.push(row)
    return this.pending.length >= this.rowGroupSize ? this.flush() : null
  }

  private flush(): Buffer | null {
    if (this.pending.length === 0) return null
    const rows = this.pending
    this.pending = []
    const buffers: Buffer[] = []
    const group: GroupMeta = { rows: rows.length, bytes: 0, chunks: [] }
    this.columns.forEach((col, ci) => {
      const present = rows.map((r) => r[ci] !== null && r[ci] !== undefined)
      const values = rows.filter((_r, k) => present[k]).map((r) => r[ci])
      const body = Buffer.concat([definitionLevels(present), plainValues(col.type, values)])
      const header = new ThriftWriter()
        .i32(1, 0)
        .i32(2, body.length)
        .i32(3, body.length)
        .struct(5, (w) => w.i32(1, rows.length).i32(2, PLAIN).i32(3, RLE).i32(4, RLE))
        .end()
      const size = header.length + body.length
      group.chunks.push({ column: ci, offset: this.offset, size, values: rows.length })
      this.offset += size
      group.bytes += size
      buffers.push(header, body)
    })
    this.groups.push(group)
    this.totalRows += rows.length
    return Buffer.concat(buffers)
  }

  /** The last row group and the footer. */
  finish(): Buffer {
    const last = this.flush()
    const meta = new ThriftWriter()
      .i32(1, 1)
      .structList(2, [null, ...this.columns], (w, c) => {
        if (c === null) {
          w.string(4, 'schema').i32(5, this.columns.length)
          return
        }
        const p = physicalOf(c.type)
        w.i32(1, p.type).i32(3, OPTIONAL).string(4, c.name)
        if (p.converted !== undefined) w.i32(6, p.converted)
      })
      .i64(3, this.totalRows)
      .structList(4, this.groups, (w, g) => {
        w.structList(1, g.chunks, (cw, ch) => {
          const col = this.columns[ch.column]!
          cw.i64(2, ch.offset).struct(3, (m) =>
            m
              .i32(1, physicalOf(col.type).type)
              .i32List(2, [PLAIN, RLE])
              .stringList(3, [col.name])
              .i32(4, 0)
              .i64(5, ch.values)
              .i64(6, ch.size)
              .i64(7, ch.size)
              .i64(9, ch.offset),
          )
        })
          .i64(2, g.bytes)
          .i64(3, g.rows)
      })
      .string(6, 'Còmhla open data')
      .end()
    const tail = Buffer.alloc(8)
    tail.writeUInt32LE(meta.length, 0)
    tail.write('PAR1', 4)
    return Buffer.concat([...(last ? [last] : []), meta, tail])
  }
}

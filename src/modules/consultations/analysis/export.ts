// Writing a consultation's responses, with what analysts added, as CSV or as an Excel workbook.
// Rows are produced batch by batch; the output is handed on in chunks of about a megabyte so that
// an export of any size never sits whole in memory.
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import { stringify } from 'csv-stringify/sync'
import type { Question } from '../consultation.types.js'
import { allowsOther, gridRows, type ExportFormat } from './analysis.types.js'

export const CHUNK_BYTES = 1024 * 1024

export type ExportColumn = { header: string; width: number }

const withOther = (q: Question) => q.type === 'short-text' || q.type === 'long-text' || allowsOther(q)

/** The export's columns: respondent information, data quality, then each question (with themes and notes for free text). */
export function exportColumns(questions: Question[], withModeration: boolean): ExportColumn[] {
  const cols: ExportColumn[] = [
    { header: 'Reference', width: 14 },
    { header: 'Submitted at', width: 22 },
    { header: 'Channel', width: 10 },
    { header: 'Respondent type', width: 14 },
    { header: 'Name', width: 24 },
    { header: 'Organisation', width: 24 },
    { header: 'Email', width: 28 },
    { header: 'Publication choice', width: 20 },
    { header: 'May contact', width: 10 },
    { header: 'Data quality flags', width: 20 },
    { header: 'Analyst decision', width: 14 },
    { header: 'Decision reason', width: 30 },
  ]
  if (withModeration) cols.push({ header: 'Moderation', width: 16 })
  questions.forEach((q, i) => {
    cols.push({ header: `Q${i + 1}. ${q.title}`, width: q.type === 'long-text' ? 60 : 24 })
    if (withOther(q)) {
      cols.push({ header: `Q${i + 1} themes`, width: 24 })
      cols.push({ header: `Q${i + 1} notes`, width: 30 })
    }
  })
  return cols
}

/** An answer as one cell: lists joined with "; ", a grid as "row: column", "other" text after the choices. */
export function answerCell(q: Question, answers: Record<string, unknown>): string {
  const raw = answers[q.id]
  let parts: string[] = []
  if (Array.isArray(raw)) {
    parts = gridRows(q).length
      ? raw.map((v, i) => (String(v) === '' ? '' : `${gridRows(q)[i] ?? i + 1}: ${String(v)}`)).filter((s) => s !== '')
      : raw.map(String)
  } else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    if (raw !== '') parts = [String(raw)]
  }
  const other = answers[`${q.id}:other`]
  if (typeof other === 'string' && other.trim() !== '') parts.push(`Other: ${other}`)
  return parts.join('; ')
}

export type ExportRecord = {
  respondent: string[]
  perQuestion: { answer: string; themes: string; notes: string }[]
}

export function exportRow(questions: Question[], r: ExportRecord): string[] {
  const row = [...r.respondent]
  questions.forEach((q, i) => {
    const x = r.perQuestion[i] ?? { answer: '', themes: '', notes: '' }
    row.push(x.answer)
    if (withOther(q)) row.push(x.themes, x.notes)
  })
  return row
}

/** Guards against formula injection in spreadsheets: a cell starting with = + - @ tab or CR gets a leading '. */
export const safeCell = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value)

export type ExportWriter = {
  /** adds rows; resolves with any chunks ready to be stored */
  write: (rows: string[][]) => Promise<Buffer[]>
  /** finishes the file; resolves with the last chunks */
  end: () => Promise<Buffer[]>
}

class Chunker {
  private pending: Buffer[] = []
  private size = 0
  push(b: Buffer) {
    this.pending.push(b)
    this.size += b.length
  }
  take(all: boolean): Buffer[] {
    if (!all && this.size < CHUNK_BYTES) return []
    const out = this.size > 0 ? [Buffer.concat(this.pending)] : []
    this.pending = []
    this.size = 0
    return out
  }
}

export function csvWriter(columns: ExportColumn[]): ExportWriter {
  const chunker = new Chunker()
  // a byte-order mark, so spreadsheet programs read the file as UTF-8
  chunker.push(Buffer.from(`\ufeff${stringify([columns.map((c) => safeCell(c.header))])}`, 'utf8'))
  return {
    write: async (rows) => {
      chunker.push(Buffer.from(stringify(rows.map((r) => r.map(safeCell))), 'utf8'))
      return chunker.take(false)
    },
    end: async () => chunker.take(true),
  }
}

export function xlsxWriter(columns: ExportColumn[], sheetName: string): ExportWriter {
  const chunker = new Chunker()
  const stream = new PassThrough()
  stream.on('data', (b: Buffer) => chunker.push(b))
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve)
    stream.on('error', reject)
  })
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false })
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31).replace(/[*?:\\/[\]]/g, ' ') || 'Responses', {
    views: [{ state: 'frozen', ySplit: 1 }],
  })
  sheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width }))
  sheet.getRow(1).font = { bold: true }
  sheet.getRow(1).commit()
  return {
    write: async (rows) => {
      for (const r of rows) sheet.addRow(r.map(safeCell)).commit()
      // let the compressor hand over what it has
      await new Promise((resolve) => setImmediate(resolve))
      return chunker.take(false)
    },
    end: async () => {
      sheet.commit()
      await workbook.commit()
      await ended
      return chunker.take(true)
    },
  }
}

export function exportWriter(format: ExportFormat, columns: ExportColumn[], sheetName: string): ExportWriter {
  return format === 'csv' ? csvWriter(columns) : xlsxWriter(columns, sheetName)
}

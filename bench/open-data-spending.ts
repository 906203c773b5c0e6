// Writes the open-data benchmark's spending file: N rows (1,000,000 by default) of 8 columns, the
// shape of a council's "spending over £500" return. Deterministic, so every run loads the same bytes.
//   node --import tsx bench/open-data-spending.ts [rows] [file]
import { createWriteStream } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const SPENDING_COLUMNS = [
  'transaction_id',
  'payment_date',
  'council_code',
  'department',
  'supplier',
  'description',
  'amount',
  'vat_recoverable',
]

const DEPARTMENTS = [
  'Education',
  'Social Work',
  'Roads',
  'Housing',
  'Waste',
  'Leisure',
  'Planning',
  'Finance',
  'Digital',
  'Environmental Health',
]
const WORDS = [
  'repairs',
  'consulting',
  'school',
  'meals',
  'transport',
  'software',
  'licences',
  'cleaning',
  'catering',
  'agency',
  'staff',
  'fuel',
  'vehicles',
  'grounds',
  'maintenance',
  'energy',
  'care',
  'services',
  'training',
  'equipment',
]

/** A small deterministic generator (xorshift), so the file is the same every time. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

export async function writeSpendingCsv(file: string, rows = 1_000_000): Promise<number> {
  const out = createWriteStream(file)
  const r = rng(20261128)
  let bytes = 0
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s)
    if (!out.write(s)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await write(SPENDING_COLUMNS.join(',') + '\n')
  let chunk = ''
  for (let i = 1; i <= rows; i++) {
    const day = 1 + Math.floor(r() * 365)
    const date = new Date(Date.UTC(2025, 3, day)).toISOString().slice(0, 10)
    const council = `S1200${String(Math.floor(r() * 32) + 5).padStart(4, '0')}`
    const dept = DEPARTMENTS[Math.floor(r() * DEPARTMENTS.length)]!
    const supplier = `Supplier ${Math.floor(r() * 5000) + 1} Ltd`
    const desc = `${WORDS[Math.floor(r() * WORDS.length)]} ${WORDS[Math.floor(r() * WORDS.length)]}`
    const amount = (500 + Math.floor(r() * 5_000_000) / 100).toFixed(2)
    const vat = r() < 0.5 ? 'true' : 'false'
    chunk += `T${String(i).padStart(8, '0')},${date},${council},${dept},"${supplier}",${desc},${amount},${vat}\n`
    if (chunk.length > 1 << 16) {
      await write(chunk)
      chunk = ''
    }
  }
  await write(chunk)
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())))
  return bytes
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = Number(process.argv[2] ?? 1_000_000)
  const file = process.argv[3] ?? 'spending.csv'
  const bytes = await writeSpendingCsv(file, rows)
  console.log(`${file}: ${rows} rows, ${bytes} bytes`)
}

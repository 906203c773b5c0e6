/* eslint-disable @typescript-eslint/no-unnecessary-type-assertion -- API bodies are read loosely in tests */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parquetReadObjects } from 'hyparquet'
import { testApp, type TestApp } from '../../../../test/support/app.js'
import { makeStaff } from '../../../../test/support/factories.js'
import { systemContext } from '../../../platform/auth/principal.js'
import { DatastoreServiceImpl } from './datastore.service.js'
import { limits } from './datastore.ingest.js'

describe('open data store', () => {
  let t: TestApp
  let impl: DatastoreServiceImpl
  let token: string
  let otherToken: string
  let orgId: string
  const postgres = () => t.app.kernel.database.kind === 'postgres'

  async function tokenFor(accountId: string, scopes: string[]): Promise<string> {
    const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, accountId, 'session', null)
    const { token } = await t.app.kernel.apiTokens.create(
      { ...systemContext('test'), principal },
      { name: `t${Date.now()}${Math.random()}`, scopes, expiresInDays: 30 },
    )
    return token
  }

  const api = async (
    method: string,
    url: string,
    options: { body?: string | Buffer; json?: unknown; type?: string; as?: string | null } = {},
  ) => {
    const auth = options.as === null ? {} : { authorization: `Bearer ${options.as ?? token}` }
    const res = await t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...auth,
        ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.body !== undefined ? { 'content-type': options.type ?? 'text/csv' } : {}),
      },
      ...(options.json !== undefined ? { payload: JSON.stringify(options.json) } : {}),
      ...(options.body !== undefined ? { payload: options.body } : {}),
    })
    return res
  }

  async function newTable(title = 'Spending'): Promise<string> {
    const res = await api('POST', '/api/v1/datastore/tables', { json: { organisationId: orgId, title } })
    assert.equal(res.statusCode, 201, res.body)
    return (res.json() as { resourceId: string }).resourceId
  }

  /** Uploads a body, runs the job, and returns the upload as the API reports it. */
  async function load(resourceId: string, body: string | Buffer, query = '') {
    const res = await api('POST', `/api/v1/datastore/${resourceId}/uploads${query}`, { body })
    assert.equal(res.statusCode, 202, res.body)
    const id = (res.json() as { id: string }).id
    await impl.runIngestion(id)
    const report = await api('GET', `/api/v1/datastore/uploads/${id}`)
    return report.json() as {
      id: string
      status: string
      reason: string | null
      details: Record<string, unknown> | null
      rowsLoaded: number
      rowsRejected: number
      version: number | null
      rejections: { row: number; column: string | null; value: string | null; reason: string }[]
    }
  }

  const rows = async (resourceId: string, query = '', as?: string | null) => {
    const res = await api('GET', `/api/v1/datastore/${resourceId}/rows${query}`, { as: as === undefined ? token : as })
    return { status: res.statusCode, body: res.json() as Record<string, any> }
  }

  const SPEND = [
    'transaction,date,supplier,amount,council,postcode,paid,recorded',
    'T001,31/03/2025,Acme Ltd,1200.50,S12000036,EH1 1YZ,yes,2025-03-31T09:00:00Z',
    'T002,2025-04-01,Brodie & Sons,550,S12000036,G2 1DY,no,2025-04-01T10:30:00Z',
    'T003,2025-04-15,"Cairn, Hill and Co",99.99,S12000008,AB10 1AB,true,2025-04-15T12:00:00Z',
    "T004,2025-05-01,=cmd|' /C calc'!A0,5000,S12000036,KY1 1XX,false,2025-05-01T08:00:00Z",
    'T005,2025-05-20,Àite Ùr,,S12000008,IV1 1AA,yes,2025-05-20T16:45:00Z',
  ].join('\n')

  before(async () => {
    t = await testApp({}, { runJobWorkers: false })
    impl = new DatastoreServiceImpl(t.app.kernel)
    const publisher = await makeStaff(t.app.kernel, 'fife-council', ['data-publisher'])
    orgId = publisher.organisation.id
    token = await tokenFor(publisher.account.id, ['open-data:publish'])
    const other = await makeStaff(t.app.kernel, 'dundee-city-council', ['data-publisher'])
    otherToken = await tokenFor(other.account.id, ['open-data:publish'])
  })
  after(async () => {
    await impl.store.close()
    await t.close()
  })

  it('loads a CSV into a typed table, inferring integer, number, boolean, date, date-time, text, GSS codes and postcodes', async () => {
    const id = await newTable()
    const report = await load(id, SPEND)
    assert.equal(report.status, 'loaded')
    assert.equal(report.rowsLoaded, 5)
    assert.equal(report.version, 1)
    const summary = (await api('GET', `/api/v1/datastore/${id}`)).json() as {
      columns: { name: string; type: string; format: string }[]
    }
    const types = Object.fromEntries(
      summary.columns.map((c) => [c.name, `${c.type}${c.format === 'default' ? '' : `/${c.format}`}`]),
    )
    assert.deepEqual(types, {
      transaction: 'string',
      date: 'date',
      supplier: 'string',
      amount: 'number',
      council: 'string/gss-code',
      postcode: 'string/postcode',
      paid: 'boolean',
      recorded: 'datetime',
    })
    const { body } = await rows(id, '?_sort=date')
    assert.equal(body.total.count, 5)
    assert.deepEqual(body.rows[0], {
      transaction: 'T001',
      date: '2025-03-31',
      supplier: 'Acme Ltd',
      amount: 1200.5,
      council: 'S12000036',
      postcode: 'EH1 1YZ',
      paid: true,
      recorded: '2025-03-31T09:00:00Z',
    })
    assert.equal(body.rows[4].amount, null)
    // numbers sort as numbers (not as their text), with empty values last
    const byAmount = (await rows(id, '?_sort=-amount')).body.rows.map((r: any) => r.amount)
    assert.deepEqual(byAmount, [5000, 1200.5, 550, 99.99, null])
  })

  it('keeps codes with leading zeros as text, and reads a BOM, Windows-1252 and an Excel workbook', async () => {
    const zeros = await newTable('zeros')
    assert.equal((await load(zeros, '\ufeffcode,n\n007,1\n010,2\n')).status, 'loaded')
    const s = (await api('GET', `/api/v1/datastore/${zeros}`)).json() as { columns: { name: string; type: string }[] }
    assert.deepEqual(
      s.columns.map((c) => [c.name, c.type]),
      [
        ['code', 'string'],
        ['n', 'integer'],
      ],
    )
    assert.equal((await rows(zeros, '?code=007')).body.rows[0].code, '007')

    const latin = await newTable('latin')
    const bytes = Buffer.from('supplier,amount\nCaf\xe9 \xa3 Ltd,12\n', 'latin1')
    const report = await load(latin, bytes)
    assert.equal(report.status, 'loaded')
    assert.equal((await rows(latin)).body.rows[0].supplier, 'Café £ Ltd')

    const ExcelJS = (await import('exceljs')).default
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Spend')
    ws.addRow(['ref', 'when', 'amount'])
    ws.addRow(['A1', new Date(Date.UTC(2025, 0, 31)), 10.5])
    ws.addRow(['A2', new Date(Date.UTC(2025, 1, 1)), 20])
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer())
    const book = await newTable('book')
    const r2 = await load(book, xlsx)
    assert.equal(r2.status, 'loaded', JSON.stringify(r2))
    const b = (await rows(book, '?_sort=-amount')).body
    assert.deepEqual(b.rows[0], { ref: 'A2', when: '2025-02-01', amount: 20 })
  })

  it('reports each malformed file clearly and leaves what was published untouched', async () => {
    const id = await newTable('bad input')
    assert.equal((await load(id, SPEND)).status, 'loaded')
    const before = (await rows(id, '?_sort=transaction')).body.rows

    const cases: [string, string | Buffer, string][] = [
      ['duplicate header', 'a,b,a\n1,2,3\n', 'header-duplicate'],
      ['blank header', 'a,,c\n1,2,3\n', 'header-blank'],
      ['bad quoting', 'a,b\n1,"x"y\n2,3\n', 'bad-csv'],
      ['unclosed quote', 'a,b\n1,"never closed\n2,3\n', 'quote-not-closed'],
      ['header only', 'a,b\n', 'no-rows'],
      ['wrong columns for an append', 'x,y\n1,2\n', 'append-column-extra'],
    ]
    for (const [name, body, reason] of cases) {
      const query = name.includes('append') ? '?mode=append' : ''
      const r = await load(id, body, query)
      assert.equal(r.status, 'failed', name)
      assert.equal(r.reason, reason, name)
    }
    // an empty body is refused at once
    const empty = await api('POST', `/api/v1/datastore/${id}/uploads`, { body: '' })
    assert.equal(empty.statusCode, 422)

    // a file over the limit (the 5 GB case, with the limit lowered for the test)
    const saved = limits.maxFileBytes
    limits.maxFileBytes = 100
    try {
      const big = await api('POST', `/api/v1/datastore/${id}/uploads`, { body: 'a,b\n' + '1,2\n'.repeat(100) })
      assert.equal(big.statusCode, 422)
      assert.match(big.json().error.message, /larger than 100 bytes/)
    } finally {
      limits.maxFileBytes = saved
    }

    // ragged rows and wrong types: refused with a report by row, column, value and reason
    const ragged = [
      SPEND.split('\n')[0],
      'T010,2025-06-01,A,10,S12000036,EH1 1YZ,yes,2025-06-01T00:00:00Z',
      'T011,2025-06-02,B,10',
      'T012,not a date,C,10,S12000036,EH1 1YZ,yes,2025-06-01T00:00:00Z',
      'T013,2025-06-03,D,lots,S12000036,EH1 1YZ,yes,2025-06-01T00:00:00Z',
      'T014,2025-06-04,E,10,S12000036,EH1 1YZ,maybe,2025-06-01T00:00:00Z',
    ].join('\n')
    const refused = await load(id, ragged, '?mode=append&onInvalid=refuse')
    assert.equal(refused.status, 'failed')
    assert.equal(refused.rowsRejected, 4)
    assert.deepEqual(
      refused.rejections.map((r) => [r.row, r.column, r.value, r.reason]),
      [
        [3, null, null, 'ragged'],
        [4, 'date', 'not a date', 'not-date'],
        [5, 'amount', 'lots', 'not-number'],
        [6, 'paid', 'maybe', 'not-boolean'],
      ],
    )
    assert.deepEqual((await rows(id, '?_sort=transaction')).body.rows, before)

    // the publisher may instead load the valid rows
    const asked = await load(id, ragged, '?mode=append&onInvalid=ask')
    assert.equal(asked.status, 'needs-decision')
    assert.deepEqual((await rows(id, '?_sort=transaction')).body.rows, before)
    const decided = await api('POST', `/api/v1/datastore/uploads/${asked.id}/decision`, { json: { decision: 'load' } })
    assert.equal(decided.statusCode, 200, decided.body)
    assert.equal((decided.json() as { status: string }).status, 'loaded')
    assert.equal((await rows(id)).body.total.count, 6)
  })

  it('answers filters, sorts, column selection, full text, facets and group-by, with keyset paging and capped counts', async () => {
    const id = await newTable('query')
    const lines = ['id,day,region,amount,note']
    for (let i = 1; i <= 10_050; i++)
      lines.push(
        `${i},2025-01-${String((i % 28) + 1).padStart(2, '0')},${['north', 'south', 'east'][i % 3]},${i % 100},${i % 500 === 0 ? 'school meals' : i % 7 === 0 ? '' : 'road repairs'}`,
      )
    assert.equal((await load(id, lines.join('\n'))).status, 'loaded')

    const all = await rows(id, '?_size=2')
    assert.deepEqual(all.body.total, { count: 10_050, exact: true })
    const capped = await rows(id, '?amount__gte=0&_size=1')
    assert.deepEqual(capped.body.total, { count: 10_000, exact: false })
    const exact = await rows(id, '?region=north&amount__lt=10&_size=1000')
    assert.equal(exact.body.total.exact, true)
    assert.ok(exact.body.rows.every((r: any) => r.region === 'north' && r.amount < 10))
    assert.equal(exact.body.total.count, exact.body.rows.length)

    assert.ok((await rows(id, '?region__not=north&_size=50')).body.rows.every((r: any) => r.region !== 'north'))
    assert.ok(
      (await rows(id, '?region__in=south,east&_size=50')).body.rows.every((r: any) =>
        ['south', 'east'].includes(r.region),
      ),
    )
    const between = (await rows(id, '?day__between=2025-01-02,2025-01-03&_size=1000')).body
    assert.ok(between.rows.every((r: any) => r.day === '2025-01-02' || r.day === '2025-01-03'))
    assert.equal((await rows(id, '?note__null=1&_size=1')).body.total.count, 1433)
    assert.ok(
      (await rows(id, '?note__contains=MEALS&_size=100')).body.rows.every((r: any) => r.note === 'school meals'),
    )
    const fts = (await rows(id, '?_q=school&_size=100')).body
    assert.equal(fts.total.count, 20)
    const cols = (await rows(id, '?_columns=id,amount&_size=1')).body
    assert.deepEqual(Object.keys(cols.rows[0]), ['id', 'amount'])

    // keyset paging over a sort with ties visits every row once, in order
    const seen: number[] = []
    let next: string | null = null
    let last: [number, number] | null = null
    for (let page = 0; page < 200; page++) {
      const q: string = `?region=east&_sort=-amount&_columns=id,amount&_size=500${next ? `&_next=${next}` : ''}`
      const r = (await rows(id, q)).body
      for (const row of r.rows) {
        if (last) assert.ok(row.amount < last[0] || (row.amount === last[0] && row.id > last[1]), 'order')
        last = [row.amount, row.id]
        seen.push(row.id)
      }
      next = r.next
      if (!next) break
    }
    assert.equal(seen.length, 3350)
    assert.equal(new Set(seen).size, 3350)

    const deep = await rows(id, '?_offset=20000')
    assert.equal(deep.status, 422)
    assert.equal(deep.body.error.code, 'DATASTORE_DEEP_OFFSET')
    assert.equal((await rows(id, '?_offset=100&_size=1&_sort=id')).body.rows[0].id, 101)
    assert.equal((await rows(id, '?nope=1')).body.error.code, 'DATASTORE_UNKNOWN_COLUMN')
    assert.equal((await rows(id, '?amount__gt=lots')).body.error.code, 'DATASTORE_BAD_VALUE')
    assert.equal((await rows(id, '?_next=garbage')).body.error.code, 'DATASTORE_BAD_QUERY')

    const facets = (await rows(id, '?_facet=region&_size=1')).body.facets
    assert.deepEqual(
      facets[0].values.map((v: any) => v.count),
      [3350, 3350, 3350],
    )
    const grouped = (await rows(id, '?_group=region&_sum=amount&_avg=amount')).body
    assert.deepEqual(
      grouped.columns.map((c: any) => c.name),
      ['region', 'count', 'sum_amount', 'avg_amount'],
    )
    assert.equal(grouped.rows.length, 3)
    assert.equal(
      grouped.rows.reduce((n: number, r: any) => n + r.sum_amount, 0),
      lines.slice(1).reduce((n, l) => n + Number(l.split(',')[3]), 0),
    )
  })

  it('streams downloads as CSV (formulas defused), JSON and Parquet, for the whole table or a filter', async () => {
    const id = await newTable('downloads')
    await load(id, SPEND)
    const csv = await api('GET', `/api/v1/datastore/${id}/rows.csv`)
    assert.equal(csv.statusCode, 200)
    assert.match(csv.headers['content-type'] as string, /text\/csv/)
    assert.ok(csv.body.includes(`'=cmd|' /C calc'!A0`), csv.body)
    assert.ok(!/,=cmd/.test(csv.body))
    assert.equal(csv.body.trim().split('\n').length, 6)
    const filtered = await api('GET', `/api/v1/datastore/${id}/rows.csv?council=S12000008`)
    assert.equal(filtered.body.trim().split('\n').length, 3)
    const json = await api('GET', `/api/v1/datastore/${id}/rows.json?paid=true`)
    const parsed = JSON.parse(json.body) as Record<string, unknown>[]
    assert.deepEqual(
      parsed.map((r) => r.transaction),
      ['T001', 'T003', 'T005'],
    )
    const pq = await api('GET', `/api/v1/datastore/${id}/rows.parquet`)
    const buf = pq.rawPayload
    const objects = await parquetReadObjects({
      file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    })
    assert.equal(objects.length, 5)
    assert.equal(objects[0]!.amount, 1200.5)
    assert.equal(objects[3]!.supplier, `=cmd|' /C calc'!A0`)
  })

  it('keeps versions, upserts by key through the API, and summarises the difference', async () => {
    const id = await newTable('versions')
    await load(id, SPEND)
    const res = await api('POST', `/api/v1/datastore/${id}/records`, {
      json: {
        mode: 'upsert',
        key: 'transaction',
        records: [
          {
            transaction: 'T002',
            date: '2025-04-01',
            supplier: 'Brodie & Sons',
            amount: 650,
            council: 'S12000036',
            postcode: 'G2 1DY',
            paid: true,
            recorded: '2025-04-01T10:30:00Z',
          },
          {
            transaction: 'T006',
            date: '2025-06-01',
            supplier: 'New Co',
            amount: 1,
            council: 'S12000008',
            postcode: 'EH1 1YZ',
            paid: false,
            recorded: '2025-06-01T00:00:00Z',
          },
        ],
      },
    })
    assert.equal(res.statusCode, 202, res.body)
    await impl.runIngestion((res.json() as { id: string }).id)
    const { body } = await rows(id, '?_sort=transaction')
    assert.equal(body.total.count, 6)
    assert.equal(body.rows.find((r: any) => r.transaction === 'T002').amount, 650)
    const diff = (await api('GET', `/api/v1/datastore/${id}/versions/diff?from=1&to=2&key=transaction`)).json()
    assert.deepEqual(diff, { from: 1, to: 2, key: 'transaction', added: 1, removed: 0, changed: 1, unchanged: 4 })
    const v1 = await api('GET', `/api/v1/datastore/${id}/rows.csv?_version=1`)
    assert.equal(v1.body.trim().split('\n').length, 6)
    const summary = (await api('GET', `/api/v1/datastore/${id}`)).json() as {
      versions: { number: number; rowCount: number; checksum: string }[]
    }
    assert.deepEqual(
      summary.versions.map((v) => [v.number, v.rowCount]),
      [
        [2, 6],
        [1, 5],
      ],
    )
    assert.match(summary.versions[1]!.checksum, /^[0-9a-f]{64}$/)
  })

  it('edits the data dictionary, and checks a type change against every value', async () => {
    const id = await newTable('dictionary')
    await load(id, 'ref,amount\nA,10\nB,20\n')
    const put = await api('PUT', `/api/v1/datastore/${id}/dictionary`, {
      json: { columns: [{ name: 'amount', title: 'Amount paid', unit: '£', description: 'Including VAT' }] },
    })
    assert.equal(put.statusCode, 200, put.body)
    const cols = ((await api('GET', `/api/v1/datastore/${id}`)).json() as { columns: Record<string, string>[] }).columns
    assert.deepEqual(
      { title: cols[1]!.title, unit: cols[1]!.unit, description: cols[1]!.description },
      { title: 'Amount paid', unit: '£', description: 'Including VAT' },
    )
    // integer → text is fine; text → date is refused row by row, and nothing changes
    const toText = await api('PUT', `/api/v1/datastore/${id}/dictionary`, {
      json: { columns: [{ name: 'amount', type: 'string' }] },
    })
    const upload = (toText.json() as { typeChangeUpload: string }).typeChangeUpload
    await impl.runIngestion(upload)
    assert.equal((await rows(id, '?amount__contains=1')).body.rows.length, 1)
    const toDate = await api('PUT', `/api/v1/datastore/${id}/dictionary`, {
      json: { columns: [{ name: 'ref', type: 'date' }] },
    })
    const u2 = (toDate.json() as { typeChangeUpload: string }).typeChangeUpload
    await impl.runIngestion(u2)
    const report = (await api('GET', `/api/v1/datastore/uploads/${u2}`)).json() as {
      status: string
      rejections: unknown[]
    }
    assert.equal(report.status, 'failed')
    assert.equal(report.rejections.length, 2)
    const after = (
      (await api('GET', `/api/v1/datastore/${id}`)).json() as {
        columns: { name: string; type: string; title: string }[]
      }
    ).columns
    assert.deepEqual(
      after.map((c) => [c.name, c.type, c.title]),
      [
        ['ref', 'string', 'ref'],
        ['amount', 'string', 'Amount paid'],
      ],
    )
  })

  it('shows a table to the public only once published, and lets only its own body publish to it', async () => {
    const id = await newTable('private')
    await load(id, SPEND)
    assert.equal((await rows(id, '', null)).status, 404)
    assert.equal((await api('GET', `/api/v1/datastore/${id}/rows.csv`, { as: null })).statusCode, 404)
    assert.equal((await rows(id, '', otherToken)).status, 404)
    const stranger = await api('POST', `/api/v1/datastore/${id}/uploads`, { body: SPEND, as: otherToken })
    assert.equal(stranger.statusCode, 404)
    await impl.setPublic(id, true, systemContext('test'))
    assert.equal((await rows(id, '', null)).status, 200)
    const anonymousUpload = await api('POST', `/api/v1/datastore/${id}/uploads`, { body: SPEND, as: null })
    assert.ok([401, 403, 415].includes(anonymousUpload.statusCode), String(anonymousUpload.statusCode))
  })

  it('runs one read-only SELECT over one table, and nothing else is reachable', { skip: false }, async (ctx) => {
    if (!postgres()) {
      ctx.skip('the SQL endpoint needs PostgreSQL')
      return
    }
    const id = await newTable('sql')
    await load(id, SPEND)
    const other = await newTable('secret')
    await load(other, 'secret\nhidden\n')
    await impl.setPublic(id, true, systemContext('test'))
    const sqlQ = async (text: string) => {
      const res = await api('POST', `/api/v1/datastore/${id}/sql`, { json: { sql: text }, as: null })
      return { status: res.statusCode, body: res.json() as Record<string, any> }
    }
    const ok = await sqlQ('select council, sum(amount) as total from data group by council order by council')
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.deepEqual(ok.body.columns, ['council', 'total'])
    assert.equal(ok.body.rows.length, 2)

    const [found] = await impl.store.query<{ table_name: string }>(
      `select table_name from open_data.datastore_version where resource_id = $1`,
      [other],
    )
    const secretTable = found!.table_name
    for (const attempt of [
      'select * from core.account',
      `select * from open_data_rows.${secretTable}`,
      'select * from open_data.datastore_table',
      'select 1; delete from core.account',
      'delete from data',
      'with x as (delete from core.account returning 1) select * from x',
      "select pg_read_file('/etc/passwd')",
      'select 1) q; commit; drop table core.account; --',
    ]) {
      const r = await sqlQ(attempt)
      assert.equal(r.status, 422, `${attempt}: ${JSON.stringify(r.body)}`)
    }
    const slow = await sqlQ('select pg_sleep(10)')
    assert.equal(slow.status, 422)
    assert.match(slow.body.error.message, /longer than/)
    const count = await t.app.kernel.db
      .selectFrom('core.account')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst()
    assert.ok(Number(count?.n) > 0)
  })
})

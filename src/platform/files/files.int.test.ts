import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import { freshDatabase, type TestDatabase } from '../../../test/support/database.js'
import { DomainError } from '../errors/domain-error.js'
import { DOCUMENT_EXTENSIONS, FileService } from './file.service.js'
import { uploadsPlugin, type Upload } from './uploads.plugin.js'

const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('a consultation paper')])

describe('stored files', () => {
  let database: TestDatabase
  let files: FileService
  const options = { owner: 'test.document:1', organisationId: null, accept: DOCUMENT_EXTENSIONS, field: 'document' }

  before(async () => {
    database = await freshDatabase({ migrate: true })
    files = new FileService(database.db, { maxBytes: 1024 })
  })
  after(async () => database.drop())

  it('stores a document and gives it back with its type, size and checksum', async () => {
    const stored = await files.storeBuffer(
      database.db,
      { data: pdf, filename: '../../Consultation paper.PDF' },
      options,
    )
    assert.equal(stored.filename, 'Consultation paper.PDF')
    assert.equal(stored.contentType, 'application/pdf')
    assert.equal(stored.size, pdf.length)
    const back = await files.get(stored.id)
    assert.deepEqual(back?.content, pdf)
    assert.deepEqual(
      (await files.list('test.document:1')).map((f) => f.id),
      [stored.id],
    )
    assert.equal(await files.get('not-an-id'), null)
  })

  it('refuses an empty file, one too large, a type not accepted, and a file whose bytes belie its name', async () => {
    const refusal = async (data: Buffer, filename: string) => {
      try {
        await files.storeBuffer(database.db, { data, filename }, options)
        return 'stored'
      } catch (error) {
        assert.ok(error instanceof DomainError)
        return error.fields?.document
      }
    }
    assert.equal(await refusal(Buffer.alloc(0), 'a.pdf'), 'validation.file.empty')
    assert.equal(await refusal(Buffer.alloc(2048, 65), 'a.txt'), 'validation.file.tooLarge')
    assert.equal(await refusal(Buffer.from('MZ\x90\x00'), 'setup.exe'), 'validation.file.type')
    assert.equal(await refusal(Buffer.from('<html><script>'), 'paper.pdf'), 'validation.file.type')
    assert.equal(await refusal(Buffer.from([0xff, 0xfe, 0x00, 0x41]), 'notes.txt'), 'validation.file.type')
    assert.equal(await refusal(Buffer.from('Ceist,Freagairt\n1,Tha\n'), 'answers.csv'), 'stored')
  })
})

describe('multipart uploads', () => {
  let app: FastifyInstance
  let seen: { body: Record<string, unknown>; exists: boolean } | null = null

  before(async () => {
    app = Fastify()
    await app.register(uploadsPlugin)
    app.post('/upload', async (request) => {
      const body = request.body as Record<string, unknown>
      const upload = body.document as Upload | undefined
      seen = { body, exists: upload ? existsSync(upload.path) : false }
      return { size: upload?.size ?? null, text: upload ? readFileSync(upload.path, 'utf8') : null }
    })
    app.post('/small', { config: { multipartOptions: { limits: { fileSize: 10 } } } }, async () => ({ ok: true }))
    await app.listen({ port: 0, host: '127.0.0.1' })
  })
  after(async () => app.close())

  const url = (p: string) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}${p}`

  it('streams the file to a temporary file, gives the fields as a form, and removes the file afterwards', async () => {
    const form = new FormData()
    form.append('_csrf', 'token')
    form.append('title', 'Papur')
    form.append('document', new Blob(['Sgrìobhainn'], { type: 'text/plain' }), 'C:\\Users\\me\\notes.txt')
    const res = await fetch(url('/upload'), { method: 'POST', body: form })
    assert.deepEqual(await res.json(), { size: Buffer.byteLength('Sgrìobhainn'), text: 'Sgrìobhainn' })
    assert.equal(seen?.body._csrf, 'token')
    assert.equal(seen?.body.title, 'Papur')
    const upload = seen?.body.document as Upload
    assert.equal(upload.filename, 'notes.txt')
    assert.equal(seen?.exists, true)
    assert.equal(existsSync(upload.path), false)
  })

  it('treats an empty file input as no file', async () => {
    const form = new FormData()
    form.append('title', 'Gun fhaidhle')
    form.append('document', new Blob([]), '')
    await fetch(url('/upload'), { method: 'POST', body: form })
    assert.equal(seen?.body.document, undefined)
  })

  it('refuses a file over the route limit with 413', async () => {
    const form = new FormData()
    form.append('document', new Blob(['x'.repeat(100)]), 'big.txt')
    const res = await fetch(url('/small'), { method: 'POST', body: form })
    assert.equal(res.status, 413)
  })
})

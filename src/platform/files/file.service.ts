// Stored files: documents, images and papers that modules attach to their records, kept in
// PostgreSQL (core.file) so every instance serves them and backups hold them. Large data files
// are not stored here: the open-data module loads those into tables.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyReply } from 'fastify'
import type { Kysely, Transaction } from 'kysely'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import { DomainError } from '../errors/domain-error.js'
import type { Upload } from './uploads.plugin.js'

export type StoredFile = {
  id: string
  organisationId: string | null
  owner: string
  filename: string
  contentType: string
  size: number
  sha256: string
  createdAt: Date
}

/** The kinds of file Còmhla accepts, by extension, with the bytes each must start with. */
const kinds: Record<string, { type: string; magic?: number[][] }> = {
  pdf: { type: 'application/pdf', magic: [[0x25, 0x50, 0x44, 0x46]] },
  png: { type: 'image/png', magic: [[0x89, 0x50, 0x4e, 0x47]] },
  jpg: { type: 'image/jpeg', magic: [[0xff, 0xd8, 0xff]] },
  jpeg: { type: 'image/jpeg', magic: [[0xff, 0xd8, 0xff]] },
  gif: { type: 'image/gif', magic: [[0x47, 0x49, 0x46, 0x38]] },
  webp: { type: 'image/webp', magic: [[0x52, 0x49, 0x46, 0x46]] },
  docx: {
    type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    magic: [[0x50, 0x4b, 0x03, 0x04]],
  },
  xlsx: {
    type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    magic: [[0x50, 0x4b, 0x03, 0x04]],
  },
  pptx: {
    type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    magic: [[0x50, 0x4b, 0x03, 0x04]],
  },
  odt: { type: 'application/vnd.oasis.opendocument.text', magic: [[0x50, 0x4b, 0x03, 0x04]] },
  ods: { type: 'application/vnd.oasis.opendocument.spreadsheet', magic: [[0x50, 0x4b, 0x03, 0x04]] },
  csv: { type: 'text/csv' },
  txt: { type: 'text/plain' },
}

export const DOCUMENT_EXTENSIONS = ['pdf', 'docx', 'odt', 'xlsx', 'ods', 'pptx', 'csv', 'txt']
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'gif', 'webp']

/** Types a browser may show inline; everything else is downloaded. */
const inlineTypes = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp'])

function toStoredFile(row: {
  id: string
  organisation_id: string | null
  owner: string
  filename: string
  content_type: string
  size: number
  sha256: string
  created_at: Date
}): StoredFile {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    owner: row.owner,
    filename: row.filename,
    contentType: row.content_type,
    size: row.size,
    sha256: row.sha256,
    createdAt: row.created_at,
  }
}

export class FileService {
  constructor(
    private readonly db: Db,
    private readonly options: { maxBytes: number },
  ) {}

  /**
   * Checks an upload (its extension is one of `accept`, its first bytes match that kind, its size
   * within the limit) and stores it in the caller's transaction. `owner` names what it belongs to,
   * such as "consultations.document:<id>". Refusals are DomainErrors on `field`.
   */
  async store(
    trx: Transaction<CoreDatabase> | Kysely<CoreDatabase>,
    upload: Upload,
    options: {
      owner: string
      organisationId: string | null
      accept: string[]
      field: string
      createdBy?: string | null
    },
  ): Promise<StoredFile> {
    const data = await readFile(upload.path)
    return this.storeBuffer(trx, { data, filename: upload.filename }, options)
  }

  async storeBuffer(
    trx: Transaction<CoreDatabase> | Kysely<CoreDatabase>,
    file: { data: Buffer; filename: string },
    options: {
      owner: string
      organisationId: string | null
      accept: string[]
      field: string
      createdBy?: string | null
    },
  ): Promise<StoredFile> {
    const refuse = (key: string) =>
      new DomainError('invalid-file', 'invalid', key, { fields: { [options.field]: key } })
    if (file.data.length === 0) throw refuse('validation.file.empty')
    if (file.data.length > this.options.maxBytes) throw refuse('validation.file.tooLarge')
    const extension = path.extname(file.filename).slice(1).toLowerCase()
    const kind = kinds[extension]
    if (!kind || !options.accept.includes(extension)) throw refuse('validation.file.type')
    if (kind.magic && !kind.magic.some((m) => m.every((byte, i) => file.data[i] === byte)))
      throw refuse('validation.file.type')
    if (!kind.magic && !isText(file.data)) throw refuse('validation.file.type')
    const filename = cleanFilename(file.filename)
    const row = await trx
      .insertInto('core.file')
      .values({
        organisation_id: options.organisationId,
        owner: options.owner,
        filename,
        content_type: kind.type,
        size: file.data.length,
        sha256: createHash('sha256').update(file.data).digest('hex'),
        content: file.data,
        created_by: options.createdBy ?? null,
      })
      .returning(['id', 'organisation_id', 'owner', 'filename', 'content_type', 'size', 'sha256', 'created_at'])
      .executeTakeFirstOrThrow()
    return toStoredFile(row)
  }

  async get(id: string): Promise<(StoredFile & { content: Buffer }) | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const row = await this.db.selectFrom('core.file').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? { ...toStoredFile(row), content: row.content } : null
  }

  /** Files of one owner, without their content, oldest first. */
  async list(owner: string): Promise<StoredFile[]> {
    const rows = await this.db
      .selectFrom('core.file')
      .select(['id', 'organisation_id', 'owner', 'filename', 'content_type', 'size', 'sha256', 'created_at'])
      .where('owner', '=', owner)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map(toStoredFile)
  }

  async remove(trx: Transaction<CoreDatabase> | Kysely<CoreDatabase>, id: string): Promise<void> {
    await trx.deleteFrom('core.file').where('id', '=', id).execute()
  }

  /** Sends a stored file safely: its own type, no sniffing, no scripts, inline only for PDF and images. */
  send(reply: FastifyReply, file: StoredFile & { content: Buffer }): FastifyReply {
    const inline = inlineTypes.has(file.contentType)
    const ascii = file.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
    return reply
      .header('content-type', file.contentType)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header(
        'content-disposition',
        `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      )
      .header('cache-control', 'private, max-age=3600')
      .header('etag', `"${file.sha256}"`)
      .send(file.content)
  }
}

function cleanFilename(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/'))
  const cleaned = [...base]
    .filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim()
  return cleaned.slice(0, 200) || 'file'
}

function isText(data: Buffer): boolean {
  const sample = data.subarray(0, 4096)
  if (sample.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.length === data.length ? sample : trimPartial(sample))
    return true
  } catch {
    return false
  }
}

/** A sample cut from a longer file may end inside a multi-byte character: drop that tail. */
function trimPartial(sample: Buffer): Buffer {
  let end = sample.length
  while (end > 0 && end > sample.length - 4 && (sample[end - 1]! & 0xc0) === 0x80) end--
  if (end > 0 && sample[end - 1]! >= 0xc0) end--
  return sample.subarray(0, end)
}

// Multipart forms: every file in an upload is streamed to a temporary file (never held in memory)
// and the form's fields, with the CSRF token, arrive in request.body as for any other form. A file
// field becomes an Upload; a file input left empty is absent. Temporary files are removed after
// the response: a handler that needs one later (a background import) moves it first.
import { createWriteStream } from 'node:fs'
import { mkdir, stat, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import { pipeline } from 'node:stream/promises'
import multipart, { type MultipartFile } from '@fastify/multipart'
import { Type, type Static } from '@sinclair/typebox'
import fp from 'fastify-plugin'

export const Upload = Type.Object({
  filename: Type.String(),
  mimetype: Type.String(),
  path: Type.String(),
  size: Type.Integer(),
})
export type Upload = Static<typeof Upload>

/** The largest file a form may carry unless a route says otherwise (config.multipartOptions). */
export const DEFAULT_UPLOAD_LIMIT = 25 * 1024 * 1024

declare module 'fastify' {
  interface FastifyRequest {
    uploadedFiles?: string[]
  }
}

const uploadDir = path.join(tmpdir(), 'comhla-uploads')

export const uploadsPlugin = fp(
  async (app) => {
    await mkdir(uploadDir, { recursive: true })
    await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fileSize: DEFAULT_UPLOAD_LIMIT, files: 10, fields: 500, parts: 510, fieldSize: 1_048_576 },
      async onFile(this: { uploadedFiles?: string[] }, part: MultipartFile) {
        const target = path.join(uploadDir, randomUUID())
        ;(this.uploadedFiles ??= []).push(target)
        await pipeline(part.file, createWriteStream(target))
        const { size } = await stat(target)
        // An empty file input sends a part with no name and no bytes: treat it as no file.
        if (!part.filename && size === 0) return
        const upload: Upload = {
          filename: path.basename(part.filename.replace(/\\/g, '/')).slice(0, 255),
          mimetype: part.mimetype,
          path: target,
          size,
        }
        ;(part as unknown as { value: Upload }).value = upload
      },
    })
    app.addHook('onResponse', async (request) => {
      for (const file of request.uploadedFiles ?? []) await unlink(file).catch(() => undefined)
    })
  },
  { name: 'comhla-uploads' },
)

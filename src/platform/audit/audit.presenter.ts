import { Readable, pipeline } from 'node:stream'
import { stringify } from 'csv-stringify'
import { Type, type Static } from '@sinclair/typebox'
import type { AuditEntry, AuditSearch } from './audit.service.js'

export const AuditQuery = Type.Object({
  action: Type.Optional(Type.String({ maxLength: 100 })),
  actor: Type.Optional(Type.String({ maxLength: 200 })),
  from: Type.Optional(Type.String({ maxLength: 30 })),
  to: Type.Optional(Type.String({ maxLength: 30 })),
  page: Type.Optional(Type.String({ maxLength: 10 })),
})

function day(value: string | undefined, endOfDay: boolean): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined
  const d = new Date(`${value}T00:00:00Z`)
  if (Number.isNaN(d.getTime())) return undefined
  return endOfDay ? new Date(d.getTime() + 86_400_000) : d
}

export function auditSearchFromQuery(query: Static<typeof AuditQuery>): Omit<AuditSearch, 'organisationId'> {
  return {
    ...(query.action ? { action: query.action } : {}),
    ...(query.actor ? { actor: query.actor } : {}),
    ...(day(query.from, false) ? { from: day(query.from, false)! } : {}),
    ...(day(query.to, true) ? { to: day(query.to, true)! } : {}),
    page: Number(query.page) || 1,
  }
}

export const AuditEntrySchema = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  actor: Type.Union([Type.String(), Type.Null()]),
  actorAccountId: Type.Union([Type.String(), Type.Null()]),
  organisationId: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
  hash: Type.String(),
})

export function auditToApi(e: AuditEntry): Static<typeof AuditEntrySchema> {
  return {
    seq: e.seq,
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    actor: e.actorLabel,
    actorAccountId: e.actorAccountId,
    organisationId: e.organisationId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    details: e.details,
    requestId: e.requestId,
    hash: e.hash,
  }
}

/** A CSV stream of audit entries; cells that a spreadsheet would run as formulas are quoted with '. */
export function auditCsv(entries: AsyncIterable<AuditEntry>): Readable {
  return csvStream(
    ['seq', 'occurred_at', 'actor', 'action', 'target_type', 'target_id', 'details', 'request_id', 'ip', 'hash'],
    (async function* () {
      for await (const e of entries) {
        yield [
          e.seq,
          e.occurredAt.toISOString(),
          e.actorLabel ?? '',
          e.action,
          e.targetType ?? '',
          e.targetId ?? '',
          JSON.stringify(e.details),
          e.requestId ?? '',
          e.ip ?? '',
          e.hash,
        ]
      }
    })(),
  )
}

/**
 * Rows to CSV as a stream. A failure while reading (the database going away mid-download) ends
 * the download and is logged by the caller's stream handling; it never becomes an unhandled error.
 */
export function csvStream(columns: string[], rows: AsyncIterable<unknown[]> | Iterable<unknown[]>): Readable {
  const csv = stringify({ header: true, columns, cast: { string: safeCell } })
  pipeline(Readable.from(rows, { objectMode: true }), csv, () => undefined)
  return csv
}

/** Guards against CSV injection: a cell starting with = + - @ tab or CR is prefixed with '. */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
}

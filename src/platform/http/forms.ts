// Helpers for HTML forms: read submitted values as strings, and re-render on field errors.
import { Type, type TObject, type TString, type TOptional, type TUnion, type TArray } from '@sinclair/typebox'
import { DomainError } from '../errors/domain-error.js'

type FieldSchema = TOptional<TUnion<[TString, TArray<TString>]>>

/**
 * A permissive TypeBox schema for a form body: every named field is an optional string (or a
 * list of strings, for checkboxes) up to maxLength. Routes attach the validation result rather
 * than letting it answer, so a bad post re-renders the form with what was typed.
 */
export function formSchema(fields: string[], maxLength = 10_000): TObject<Record<string, FieldSchema>> {
  const props: Record<string, FieldSchema> = {
    _csrf: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 200 }))])),
  }
  for (const f of fields)
    props[f] = Type.Optional(
      Type.Union([Type.String({ maxLength }), Type.Array(Type.String({ maxLength }), { maxItems: 50 })]),
    )
  return Type.Object(props, { additionalProperties: true })
}

/** The first value of a field as a string ('' when absent); control characters other than newlines removed. */
export function field(body: unknown, name: string, maxLength = 10_000): string {
  const raw = (body as Record<string, unknown> | undefined)?.[name]
  const value = Array.isArray(raw) ? raw[0] : raw
  if (typeof value !== 'string') return ''
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').slice(0, maxLength)
}

/** Every value of a repeated field (checkboxes). */
export function fieldList(body: unknown, name: string): string[] {
  const raw = (body as Record<string, unknown> | undefined)?.[name]
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]
  return values.filter((v): v is string => typeof v === 'string' && v.length <= 200).slice(0, 50)
}

/** The field errors of a DomainError, or undefined when the error is of another sort. */
export function fieldErrorsOf(error: unknown): Record<string, string> | undefined {
  return error instanceof DomainError && error.fields ? error.fields : undefined
}

/** A path on this site to return to, or the fallback when the value could lead elsewhere. */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > 500) return fallback
  // Only printable ASCII: browsers drop tabs and newlines (so "/\t/evil" would become "//evil"),
  // and anything else could not go into a Location header.
  if (!/^\/[\x21-\x7e]*$/.test(value) || value.startsWith('//') || value.includes('\\')) return fallback
  return value
}

/** The query's non-empty string values, less those named, as a query string (for paging and download links). */
export function keepQuery(query: Record<string, unknown>, omit: string[] = ['page']): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (!omit.includes(key) && typeof value === 'string' && value !== '') params.set(key, value)
  }
  return params.toString()
}

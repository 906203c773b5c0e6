// Services throw DomainErrors, never HTTP errors, so jobs and the CLI can call them too.
// The kind decides the HTTP status in one exhaustive place (errors.plugin.ts).

export type ErrorKind =
  'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'gone' | 'rate-limited' | 'unavailable'

export type FieldErrors = Record<string, string>

export class DomainError<Code extends string = string> extends Error {
  readonly kind: ErrorKind
  readonly code: Code
  /** what a person is told; safe to show */
  readonly publicMessage: string
  /** per-field messages for forms, keyed by field name */
  readonly fields: FieldErrors | undefined

  constructor(
    code: Code,
    kind: ErrorKind,
    publicMessage: string,
    options?: { fields?: FieldErrors; cause?: unknown; logMessage?: string },
  ) {
    super(options?.logMessage ?? publicMessage, options?.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DomainError'
    this.code = code
    this.kind = kind
    this.publicMessage = publicMessage
    this.fields = options?.fields
  }
}

export function statusForKind(kind: ErrorKind): number {
  switch (kind) {
    case 'invalid':
      return 422
    case 'unauthenticated':
      return 401
    case 'forbidden':
      return 403
    case 'not-found':
      return 404
    case 'conflict':
      return 409
    case 'gone':
      return 410
    case 'rate-limited':
      return 429
    case 'unavailable':
      return 503
    default: {
      const unreachable: never = kind
      return unreachable
    }
  }
}

/** Validation of a form or body: throws one DomainError holding every field problem. */
export function assertNoFieldErrors(code: string, fields: FieldErrors): void {
  const keys = Object.keys(fields)
  if (keys.length > 0) {
    throw new DomainError(code, 'invalid', fields[keys[0] as string] as string, { fields })
  }
}

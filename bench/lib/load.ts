// Load from this (separate) process over loopback with autocannon, bounded in time.
import autocannon from 'autocannon'

export type LoadResult = {
  rps: number
  p50: number
  p95: number
  p99: number
  errors: number
  non2xx: number
  requests: number
}

export type LoadOptions = {
  url: string
  connections?: number
  durationSeconds?: number
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT'
  headers?: Record<string, string>
  body?: string
  /** a status other than 2xx that counts as success (e.g. 303 for a form post) */
  expectStatus?: number
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = []
  let resolveResult!: (r: autocannon.Result) => void
  let rejectResult!: (e: Error) => void
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    resolveResult = resolve
    rejectResult = reject
  })
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections ?? 20,
      duration: options.durationSeconds ?? 5,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      ...(options.body !== undefined ? { body: options.body } : {}),
    },
    (error, result) => (error ? rejectResult(error as Error) : resolveResult(result)),
  )
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) =>
    latencies.push(responseTime),
  )
  const result = await finished
  latencies.sort((a, b) => a - b)
  const pct = (p: number) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : Number.NaN
  const unexpected = options.expectStatus
    ? Object.entries(result.statusCodeStats ?? {})
        .filter(([code]) => Number(code) !== options.expectStatus)
        .reduce((n, [, v]) => n + (v as { count: number }).count, 0)
    : result.non2xx
  return {
    rps: result.requests.average,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    errors: result.errors + result.timeouts,
    non2xx: unexpected,
    requests: result.requests.total,
  }
}

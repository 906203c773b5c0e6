export type Page<T> = { items: T[]; total: number; page: number; pageSize: number; pageCount: number }

export function clampPage(
  page: number | string | undefined,
  pageSize: number | string | undefined,
  maxSize = 200,
): { page: number; pageSize: number; offset: number } {
  const p = Math.max(1, Math.min(100_000, Number.parseInt(String(page ?? '1'), 10) || 1))
  const s = Math.max(1, Math.min(maxSize, Number.parseInt(String(pageSize ?? '50'), 10) || 50))
  return { page: p, pageSize: s, offset: (p - 1) * s }
}

export function toPage<T>(items: T[], total: number, page: number, pageSize: number): Page<T> {
  return { items, total, page, pageSize, pageCount: Math.max(1, Math.ceil(total / pageSize)) }
}

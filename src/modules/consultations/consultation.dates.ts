// Dates and the lifecycle, without I/O. Staff enter opening and closing times as Europe/London
// wall-clock times; they are stored as instants. The status follows from the dates once the
// consultation is published, so pages are right even between the open-close job's runs.
import type { ConsultationStatus } from './consultation.types.js'

export { instantToLondon, londonToInstant } from '../../shared/london-time.js'

/** The status at an instant: draft until published, then forthcoming, open (from opensAt) and closed (from closesAt). */
export function statusAt(
  c: { publishedAt: Date | null; opensAt: Date; closesAt: Date },
  now: Date = new Date(),
): ConsultationStatus {
  if (!c.publishedAt) return 'draft'
  if (now.getTime() < c.opensAt.getTime()) return 'forthcoming'
  if (now.getTime() < c.closesAt.getTime()) return 'open'
  return 'closed'
}

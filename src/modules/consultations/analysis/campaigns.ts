// Campaign detection: groups responses whose free text is identical or nearly so (a campaign's
// template with small edits). Pure code, so it runs the same on PostgreSQL and on the embedded
// PGlite (which has no pg_trgm): texts are normalised, identical ones grouped at once, and the
// distinct texts compared by MinHash signatures of word 3-shingles with locality-sensitive hashing,
// so the work grows with the number of responses rather than with its square. See docs/adr/0007.

export type CampaignInput = { responseId: string; text: string }
export type CampaignMember = { responseId: string; similarity: number }
export type Campaign = { label: string; members: CampaignMember[] }

export type CampaignOptions = {
  /** the fewest responses that make a campaign */
  minSize?: number
  /** texts shorter than this many words are ordinary short answers ("No", "I agree"), never campaigns */
  minWords?: number
  /** the estimated Jaccard similarity of shingle sets above which two texts are the same campaign */
  threshold?: number
}

const HASHES = 64
const BANDS = 16
const ROWS = HASHES / BANDS

/** Lower case, letters and digits only, single spaces. */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

function fmix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const SEEDS = Array.from({ length: HASHES }, (_, i) => fmix(0x9e3779b9 ^ Math.imul(i + 1, 0x27d4eb2d)))

/** The MinHash signature of a normalised text's word 3-shingles (words, for texts under three). */
export function signature(normalised: string): Uint32Array {
  const words = normalised.split(' ')
  const shingles = new Set<number>()
  if (words.length < 3) shingles.add(fnv1a(normalised))
  else for (let i = 0; i + 2 < words.length; i++) shingles.add(fnv1a(`${words[i]} ${words[i + 1]} ${words[i + 2]}`))
  const sig = new Uint32Array(HASHES).fill(0xffffffff)
  for (const s of shingles) {
    for (let k = 0; k < HASHES; k++) {
      const v = fmix(s ^ SEEDS[k]!)
      if (v < sig[k]!) sig[k] = v
    }
  }
  return sig
}

export function estimatedSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0
  for (let k = 0; k < HASHES; k++) if (a[k] === b[k]) same++
  return same / HASHES
}

class UnionFind {
  private readonly parent: Int32Array
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i)
  }
  find(i: number): number {
    let root = i
    while (this.parent[root] !== root) root = this.parent[root]!
    while (this.parent[i] !== root) {
      const next = this.parent[i]!
      this.parent[i] = root
      i = next
    }
    return root
  }
  union(a: number, b: number): void {
    const ra = this.find(a)
    const rb = this.find(b)
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
}

/** Groups of identical or near-identical texts, largest first; each member with its similarity to the group's commonest text. */
export function detectCampaigns(inputs: Iterable<CampaignInput>, options: CampaignOptions = {}): Campaign[] {
  const minSize = options.minSize ?? 3
  const minWords = options.minWords ?? 8
  const threshold = options.threshold ?? 0.6

  // identical texts first: one entry per distinct normalised text
  const distinct = new Map<string, { original: string; responseIds: string[] }>()
  for (const { responseId, text } of inputs) {
    const norm = normaliseText(text)
    if (norm === '' || norm.split(' ').length < minWords) continue
    const entry = distinct.get(norm)
    if (entry) entry.responseIds.push(responseId)
    else distinct.set(norm, { original: text.trim(), responseIds: [responseId] })
  }
  const texts = [...distinct.entries()]
  const sigs = texts.map(([norm]) => signature(norm))
  const uf = new UnionFind(texts.length)

  // locality-sensitive hashing: texts sharing any band of their signature are candidates, each
  // checked against the first text of its bucket (so a large campaign costs linear time)
  for (let band = 0; band < BANDS; band++) {
    const buckets = new Map<string, number>()
    for (let i = 0; i < sigs.length; i++) {
      const sig = sigs[i]!
      let key = `${band}`
      for (let r = 0; r < ROWS; r++) key += `:${sig[band * ROWS + r]}`
      const first = buckets.get(key)
      if (first === undefined) buckets.set(key, i)
      else if (estimatedSimilarity(sigs[first]!, sig) >= threshold) uf.union(first, i)
    }
  }

  const components = new Map<number, number[]>()
  for (let i = 0; i < texts.length; i++) {
    const root = uf.find(i)
    const list = components.get(root)
    if (list) list.push(i)
    else components.set(root, [i])
  }

  const campaigns: Campaign[] = []
  for (const indexes of components.values()) {
    const size = indexes.reduce((n, i) => n + texts[i]![1].responseIds.length, 0)
    if (size < minSize) continue
    const commonest = indexes.reduce((best, i) =>
      texts[i]![1].responseIds.length > texts[best]![1].responseIds.length ? i : best,
    )
    const members: CampaignMember[] = []
    for (const i of indexes) {
      const similarity = i === commonest ? 1 : estimatedSimilarity(sigs[commonest]!, sigs[i]!)
      for (const responseId of texts[i]![1].responseIds) members.push({ responseId, similarity })
    }
    members.sort((a, b) => b.similarity - a.similarity)
    campaigns.push({ label: texts[commonest]![1].original.slice(0, 300), members })
  }
  return campaigns.sort((a, b) => b.members.length - a.members.length)
}

// Campaign detection: groups responses whose free text is identical or nearly so (a campaign's
// template with small edits). Pure code, so it runs the same on PostgreSQL and on the embedded
// PGlite (which has no pg_trgm): texts are normalised, identical ones grouped at once, and the
// distinct texts compared by MinHash signatures of word 3-shingles with locality-sensitive hashing
// and leader clustering, so the work grows with the number of responses rather than its square. See docs/adr/0007.

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
/** the most leaders of one bucket a text is compared with */
const LEADERS_CHECKED = 4

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

/** The MinHash signature of a normalised text's word 3-shingles (words, for texts under three). */
export function signature(normalised: string): Uint32Array {
  const words = normalised.split(' ')
  const shingles = new Set<number>()
  if (words.length < 3) shingles.add(fnv1a(normalised))
  else for (let i = 0; i + 2 < words.length; i++) shingles.add(fnv1a(`${words[i]} ${words[i + 1]} ${words[i + 2]}`))
  const sig = new Uint32Array(HASHES).fill(0xffffffff)
  // k hash functions from two (Kirsch and Mitzenmacher): h1 + k * h2
  for (const s of shingles) {
    const h1 = fmix(s)
    const h2 = fmix(s ^ 0x9e3779b9) | 1
    for (let k = 0; k < HASHES; k++) {
      const v = (h1 + Math.imul(k, h2)) >>> 0
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
  // the commonest texts first, so each group gathers round its template
  const texts = [...distinct.entries()].sort((a, b) => b[1].responseIds.length - a[1].responseIds.length)
  const sigs = texts.map(([norm]) => signature(norm))

  // Leader clustering with locality-sensitive hashing: a text joins the most similar leader that
  // shares a band of its signature with it, if similar enough, or leads a group of its own. Texts
  // are compared with leaders only, so loosely related texts never chain into one group, and the
  // work grows with the number of texts times the few leaders each one meets.
  const buckets = Array.from({ length: BANDS }, () => new Map<number, number[]>())
  const leaderOf = new Int32Array(texts.length)
  const seen = new Int32Array(texts.length)
  const bandKey = (sig: Uint32Array, band: number) => {
    let h = band + 1
    for (let r = 0; r < ROWS; r++) h = fmix(h ^ sig[band * ROWS + r]!)
    return h
  }
  for (let i = 0; i < sigs.length; i++) {
    const sig = sigs[i]!
    const keys = Array.from({ length: BANDS }, (_, band) => bandKey(sig, band))
    let best = -1
    let bestSimilarity = threshold
    keys.forEach((key, band) => {
      // a crowded bucket is a common phrase, not a campaign: a few of its leaders are enough
      for (const leader of (buckets[band]!.get(key) ?? []).slice(0, LEADERS_CHECKED)) {
        // each leader once per text, however many bands they share
        if (seen[leader] === i + 1) continue
        seen[leader] = i + 1
        const similarity = estimatedSimilarity(sigs[leader]!, sig)
        if (similarity >= bestSimilarity) {
          best = leader
          bestSimilarity = similarity
        }
      }
    })
    if (best >= 0) {
      leaderOf[i] = best
      continue
    }
    leaderOf[i] = i
    keys.forEach((key, band) => {
      const list = buckets[band]!.get(key)
      if (!list) buckets[band]!.set(key, [i])
      else if (list.length < LEADERS_CHECKED) list.push(i)
    })
  }

  const components = new Map<number, number[]>()
  for (let i = 0; i < texts.length; i++) {
    const leader = leaderOf[i]!
    const list = components.get(leader)
    if (list) list.push(i)
    else components.set(leader, [i])
  }

  const campaigns: Campaign[] = []
  for (const indexes of components.values()) {
    const size = indexes.reduce((n, i) => n + texts[i]![1].responseIds.length, 0)
    if (size < minSize) continue
    const commonest = indexes[0]!
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

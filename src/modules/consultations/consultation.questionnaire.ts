// The shape of a questionnaire, without I/O: its questions in order (those outside any section
// first, then each section's), which questions a respondent sees given their answers so far
// (conditions), and how the visible questions fall into pages for the consultation's paging mode.
import { fileNameKey, otherKey } from './consultation.answers.js'
import type { Answers, PagingMode, Question, Section } from './consultation.types.js'

export type QuestionGroup = { section: Section | null; questions: Question[] }

/** The questions grouped by section in the order a respondent meets them; empty sections are kept. */
export function groupQuestions(questions: Question[], sections: Section[]): QuestionGroup[] {
  const byPosition = [...questions].sort((a, b) => a.position - b.position)
  const known = new Set(sections.map((s) => s.id))
  const loose = byPosition.filter((q) => q.sectionId === null || !known.has(q.sectionId))
  return [
    ...(loose.length ? [{ section: null, questions: loose }] : []),
    ...[...sections]
      .sort((a, b) => a.position - b.position)
      .map((section) => ({ section, questions: byPosition.filter((q) => q.sectionId === section.id) })),
  ]
}

/** Every question in the order a respondent meets them. */
export function orderQuestions(questions: Question[], sections: Section[]): Question[] {
  return groupQuestions(questions, sections).flatMap((g) => g.questions)
}

/** Whether an answer satisfies a condition: the choice made is (or includes) the value. */
function matches(answer: string | string[] | undefined, value: string): boolean {
  return Array.isArray(answer) ? answer.includes(value) : answer === value
}

/**
 * The ids of the questions a respondent sees with these answers. A question with a condition is
 * seen only when the question it depends on comes earlier, is itself seen, and was answered with
 * the value.
 */
export function visibleIds(ordered: Question[], answers: Answers, options: { maybe?: boolean } = {}): Set<string> {
  const seen = new Set<string>()
  const before = new Set<string>()
  for (const q of ordered) {
    const c = q.condition
    const given = c ? answers[c.questionId] : undefined
    // "maybe": a question still counts while the answer it depends on has not been given.
    const unanswered = given === undefined || given === '' || (Array.isArray(given) && given.length === 0)
    if (
      !c ||
      (before.has(c.questionId) &&
        seen.has(c.questionId) &&
        (matches(given, c.value) || (options.maybe === true && unanswered)))
    )
      seen.add(q.id)
    before.add(q.id)
  }
  return seen
}

export function visibleQuestions(ordered: Question[], answers: Answers): Question[] {
  const seen = visibleIds(ordered, answers)
  return ordered.filter((q) => seen.has(q.id))
}

/** Only the answers to questions the respondent sees: skipped questions' answers are not kept. */
export function pruneAnswers(ordered: Question[], answers: Answers): Answers {
  const seen = visibleIds(ordered, answers)
  const out: Answers = {}
  for (const q of ordered) {
    if (!seen.has(q.id)) continue
    const value = answers[q.id]
    if (value !== undefined) out[q.id] = value
    for (const key of [otherKey(q.id), fileNameKey(q.id)]) {
      const extra = answers[key]
      if (extra !== undefined) out[key] = extra
    }
  }
  return out
}

/** One page of the questionnaire: its key in the address, its section (if any), its questions. */
export type QuestionPage = { key: string; section: Section | null; questions: Question[] }

export const ALL_ON_ONE_PAGE = 'all'
const LOOSE = 'start'

/**
 * The pages a respondent goes through with these answers: everything on one page, a section a
 * page, or a question a page. Pages whose questions are all skipped are left out.
 */
export function pagesOf(
  groups: QuestionGroup[],
  paging: PagingMode,
  answers: Answers,
  options: { maybe?: boolean } = {},
): QuestionPage[] {
  const ordered = groups.flatMap((g) => g.questions)
  const strict = visibleIds(ordered, answers, options)
  // A question whose condition is on the same page is shown (a page cannot hide it without
  // JavaScript); the page says when to answer it, and an answer is kept only if the condition holds.
  const pageOf = new Map<string, string>()
  for (const g of groups)
    for (const q of g.questions)
      pageOf.set(q.id, paging === 'all' ? ALL_ON_ONE_PAGE : paging === 'section' ? (g.section?.id ?? LOOSE) : q.id)
  const seen = new Set<string>()
  const before = new Set<string>()
  for (const q of ordered) {
    const c = q.condition
    if (
      strict.has(q.id) ||
      (c && before.has(c.questionId) && seen.has(c.questionId) && pageOf.get(c.questionId) === pageOf.get(q.id))
    )
      seen.add(q.id)
    before.add(q.id)
  }
  if (paging === 'all') {
    const questions = groups.flatMap((g) => g.questions).filter((q) => seen.has(q.id))
    return [{ key: ALL_ON_ONE_PAGE, section: null, questions }]
  }
  const pages: QuestionPage[] = []
  for (const g of groups) {
    const questions = g.questions.filter((q) => seen.has(q.id))
    if (paging === 'section') {
      if (questions.length) pages.push({ key: g.section?.id ?? LOOSE, section: g.section, questions })
    } else {
      for (const q of questions) pages.push({ key: q.id, section: g.section, questions: [q] })
    }
  }
  return pages
}

/** The choice questions before this one that a condition may depend on. */
export function conditionSources(ordered: Question[], questionId: string | null): Question[] {
  const index = questionId ? ordered.findIndex((q) => q.id === questionId) : ordered.length
  return ordered
    .slice(0, index === -1 ? ordered.length : index)
    .filter((q) => q.type === 'single-choice' || q.type === 'multiple-choice')
}

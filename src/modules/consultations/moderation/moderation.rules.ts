// Which answers a moderator must see before they are published, without I/O.
import type { Question } from '../consultation.types.js'

/** Chosen from a list, a number or a date: published without a moderator. */
const AUTOMATIC = new Set(['single-choice', 'multiple-choice', 'choice-grid', 'number', 'date'])
/** Never published: an uploaded file cannot be redacted. */
const NEVER_PUBLISHED = new Set(['file'])
const CHOICES = new Set(['single-choice', 'multiple-choice'])

/** A piece of a response a moderator decides on: a free-text answer, or the text of "Other, please specify". */
export type ModerationSlot = { key: string; questionId: string; title: string; position: number; other: boolean }

export const otherKey = (questionId: string) => `${questionId}:other`

export function isPublishedAutomatically(question: Question): boolean {
  return AUTOMATIC.has(question.type)
}

export function isNeverPublished(question: Question): boolean {
  return NEVER_PUBLISHED.has(question.type)
}

/** Every slot of a questionnaire that needs a moderator, in questionnaire order. */
export function moderationSlots(questions: Question[]): ModerationSlot[] {
  const slots: ModerationSlot[] = []
  for (const q of questions) {
    if (isNeverPublished(q)) continue
    if (!isPublishedAutomatically(q))
      slots.push({ key: q.id, questionId: q.id, title: q.title, position: q.position, other: false })
    else if (CHOICES.has(q.type))
      slots.push({ key: otherKey(q.id), questionId: q.id, title: q.title, position: q.position, other: true })
  }
  return slots
}

export function answerIsEmpty(value: string | string[] | undefined): boolean {
  return value === undefined || (Array.isArray(value) ? value.every((v) => v === '') : value.trim() === '')
}

import argon2 from 'argon2'
import { dictionary } from '@zxcvbn-ts/language-common'

// OWASP's argon2id settings (19 MiB, 2 passes, 1 lane).
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN_LENGTH = 10
export const PASSWORD_MAX_LENGTH = 256

// Passwords seen most often in breaches (the zxcvbn-ts common list), compared case-insensitively.
const common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()))

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS)
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

/** Spends the same time as a real check, so a missing account cannot be told from a wrong password. */
let dummyHash: Promise<string> | null = null
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('not-a-real-password-for-timing')
  await verifyPassword(await dummyHash, password)
}

/** A message key when the password is not acceptable, else null. */
export function passwordProblem(password: string, email?: string): string | null {
  if (password.length === 0) return 'validation.password.required'
  if (password.length < PASSWORD_MIN_LENGTH) return 'validation.password.tooShort'
  if (password.length > PASSWORD_MAX_LENGTH) return 'validation.password.tooLong'
  const lower = password.toLowerCase()
  if (common.has(lower) || /^(.)\1+$/.test(password)) return 'validation.password.common'
  if (email && lower === email.trim().toLowerCase()) return 'validation.password.isEmail'
  return null
}

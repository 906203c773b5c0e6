/** Lower-cased and trimmed: the form in which email addresses are compared. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase()
}

// Deliberately plain: one @, something before it, a dot in the domain, no spaces.
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]{2,}$/

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL.test(email.trim())
}

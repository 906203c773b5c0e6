// Casework: a signed-in constituent sends an enquiry to a representative; the representative's
// office (the representative and the accounts they added) works the case with notes, replies
// (emailed through the outbox) and a status. Cases are private to that office: anyone else,
// platform administrators included, finds nothing. Every change is audited, without its text.
import { randomInt } from 'node:crypto'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { FieldErrors } from '../../../platform/errors/domain-error.js'
import type { CommunityTables } from './community.tables.js'
import { CommunityError, assertValid, uuidPattern } from './community.errors.js'
import { normalisePostcode } from './community.text.js'
import type { Representative, RepresentativeService } from './representatives.service.js'

export const caseStatuses = ['open', 'in-progress', 'closed'] as const
export type CaseStatus = (typeof caseStatuses)[number]

export type CaseEntry = {
  id: string
  kind: 'enquiry' | 'note' | 'reply' | 'status'
  body: string
  authorName: string
  createdAt: Date
}

export type Case = {
  id: string
  reference: string
  representativeId: string
  constituentAccountId: string | null
  constituentName: string
  constituentEmail: string
  postcode: string
  subject: string
  status: CaseStatus
  createdAt: Date
  updatedAt: Date
}

export type EnquiryInput = { subject: string; message: string; postcode: string }

type CaseRow = {
  id: string
  reference: string
  representative_id: string
  constituent_account_id: string | null
  constituent_name: string
  constituent_email: string
  postcode: string
  subject: string
  status: string
  created_at: Date
  updated_at: Date
}

const toCase = (r: CaseRow): Case => ({
  id: r.id,
  reference: r.reference,
  representativeId: r.representative_id,
  constituentAccountId: r.constituent_account_id,
  constituentName: r.constituent_name,
  constituentEmail: r.constituent_email,
  postcode: r.postcode,
  subject: r.subject,
  status: r.status as CaseStatus,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
})

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
const newReference = () => `EN-${Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')}`
const caseNotFound = () => new CommunityError('CASE_NOT_FOUND', 'There is no such enquiry')

export class CaseworkService {
  constructor(
    private readonly kernel: Kernel,
    private readonly representatives: RepresentativeService,
  ) {}

  private get db() {
    return this.kernel.db.withTables<CommunityTables>()
  }

  async send(ctx: ActionContext, representativeId: string, input: EnquiryInput): Promise<Case> {
    const principal = requirePrincipal(ctx)
    const rep = await this.representatives.get(representativeId)
    const fields: FieldErrors = {}
    if (input.subject.trim() === '') fields.subject = 'participation.case.validation.subjectRequired'
    else if (input.subject.trim().length > 200) fields.subject = 'participation.case.validation.subjectTooLong'
    if (input.message.trim() === '') fields.message = 'participation.case.validation.messageRequired'
    else if (input.message.length > 10_000) fields.message = 'participation.case.validation.messageTooLong'
    const postcode = input.postcode.trim() === '' ? '' : normalisePostcode(input.postcode)
    if (postcode === null) fields.postcode = 'participation.find.postcodeFormat'
    assertValid('CASE_INVALID', fields, 'Check your enquiry')
    return inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      // A double submit (the same enquiry again within ten minutes) finds the first.
      const same = await db
        .selectFrom('participation.rep_case as c')
        .innerJoin('participation.rep_case_entry as e', 'e.case_id', 'c.id')
        .selectAll('c')
        .where('c.representative_id', '=', rep.id)
        .where('c.constituent_account_id', '=', principal.accountId)
        .where('c.subject', '=', input.subject.trim())
        .where('e.kind', '=', 'enquiry')
        .where('e.body', '=', input.message.trim())
        .where('c.created_at', '>', new Date(Date.now() - 10 * 60_000))
        .executeTakeFirst()
      if (same) return toCase(same)
      const row = await db
        .insertInto('participation.rep_case')
        .values({
          reference: newReference(),
          representative_id: rep.id,
          constituent_account_id: principal.accountId,
          constituent_name: principal.displayName,
          constituent_email: principal.email,
          postcode: postcode ?? '',
          subject: input.subject.trim(),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await db
        .insertInto('participation.rep_case_entry')
        .values({
          case_id: row.id,
          kind: 'enquiry',
          body: input.message.trim(),
          author_account_id: principal.accountId,
          author_name: principal.displayName,
        })
        .execute()
      await this.kernel.mail.enqueue(trx, {
        to: principal.email,
        template: 'participation.enquiry-received',
        locale: ctx.locale,
        organisationId: rep.organisationId,
        params: {
          name: principal.displayName,
          representative: rep.name,
          reference: row.reference,
          link: `${this.kernel.config.baseUrl}/enquiries/${row.id}`,
        },
      })
      // The office hears of it at the representative's public address, else at their own account's.
      const account = rep.accountId ? await this.kernel.accounts.get(rep.accountId) : null
      const officeAddress = rep.email || account?.email
      if (officeAddress)
        await this.kernel.mail.enqueue(trx, {
          to: officeAddress,
          template: 'participation.enquiry-new',
          locale: account?.locale ?? 'en',
          organisationId: rep.organisationId,
          params: {
            representative: rep.name,
            reference: row.reference,
            subject: row.subject,
            link: `${this.kernel.config.baseUrl}/office/${rep.id}/cases/${row.id}`,
          },
        })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.case.created',
        organisationId: rep.organisationId,
        targetType: 'case',
        targetId: row.id,
        details: { representativeId: rep.id, reference: row.reference },
      })
      return toCase(row)
    })
  }

  // --- the constituent's view ---

  async mine(ctx: ActionContext): Promise<(Case & { representativeName: string })[]> {
    const principal = requirePrincipal(ctx)
    const rows = await this.db
      .selectFrom('participation.rep_case as c')
      .innerJoin('participation.rep_representative as r', 'r.id', 'c.representative_id')
      .selectAll('c')
      .select('r.name as representative_name')
      .where('c.constituent_account_id', '=', principal.accountId)
      .orderBy('c.created_at', 'desc')
      .limit(500)
      .execute()
    return rows.map((r) => ({ ...toCase(r), representativeName: r.representative_name }))
  }

  /** One of the constituent's own enquiries, with the enquiry and replies (never the office's notes). */
  async mineOne(
    ctx: ActionContext,
    caseId: string,
  ): Promise<{ found: Case; representative: Representative; entries: CaseEntry[] }> {
    const principal = requirePrincipal(ctx)
    const found = await this.load(caseId)
    if (found.constituentAccountId !== principal.accountId) throw caseNotFound()
    const entries = (await this.entries(found.id)).filter((e) => e.kind === 'enquiry' || e.kind === 'reply')
    return { found, representative: await this.representatives.get(found.representativeId), entries }
  }

  // --- the office's view ---

  async list(
    ctx: ActionContext,
    representativeId: string,
    status?: string,
  ): Promise<{ representative: Representative; cases: Case[] }> {
    const representative = await this.representatives.requireOffice(ctx, representativeId)
    let q = this.db.selectFrom('participation.rep_case').selectAll().where('representative_id', '=', representative.id)
    if (status && (caseStatuses as readonly string[]).includes(status)) q = q.where('status', '=', status)
    const rows = await q.orderBy('updated_at', 'desc').limit(1000).execute()
    return { representative, cases: rows.map(toCase) }
  }

  async get(
    ctx: ActionContext,
    representativeId: string,
    caseId: string,
  ): Promise<{ representative: Representative; found: Case; entries: CaseEntry[] }> {
    const representative = await this.representatives.requireOffice(ctx, representativeId)
    const found = await this.load(caseId)
    if (found.representativeId !== representative.id) throw caseNotFound()
    return { representative, found, entries: await this.entries(found.id) }
  }

  async addNote(ctx: ActionContext, representativeId: string, caseId: string, body: string): Promise<void> {
    await this.addEntry(ctx, representativeId, caseId, 'note', body)
  }

  /** A reply goes to the constituent by email, and appears on their enquiry's page. */
  async reply(ctx: ActionContext, representativeId: string, caseId: string, body: string): Promise<void> {
    await this.addEntry(ctx, representativeId, caseId, 'reply', body)
  }

  async setStatus(ctx: ActionContext, representativeId: string, caseId: string, status: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    const { representative, found } = await this.get(ctx, representativeId, caseId)
    if (!(caseStatuses as readonly string[]).includes(status))
      throw new CommunityError('CASE_INVALID', 'Choose a status', {
        fields: { status: 'participation.case.validation.statusRequired' },
      })
    if (status === found.status) return
    await inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      await db
        .updateTable('participation.rep_case')
        .set({ status, updated_at: new Date() })
        .where('id', '=', found.id)
        .execute()
      await db
        .insertInto('participation.rep_case_entry')
        .values({
          case_id: found.id,
          kind: 'status',
          body: status,
          author_account_id: principal.accountId,
          author_name: principal.displayName,
        })
        .execute()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.case.status-changed',
        organisationId: representative.organisationId,
        targetType: 'case',
        targetId: found.id,
        details: { reference: found.reference, from: found.status, to: status },
      })
    })
  }

  private async addEntry(
    ctx: ActionContext,
    representativeId: string,
    caseId: string,
    kind: 'note' | 'reply',
    body: string,
  ): Promise<void> {
    const principal = requirePrincipal(ctx)
    const { representative, found } = await this.get(ctx, representativeId, caseId)
    const field = kind === 'note' ? 'note' : 'reply'
    if (body.trim() === '')
      throw new CommunityError('CASE_INVALID', 'Enter some text', {
        fields: { [field]: `participation.case.validation.${field}Required` },
      })
    if (body.length > 10_000)
      throw new CommunityError('CASE_INVALID', 'Keep it shorter', {
        fields: { [field]: 'participation.case.validation.messageTooLong' },
      })
    await inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      await db
        .insertInto('participation.rep_case_entry')
        .values({
          case_id: found.id,
          kind,
          body: body.trim(),
          author_account_id: principal.accountId,
          author_name: principal.displayName,
        })
        .execute()
      const status = kind === 'reply' && found.status === 'open' ? 'in-progress' : found.status
      await db
        .updateTable('participation.rep_case')
        .set({ updated_at: new Date(), status })
        .where('id', '=', found.id)
        .execute()
      if (kind === 'reply') {
        const account = found.constituentAccountId ? await this.kernel.accounts.get(found.constituentAccountId) : null
        await this.kernel.mail.enqueue(trx, {
          to: found.constituentEmail,
          template: 'participation.enquiry-reply',
          locale: account?.locale ?? 'en',
          organisationId: representative.organisationId,
          params: {
            name: found.constituentName,
            representative: representative.name,
            reference: found.reference,
            subject: found.subject,
            reply: body.trim(),
            link: `${this.kernel.config.baseUrl}/enquiries/${found.id}`,
          },
        })
      }
      await this.kernel.audit.record(trx, ctx, {
        action: kind === 'reply' ? 'participation.case.replied' : 'participation.case.note-added',
        organisationId: representative.organisationId,
        targetType: 'case',
        targetId: found.id,
        details: { reference: found.reference },
      })
    })
  }

  private async load(caseId: string): Promise<Case> {
    if (!uuidPattern.test(caseId)) throw caseNotFound()
    const row = await this.db
      .selectFrom('participation.rep_case')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirst()
    if (!row) throw caseNotFound()
    return toCase(row)
  }

  private async entries(caseId: string): Promise<CaseEntry[]> {
    const rows = await this.db
      .selectFrom('participation.rep_case_entry')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as CaseEntry['kind'],
      body: r.body,
      authorName: r.author_name,
      createdAt: new Date(r.created_at),
    }))
  }
}

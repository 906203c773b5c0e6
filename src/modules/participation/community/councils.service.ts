// Community councils and their meetings: councils' staff add community councils (organisations
// under the council) and give people roles through the kernel's invitations; meetings with agenda,
// papers, a joining link, registration to attend, minutes, and an iCalendar feed.
import { actingAccountId } from '../../../platform/auth/principal.js'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requirePrincipal, rolesIn } from '../../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../../platform/accounts/roles.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import type { FieldErrors } from '../../../platform/errors/domain-error.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import type { CommunityTables } from './community.tables.js'
import { CommunityError, assertValid, uuidPattern } from './community.errors.js'
import {
  STAFF_ROLES,
  canManageCommunityCouncil,
  forbidden,
  holdsStaffRole,
  requireCommunityCouncilManager,
} from './community.access.js'
import { londonInstant, webAddress } from './community.text.js'
import { calendar, type CalendarEvent } from './ical.js'
import { DOCUMENT_EXTENSIONS } from '../../../platform/files/file.service.js'
import type { Upload } from '../../../platform/files/uploads.plugin.js'
import { MEETINGS_DATASET } from './community.datasets.js'

export const meetingKinds = ['in-person', 'online', 'hybrid'] as const
export type MeetingKind = (typeof meetingKinds)[number]
export const joiningVisibilities = ['registered', 'public'] as const
export type Attendance = 'in-person' | 'online'

export type Meeting = {
  id: string
  organisationId: string
  title: string
  kind: MeetingKind
  startsAt: Date
  endsAt: Date
  location: string
  joiningUrl: string
  joiningVisibility: 'registered' | 'public'
  agendaMarkdown: string
  minutesMarkdown: string
  minutesPublishedAt: Date | null
  publishedAt: Date | null
  cancelledAt: Date | null
  sequence: number
  createdAt: Date
  updatedAt: Date
}

export type Paper = { id: string; title: string; url: string; position: number; file_id: string | null }

export type MeetingInput = {
  title: string
  kind: string
  date: string
  startTime: string
  endTime: string
  location: string
  joiningUrl: string
  joiningVisibility: string
  agenda: string
}

export type CommunityCouncilInput = {
  councilId: string
  nameEn: string
  nameGd: string
  website: string
  adminEmail: string
}

export type Registration = { accountId: string; name: string; email: string; attendance: Attendance; createdAt: Date }

type MeetingRow = {
  id: string
  organisation_id: string
  title: string
  kind: string
  starts_at: Date
  ends_at: Date
  location: string
  joining_url: string
  joining_visibility: string
  agenda_markdown: string
  minutes_markdown: string
  minutes_published_at: Date | null
  published_at: Date | null
  cancelled_at: Date | null
  sequence: number
  created_at: Date
  updated_at: Date
}

const toMeeting = (r: MeetingRow): Meeting => ({
  id: r.id,
  organisationId: r.organisation_id,
  title: r.title,
  kind: r.kind as MeetingKind,
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  location: r.location,
  joiningUrl: r.joining_url,
  joiningVisibility: r.joining_visibility as Meeting['joiningVisibility'],
  agendaMarkdown: r.agenda_markdown,
  minutesMarkdown: r.minutes_markdown,
  minutesPublishedAt: r.minutes_published_at ? new Date(r.minutes_published_at) : null,
  publishedAt: r.published_at ? new Date(r.published_at) : null,
  cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
  sequence: r.sequence,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
})

const ccNotFound = () => new CommunityError('COMMUNITY_COUNCIL_NOT_FOUND', 'There is no such community council')
const meetingNotFound = () => new CommunityError('MEETING_NOT_FOUND', 'There is no such meeting')

/** Who a meeting's joining link is shown to. */
export function joiningLinkVisible(meeting: Meeting, registered: boolean, manager: boolean): boolean {
  if (meeting.kind === 'in-person' || meeting.joiningUrl === '') return false
  return manager || meeting.joiningVisibility === 'public' || registered
}

export class CommunityCouncilService {
  constructor(private readonly kernel: Kernel) {}

  private get db() {
    return this.kernel.db.withTables<CommunityTables>()
  }

  // --- community councils ---

  async get(slug: string): Promise<Organisation> {
    const cc = await this.kernel.organisations.getBySlug(slug).catch(() => null)
    if (!cc || cc.type !== 'community-council') throw ccNotFound()
    return cc
  }

  async getById(id: string): Promise<Organisation> {
    const cc = await this.kernel.organisations.getById(id)
    if (!cc || cc.type !== 'community-council') throw ccNotFound()
    return cc
  }

  /** Community councils, optionally of one council, with their council. */
  async list(query: {
    q?: string | undefined
    council?: string | undefined
    page?: number | string | undefined
    pageSize?: number | undefined
  }): Promise<Page<{ cc: Organisation; council: Organisation | null }>> {
    const { page, pageSize } = clampPage(query.page, query.pageSize ?? 50, 500)
    let parentId: string | undefined
    if (query.council) {
      const council = await this.kernel.organisations.getBySlug(query.council).catch(() => null)
      if (!council) return toPage([], 0, page, pageSize)
      parentId = council.id
    }
    const found = await this.kernel.organisations.list({
      type: 'community-council',
      ...(query.q ? { q: query.q } : {}),
      ...(parentId ? { parentId } : {}),
      page,
      pageSize,
    })
    const parents = new Map<string, Organisation | null>()
    const items = []
    for (const cc of found.items) {
      if (cc.parentId && !parents.has(cc.parentId))
        parents.set(cc.parentId, await this.kernel.organisations.getById(cc.parentId))
      items.push({ cc, council: cc.parentId ? (parents.get(cc.parentId) ?? null) : null })
    }
    return { ...found, items }
  }

  async *all(query: { q?: string | undefined; council?: string | undefined }) {
    for (let page = 1; ; page++) {
      const result = await this.list({ ...query, page, pageSize: 500 })
      yield* result.items
      if (page >= result.pageCount) return
    }
  }

  /** Councils with community councils, for the list's filter. */
  async councils(): Promise<Organisation[]> {
    return (await this.kernel.organisations.list({ type: 'council', pageSize: 100 })).items
  }

  /** The councils under which this person may add community councils. */
  async councilsFor(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    const councils = await this.councils()
    return councils.filter((c) => principal.isPlatformAdmin || holdsStaffRole(principal, c.id))
  }

  /** The community councils this person may run. */
  async manageable(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    const found = new Map<string, Organisation>()
    for (const m of principal.memberships) {
      if (!m.roles.some((r) => STAFF_ROLES.includes(r))) continue
      const org = await this.kernel.organisations.getById(m.organisationId)
      if (!org) continue
      if (org.type === 'community-council') found.set(org.id, org)
      const children = await this.kernel.organisations.list({
        type: 'community-council',
        parentId: org.id,
        pageSize: 500,
      })
      for (const cc of children.items) found.set(cc.id, cc)
    }
    return [...found.values()].sort((a, b) => a.nameEn.localeCompare(b.nameEn))
  }

  requireManager(ctx: ActionContext, cc: Organisation): void {
    requireCommunityCouncilManager(ctx, cc)
  }

  canManage(ctx: ActionContext, cc: Organisation): boolean {
    return canManageCommunityCouncil(ctx.principal, cc)
  }

  /** A council's staff add a community council under it, and invite its first administrator. */
  async create(ctx: ActionContext, input: CommunityCouncilInput): Promise<Organisation> {
    const principal = requirePrincipal(ctx)
    const fields: FieldErrors = {}
    const council = uuidPattern.test(input.councilId) ? await this.kernel.organisations.getById(input.councilId) : null
    if (!council || council.type !== 'council') fields.councilId = 'participation.cc.validation.councilRequired'
    else if (!principal.isPlatformAdmin && !holdsStaffRole(principal, council.id)) throw forbidden()
    if (input.nameEn.trim() === '') fields.nameEn = 'participation.cc.validation.nameRequired'
    const email = input.adminEmail.trim()
    if (email !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
      fields.adminEmail = 'participation.cc.validation.emailFormat'
    assertValid('COMMUNITY_COUNCIL_INVALID', fields, 'Check the community council’s details')
    return inTransaction(this.kernel.db, async () => {
      const cc = await this.kernel.organisations.createUnder(ctx, council!.id, 'community-council', STAFF_ROLES, {
        nameEn: input.nameEn,
        nameGd: input.nameGd,
        website: input.website,
      })
      if (email !== '') await this.kernel.staff.invite(this.delegated(ctx, cc), cc.id, { email, roles: [ORG_ADMIN] })
      return cc
    })
  }

  /**
   * The council's staff give people roles in a community council through the kernel's invitations,
   * acting as its administrators; the community council's own administrators use the kernel's pages.
   */
  async inviteMember(ctx: ActionContext, cc: Organisation, input: { email: string; roles: string[] }) {
    const roles = input.roles.filter((r) => STAFF_ROLES.includes(r))
    if (roles.length === 0 || roles.length !== input.roles.length) {
      throw new CommunityError('COMMUNITY_COUNCIL_INVALID', 'Choose a role', {
        fields: { roles: 'participation.cc.validation.roleRequired' },
      })
    }
    return this.kernel.staff.invite(this.delegated(ctx, cc), cc.id, { email: input.email, roles })
  }

  /** Members and pending invitations of a community council, for the council's staff. */
  async members(ctx: ActionContext, cc: Organisation) {
    const delegated = this.delegated(ctx, cc)
    return {
      members: await this.kernel.staff.members(delegated, cc.id),
      invitations: (await this.kernel.staff.invitations(delegated, cc.id)).filter((i) => i.status === 'pending'),
    }
  }

  private delegated(ctx: ActionContext, cc: Organisation): ActionContext {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin || rolesIn(principal, cc.id).includes(ORG_ADMIN)) return ctx
    if (!holdsStaffRole(principal, cc.parentId)) throw forbidden()
    return {
      ...ctx,
      principal: {
        ...principal,
        memberships: [
          { organisationId: cc.id, organisationSlug: cc.slug, organisationName: cc.nameEn, roles: [ORG_ADMIN] },
          ...principal.memberships,
        ],
      },
    }
  }

  // --- meetings ---

  validateMeeting(input: MeetingInput): { fields: FieldErrors; startsAt: Date | null; endsAt: Date | null } {
    const fields: FieldErrors = {}
    const title = input.title.trim()
    if (title === '') fields.title = 'participation.meeting.validation.titleRequired'
    else if (title.length > 200) fields.title = 'participation.meeting.validation.titleTooLong'
    if (!(meetingKinds as readonly string[]).includes(input.kind))
      fields.kind = 'participation.meeting.validation.kindRequired'
    const startsAt = londonInstant(input.date, input.startTime)
    const endsAt = londonInstant(input.date, input.endTime)
    if (input.date.trim() === '') fields.date = 'participation.meeting.validation.dateRequired'
    else if (!startsAt || !endsAt) fields.date = 'participation.meeting.validation.dateInvalid'
    else if (endsAt <= startsAt) fields.date = 'participation.meeting.validation.endBeforeStart'
    const inPerson = input.kind === 'in-person' || input.kind === 'hybrid'
    const online = input.kind === 'online' || input.kind === 'hybrid'
    if (inPerson && input.location.trim() === '') fields.location = 'participation.meeting.validation.locationRequired'
    if (input.location.length > 500) fields.location = 'participation.meeting.validation.locationTooLong'
    if (online && !webAddress(input.joiningUrl)) fields.joiningUrl = 'participation.meeting.validation.joiningUrl'
    if (online && !(joiningVisibilities as readonly string[]).includes(input.joiningVisibility))
      fields.joiningVisibility = 'participation.meeting.validation.visibilityRequired'
    if (input.agenda.length > 20_000) fields.agenda = 'participation.meeting.validation.agendaTooLong'
    return { fields, startsAt, endsAt }
  }

  private meetingValues(input: MeetingInput, startsAt: Date, endsAt: Date) {
    const online = input.kind === 'online' || input.kind === 'hybrid'
    return {
      title: input.title.trim(),
      kind: input.kind,
      starts_at: startsAt,
      ends_at: endsAt,
      location: input.kind === 'online' ? '' : input.location.trim(),
      joining_url: online ? (webAddress(input.joiningUrl) ?? '') : '',
      joining_visibility: online ? input.joiningVisibility : 'registered',
      agenda_markdown: input.agenda.trim(),
    }
  }

  async createMeeting(ctx: ActionContext, cc: Organisation, input: MeetingInput): Promise<Meeting> {
    const principal = requireCommunityCouncilManager(ctx, cc)
    const { fields, startsAt, endsAt } = this.validateMeeting(input)
    assertValid('MEETING_INVALID', fields, 'Check the meeting’s details')
    return inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .insertInto('participation.cc_meeting')
        .values({
          organisation_id: cc.id,
          ...this.meetingValues(input, startsAt!, endsAt!),
          created_by: actingAccountId(principal),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.meeting.created',
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: row.id,
        details: { title: row.title, kind: row.kind, startsAt: startsAt!.toISOString() },
      })
      return toMeeting(row)
    })
  }

  async updateMeeting(ctx: ActionContext, cc: Organisation, meetingId: string, input: MeetingInput): Promise<Meeting> {
    requireCommunityCouncilManager(ctx, cc)
    const current = await this.meetingOf(cc, meetingId)
    const { fields, startsAt, endsAt } = this.validateMeeting(input)
    assertValid('MEETING_INVALID', fields, 'Check the meeting’s details')
    return inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .updateTable('participation.cc_meeting')
        .set({
          ...this.meetingValues(input, startsAt!, endsAt!),
          sequence: sql<number>`sequence + 1`,
          updated_at: new Date(),
        })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.meeting.updated',
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: current.id,
        details: { title: row.title, kind: row.kind, startsAt: startsAt!.toISOString() },
      })
      if (row.published_at) await this.kernel.datasets.changed(trx, MEETINGS_DATASET, cc.id)
      return toMeeting(row)
    })
  }

  private async changeMeeting(
    ctx: ActionContext,
    cc: Organisation,
    meetingId: string,
    action: string,
    change: (m: Meeting) => Record<string, unknown> | null,
    details: Record<string, unknown> = {},
  ): Promise<Meeting> {
    requireCommunityCouncilManager(ctx, cc)
    const current = await this.meetingOf(cc, meetingId)
    const set = change(current)
    if (!set) return current
    return inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .updateTable('participation.cc_meeting')
        .set({ ...set, sequence: sql<number>`sequence + 1`, updated_at: new Date() })
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action,
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: current.id,
        details: { title: current.title, ...details },
      })
      if (row.published_at) await this.kernel.datasets.changed(trx, MEETINGS_DATASET, cc.id)
      return toMeeting(row)
    })
  }

  publishMeeting(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<Meeting> {
    return this.changeMeeting(ctx, cc, meetingId, 'participation.meeting.published', (m) =>
      m.publishedAt ? null : { published_at: new Date() },
    )
  }

  cancelMeeting(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<Meeting> {
    return this.changeMeeting(ctx, cc, meetingId, 'participation.meeting.cancelled', (m) =>
      m.cancelledAt ? null : { cancelled_at: new Date() },
    )
  }

  /** Minutes are published once the meeting has started. */
  async publishMinutes(ctx: ActionContext, cc: Organisation, meetingId: string, minutes: string): Promise<Meeting> {
    requireCommunityCouncilManager(ctx, cc)
    const current = await this.meetingOf(cc, meetingId)
    const fields: FieldErrors = {}
    if (minutes.trim() === '') fields.minutes = 'participation.meeting.validation.minutesRequired'
    else if (minutes.length > 50_000) fields.minutes = 'participation.meeting.validation.minutesTooLong'
    else if (!current.publishedAt) fields.minutes = 'participation.meeting.validation.minutesUnpublished'
    else if (current.startsAt.getTime() > Date.now())
      fields.minutes = 'participation.meeting.validation.minutesTooEarly'
    assertValid('MEETING_INVALID', fields, 'Minutes cannot be published yet')
    return this.changeMeeting(
      ctx,
      cc,
      meetingId,
      'participation.meeting.minutes-published',
      (m) => ({ minutes_markdown: minutes.trim(), minutes_published_at: m.minutesPublishedAt ?? new Date() }),
      { length: minutes.trim().length },
    )
  }

  /** A paper is a link, or an uploaded document kept in kernel.files and served from the paper's own address. */
  async addPaper(
    ctx: ActionContext,
    cc: Organisation,
    meetingId: string,
    input: { title: string; url: string; file?: Upload | null },
  ) {
    const principal = requireCommunityCouncilManager(ctx, cc)
    const meeting = await this.meetingOf(cc, meetingId)
    const fields: FieldErrors = {}
    if (input.title.trim() === '') fields.paperTitle = 'participation.meeting.validation.paperTitleRequired'
    else if (input.title.trim().length > 200) fields.paperTitle = 'participation.meeting.validation.titleTooLong'
    const url = input.file ? null : webAddress(input.url)
    if (!input.file && !url) fields.paperUrl = 'participation.meeting.validation.paperUrl'
    assertValid('MEETING_INVALID', fields, 'Check the paper’s details')
    await inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      const paperId = randomUUID()
      const stored = input.file
        ? await this.kernel.files.store(trx, input.file, {
            owner: `participation.meeting-paper:${paperId}`,
            organisationId: cc.id,
            accept: DOCUMENT_EXTENSIONS,
            field: 'paperFile',
            createdBy: actingAccountId(principal),
          })
        : null
      const last = await db
        .selectFrom('participation.cc_meeting_paper')
        .select((eb) => eb.fn.max('position').as('max'))
        .where('meeting_id', '=', meeting.id)
        .executeTakeFirst()
      const address = stored ? `/community-councils/${cc.slug}/meetings/${meeting.id}/papers/${paperId}` : url!
      await db
        .insertInto('participation.cc_meeting_paper')
        .values({
          id: paperId,
          meeting_id: meeting.id,
          title: input.title.trim(),
          url: address,
          file_id: stored?.id ?? null,
          position: Number(last?.max ?? 0) + 1,
        })
        .execute()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.meeting.paper-added',
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: meeting.id,
        details: { paperId, title: input.title.trim(), url: address, file: stored?.filename ?? null },
      })
    })
  }

  /** An uploaded paper's file, to whoever may see its meeting. */
  async paperFile(ctx: ActionContext, cc: Organisation, meetingId: string, paperId: string) {
    const meeting = await this.meeting(ctx, cc, meetingId)
    if (!uuidPattern.test(paperId)) throw meetingNotFound()
    const row = await this.db
      .selectFrom('participation.cc_meeting_paper')
      .select('file_id')
      .where('id', '=', paperId)
      .where('meeting_id', '=', meeting.id)
      .executeTakeFirst()
    const file = row?.file_id ? await this.kernel.files.get(row.file_id) : null
    if (!file) throw meetingNotFound()
    return file
  }

  async removePaper(ctx: ActionContext, cc: Organisation, meetingId: string, paperId: string) {
    requireCommunityCouncilManager(ctx, cc)
    const meeting = await this.meetingOf(cc, meetingId)
    if (!uuidPattern.test(paperId)) throw meetingNotFound()
    await inTransaction(this.kernel.db, async (trx) => {
      const removed = await trx
        .withTables<CommunityTables>()
        .deleteFrom('participation.cc_meeting_paper')
        .where('id', '=', paperId)
        .where('meeting_id', '=', meeting.id)
        .returning(['title', 'file_id'])
        .executeTakeFirst()
      if (!removed) throw meetingNotFound()
      if (removed.file_id) await this.kernel.files.remove(trx, removed.file_id)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.meeting.paper-removed',
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: meeting.id,
        details: { paperId, title: removed.title },
      })
    })
  }

  async papers(meetingId: string): Promise<Paper[]> {
    const rows = await this.db
      .selectFrom('participation.cc_meeting_paper')
      .select(['id', 'title', 'url', 'position', 'file_id'])
      .where('meeting_id', '=', meetingId)
      .orderBy('position')
      .execute()
    return rows
  }

  /** Any meeting of this community council (for its managers). */
  private async meetingOf(cc: Organisation, meetingId: string): Promise<Meeting> {
    if (!uuidPattern.test(meetingId)) throw meetingNotFound()
    const row = await this.db
      .selectFrom('participation.cc_meeting')
      .selectAll()
      .where('id', '=', meetingId)
      .where('organisation_id', '=', cc.id)
      .executeTakeFirst()
    if (!row) throw meetingNotFound()
    return toMeeting(row)
  }

  async meetingForManager(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<Meeting> {
    requireCommunityCouncilManager(ctx, cc)
    return this.meetingOf(cc, meetingId)
  }

  /** A published meeting, as anyone sees it (its managers see drafts too). */
  async meeting(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<Meeting> {
    const meeting = await this.meetingOf(cc, meetingId)
    if (!meeting.publishedAt && !this.canManage(ctx, cc)) throw meetingNotFound()
    return meeting
  }

  async meetings(
    cc: Organisation,
    options: { includeDrafts?: boolean; when?: 'upcoming' | 'past' | 'all' } = {},
  ): Promise<Meeting[]> {
    let q = this.db.selectFrom('participation.cc_meeting').selectAll().where('organisation_id', '=', cc.id)
    if (!options.includeDrafts) q = q.where('published_at', 'is not', null)
    const now = new Date()
    if (options.when === 'upcoming') q = q.where('ends_at', '>=', now).orderBy('starts_at', 'asc')
    else if (options.when === 'past') q = q.where('ends_at', '<', now).orderBy('starts_at', 'desc')
    else q = q.orderBy('starts_at', 'desc')
    return (await q.limit(500).execute()).map(toMeeting)
  }

  // --- registration ---

  async isRegistered(accountId: string | undefined, meetingId: string): Promise<Attendance | null> {
    if (!accountId) return null
    const row = await this.db
      .selectFrom('participation.cc_meeting_registration')
      .select('attendance')
      .where('meeting_id', '=', meetingId)
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    return row ? (row.attendance as Attendance) : null
  }

  attendanceChoices(meeting: Meeting): Attendance[] {
    if (meeting.kind === 'hybrid') return ['in-person', 'online']
    return [meeting.kind === 'online' ? 'online' : 'in-person']
  }

  /** A signed-in person registers to attend; registering again changes how they attend. */
  async register(ctx: ActionContext, cc: Organisation, meetingId: string, attendance: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    const meeting = await this.meeting(ctx, cc, meetingId)
    if (!meeting.publishedAt || meeting.cancelledAt || meeting.endsAt.getTime() < Date.now())
      throw new CommunityError('MEETING_REGISTRATION_CLOSED', 'You can no longer register for this meeting')
    const choices = this.attendanceChoices(meeting)
    const chosen = choices.length === 1 && attendance === '' ? choices[0]! : attendance
    if (!(choices as string[]).includes(chosen)) {
      throw new CommunityError('MEETING_INVALID', 'Choose how you will attend', {
        fields: { attendance: 'participation.meeting.validation.attendanceRequired' },
      })
    }
    const joining = chosen === 'online' ? meeting.joiningUrl : ''
    await inTransaction(this.kernel.db, async (trx) => {
      await trx
        .withTables<CommunityTables>()
        .insertInto('participation.cc_meeting_registration')
        .values({ meeting_id: meeting.id, account_id: principal.accountId, attendance: chosen })
        .onConflict((oc) => oc.columns(['meeting_id', 'account_id']).doUpdateSet({ attendance: chosen }))
        .execute()
      const name = ctx.locale === 'gd' && cc.nameGd ? cc.nameGd : cc.nameEn
      await this.kernel.mail.enqueue(trx, {
        to: principal.email,
        template: 'participation.meeting-registered',
        locale: ctx.locale,
        organisationId: cc.id,
        params: {
          name: principal.displayName,
          meeting: meeting.title,
          communityCouncil: name,
          when: formatWhen(meeting.startsAt, meeting.endsAt, ctx.locale),
          where: chosen === 'online' ? joining : meeting.location,
          link: `${this.kernel.config.baseUrl}/community-councils/${cc.slug}/meetings/${meeting.id}`,
          calendar: `${this.kernel.config.baseUrl}/community-councils/${cc.slug}/meetings/${meeting.id}/calendar.ics`,
        },
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.meeting.registered',
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: meeting.id,
        details: { attendance: chosen },
      })
    })
  }

  async cancelRegistration(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    const meeting = await this.meeting(ctx, cc, meetingId)
    await inTransaction(this.kernel.db, async (trx) => {
      const removed = await trx
        .withTables<CommunityTables>()
        .deleteFrom('participation.cc_meeting_registration')
        .where('meeting_id', '=', meeting.id)
        .where('account_id', '=', principal.accountId)
        .executeTakeFirst()
      if (Number(removed.numDeletedRows) === 0) return
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.meeting.registration-cancelled',
        organisationId: cc.id,
        targetType: 'meeting',
        targetId: meeting.id,
        details: {},
      })
    })
  }

  async registrations(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<Registration[]> {
    requireCommunityCouncilManager(ctx, cc)
    const meeting = await this.meetingOf(cc, meetingId)
    const rows = await this.db
      .selectFrom('participation.cc_meeting_registration as r')
      .innerJoin('core.account as a', 'a.id', 'r.account_id')
      .select(['a.id', 'a.display_name', 'a.email', 'r.attendance', 'r.created_at'])
      .where('r.meeting_id', '=', meeting.id)
      .orderBy('r.created_at')
      .execute()
    return rows.map((r) => ({
      accountId: r.id,
      name: r.display_name,
      email: r.email,
      attendance: r.attendance as Attendance,
      createdAt: new Date(r.created_at),
    }))
  }

  // --- calendars ---

  private event(cc: Organisation, m: Meeting, joining: boolean): CalendarEvent {
    const url = `${this.kernel.config.baseUrl}/community-councils/${cc.slug}/meetings/${m.id}`
    const where = [m.location, joining ? m.joiningUrl : ''].filter((s) => s !== '').join(' / ')
    return {
      uid: `meeting-${m.id}@comhla`,
      start: m.startsAt,
      end: m.endsAt,
      summary: `${cc.nameEn}: ${m.title}`,
      description: `${m.agendaMarkdown}\n\n${url}`.trim(),
      location: where,
      url,
      sequence: m.sequence,
      cancelled: m.cancelledAt !== null,
      updated: m.updatedAt,
    }
  }

  async feed(cc: Organisation): Promise<string> {
    const meetings = await this.meetings(cc, { when: 'all' })
    return calendar(
      cc.nameEn,
      meetings.map((m) => this.event(cc, m, joiningLinkVisible(m, false, false))),
    )
  }

  async meetingCalendar(ctx: ActionContext, cc: Organisation, meetingId: string): Promise<string> {
    const m = await this.meeting(ctx, cc, meetingId)
    const registered = (await this.isRegistered(ctx.principal?.accountId, m.id)) !== null
    return calendar(cc.nameEn, [this.event(cc, m, joiningLinkVisible(m, registered, this.canManage(ctx, cc)))])
  }
}

export function formatWhen(start: Date, end: Date, locale: 'en' | 'gd'): string {
  const day = new Intl.DateTimeFormat(locale === 'gd' ? 'gd-GB' : 'en-GB', {
    timeZone: 'Europe/London',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(start)
  const time = (d: Date) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(d)
  return `${day}, ${time(start)}–${time(end)}`
}

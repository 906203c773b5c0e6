// Representatives (councillors and MSPs) with their wards, constituencies and regions, kept by a
// body's staff by hand or by CSV; the postcode lookup that finds a person's representatives; the
// representative's office (the accounts they add); and remote surgeries, one constituent a slot.
import { parse } from 'csv-parse/sync'
import { sql } from 'kysely'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext, Principal } from '../../../platform/auth/principal.js'
import { requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { FieldErrors } from '../../../platform/errors/domain-error.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import type { CommunityTables } from './community.tables.js'
import { CommunityError, assertValid, uuidPattern } from './community.errors.js'
import { forbidden, holdsStaffRole, requireBodyStaff } from './community.access.js'
import { londonInstant, normalisePostcode, webAddress } from './community.text.js'
import { calendar } from './ical.js'
import { REPRESENTATIVES_DATASET } from './community.datasets.js'
import { formatWhen } from './councils.service.js'

export const representativeRoles = ['councillor', 'msp'] as const
export const areaKinds = ['ward', 'constituency', 'region'] as const
export const surgeryModes = ['online', 'in-person'] as const

export type Representative = {
  id: string
  organisationId: string
  name: string
  role: 'councillor' | 'msp'
  party: string
  areaKind: 'ward' | 'constituency' | 'region'
  areaCode: string
  areaName: string
  email: string
  accountId: string | null
  updatedAt: Date
}

export type RepresentativeInput = {
  name: string
  role: string
  party: string
  areaKind: string
  areaCode: string
  areaName: string
  email: string
}

export type PostcodeAreas = {
  postcode: string
  wardCode: string
  wardName: string
  constituencyCode: string
  constituencyName: string
  regionCode: string
  regionName: string
}

export type Slot = {
  id: string
  representativeId: string
  mode: 'online' | 'in-person'
  startsAt: Date
  endsAt: Date
  location: string
  joiningUrl: string
  cancelledAt: Date | null
  booked: boolean
}

export type SlotInput = {
  mode: string
  date: string
  startTime: string
  endTime: string
  location: string
  joiningUrl: string
}

export type Booking = {
  id: string
  slot: Slot
  representative: Representative
  accountId: string
  topic: string
  createdAt: Date
  cancelledAt: Date | null
}

export type BookingForOffice = { id: string; slotId: string; name: string; email: string; topic: string }

type RepRow = {
  id: string
  organisation_id: string
  name: string
  role: string
  party: string
  area_kind: string
  area_code: string
  area_name: string
  email: string
  account_id: string | null
  updated_at: Date
}

const toRepresentative = (r: RepRow): Representative => ({
  id: r.id,
  organisationId: r.organisation_id,
  name: r.name,
  role: r.role as Representative['role'],
  party: r.party,
  areaKind: r.area_kind as Representative['areaKind'],
  areaCode: r.area_code,
  areaName: r.area_name,
  email: r.email,
  accountId: r.account_id,
  updatedAt: new Date(r.updated_at),
})

type SlotRow = {
  id: string
  representative_id: string
  mode: string
  starts_at: Date
  ends_at: Date
  location: string
  joining_url: string
  cancelled_at: Date | null
}

const toSlot = (r: SlotRow, booked: boolean): Slot => ({
  id: r.id,
  representativeId: r.representative_id,
  mode: r.mode as Slot['mode'],
  startsAt: new Date(r.starts_at),
  endsAt: new Date(r.ends_at),
  location: r.location,
  joiningUrl: r.joining_url,
  cancelledAt: r.cancelled_at ? new Date(r.cancelled_at) : null,
  booked,
})

const repNotFound = () => new CommunityError('REPRESENTATIVE_NOT_FOUND', 'There is no such representative')
const surgeryNotFound = () => new CommunityError('SURGERY_NOT_FOUND', 'There is no such surgery appointment')
const isEmail = (s: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

export class RepresentativeService {
  constructor(private readonly kernel: Kernel) {}

  private get db() {
    return this.kernel.db.withTables<CommunityTables>()
  }

  // --- representatives ---

  async get(id: string): Promise<Representative> {
    if (!uuidPattern.test(id)) throw repNotFound()
    const row = await this.db
      .selectFrom('participation.rep_representative')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    if (!row) throw repNotFound()
    return toRepresentative(row)
  }

  async list(query: {
    q?: string | undefined
    role?: string | undefined
    organisation?: string | undefined
    page?: number | string | undefined
    pageSize?: number | undefined
  }): Promise<Page<Representative & { organisation: Organisation | null }>> {
    const { page, pageSize, offset } = clampPage(query.page, query.pageSize ?? 50, 500)
    let q = this.db.selectFrom('participation.rep_representative')
    if (query.role && (representativeRoles as readonly string[]).includes(query.role))
      q = q.where('role', '=', query.role)
    if (query.organisation) {
      const org = await this.kernel.organisations.getBySlug(query.organisation).catch(() => null)
      if (!org) return toPage([], 0, page, pageSize)
      q = q.where('organisation_id', '=', org.id)
    }
    if (query.q && query.q.trim() !== '') {
      const like = `%${query.q
        .trim()
        .slice(0, 100)
        .replace(/[%_\\]/g, '\\$&')}%`
      q = q.where((eb) =>
        eb.or([eb('name', 'ilike', like), eb('area_name', 'ilike', like), eb('party', 'ilike', like)]),
      )
    }
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    const rows = await q.selectAll().orderBy('name').orderBy('id').limit(pageSize).offset(offset).execute()
    return toPage(await this.withOrganisations(rows.map(toRepresentative)), total, page, pageSize)
  }

  async *all(query: { q?: string | undefined; role?: string | undefined; organisation?: string | undefined }) {
    for (let page = 1; ; page++) {
      const result = await this.list({ ...query, page, pageSize: 500 })
      yield* result.items
      if (page >= result.pageCount) return
    }
  }

  private async withOrganisations(reps: Representative[]) {
    const cache = new Map<string, Organisation | null>()
    const out = []
    for (const r of reps) {
      if (!cache.has(r.organisationId))
        cache.set(r.organisationId, await this.kernel.organisations.getById(r.organisationId))
      out.push({ ...r, organisation: cache.get(r.organisationId) ?? null })
    }
    return out
  }

  async latestUpdate(organisationId: string): Promise<Date | null> {
    const row = await this.db
      .selectFrom('participation.rep_representative')
      .select((eb) => eb.fn.max('updated_at').as('latest'))
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst()
    return row?.latest ? new Date(row.latest) : null
  }

  requireStaff(ctx: ActionContext, rep: Representative): void {
    requireBodyStaff(ctx, rep.organisationId)
  }

  /** The bodies whose representatives this person keeps (any body, for platform administrators). */
  async bodiesFor(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) {
      const all = await this.kernel.organisations.list({ pageSize: 500 })
      return all.items.filter((o) => o.type !== 'community-council')
    }
    const out: Organisation[] = []
    for (const m of principal.memberships) {
      if (!holdsStaffRole(principal, m.organisationId)) continue
      const org = await this.kernel.organisations.getById(m.organisationId)
      if (org && org.type !== 'community-council') out.push(org)
    }
    return out
  }

  validate(input: RepresentativeInput): FieldErrors {
    const fields: FieldErrors = {}
    if (input.name.trim() === '') fields.name = 'participation.rep.validation.nameRequired'
    else if (input.name.trim().length > 200) fields.name = 'participation.rep.validation.tooLong'
    if (!(representativeRoles as readonly string[]).includes(input.role))
      fields.role = 'participation.rep.validation.roleRequired'
    if (!(areaKinds as readonly string[]).includes(input.areaKind))
      fields.areaKind = 'participation.rep.validation.areaKindRequired'
    else if (input.role === 'councillor' && input.areaKind !== 'ward')
      fields.areaKind = 'participation.rep.validation.councillorWard'
    else if (input.role === 'msp' && input.areaKind === 'ward') fields.areaKind = 'participation.rep.validation.mspArea'
    if (!/^[A-Za-z0-9]{1,20}$/.test(input.areaCode.trim()))
      fields.areaCode = 'participation.rep.validation.areaCodeFormat'
    if (input.areaName.trim() === '') fields.areaName = 'participation.rep.validation.areaNameRequired'
    else if (input.areaName.trim().length > 200) fields.areaName = 'participation.rep.validation.tooLong'
    if (input.party.trim().length > 100) fields.party = 'participation.rep.validation.tooLong'
    if (input.email.trim() !== '' && !isEmail(input.email.trim()))
      fields.email = 'participation.rep.validation.emailFormat'
    return fields
  }

  private values(input: RepresentativeInput) {
    return {
      name: input.name.trim(),
      role: input.role,
      party: input.party.trim(),
      area_kind: input.areaKind,
      area_code: input.areaCode.trim().toUpperCase(),
      area_name: input.areaName.trim(),
      email: input.email.trim(),
    }
  }

  async create(ctx: ActionContext, organisationId: string, input: RepresentativeInput): Promise<Representative> {
    if (!uuidPattern.test(organisationId)) throw forbidden()
    requireBodyStaff(ctx, organisationId)
    assertValid('REPRESENTATIVE_INVALID', this.validate(input), 'Check the representative’s details')
    return inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      const values = this.values(input)
      const clash = await db
        .selectFrom('participation.rep_representative')
        .select('id')
        .where('organisation_id', '=', organisationId)
        .where('area_kind', '=', values.area_kind)
        .where('area_code', '=', values.area_code)
        .where('name', '=', values.name)
        .executeTakeFirst()
      if (clash)
        throw new CommunityError('REPRESENTATIVE_INVALID', 'This representative is already listed', {
          fields: { name: 'participation.rep.validation.duplicate' },
        })
      const row = await db
        .insertInto('participation.rep_representative')
        .values({ organisation_id: organisationId, ...values })
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.representative.created',
        organisationId,
        targetType: 'representative',
        targetId: row.id,
        details: { name: row.name, role: row.role, area: `${row.area_kind}:${row.area_code}` },
      })
      await this.kernel.datasets.changed(trx, REPRESENTATIVES_DATASET, organisationId)
      return toRepresentative(row)
    })
  }

  async update(ctx: ActionContext, id: string, input: RepresentativeInput): Promise<Representative> {
    const current = await this.get(id)
    requireBodyStaff(ctx, current.organisationId)
    assertValid('REPRESENTATIVE_INVALID', this.validate(input), 'Check the representative’s details')
    return inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .updateTable('participation.rep_representative')
        .set({ ...this.values(input), updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()
        .catch((error: unknown) => {
          if (isUniqueViolation(error))
            throw new CommunityError('REPRESENTATIVE_INVALID', 'This representative is already listed', {
              fields: { name: 'participation.rep.validation.duplicate' },
            })
          throw error
        })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.representative.updated',
        organisationId: current.organisationId,
        targetType: 'representative',
        targetId: id,
        details: { name: row.name, role: row.role, area: `${row.area_kind}:${row.area_code}` },
      })
      await this.kernel.datasets.changed(trx, REPRESENTATIVES_DATASET, current.organisationId)
      return toRepresentative(row)
    })
  }

  /** Links the representative's record to their account (by its email address), or unlinks it. */
  async linkAccount(ctx: ActionContext, id: string, email: string): Promise<Representative> {
    const current = await this.get(id)
    requireBodyStaff(ctx, current.organisationId)
    let accountId: string | null = null
    if (email.trim() !== '') {
      const account = isEmail(email.trim()) ? await this.kernel.accounts.findByEmail(email.trim()) : null
      if (!account)
        throw new CommunityError('REPRESENTATIVE_INVALID', 'There is no account with that email address', {
          fields: { accountEmail: 'participation.rep.validation.noAccount' },
        })
      accountId = account.id
    }
    return inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .updateTable('participation.rep_representative')
        .set({ account_id: accountId, updated_at: new Date() })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.representative.account-linked',
        organisationId: current.organisationId,
        targetType: 'representative',
        targetId: id,
        details: { accountId },
      })
      return toRepresentative(row)
    })
  }

  /**
   * Representatives from CSV (name, role, party, area_kind, area_code, area_name, email): each row
   * adds or updates one; any bad row refuses the whole file, naming the rows.
   */
  async importCsv(
    ctx: ActionContext,
    organisationId: string,
    text: string,
  ): Promise<{ added: number; updated: number }> {
    if (!uuidPattern.test(organisationId)) throw forbidden()
    requireBodyStaff(ctx, organisationId)
    const records = parseCsv(text, ['name', 'role', 'area_kind', 'area_code', 'area_name'], 5000)
    const problems: string[] = []
    const inputs = records.map((r, i) => {
      const input: RepresentativeInput = {
        name: r.name ?? '',
        role: (r.role ?? '').trim().toLowerCase(),
        party: r.party ?? '',
        areaKind: (r.area_kind ?? '').trim().toLowerCase(),
        areaCode: r.area_code ?? '',
        areaName: r.area_name ?? '',
        email: r.email ?? '',
      }
      if (Object.keys(this.validate(input)).length > 0) problems.push(String(i + 2))
      return input
    })
    if (problems.length > 0) throw importError('participation.import.badRows', problems)
    return inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      let added = 0
      let updated = 0
      for (const input of inputs) {
        const values = this.values(input)
        const row = await db
          .insertInto('participation.rep_representative')
          .values({ organisation_id: organisationId, ...values })
          .onConflict((oc) =>
            oc.columns(['organisation_id', 'area_kind', 'area_code', 'name']).doUpdateSet({
              role: values.role,
              party: values.party,
              area_name: values.area_name,
              email: values.email,
              updated_at: new Date(),
            }),
          )
          .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
          .executeTakeFirstOrThrow()
        if (row.inserted) added++
        else updated++
      }
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.representative.imported',
        organisationId,
        targetType: 'organisation',
        targetId: organisationId,
        details: { added, updated },
      })
      await this.kernel.datasets.changed(trx, REPRESENTATIVES_DATASET, organisationId)
      return { added, updated }
    })
  }

  // --- the postcode lookup ---

  /** The postcode lookup is national: platform administrators and councils' and the Government's staff keep it. */
  async canImportPostcodes(ctx: ActionContext): Promise<Organisation | null> {
    const principal = ctx.principal
    if (!principal) return null
    for (const m of principal.memberships) {
      if (!holdsStaffRole(principal, m.organisationId)) continue
      const org = await this.kernel.organisations.getById(m.organisationId)
      if (org && (org.type === 'council' || org.type === 'government')) return org
    }
    return null
  }

  async requirePostcodeKeeper(ctx: ActionContext): Promise<void> {
    const principal = requirePrincipal(ctx)
    if (!principal.isPlatformAdmin && !(await this.canImportPostcodes(ctx))) throw forbidden()
  }

  /** Postcodes from CSV (postcode, ward_code, ward_name, constituency_code, constituency_name, region_code, region_name). */
  async importPostcodes(ctx: ActionContext, text: string): Promise<{ imported: number }> {
    await this.requirePostcodeKeeper(ctx)
    const body = await this.canImportPostcodes(ctx)
    const records = parseCsv(text, ['postcode'], 200_000)
    const problems: string[] = []
    const rows = records.map((r, i) => {
      const postcode = normalisePostcode(r.postcode ?? '')
      const codes = [r.ward_code, r.constituency_code, r.region_code].map((c) => (c ?? '').trim().toUpperCase())
      if (!postcode || codes.every((c) => c === '') || codes.some((c) => c !== '' && !/^[A-Z0-9]{1,20}$/.test(c)))
        problems.push(String(i + 2))
      return {
        postcode: postcode ?? '',
        ward_code: codes[0]!,
        ward_name: (r.ward_name ?? '').trim().slice(0, 200),
        constituency_code: codes[1]!,
        constituency_name: (r.constituency_name ?? '').trim().slice(0, 200),
        region_code: codes[2]!,
        region_name: (r.region_name ?? '').trim().slice(0, 200),
        organisation_id: body?.id ?? null,
        updated_at: new Date(),
      }
    })
    if (problems.length > 0) throw importError('participation.import.badPostcodeRows', problems)
    return inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      for (let i = 0; i < rows.length; i += 1000) {
        const chunk = rows.slice(i, i + 1000)
        await db
          .insertInto('participation.rep_postcode')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('postcode').doUpdateSet((eb) => ({
              ward_code: eb.ref('excluded.ward_code'),
              ward_name: eb.ref('excluded.ward_name'),
              constituency_code: eb.ref('excluded.constituency_code'),
              constituency_name: eb.ref('excluded.constituency_name'),
              region_code: eb.ref('excluded.region_code'),
              region_name: eb.ref('excluded.region_name'),
              organisation_id: eb.ref('excluded.organisation_id'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute()
      }
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.postcodes.imported',
        organisationId: body?.id ?? null,
        targetType: 'postcode-lookup',
        targetId: null,
        details: { rows: rows.length },
      })
      return { imported: rows.length }
    })
  }

  async postcodeCount(): Promise<number> {
    const row = await this.db
      .selectFrom('participation.rep_postcode')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** The areas a postcode is in, and the representatives for them. */
  async find(postcodeInput: string): Promise<{ areas: PostcodeAreas; representatives: Representative[] }> {
    const postcode = normalisePostcode(postcodeInput)
    if (!postcode)
      throw new CommunityError('POSTCODE_INVALID', 'Enter a real postcode, like EH15 1AB', {
        fields: {
          postcode:
            postcodeInput.trim() === '' ? 'participation.find.postcodeRequired' : 'participation.find.postcodeFormat',
        },
      })
    const row = await this.db
      .selectFrom('participation.rep_postcode')
      .selectAll()
      .where('postcode', '=', postcode)
      .executeTakeFirst()
    if (!row)
      throw new CommunityError('POSTCODE_NOT_FOUND', 'We do not have that postcode', {
        fields: { postcode: 'participation.find.postcodeUnknown' },
      })
    const areas: PostcodeAreas = {
      postcode,
      wardCode: row.ward_code,
      wardName: row.ward_name,
      constituencyCode: row.constituency_code,
      constituencyName: row.constituency_name,
      regionCode: row.region_code,
      regionName: row.region_name,
    }
    const reps = await this.db
      .selectFrom('participation.rep_representative')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('area_kind', '=', 'ward'), eb('area_code', '=', row.ward_code || '-')]),
          eb.and([eb('area_kind', '=', 'constituency'), eb('area_code', '=', row.constituency_code || '-')]),
          eb.and([eb('area_kind', '=', 'region'), eb('area_code', '=', row.region_code || '-')]),
        ]),
      )
      .orderBy('role')
      .orderBy('area_kind')
      .orderBy('name')
      .execute()
    return { areas, representatives: reps.map(toRepresentative) }
  }

  // --- the representative's office ---

  /** The representative themselves, or an account they added to their office. */
  async inOffice(principal: Principal | null, rep: Representative): Promise<boolean> {
    if (!principal || principal.via === 'system') return false
    if (rep.accountId === principal.accountId) return true
    const row = await this.db
      .selectFrom('participation.rep_office_member')
      .select('account_id')
      .where('representative_id', '=', rep.id)
      .where('account_id', '=', principal.accountId)
      .executeTakeFirst()
    return row !== undefined
  }

  /** The representative's office, or not found: the office's existence is not revealed to others. */
  async requireOffice(ctx: ActionContext, representativeId: string): Promise<Representative> {
    const principal = requirePrincipal(ctx)
    const rep = await this.get(representativeId)
    if (!(await this.inOffice(principal, rep))) throw repNotFound()
    return rep
  }

  /** The representatives whose office this person works in. */
  async officesOf(ctx: ActionContext): Promise<Representative[]> {
    const principal = requirePrincipal(ctx)
    const rows = await this.db
      .selectFrom('participation.rep_representative')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('account_id', '=', principal.accountId),
          eb(
            'id',
            'in',
            eb
              .selectFrom('participation.rep_office_member')
              .select('representative_id')
              .where('account_id', '=', principal.accountId),
          ),
        ]),
      )
      .orderBy('name')
      .execute()
    return rows.map(toRepresentative)
  }

  async officeMembers(ctx: ActionContext, representativeId: string) {
    const rep = await this.requireOffice(ctx, representativeId)
    return this.db
      .selectFrom('participation.rep_office_member as m')
      .innerJoin('core.account as a', 'a.id', 'm.account_id')
      .select(['a.id as accountId', 'a.display_name as name', 'a.email'])
      .where('m.representative_id', '=', rep.id)
      .orderBy('a.display_name')
      .execute()
  }

  /** Only the representative adds and removes people in their office. */
  async addOfficeMember(ctx: ActionContext, representativeId: string, email: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    const rep = await this.requireOffice(ctx, representativeId)
    if (rep.accountId !== principal.accountId) throw forbidden()
    const account = isEmail(email.trim()) ? await this.kernel.accounts.findByEmail(email.trim()) : null
    if (!account || account.id === rep.accountId)
      throw new CommunityError('REPRESENTATIVE_INVALID', 'There is no account with that email address', {
        fields: { email: 'participation.rep.validation.noAccount' },
      })
    await inTransaction(this.kernel.db, async (trx) => {
      await trx
        .withTables<CommunityTables>()
        .insertInto('participation.rep_office_member')
        .values({ representative_id: rep.id, account_id: account.id })
        .onConflict((oc) => oc.doNothing())
        .execute()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.office.member-added',
        organisationId: rep.organisationId,
        targetType: 'representative',
        targetId: rep.id,
        details: { accountId: account.id },
      })
    })
  }

  async removeOfficeMember(ctx: ActionContext, representativeId: string, accountId: string): Promise<void> {
    const principal = requirePrincipal(ctx)
    const rep = await this.requireOffice(ctx, representativeId)
    if (rep.accountId !== principal.accountId) throw forbidden()
    if (!uuidPattern.test(accountId)) throw repNotFound()
    await inTransaction(this.kernel.db, async (trx) => {
      await trx
        .withTables<CommunityTables>()
        .deleteFrom('participation.rep_office_member')
        .where('representative_id', '=', rep.id)
        .where('account_id', '=', accountId)
        .execute()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.office.member-removed',
        organisationId: rep.organisationId,
        targetType: 'representative',
        targetId: rep.id,
        details: { accountId },
      })
    })
  }

  // --- surgeries ---

  validateSlot(input: SlotInput): { fields: FieldErrors; startsAt: Date | null; endsAt: Date | null } {
    const fields: FieldErrors = {}
    if (!(surgeryModes as readonly string[]).includes(input.mode))
      fields.mode = 'participation.surgery.validation.modeRequired'
    const startsAt = londonInstant(input.date, input.startTime)
    const endsAt = londonInstant(input.date, input.endTime)
    if (input.date.trim() === '') fields.date = 'participation.meeting.validation.dateRequired'
    else if (!startsAt || !endsAt) fields.date = 'participation.meeting.validation.dateInvalid'
    else if (endsAt <= startsAt) fields.date = 'participation.meeting.validation.endBeforeStart'
    else if (startsAt.getTime() < Date.now()) fields.date = 'participation.surgery.validation.inPast'
    if (input.mode === 'in-person' && input.location.trim() === '')
      fields.location = 'participation.meeting.validation.locationRequired'
    if (input.location.length > 500) fields.location = 'participation.meeting.validation.locationTooLong'
    if (input.mode === 'online' && !webAddress(input.joiningUrl))
      fields.joiningUrl = 'participation.meeting.validation.joiningUrl'
    return { fields, startsAt, endsAt }
  }

  async createSlot(ctx: ActionContext, representativeId: string, input: SlotInput): Promise<Slot> {
    const rep = await this.requireOffice(ctx, representativeId)
    const { fields, startsAt, endsAt } = this.validateSlot(input)
    assertValid('SURGERY_INVALID', fields, 'Check the surgery’s details')
    return inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .insertInto('participation.rep_surgery_slot')
        .values({
          representative_id: rep.id,
          mode: input.mode,
          starts_at: startsAt!,
          ends_at: endsAt!,
          location: input.mode === 'in-person' ? input.location.trim() : '',
          joining_url: input.mode === 'online' ? webAddress(input.joiningUrl)! : '',
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.surgery.slot-created',
        organisationId: rep.organisationId,
        targetType: 'surgery-slot',
        targetId: row.id,
        details: { representativeId: rep.id, mode: row.mode, startsAt: startsAt!.toISOString() },
      })
      return toSlot(row, false)
    })
  }

  async cancelSlot(ctx: ActionContext, representativeId: string, slotId: string): Promise<void> {
    const rep = await this.requireOffice(ctx, representativeId)
    if (!uuidPattern.test(slotId)) throw surgeryNotFound()
    await inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      const slot = await db
        .updateTable('participation.rep_surgery_slot')
        .set({ cancelled_at: new Date() })
        .where('id', '=', slotId)
        .where('representative_id', '=', rep.id)
        .where('cancelled_at', 'is', null)
        .returningAll()
        .executeTakeFirst()
      if (!slot) throw surgeryNotFound()
      const bookings = await db
        .updateTable('participation.rep_surgery_booking')
        .set({ cancelled_at: new Date() })
        .where('slot_id', '=', slot.id)
        .where('cancelled_at', 'is', null)
        .returning(['id', 'account_id'])
        .execute()
      for (const b of bookings) {
        const account = await this.kernel.accounts.get(b.account_id)
        if (account)
          await this.kernel.mail.enqueue(trx, {
            to: account.email,
            template: 'participation.surgery-cancelled',
            locale: account.locale,
            organisationId: rep.organisationId,
            params: {
              name: account.displayName,
              representative: rep.name,
              when: formatWhen(new Date(slot.starts_at), new Date(slot.ends_at), account.locale),
            },
          })
      }
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.surgery.slot-cancelled',
        organisationId: rep.organisationId,
        targetType: 'surgery-slot',
        targetId: slot.id,
        details: { representativeId: rep.id, bookingsCancelled: bookings.length },
      })
    })
  }

  /** Upcoming slots: for the public, those still free; for the office, all with their bookings. */
  async slots(representativeId: string, options: { includeBooked?: boolean } = {}): Promise<Slot[]> {
    const rows = await this.db
      .selectFrom('participation.rep_surgery_slot as s')
      .leftJoin('participation.rep_surgery_booking as b', (join) =>
        join.onRef('b.slot_id', '=', 's.id').on('b.cancelled_at', 'is', null),
      )
      .selectAll('s')
      .select('b.id as booking_id')
      .where('s.representative_id', '=', representativeId)
      .where('s.cancelled_at', 'is', null)
      .where('s.starts_at', '>', new Date())
      .orderBy('s.starts_at')
      .limit(500)
      .execute()
    return rows.map((r) => toSlot(r, r.booking_id !== null)).filter((s) => options.includeBooked || !s.booked)
  }

  async officeSlots(
    ctx: ActionContext,
    representativeId: string,
  ): Promise<{ slot: Slot; booking: BookingForOffice | null }[]> {
    const rep = await this.requireOffice(ctx, representativeId)
    const slots = await this.slots(rep.id, { includeBooked: true })
    const bookings = await this.db
      .selectFrom('participation.rep_surgery_booking as b')
      .innerJoin('core.account as a', 'a.id', 'b.account_id')
      .select(['b.id', 'b.slot_id', 'a.display_name', 'a.email', 'b.topic'])
      .where('b.cancelled_at', 'is', null)
      .where('b.slot_id', 'in', slots.length ? slots.map((s) => s.id) : ['00000000-0000-0000-0000-000000000000'])
      .execute()
    return slots.map((slot) => {
      const b = bookings.find((x) => x.slot_id === slot.id)
      return {
        slot,
        booking: b ? { id: b.id, slotId: b.slot_id, name: b.display_name, email: b.email, topic: b.topic } : null,
      }
    })
  }

  async slot(representativeId: string, slotId: string): Promise<Slot> {
    if (!uuidPattern.test(slotId)) throw surgeryNotFound()
    const found = (await this.slots(representativeId, { includeBooked: true })).find((s) => s.id === slotId)
    if (!found) throw surgeryNotFound()
    return found
  }

  /** A signed-in constituent books a free slot; the database allows one live booking a slot. */
  async book(ctx: ActionContext, representativeId: string, slotId: string, topic: string): Promise<Booking> {
    const principal = requirePrincipal(ctx)
    const rep = await this.get(representativeId)
    if (!uuidPattern.test(slotId)) throw surgeryNotFound()
    if (topic.length > 1000)
      throw new CommunityError('SURGERY_INVALID', 'Keep the topic shorter', {
        fields: { topic: 'participation.surgery.validation.topicTooLong' },
      })
    const taken = () => new CommunityError('SURGERY_TAKEN', 'Someone else has just booked this appointment')
    const bookingId = await inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      const slot = await db
        .selectFrom('participation.rep_surgery_slot')
        .selectAll()
        .where('id', '=', slotId)
        .where('representative_id', '=', rep.id)
        .where('cancelled_at', 'is', null)
        .executeTakeFirst()
      if (!slot) throw surgeryNotFound()
      if (new Date(slot.starts_at).getTime() <= Date.now())
        throw new CommunityError('SURGERY_PAST', 'This appointment has already started')
      // Inserted under a savepoint-free single statement: a clash with the partial unique index is a conflict.
      const row = await db
        .insertInto('participation.rep_surgery_booking')
        .values({ slot_id: slot.id, account_id: principal.accountId, topic: topic.trim() })
        .onConflict((oc) => oc.column('slot_id').where('cancelled_at', 'is', null).doNothing())
        .returning('id')
        .executeTakeFirst()
      if (!row) {
        // A double submit finds the person's own booking rather than a refusal.
        const mine = await db
          .selectFrom('participation.rep_surgery_booking')
          .select('id')
          .where('slot_id', '=', slot.id)
          .where('account_id', '=', principal.accountId)
          .where('cancelled_at', 'is', null)
          .executeTakeFirst()
        if (mine) return mine.id
        throw taken()
      }
      const calendarLink = `${this.kernel.config.baseUrl}/surgery-bookings/${row.id}/calendar.ics`
      const s = toSlot(slot, true)
      await this.kernel.mail.enqueue(trx, {
        to: principal.email,
        template: 'participation.surgery-booked',
        locale: ctx.locale,
        organisationId: rep.organisationId,
        params: {
          name: principal.displayName,
          representative: rep.name,
          when: formatWhen(s.startsAt, s.endsAt, ctx.locale),
          joining: s.mode === 'online' ? s.joiningUrl : s.location,
          calendar: calendarLink,
          link: `${this.kernel.config.baseUrl}/surgery-bookings/${row.id}`,
        },
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.surgery.booked',
        organisationId: rep.organisationId,
        targetType: 'surgery-booking',
        targetId: row.id,
        details: { representativeId: rep.id, slotId: slot.id },
      })
      return row.id
    })
    return this.booking(ctx, bookingId)
  }

  /** A booking, to the person who made it (or the representative's office). */
  async booking(ctx: ActionContext, bookingId: string): Promise<Booking> {
    const principal = requirePrincipal(ctx)
    if (!uuidPattern.test(bookingId)) throw surgeryNotFound()
    const row = await this.db
      .selectFrom('participation.rep_surgery_booking as b')
      .innerJoin('participation.rep_surgery_slot as s', 's.id', 'b.slot_id')
      .selectAll('s')
      .select([
        'b.id as booking_id',
        'b.account_id',
        'b.topic',
        'b.created_at as booked_at',
        'b.cancelled_at as booking_cancelled_at',
      ])
      .where('b.id', '=', bookingId)
      .executeTakeFirst()
    if (!row) throw surgeryNotFound()
    const rep = await this.get(row.representative_id)
    if (row.account_id !== principal.accountId && !(await this.inOffice(principal, rep))) throw surgeryNotFound()
    return {
      id: row.booking_id,
      slot: toSlot(row, true),
      representative: rep,
      accountId: row.account_id,
      topic: row.topic,
      createdAt: new Date(row.booked_at),
      cancelledAt: row.booking_cancelled_at ? new Date(row.booking_cancelled_at) : null,
    }
  }

  async myBookings(ctx: ActionContext): Promise<Booking[]> {
    const principal = requirePrincipal(ctx)
    const ids = await this.db
      .selectFrom('participation.rep_surgery_booking as b')
      .innerJoin('participation.rep_surgery_slot as s', 's.id', 'b.slot_id')
      .select('b.id')
      .where('b.account_id', '=', principal.accountId)
      .orderBy('s.starts_at', 'desc')
      .limit(200)
      .execute()
    return Promise.all(ids.map((r) => this.booking(ctx, r.id)))
  }

  async cancelBooking(ctx: ActionContext, bookingId: string): Promise<void> {
    const booking = await this.booking(ctx, bookingId)
    if (booking.cancelledAt) return
    await inTransaction(this.kernel.db, async (trx) => {
      await trx
        .withTables<CommunityTables>()
        .updateTable('participation.rep_surgery_booking')
        .set({ cancelled_at: new Date() })
        .where('id', '=', booking.id)
        .where('cancelled_at', 'is', null)
        .execute()
      const account = await this.kernel.accounts.get(booking.accountId)
      if (account)
        await this.kernel.mail.enqueue(trx, {
          to: account.email,
          template: 'participation.surgery-cancelled',
          locale: account.locale,
          organisationId: booking.representative.organisationId,
          params: {
            name: account.displayName,
            representative: booking.representative.name,
            when: formatWhen(booking.slot.startsAt, booking.slot.endsAt, account.locale),
          },
        })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.surgery.booking-cancelled',
        organisationId: booking.representative.organisationId,
        targetType: 'surgery-booking',
        targetId: booking.id,
        details: { representativeId: booking.representative.id, slotId: booking.slot.id },
      })
    })
  }

  async bookingCalendar(ctx: ActionContext, bookingId: string): Promise<string> {
    const b = await this.booking(ctx, bookingId)
    const url = `${this.kernel.config.baseUrl}/surgery-bookings/${b.id}`
    return calendar(`Surgery with ${b.representative.name}`, [
      {
        uid: `surgery-${b.id}@comhla`,
        start: b.slot.startsAt,
        end: b.slot.endsAt,
        summary: `Surgery appointment with ${b.representative.name}`,
        description: [b.topic, b.slot.mode === 'online' ? `Join: ${b.slot.joiningUrl}` : '', url]
          .filter((s) => s !== '')
          .join('\n\n'),
        location: b.slot.mode === 'online' ? b.slot.joiningUrl : b.slot.location,
        url,
        cancelled: b.cancelledAt !== null || b.slot.cancelledAt !== null,
      },
    ])
  }
}

function importError(key: string, rows: string[]): CommunityError {
  return new CommunityError('IMPORT_INVALID', `Rows ${rows.slice(0, 20).join(', ')} are not right`, {
    fields: { csv: key },
  })
}

/** CSV with a header row into records keyed by lower-case column names; refuses files without the required columns. */
export function parseCsv(text: string, required: string[], maxRows: number): Record<string, string>[] {
  let records: Record<string, string>[]
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_')),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: true,
    })
  } catch {
    throw new CommunityError('IMPORT_INVALID', 'The file is not valid CSV', {
      fields: { csv: 'participation.import.notCsv' },
    })
  }
  if (records.length === 0)
    throw new CommunityError('IMPORT_INVALID', 'The file has no rows', {
      fields: { csv: 'participation.import.empty' },
    })
  if (records.length > maxRows)
    throw new CommunityError('IMPORT_INVALID', 'The file has too many rows', {
      fields: { csv: 'participation.import.tooMany' },
    })
  const first = records[0]!
  if (!required.every((c) => c in first))
    throw new CommunityError('IMPORT_INVALID', 'The file is missing columns', {
      fields: { csv: 'participation.import.columns' },
    })
  return records
}

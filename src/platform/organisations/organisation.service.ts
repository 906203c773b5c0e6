// The directory of Scotland's public bodies, and its administration.
import { sql } from 'kysely'
import type { Db } from '../db/database.js'
import type { AuditService } from '../audit/audit.service.js'
import type { ActionContext } from '../auth/principal.js'
import { requireOrganisationAdmin, requireOrganisationRole, requirePlatformAdmin } from '../auth/authorisation.js'
import { DomainError, assertNoFieldErrors, type FieldErrors } from '../errors/domain-error.js'
import { clampPage, toPage, type Page } from '../../shared/pagination.js'
import { referenceOrganisations, type OrganisationType } from './reference-data.js'
import { inTransaction } from '../db/transaction.js'

export type OrganisationErrorCode = 'ORGANISATION_NOT_FOUND' | 'ORGANISATION_INVALID' | 'ORGANISATION_EXISTS'

export const organisationTypes: readonly OrganisationType[] = [
  'council',
  'health-board',
  'special-health-board',
  'police',
  'fire-and-rescue',
  'government',
  'digital-office',
  'community-council',
  'college',
  'university',
  'third-sector',
  'other',
]

export type Organisation = {
  id: string
  slug: string
  nameEn: string
  nameGd: string | null
  gaelicReviewed: boolean
  type: OrganisationType
  gssCode: string | null
  website: string | null
  parentId: string | null
  isReference: boolean
  createdAt: Date
  updatedAt: Date
}

export type OrganisationInput = {
  nameEn: string
  nameGd: string
  type: string
  slug?: string
  gssCode: string
  website: string
  parentSlug: string
}

function toOrganisation(r: {
  id: string
  slug: string
  name_en: string
  name_gd: string | null
  gaelic_reviewed: boolean
  type: string
  gss_code: string | null
  website: string | null
  parent_id: string | null
  is_reference: boolean
  created_at: Date
  updated_at: Date
}): Organisation {
  return {
    id: r.id,
    slug: r.slug,
    nameEn: r.name_en,
    nameGd: r.name_gd,
    gaelicReviewed: r.gaelic_reviewed,
    type: r.type as OrganisationType,
    gssCode: r.gss_code,
    website: r.website,
    parentId: r.parent_id,
    isReference: r.is_reference,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
}

const notFound = () =>
  new DomainError<OrganisationErrorCode>('ORGANISATION_NOT_FOUND', 'not-found', 'There is no such organisation')

export type OrganisationQuery = { q?: string; type?: string; parentId?: string; page?: number; pageSize?: number }

export class OrganisationService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  /** Loads or refreshes the reference directory; bodies added by administrators are left alone. */
  async loadReferenceData(): Promise<number> {
    let changed = 0
    await inTransaction(this.db, async (trx) => {
      for (const o of referenceOrganisations) {
        const result = await trx
          .insertInto('core.organisation')
          .values({
            slug: o.slug,
            name_en: o.nameEn,
            name_gd: o.nameGd,
            gaelic_reviewed: o.gaelicReviewed,
            type: o.type,
            gss_code: o.gssCode,
            website: o.website,
            is_reference: true,
          })
          .onConflict((oc) => oc.column('slug').doNothing())
          .executeTakeFirst()
        changed += Number(result.numInsertedOrUpdatedRows ?? 0)
      }
    })
    return changed
  }

  async list(query: OrganisationQuery): Promise<Page<Organisation>> {
    const { page, pageSize, offset } = clampPage(query.page, query.pageSize ?? 100, 500)
    let q = this.db.selectFrom('core.organisation')
    if (query.type) q = q.where('type', '=', query.type)
    if (query.parentId) q = q.where('parent_id', '=', query.parentId)
    if (query.q && query.q.trim() !== '') {
      const like = `%${query.q
        .trim()
        .slice(0, 100)
        .replace(/[%_\\]/g, '\\$&')}%`
      q = q.where((eb) =>
        eb.or([eb('name_en', 'ilike', like), eb('name_gd', 'ilike', like), eb('gss_code', 'ilike', like)]),
      )
    }
    // One round trip: the total comes with the rows; only a page past the end needs its own count.
    const rows = await q
      .selectAll()
      .select(sql<number>`count(*) over()`.as('total_count'))
      .orderBy('name_en')
      .limit(pageSize)
      .offset(offset)
      .execute()
    const total = rows[0]
      ? Number(rows[0].total_count)
      : Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
    return toPage(rows.map(toOrganisation), total, page, pageSize)
  }

  async *all(): AsyncGenerator<Organisation> {
    const rows = await this.db.selectFrom('core.organisation').selectAll().orderBy('name_en').execute()
    for (const r of rows) yield toOrganisation(r)
  }

  async getBySlug(slug: string): Promise<Organisation> {
    if (!/^[a-z0-9-]{1,100}$/.test(slug)) throw notFound()
    const row = await this.db.selectFrom('core.organisation').selectAll().where('slug', '=', slug).executeTakeFirst()
    if (!row) throw notFound()
    return toOrganisation(row)
  }

  async getById(id: string): Promise<Organisation | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const row = await this.db.selectFrom('core.organisation').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toOrganisation(row) : null
  }

  validate(input: OrganisationInput, isNew: boolean): FieldErrors {
    const fields: FieldErrors = {}
    if (input.nameEn.trim() === '') fields.nameEn = 'validation.organisation.nameRequired'
    else if (input.nameEn.trim().length > 200) fields.nameEn = 'validation.organisation.nameTooLong'
    if (input.nameGd.trim().length > 200) fields.nameGd = 'validation.organisation.nameTooLong'
    if (!(organisationTypes as readonly string[]).includes(input.type))
      fields.type = 'validation.organisation.typeRequired'
    if (input.gssCode.trim() !== '' && !/^[SEWNK]\d{8}$/.test(input.gssCode.trim()))
      fields.gssCode = 'validation.organisation.gssFormat'
    if (input.website.trim() !== '') {
      try {
        const url = new URL(input.website.trim())
        if (url.protocol !== 'https:' && url.protocol !== 'http:')
          fields.website = 'validation.organisation.websiteFormat'
      } catch {
        fields.website = 'validation.organisation.websiteFormat'
      }
    }
    if (
      isNew &&
      input.slug !== undefined &&
      input.slug.trim() !== '' &&
      !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(input.slug.trim())
    ) {
      fields.slug = 'validation.organisation.slugFormat'
    }
    return fields
  }

  private async parentId(parentSlug: string): Promise<string | null> {
    if (parentSlug.trim() === '') return null
    const parent = await this.db
      .selectFrom('core.organisation')
      .select('id')
      .where('slug', '=', parentSlug.trim())
      .executeTakeFirst()
    if (!parent) {
      throw new DomainError<OrganisationErrorCode>(
        'ORGANISATION_INVALID',
        'invalid',
        'validation.organisation.parentUnknown',
        {
          fields: { parentSlug: 'validation.organisation.parentUnknown' },
        },
      )
    }
    return parent.id
  }

  async create(ctx: ActionContext, input: OrganisationInput): Promise<Organisation> {
    requirePlatformAdmin(ctx, 'organisations:write')
    return this.insert(ctx, input)
  }

  /**
   * A body's own staff holding one of `roles` there add an organisation of a fixed type under it
   * (a council's community councils); platform administrators may too.
   */
  async createUnder(
    ctx: ActionContext,
    parentId: string,
    type: OrganisationType,
    roles: string[],
    input: Pick<OrganisationInput, 'nameEn' | 'nameGd' | 'slug' | 'website'>,
  ): Promise<Organisation> {
    requireOrganisationRole(ctx, parentId, roles, 'organisations:write')
    const parent = await this.getById(parentId)
    if (!parent) throw notFound()
    return this.insert(ctx, { ...input, type, gssCode: '', parentSlug: parent.slug })
  }

  private async insert(ctx: ActionContext, input: OrganisationInput): Promise<Organisation> {
    assertNoFieldErrors('ORGANISATION_INVALID', this.validate(input, true))
    const slug = input.slug && input.slug.trim() !== '' ? input.slug.trim() : slugify(input.nameEn)
    if (slug === '') {
      throw new DomainError<OrganisationErrorCode>(
        'ORGANISATION_INVALID',
        'invalid',
        'validation.organisation.slugFormat',
        { fields: { slug: 'validation.organisation.slugFormat' } },
      )
    }
    const parentId = await this.parentId(input.parentSlug)
    return inTransaction(this.db, async (trx) => {
      const clash = await trx
        .selectFrom('core.organisation')
        .select(['slug', 'gss_code'])
        .where((eb) =>
          eb.or([eb('slug', '=', slug), ...(input.gssCode.trim() ? [eb('gss_code', '=', input.gssCode.trim())] : [])]),
        )
        .executeTakeFirst()
      if (clash) {
        const field = clash.slug === slug ? 'slug' : 'gssCode'
        const key = field === 'slug' ? 'validation.organisation.slugTaken' : 'validation.organisation.gssTaken'
        throw new DomainError<OrganisationErrorCode>('ORGANISATION_EXISTS', 'conflict', key, {
          fields: { [field === 'slug' ? 'nameEn' : 'gssCode']: key },
        })
      }
      const row = await trx
        .insertInto('core.organisation')
        .values({
          slug,
          name_en: input.nameEn.trim(),
          name_gd: input.nameGd.trim() || null,
          type: input.type,
          gss_code: input.gssCode.trim() || null,
          website: input.website.trim() || null,
          parent_id: parentId,
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.audit.record(trx, ctx, {
        action: 'organisation.created',
        organisationId: row.id,
        targetType: 'organisation',
        targetId: row.id,
        details: { slug, nameEn: row.name_en, type: row.type },
      })
      return toOrganisation(row)
    })
  }

  /** Platform administrators edit any body; a body's own administrators edit its names and website. */
  async update(ctx: ActionContext, slug: string, input: OrganisationInput): Promise<Organisation> {
    const current = await this.getBySlug(slug)
    const principal = requireOrganisationAdmin(ctx, current.id, 'organisations:write')
    assertNoFieldErrors('ORGANISATION_INVALID', this.validate(input, false))
    const platform = principal.isPlatformAdmin
    const parentId = platform ? await this.parentId(input.parentSlug) : current.parentId
    return inTransaction(this.db, async (trx) => {
      if (platform && input.gssCode.trim() && input.gssCode.trim() !== current.gssCode) {
        const clash = await trx
          .selectFrom('core.organisation')
          .select('id')
          .where('gss_code', '=', input.gssCode.trim())
          .executeTakeFirst()
        if (clash) {
          throw new DomainError<OrganisationErrorCode>(
            'ORGANISATION_EXISTS',
            'conflict',
            'validation.organisation.gssTaken',
            {
              fields: { gssCode: 'validation.organisation.gssTaken' },
            },
          )
        }
      }
      const changes = {
        name_en: input.nameEn.trim(),
        name_gd: input.nameGd.trim() || null,
        website: input.website.trim() || null,
        ...(platform ? { type: input.type, gss_code: input.gssCode.trim() || null, parent_id: parentId } : {}),
        gaelic_reviewed: (input.nameGd.trim() || null) === current.nameGd ? current.gaelicReviewed : false,
        updated_at: new Date(),
      }
      const row = await trx
        .updateTable('core.organisation')
        .set(changes)
        .where('id', '=', current.id)
        .returningAll()
        .executeTakeFirstOrThrow()
      const before: Record<string, unknown> = {}
      const after: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(changes)) {
        if (key === 'updated_at') continue
        const old = (
          {
            name_en: current.nameEn,
            name_gd: current.nameGd,
            website: current.website,
            type: current.type,
            gss_code: current.gssCode,
            parent_id: current.parentId,
            gaelic_reviewed: current.gaelicReviewed,
          } as Record<string, unknown>
        )[key]
        if (old !== value) {
          before[key] = old
          after[key] = value
        }
      }
      await this.audit.record(trx, ctx, {
        action: 'organisation.updated',
        organisationId: current.id,
        targetType: 'organisation',
        targetId: current.id,
        details: { before, after },
      })
      return toOrganisation(row)
    })
  }
}

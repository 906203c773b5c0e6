// Staff of a body: members with roles, invitations by email, role changes and removal.
import { actingAccountId } from '../auth/principal.js'
import type { Transaction } from 'kysely'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import type { AuditService } from '../audit/audit.service.js'
import type { MailService } from '../mail/mail.service.js'
import type { ActionContext } from '../auth/principal.js'
import { requireOrganisationAdmin, requirePrincipal } from '../auth/authorisation.js'
import { DomainError, assertNoFieldErrors, type FieldErrors } from '../errors/domain-error.js'
import { randomToken, sha256 } from '../../shared/crypto.js'
import { isValidEmail, normaliseEmail } from '../../shared/email.js'
import { ORG_ADMIN, isRole } from '../accounts/roles.js'
import type { Organisation, OrganisationService } from './organisation.service.js'
import { inTransaction } from '../db/transaction.js'

export type StaffErrorCode =
  | 'STAFF_INVALID'
  | 'STAFF_NOT_FOUND'
  | 'STAFF_ALREADY_MEMBER'
  | 'STAFF_LAST_ADMIN'
  | 'INVITATION_INVALID'
  | 'INVITATION_WRONG_ACCOUNT'

const INVITATION_DAYS = 7

export type Member = {
  accountId: string
  email: string
  displayName: string
  roles: string[]
  joinedAt: Date
  lastSignInAt: Date | null
  twoFactorEnabled: boolean
}

export type Invitation = {
  id: string
  organisationId: string
  email: string
  roles: string[]
  invitedBy: string | null
  createdAt: Date
  expiresAt: Date
  acceptedAt: Date | null
  revokedAt: Date | null
}

export type InvitationView = Invitation & {
  organisation: Organisation
  status: 'pending' | 'accepted' | 'revoked' | 'expired'
}

function invitationStatus(i: Invitation): InvitationView['status'] {
  if (i.acceptedAt) return 'accepted'
  if (i.revokedAt) return 'revoked'
  if (i.expiresAt.getTime() <= Date.now()) return 'expired'
  return 'pending'
}

function toInvitation(r: {
  id: string
  organisation_id: string
  email: string
  roles: string[]
  invited_by: string | null
  created_at: Date
  expires_at: Date
  accepted_at: Date | null
  revoked_at: Date | null
}): Invitation {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    email: r.email,
    roles: r.roles,
    invitedBy: r.invited_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    acceptedAt: r.accepted_at,
    revokedAt: r.revoked_at,
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export class StaffService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly organisations: OrganisationService,
    private readonly baseUrl: string,
    /** a role's name for people, in their language */
    private readonly roleLabel: (role: string, locale: 'en' | 'gd') => string = (role) => role,
  ) {}

  validateRoles(roles: string[], fields: FieldErrors): string[] {
    const unique = [...new Set(roles)]
    if (!unique.every(isRole)) fields.roles = 'validation.staff.rolesUnknown'
    return unique
  }

  async members(ctx: ActionContext, organisationId: string): Promise<Member[]> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:read')
    const rows = await this.db
      .selectFrom('core.membership as m')
      .innerJoin('core.account as a', 'a.id', 'm.account_id')
      .select([
        'a.id',
        'a.email',
        'a.display_name',
        'm.roles',
        'm.created_at',
        'a.last_sign_in_at',
        'a.totp_enabled_at',
      ])
      .where('m.organisation_id', '=', organisationId)
      .orderBy('a.display_name')
      .execute()
    return rows.map((r) => ({
      accountId: r.id,
      email: r.email,
      displayName: r.display_name,
      roles: r.roles,
      joinedAt: r.created_at,
      lastSignInAt: r.last_sign_in_at,
      twoFactorEnabled: r.totp_enabled_at !== null,
    }))
  }

  async member(ctx: ActionContext, organisationId: string, accountId: string): Promise<Member> {
    const found = (await this.members(ctx, organisationId)).find((m) => m.accountId === accountId)
    if (!found)
      throw new DomainError<StaffErrorCode>(
        'STAFF_NOT_FOUND',
        'not-found',
        'This person is not a member of the organisation',
      )
    return found
  }

  async invitations(ctx: ActionContext, organisationId: string): Promise<InvitationView[]> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:read')
    const organisation = await this.organisations.getById(organisationId)
    if (!organisation)
      throw new DomainError<StaffErrorCode>('STAFF_NOT_FOUND', 'not-found', 'There is no such organisation')
    const rows = await this.db
      .selectFrom('core.invitation')
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('created_at', 'desc')
      .limit(200)
      .execute()
    return rows.map((r) => {
      const i = toInvitation(r)
      return { ...i, organisation, status: invitationStatus(i) }
    })
  }

  async invite(
    ctx: ActionContext,
    organisationId: string,
    input: { email: string; roles: string[] },
  ): Promise<Invitation> {
    const principal = requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    const fields: FieldErrors = {}
    const email = input.email.trim()
    if (email === '') fields.email = 'validation.staff.emailRequired'
    else if (!isValidEmail(email)) fields.email = 'validation.email.format'
    const roles = this.validateRoles(input.roles, fields)
    assertNoFieldErrors('STAFF_INVALID', fields)
    const organisation = await this.organisations.getById(organisationId)
    if (!organisation)
      throw new DomainError<StaffErrorCode>('STAFF_NOT_FOUND', 'not-found', 'There is no such organisation')
    const normalised = normaliseEmail(email)
    return inTransaction(this.db, async (trx) => {
      const already = await trx
        .selectFrom('core.membership as m')
        .innerJoin('core.account as a', 'a.id', 'm.account_id')
        .select('a.id')
        .where('m.organisation_id', '=', organisationId)
        .where('a.email_normalised', '=', normalised)
        .executeTakeFirst()
      if (already) {
        throw new DomainError<StaffErrorCode>('STAFF_ALREADY_MEMBER', 'conflict', 'validation.staff.alreadyMember', {
          fields: { email: 'validation.staff.alreadyMember' },
        })
      }
      // A new invitation replaces any still pending for the same address.
      await trx
        .updateTable('core.invitation')
        .set({ revoked_at: new Date() })
        .where('organisation_id', '=', organisationId)
        .where('email_normalised', '=', normalised)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute()
      const token = randomToken()
      const row = await trx
        .insertInto('core.invitation')
        .values({
          organisation_id: organisationId,
          email,
          email_normalised: normalised,
          roles,
          token_hash: sha256(token),
          invited_by: actingAccountId(principal),
          expires_at: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      await this.mail.enqueue(trx, {
        to: email,
        template: 'invitation',
        locale: ctx.locale,
        organisationId,
        params: {
          organisation: ctx.locale === 'gd' && organisation.nameGd ? organisation.nameGd : organisation.nameEn,
          inviter: principal.displayName,
          roles: roles.length ? roles.map((r) => this.roleLabel(r, ctx.locale)).join(', ') : '—',
          link: `${this.baseUrl}/invitations/${token}`,
        },
      })
      await this.audit.record(trx, ctx, {
        action: 'staff.invited',
        organisationId,
        targetType: 'invitation',
        targetId: row.id,
        details: { email, roles },
      })
      return toInvitation(row)
    })
  }

  async revokeInvitation(ctx: ActionContext, organisationId: string, invitationId: string): Promise<void> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    if (!uuid.test(invitationId))
      throw new DomainError<StaffErrorCode>('STAFF_NOT_FOUND', 'not-found', 'There is no such invitation')
    await inTransaction(this.db, async (trx) => {
      const row = await trx
        .updateTable('core.invitation')
        .set({ revoked_at: new Date() })
        .where('id', '=', invitationId)
        .where('organisation_id', '=', organisationId)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning(['id', 'email'])
        .executeTakeFirst()
      if (!row)
        throw new DomainError<StaffErrorCode>('STAFF_NOT_FOUND', 'not-found', 'There is no such pending invitation')
      await this.audit.record(trx, ctx, {
        action: 'staff.invitation-revoked',
        organisationId,
        targetType: 'invitation',
        targetId: row.id,
        details: { email: row.email },
      })
    })
  }

  /** The invitation behind an emailed link, whatever its state; null when the link is unknown. */
  async findInvitation(token: string): Promise<InvitationView | null> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null
    const row = await this.db
      .selectFrom('core.invitation')
      .selectAll()
      .where('token_hash', '=', sha256(token))
      .executeTakeFirst()
    if (!row) return null
    const organisation = await this.organisations.getById(row.organisation_id)
    if (!organisation) return null
    const i = toInvitation(row)
    return { ...i, organisation, status: invitationStatus(i) }
  }

  /** The signed-in person joins the body; their account's email must be the one invited. */
  async acceptInvitation(ctx: ActionContext, token: string): Promise<InvitationView> {
    const principal = requirePrincipal(ctx)
    const invitation = await this.findInvitation(token)
    if (!invitation || invitation.status !== 'pending') {
      throw new DomainError<StaffErrorCode>(
        'INVITATION_INVALID',
        'gone',
        'This invitation is not valid. It may have been used, withdrawn or have expired.',
      )
    }
    if (normaliseEmail(invitation.email) !== normaliseEmail(principal.email)) {
      throw new DomainError<StaffErrorCode>(
        'INVITATION_WRONG_ACCOUNT',
        'forbidden',
        'This invitation was sent to a different email address',
      )
    }
    await inTransaction(this.db, async (trx) => {
      const claimed = await trx
        .updateTable('core.invitation')
        .set({ accepted_at: new Date(), accepted_by: principal.accountId })
        .where('id', '=', invitation.id)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst()
      if (!claimed)
        throw new DomainError<StaffErrorCode>('INVITATION_INVALID', 'gone', 'This invitation has already been used')
      const existing = await trx
        .selectFrom('core.membership')
        .select('roles')
        .where('organisation_id', '=', invitation.organisationId)
        .where('account_id', '=', principal.accountId)
        .forUpdate()
        .executeTakeFirst()
      const roles = [...new Set([...(existing?.roles ?? []), ...invitation.roles])]
      await trx
        .insertInto('core.membership')
        .values({ organisation_id: invitation.organisationId, account_id: principal.accountId, roles })
        .onConflict((oc) => oc.columns(['organisation_id', 'account_id']).doUpdateSet({ roles }))
        .execute()
      // The link came to this address, so the address is proven.
      await trx
        .updateTable('core.account')
        .set({ email_verified_at: new Date() })
        .where('id', '=', principal.accountId)
        .where('email_verified_at', 'is', null)
        .execute()
      await this.audit.record(trx, ctx, {
        action: 'staff.invitation-accepted',
        organisationId: invitation.organisationId,
        targetType: 'account',
        targetId: principal.accountId,
        details: { email: principal.email, roles: invitation.roles, invitationId: invitation.id },
      })
    })
    return { ...invitation, status: 'accepted', acceptedAt: new Date() }
  }

  async changeRoles(
    ctx: ActionContext,
    organisationId: string,
    accountId: string,
    rolesInput: string[],
  ): Promise<Member> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    const fields: FieldErrors = {}
    const roles = this.validateRoles(rolesInput, fields)
    assertNoFieldErrors('STAFF_INVALID', fields)
    const before = await this.member(ctx, organisationId, accountId)
    await inTransaction(this.db, async (trx) => {
      if (before.roles.includes(ORG_ADMIN) && !roles.includes(ORG_ADMIN))
        await this.assertAnotherAdmin(trx, organisationId, accountId)
      await trx
        .updateTable('core.membership')
        .set({ roles })
        .where('organisation_id', '=', organisationId)
        .where('account_id', '=', accountId)
        .execute()
      await this.audit.record(trx, ctx, {
        action: 'staff.roles-changed',
        organisationId,
        targetType: 'account',
        targetId: accountId,
        details: { email: before.email, before: before.roles, after: roles },
      })
    })
    return { ...before, roles }
  }

  async removeMember(ctx: ActionContext, organisationId: string, accountId: string): Promise<void> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    const before = await this.member(ctx, organisationId, accountId)
    await inTransaction(this.db, async (trx) => {
      if (before.roles.includes(ORG_ADMIN)) await this.assertAnotherAdmin(trx, organisationId, accountId)
      await trx
        .deleteFrom('core.membership')
        .where('organisation_id', '=', organisationId)
        .where('account_id', '=', accountId)
        .execute()
      await this.audit.record(trx, ctx, {
        action: 'staff.removed',
        organisationId,
        targetType: 'account',
        targetId: accountId,
        details: { email: before.email, roles: before.roles },
      })
    })
  }

  /** A body keeps at least one administrator, so it is never left unmanaged. */
  private async assertAnotherAdmin(
    trx: Transaction<CoreDatabase>,
    organisationId: string,
    leaving: string,
  ): Promise<void> {
    const others = await trx
      .selectFrom('core.membership')
      .select('account_id')
      .where('organisation_id', '=', organisationId)
      .where('account_id', '!=', leaving)
      .where((eb) => eb(eb.val(ORG_ADMIN), '=', eb.fn.any('roles')))
      .limit(1)
      .executeTakeFirst()
    if (!others) {
      throw new DomainError<StaffErrorCode>('STAFF_LAST_ADMIN', 'conflict', 'validation.staff.lastAdmin', {
        fields: { roles: 'validation.staff.lastAdmin' },
      })
    }
  }

  /** For platform administrators: make someone a body's administrator directly (CLI and admin pages). */
  async addMember(ctx: ActionContext, organisationId: string, accountId: string, roles: string[]): Promise<void> {
    requireOrganisationAdmin(ctx, organisationId, 'staff:write')
    await inTransaction(this.db, async (trx) => {
      const existing = await trx
        .selectFrom('core.membership')
        .select('roles')
        .where('organisation_id', '=', organisationId)
        .where('account_id', '=', accountId)
        .executeTakeFirst()
      const merged = [...new Set([...(existing?.roles ?? []), ...roles])]
      await trx
        .insertInto('core.membership')
        .values({ organisation_id: organisationId, account_id: accountId, roles: merged })
        .onConflict((oc) => oc.columns(['organisation_id', 'account_id']).doUpdateSet({ roles: merged }))
        .execute()
      await this.audit.record(trx, ctx, {
        action: 'staff.added',
        organisationId,
        targetType: 'account',
        targetId: accountId,
        details: { roles: merged },
      })
    })
  }
}

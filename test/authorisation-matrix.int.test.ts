// Who may do what to whose data: every kernel page and API route that reads a body's non-public
// data or changes state, tried by every kind of person. A table of cases, so that a module adds
// its own routes as rows and gets the same proof that one council cannot see or change another's.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { testApp, type TestApp } from './support/app.js'
import { TestClient, text, type Page } from './support/client.js'
import { makeAccount, makeStaff, PASSWORD } from './support/factories.js'
import { signIn as signInWithTwoFactor } from './support/two-factor.js'
import { systemContext } from '../src/platform/auth/principal.js'
import { sha256 } from '../src/shared/crypto.js'
import { allScopes } from '../src/platform/accounts/scopes.js'
import type { Account } from '../src/platform/accounts/account.service.js'
import type { Organisation } from '../src/platform/organisations/organisation.service.js'

// Two councils from the reference data: A is the home of most actors, B is the other council.
const SLUG = { A: 'highland-council', B: 'fife-council' } as const
type OrgKey = keyof typeof SLUG

type Person = 'anonymous' | 'outsider' | 'analystA' | 'adminA' | 'adminB' | 'platformAdmin'
const PEOPLE: readonly Person[] = ['anonymous', 'outsider', 'analystA', 'adminA', 'adminB', 'platformAdmin']
type Named = Exclude<Person, 'anonymous'>

/** How an actor reaches the API: a token with every scope, adminA's token with only organisations:read, a browser session, or nothing. */
type ApiActor = { label: string; person: Person; via: 'none' | 'token' | 'read-only-token' | 'session' }
const API_ACTORS: readonly ApiActor[] = [
  { label: 'anonymous', person: 'anonymous', via: 'none' },
  { label: 'outsider', person: 'outsider', via: 'token' },
  { label: 'analystA', person: 'analystA', via: 'token' },
  { label: 'adminA', person: 'adminA', via: 'token' },
  { label: 'adminB', person: 'adminB', via: 'token' },
  { label: 'platformAdmin', person: 'platformAdmin', via: 'token' },
  { label: "adminA's organisations:read token", person: 'adminA', via: 'read-only-token' },
  { label: "analystA's browser session", person: 'analystA', via: 'session' },
  { label: "adminB's browser session", person: 'adminB', via: 'session' },
]

type Invite = { id: string; token: string; email: string }
type World = {
  org: Record<OrgKey, Organisation>
  people: Record<Named, Account>
  clients: Record<Person, TestClient>
  csrf: Record<Person, string>
  tokens: Record<Named, string>
  readOnlyToken: string
  /** a stable analyst in each body, read but never changed by the cases */
  staff: Record<OrgKey, Account>
  /** a pending invitation in each body, read but never changed */
  invitation: Record<OrgKey, Invite>
  outboxMessageId: string
  /** strings that only that body's administrators may see */
  privateMarkers: Record<OrgKey, string[]>
}

type Snapshot = {
  accounts: unknown[]
  organisations: unknown[]
  memberships: unknown[]
  invitations: unknown[]
  tokens: unknown[]
  sessions: unknown[]
  outbox: number
  audit: { n: number; last: number }
}

type Targets = Record<string, string>
type Run = { w: World; targets: Targets; person: Person; before: Snapshot; after: Snapshot }

type Case = {
  /** finishes "X can …" / "X cannot …" */
  does: string
  surface: 'page' | 'api'
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: (w: World, targets: Targets) => string
  body?: (w: World, targets: Targets, person: Person) => Record<string, unknown>
  allowed: readonly Person[]
  /** the scope an API token needs */
  scope?: string
  /** whether an allowed run changes state, using up the targets prepare() made (every refusal must change nothing) */
  changesState: boolean
  /** fresh targets (a member to remove, an invitation to withdraw); made again after an allowed run used them up */
  prepare?: (w: World) => Promise<Targets>
  /** what an allowed person sees, and what changed */
  allowedStatus?: number | readonly number[]
  expectAllowed: (res: Page, run: Run) => void
  /** statuses other than the usual refusal, e.g. 404 when the target is not in the body named */
  refusedStatus?: Partial<Record<Person, number>>
  /** the heading a refused signed-in person sees, when it is not the usual 403 page */
  refusedHeading?: RegExp
}

let counter = 0
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`

let t: TestApp
let w: World

async function snapshot(): Promise<Snapshot> {
  const db = t.app.kernel.db
  const [accounts, organisations, memberships, invitations, tokens, sessions, outbox, audit] = await Promise.all([
    db
      .selectFrom('core.account')
      .select([
        'id',
        'email',
        'display_name',
        'password_hash',
        'is_platform_admin',
        'email_verified_at',
        'locale',
        'totp_enabled_at',
      ])
      .orderBy('id')
      .execute(),
    db
      .selectFrom('core.organisation')
      .select(['id', 'slug', 'name_en', 'name_gd', 'type', 'gss_code', 'website', 'parent_id', 'updated_at'])
      .orderBy('id')
      .execute(),
    db
      .selectFrom('core.membership')
      .select(['organisation_id', 'account_id', 'roles'])
      .orderBy('organisation_id')
      .orderBy('account_id')
      .execute(),
    db
      .selectFrom('core.invitation')
      .select(['id', 'organisation_id', 'email', 'roles', 'accepted_at', 'revoked_at'])
      .orderBy('id')
      .execute(),
    db.selectFrom('core.api_token').select(['id', 'account_id', 'scopes', 'revoked_at']).orderBy('id').execute(),
    db.selectFrom('core.session').select(['id_hash', 'account_id', 'revoked_at']).orderBy('id_hash').execute(),
    db
      .selectFrom('core.email_outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('core.audit_event')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('seq').as('last')])
      .executeTakeFirstOrThrow(),
  ])
  return {
    accounts,
    organisations,
    memberships,
    invitations,
    tokens,
    sessions,
    outbox: Number(outbox.n),
    audit: { n: Number(audit.n), last: Number(audit.last ?? 0) },
  }
}

/** Signs in through the pages, answering the two-factor step as staff must. */
async function signIn(account: Account): Promise<TestClient> {
  const client = new TestClient(t.app)
  const res = await signInWithTwoFactor(client, t.app.kernel, account.email, PASSWORD)
  assert.equal(res.status, 303, `${account.email} signs in`)
  const check = await client.get('/manage')
  assert.equal(check.status, 200, `${account.email} is fully signed in, not sent to ${check.location}`)
  return client
}

async function csrfOf(client: TestClient): Promise<string> {
  const page = await client.get('/forgotten-password')
  const token = page.$('input[name="_csrf"]').attr('value')
  assert.ok(token, 'a form carries a CSRF token')
  return token
}

async function tokenFor(account: Account, scopes: string[]): Promise<string> {
  const principal = await t.app.kernel.accounts.principalFor(t.app.kernel.db, account.id, 'session', null)
  const ctx = { ...systemContext('test'), principal }
  const { token } = await t.app.kernel.apiTokens.create(ctx, { name: unique('matrix'), scopes, expiresInDays: 30 })
  return token
}

async function invite(
  org: OrgKey,
  email = `${unique('invitee')}@${org.toLowerCase()}.example.gov.scot`,
): Promise<Invite> {
  const { kernel } = t.app
  const invitation = await kernel.staff.invite(systemContext('test'), w.org[org].id, { email, roles: ['analyst'] })
  const mail = (await kernel.mail.list({ to: email })).items.find((m) => m.template === 'invitation')
  const token = /\/invitations\/([A-Za-z0-9_-]+)/.exec(mail?.body ?? '')?.[1]
  assert.ok(token, 'the invitation email carries its link')
  return { id: invitation.id, token, email }
}

async function freshMember(org: OrgKey, options: { twoFactor?: boolean } = {}): Promise<Targets> {
  const { account } = await makeStaff(t.app.kernel, SLUG[org], ['analyst'], {
    email: `${unique('member')}@${org.toLowerCase()}.example.gov.scot`,
    ...options,
  })
  return { accountId: account.id, email: account.email, name: account.displayName }
}

const adminsOf = (org: OrgKey): Person[] => (org === 'A' ? ['adminA', 'platformAdmin'] : ['adminB', 'platformAdmin'])
const signedInPeople: Named[] = PEOPLE.filter((p): p is Named => p !== 'anonymous')
const other = (org: OrgKey): OrgKey => (org === 'A' ? 'B' : 'A')

function membershipOf(s: Snapshot, orgId: string, accountId: string): { roles: string[] } | undefined {
  return (s.memberships as Array<{ organisation_id: string; account_id: string; roles: string[] }>).find(
    (m) => m.organisation_id === orgId && m.account_id === accountId,
  )
}
function invitationRow(s: Snapshot, id: string): { revoked_at: Date | null; accepted_at: Date | null } | undefined {
  return (s.invitations as Array<{ id: string; revoked_at: Date | null; accepted_at: Date | null }>).find(
    (i) => i.id === id,
  )
}
function organisationRow(s: Snapshot, id: string): { website: string | null; name_en: string } | undefined {
  return (s.organisations as Array<{ id: string; website: string | null; name_en: string }>).find((o) => o.id === id)
}

function assertHtml(res: Page): void {
  assert.match(String(res.headers['content-type']), /^text\/html/)
}
function assertJson(res: Page): Record<string, unknown> {
  assert.match(String(res.headers['content-type']), /^application\/json/)
  return JSON.parse(res.body) as Record<string, unknown>
}
function assertCsv(res: Page, header: RegExp): void {
  assert.match(String(res.headers['content-type']), /^text\/csv/)
  assert.match(res.body.split('\n')[0] ?? '', header)
}

// --- the cases ---

/** Routes under /manage/organisations/:slug and the API's /organisations/:slug/…, for one body. */
function organisationCases(org: OrgKey): Case[] {
  const slug = SLUG[org]
  const admins = adminsOf(org)
  const name = () => w.org[org].nameEn
  const privateVisible = (res: Page) => {
    for (const marker of [w.staff[org].email, w.invitation[org].email])
      assert.ok(res.body.includes(marker), `shows ${marker}`)
  }
  return [
    // pages
    {
      does: `see the staff and invitations of ${slug}`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}`,
      // A plain member sees the body's page, but only their own roles (checked below), not the staff list.
      allowed: org === 'A' ? [...admins, 'analystA'] : admins,
      changesState: false,
      expectAllowed: (res, { person }) => {
        assertHtml(res)
        assert.match(text(res.$, 'h1'), new RegExp(name()))
        if (person === 'analystA') {
          for (const marker of w.privateMarkers[org])
            assert.ok(!res.body.includes(marker), `a plain member is not shown ${marker}`)
          assert.match(text(res.$, 'main'), /Analyst/)
        } else privateVisible(res)
      },
    },
    {
      does: `open the invitation form of ${slug}`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/invite`,
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.equal(
          res.$(`main form[method="post"][action="/manage/organisations/${slug}/invite"]`).length +
            res.$('main form[method="post"]:not([action])').length,
          1,
        )
      },
    },
    {
      does: `invite someone to ${slug} through the page`,
      surface: 'page',
      method: 'POST',
      path: () => `/manage/organisations/${slug}/invite`,
      body: (_w, targets) => ({ email: targets.email, roles: 'analyst' }),
      prepare: async () => ({ email: `${unique('page-invitee')}@${org.toLowerCase()}.example.gov.scot` }),
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { before, after, targets }) => {
        assert.equal(res.status, 303)
        assert.equal(after.invitations.length, before.invitations.length + 1)
        assert.ok(
          (after.invitations as Array<{ email: string }>).some((i) => i.email === targets.email),
          'the invitation is stored',
        )
      },
    },
    {
      does: `withdraw an invitation to ${slug}`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/invitations/${targets.id}/revoke`,
      prepare: async () => {
        const i = await invite(org)
        return { id: i.id }
      },
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { after, targets }) => {
        assert.equal(res.status, 303)
        assert.ok(invitationRow(after, targets.id!)?.revoked_at, 'the invitation is withdrawn')
      },
    },
    {
      does: `see a member of ${slug}`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/members/${w.staff[org].id}`,
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.match(text(res.$, 'h1'), new RegExp(w.staff[org].displayName))
      },
    },
    {
      does: `change a member's roles in ${slug} through the page`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/members/${targets.accountId}`,
      body: () => ({ roles: ['analyst', 'data-publisher'] }),
      prepare: () => freshMember(org),
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { after, targets }) => {
        assert.equal(res.status, 303)
        assert.deepEqual(membershipOf(after, w.org[org].id, targets.accountId!)?.roles, ['analyst', 'data-publisher'])
      },
    },
    {
      does: `open the page to remove a member of ${slug}`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/members/${w.staff[org].id}/remove`,
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.match(text(res.$, 'h1'), new RegExp(w.staff[org].displayName))
      },
    },
    {
      does: `remove a member of ${slug} through the page`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/members/${targets.accountId}/remove`,
      prepare: () => freshMember(org),
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { after, targets }) => {
        assert.equal(res.status, 303)
        assert.equal(membershipOf(after, w.org[org].id, targets.accountId!), undefined)
      },
    },
    {
      does: `remind a member of ${slug} to set up two-factor sign-in`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/members/${targets.accountId}/remind-two-factor`,
      prepare: () => freshMember(org, { twoFactor: false }),
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { before, after }) => {
        assert.match(res.location ?? '', new RegExp(`^/manage/organisations/${slug}\\?reminded=`))
        assert.equal(after.outbox, before.outbox + 1, 'the reminder is emailed')
      },
    },
    {
      does: `open the form to edit ${slug}'s details`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/edit`,
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.equal(res.$('#nameEn').attr('value'), name())
      },
    },
    {
      does: `edit ${slug}'s details through the page`,
      surface: 'page',
      method: 'POST',
      path: () => `/manage/organisations/${slug}/edit`,
      body: (_w, _t, person) => ({
        nameEn: name(),
        nameGd: w.org[org].nameGd ?? '',
        type: 'council',
        gssCode: w.org[org].gssCode ?? '',
        website: `https://${person.toLowerCase()}.page.example.gov.scot/`,
        parentSlug: '',
      }),
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { after, person }) => {
        assert.equal(res.status, 303)
        assert.equal(
          organisationRow(after, w.org[org].id)?.website,
          `https://${person.toLowerCase()}.page.example.gov.scot/`,
        )
      },
    },
    {
      does: `read ${slug}'s audit trail page`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/audit`,
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.ok(res.$('main table tbody tr').length > 0, 'the audit table has rows')
        assert.ok(res.body.includes(w.invitation[org].email), 'lists the invitation it made')
      },
    },
    {
      does: `download ${slug}'s audit trail from the page`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/audit.csv`,
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertCsv(res, /^seq,occurred_at,actor,action/)
        assert.ok(res.body.includes(w.invitation[org].email), 'the CSV lists the invitation')
      },
    },
    // API
    {
      does: `list the members of ${slug} through the API`,
      surface: 'api',
      method: 'GET',
      path: () => `/api/v1/organisations/${slug}/members`,
      scope: 'staff:read',
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        const body = assertJson(res) as { items: Array<{ email: string }> }
        assert.ok(
          body.items.some((m) => m.email === w.staff[org].email),
          'lists the staff member',
        )
      },
    },
    {
      does: `set a member's roles in ${slug} through the API`,
      surface: 'api',
      method: 'PUT',
      path: (_w, targets) => `/api/v1/organisations/${slug}/members/${targets.accountId}`,
      body: () => ({ roles: ['analyst', 'data-publisher'] }),
      prepare: () => freshMember(org),
      scope: 'staff:write',
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { after, targets }) => {
        const body = assertJson(res) as { roles: string[] }
        assert.deepEqual(body.roles, ['analyst', 'data-publisher'])
        assert.deepEqual(membershipOf(after, w.org[org].id, targets.accountId!)?.roles, ['analyst', 'data-publisher'])
      },
    },
    {
      does: `remove a member of ${slug} through the API`,
      surface: 'api',
      method: 'DELETE',
      path: (_w, targets) => `/api/v1/organisations/${slug}/members/${targets.accountId}`,
      prepare: () => freshMember(org),
      scope: 'staff:write',
      allowed: admins,
      allowedStatus: 204,
      changesState: true,
      expectAllowed: (_res, { after, targets }) => {
        assert.equal(membershipOf(after, w.org[org].id, targets.accountId!), undefined)
      },
    },
    {
      does: `list the invitations of ${slug} through the API`,
      surface: 'api',
      method: 'GET',
      path: () => `/api/v1/organisations/${slug}/invitations`,
      scope: 'staff:read',
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        const body = assertJson(res) as { items: Array<{ email: string }> }
        assert.ok(
          body.items.some((i) => i.email === w.invitation[org].email),
          'lists the pending invitation',
        )
      },
    },
    {
      does: `invite someone to ${slug} through the API`,
      surface: 'api',
      method: 'POST',
      path: () => `/api/v1/organisations/${slug}/invitations`,
      body: (_w, targets) => ({ email: targets.email, roles: ['analyst'] }),
      prepare: async () => ({ email: `${unique('api-invitee')}@${org.toLowerCase()}.example.gov.scot` }),
      scope: 'staff:write',
      allowed: admins,
      allowedStatus: 201,
      changesState: true,
      expectAllowed: (res, { before, after, targets }) => {
        const body = assertJson(res) as { email: string; status: string }
        assert.equal(body.email, targets.email)
        assert.equal(after.invitations.length, before.invitations.length + 1)
      },
    },
    {
      does: `read ${slug}'s audit trail through the API`,
      surface: 'api',
      method: 'GET',
      path: () => `/api/v1/organisations/${slug}/audit`,
      scope: 'audit:read',
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        const body = assertJson(res) as { items: Array<{ organisationId: string }> }
        assert.ok(body.items.length > 0, 'the trail has entries')
        assert.ok(
          body.items.every((e) => e.organisationId === w.org[org].id),
          'every entry is of this body',
        )
      },
    },
    {
      does: `download ${slug}'s audit trail through the API`,
      surface: 'api',
      method: 'GET',
      path: () => `/api/v1/organisations/${slug}/audit.csv`,
      scope: 'audit:read',
      allowed: admins,
      changesState: false,
      expectAllowed: (res) => {
        assertCsv(res, /^seq,occurred_at,actor,action/)
        assert.ok(res.body.includes(w.invitation[org].email), 'the CSV lists the invitation')
      },
    },
    {
      does: `change ${slug}'s details through the API`,
      surface: 'api',
      method: 'PATCH',
      path: () => `/api/v1/organisations/${slug}`,
      body: (_w, _t, person) => ({ website: `https://${person.toLowerCase()}.api.example.gov.scot/` }),
      scope: 'organisations:write',
      allowed: admins,
      changesState: true,
      expectAllowed: (res, { after, person }) => {
        const body = assertJson(res) as { website: string }
        assert.equal(body.website, `https://${person.toLowerCase()}.api.example.gov.scot/`)
        assert.equal(organisationRow(after, w.org[org].id)?.website, body.website)
      },
    },
    // The confused deputy: this body's administrator names their own body but the other body's people.
    {
      does: `reach a member of ${SLUG[other(org)]} through ${slug}'s member page`,
      surface: 'page',
      method: 'GET',
      path: () => `/manage/organisations/${slug}/members/${w.staff[other(org)].id}`,
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: false,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: `change the roles of a member of ${SLUG[other(org)]} through ${slug}'s pages`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/members/${targets.accountId}`,
      body: () => ({ roles: ['org-admin'] }),
      prepare: () => freshMember(other(org)),
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: `remove a member of ${SLUG[other(org)]} through ${slug}'s pages`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/members/${targets.accountId}/remove`,
      prepare: () => freshMember(other(org)),
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: `withdraw an invitation to ${SLUG[other(org)]} through ${slug}'s pages`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/invitations/${targets.id}/revoke`,
      prepare: async () => ({ id: (await invite(other(org))).id }),
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: `remind a member of ${SLUG[other(org)]} through ${slug}'s pages`,
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/manage/organisations/${slug}/members/${targets.accountId}/remind-two-factor`,
      prepare: () => freshMember(other(org), { twoFactor: false }),
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: `set the roles of a member of ${SLUG[other(org)]} through ${slug} in the API`,
      surface: 'api',
      method: 'PUT',
      path: (_w, targets) => `/api/v1/organisations/${slug}/members/${targets.accountId}`,
      body: () => ({ roles: ['org-admin'] }),
      prepare: () => freshMember(other(org)),
      scope: 'staff:write',
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: `remove a member of ${SLUG[other(org)]} through ${slug} in the API`,
      surface: 'api',
      method: 'DELETE',
      path: (_w, targets) => `/api/v1/organisations/${slug}/members/${targets.accountId}`,
      prepare: () => freshMember(other(org)),
      scope: 'staff:write',
      allowed: [],
      refusedStatus: { [admins[0]!]: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
  ]
}

const platformOnly: Person[] = ['platformAdmin']

function platformCases(): Case[] {
  const page = (does: string, path: string, expect: (res: Page) => void, method: 'GET' | 'POST' = 'GET'): Case => ({
    does,
    surface: 'page',
    method,
    path: () => path,
    allowed: platformOnly,
    changesState: method === 'POST',
    expectAllowed: (res) => expect(res),
  })
  const heading = (pattern: RegExp) => (res: Page) => {
    assertHtml(res)
    assert.match(text(res.$, 'h1'), pattern)
  }
  return [
    page('open platform administration', '/admin', heading(/administration/i)),
    page('open the form to add a body', '/admin/organisations/new', heading(/.+/)),
    {
      does: 'add a body through the page',
      surface: 'page',
      method: 'POST',
      path: () => '/admin/organisations/new',
      body: () => ({ nameEn: unique('Matrix Community Council'), type: 'community-council' }),
      allowed: platformOnly,
      changesState: true,
      expectAllowed: (res, { before, after }) => {
        assert.equal(res.status, 303)
        assert.equal(after.organisations.length, before.organisations.length + 1)
      },
    },
    page('read the email outbox', '/admin/outbox', (res) => {
      heading(/.+/)(res)
      assert.ok(res.body.includes(w.invitation.B.email), 'the outbox lists the invitation email')
    }),
    {
      does: 'read one email in the outbox',
      surface: 'page',
      method: 'GET',
      path: () => `/admin/outbox/${w.outboxMessageId}`,
      allowed: platformOnly,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.match(res.body, /\/invitations\//)
      },
    },
    page('see the job queues', '/admin/jobs', heading(/.+/)),
    {
      does: 'retry a job',
      surface: 'page',
      method: 'POST',
      path: () => '/admin/jobs/sessions.purge/00000000-0000-4000-8000-000000000000/retry',
      allowed: platformOnly,
      changesState: true,
      expectAllowed: (res, { before, after }) => {
        assert.equal(res.status, 303)
        assert.equal(after.audit.n, before.audit.n + 1, 'the retry is audited')
      },
    },
    page('read the platform audit trail', '/admin/audit?action=staff.invited', (res) => {
      heading(/.+/)(res)
      assert.ok(
        res.body.includes(w.invitation.A.email) && res.body.includes(w.invitation.B.email),
        'the platform trail spans every body',
      )
    }),
    {
      does: 'verify the audit chain',
      surface: 'page',
      method: 'POST',
      path: () => '/admin/audit/verify',
      allowed: platformOnly,
      allowedStatus: 200,
      changesState: true,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.match(text(res.$, 'main'), /.+/)
      },
    },
    page('download the platform audit trail', '/admin/audit.csv', (res) => assertCsv(res, /^seq,occurred_at/)),
    {
      does: 'add a body through the API',
      surface: 'api',
      method: 'POST',
      path: () => '/api/v1/organisations',
      body: () => ({ nameEn: unique('Matrix API Community Council'), type: 'community-council' }),
      scope: 'organisations:write',
      allowed: platformOnly,
      allowedStatus: 201,
      changesState: true,
      expectAllowed: (res, { before, after }) => {
        assertJson(res)
        assert.equal(after.organisations.length, before.organisations.length + 1)
      },
    },
  ]
}

function accountCases(): Case[] {
  return [
    {
      does: 'see the bodies they belong to, and only those',
      surface: 'page',
      method: 'GET',
      path: () => '/manage',
      allowed: signedInPeople,
      changesState: false,
      expectAllowed: (res, { person }) => {
        assertHtml(res)
        const links = res
          .$('main a')
          .map((_, a) => res.$(a).attr('href'))
          .get()
        const expected = {
          outsider: [],
          analystA: [SLUG.A],
          adminA: [SLUG.A],
          adminB: [SLUG.B],
          platformAdmin: [],
          anonymous: [],
        }[person]
        assert.deepEqual(
          links.filter((h) => h.startsWith('/manage/organisations/')).map((h) => h.split('/')[3]),
          expected,
        )
      },
    },
    {
      does: 'see their own account, and nobody else’s',
      surface: 'page',
      method: 'GET',
      path: () => '/account',
      allowed: signedInPeople,
      changesState: false,
      expectAllowed: (res, { person }) => {
        assertHtml(res)
        const me = w.people[person as Named]
        assert.ok(res.body.includes(me.email), 'shows their own email')
        for (const p of signedInPeople)
          if (p !== person) assert.ok(!res.body.includes(w.people[p].email), `does not show ${p}'s email`)
      },
    },
    {
      does: 'open the change-password form',
      surface: 'page',
      method: 'GET',
      path: () => '/account/password',
      allowed: signedInPeople,
      changesState: false,
      expectAllowed: (res) => assert.equal(res.$('#currentPassword').length, 1),
    },
    {
      // A wrong current password: a signed-in person reaches the check, and nothing changes for anyone.
      does: 'reach the change-password check',
      surface: 'page',
      method: 'POST',
      path: () => '/account/password',
      body: () => ({
        currentPassword: 'not the password at all',
        password: 'a brand new long password',
        confirmPassword: 'a brand new long password',
      }),
      allowed: signedInPeople,
      allowedStatus: 422,
      changesState: true,
      expectAllowed: (res, { before, after }) => {
        assert.match(text(res.$, '#currentPassword-error'), /not correct/)
        assert.deepEqual(after.accounts, before.accounts)
      },
    },
    {
      does: 'list their own API tokens',
      surface: 'page',
      method: 'GET',
      path: () => '/account/tokens',
      allowed: signedInPeople,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.ok(res.body.includes('matrix-'), 'shows the tokens made for this person')
      },
    },
    {
      does: 'create an API token for themselves',
      surface: 'page',
      method: 'POST',
      path: () => '/account/tokens',
      body: () => ({ name: unique('page-token'), scopes: ['organisations:read'], expiresInDays: '7' }),
      allowed: signedInPeople,
      allowedStatus: 200,
      changesState: true,
      expectAllowed: (res, { before, after, person }) => {
        assert.match(text(res.$, '#token-value'), /^chl_/)
        const mine = (s: Snapshot) =>
          (s.tokens as Array<{ account_id: string }>).filter((k) => k.account_id === w.people[person as Named].id)
            .length
        assert.equal(mine(after), mine(before) + 1)
        assert.equal(after.tokens.length, before.tokens.length + 1)
      },
    },
    {
      does: "revoke adminB's API token",
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/account/tokens/${targets.id}/revoke`,
      prepare: async () => {
        const secret = await tokenFor(w.people.adminB, ['organisations:read'])
        const row = await t.app.kernel.db
          .selectFrom('core.api_token')
          .select('id')
          .where('prefix', '=', secret.slice(0, 10))
          .executeTakeFirstOrThrow()
        return { id: row.id }
      },
      allowed: ['adminB'],
      refusedStatus: { outsider: 404, analystA: 404, adminA: 404, platformAdmin: 404 },
      changesState: true,
      expectAllowed: (res, { after, targets }) => {
        assert.equal(res.status, 303)
        assert.ok(
          (after.tokens as Array<{ id: string; revoked_at: Date | null }>).find((k) => k.id === targets.id)?.revoked_at,
          'the token is revoked',
        )
      },
    },
    ...(
      [
        '/account/two-factor',
        '/account/two-factor/disable',
        '/account/two-factor/recovery-codes',
        '/account/sessions',
      ] as const
    ).map((path): Case => ({
      does: `open their own ${path.slice(1).replace(/\//g, ' › ')} page`,
      surface: 'page',
      method: 'GET',
      path: () => path,
      allowed: signedInPeople,
      changesState: false,
      expectAllowed: (res) => {
        assertHtml(res)
        assert.ok(text(res.$, 'h1') !== '', 'the page has a heading')
      },
    })),
    {
      // Those who already use it are sent to its page; the others are shown a new secret for this session.
      does: 'start setting up their own two-factor sign-in',
      surface: 'page',
      method: 'GET',
      path: () => '/account/two-factor/setup',
      allowed: signedInPeople,
      allowedStatus: [200, 303],
      changesState: false,
      expectAllowed: (res, { person }) => assert.equal(res.status, person === 'outsider' ? 200 : 303),
    },
    ...(['setup', 'disable', 'recovery-codes'] as const).map((action): Case => ({
      // A wrong code or password: a signed-in person reaches their own check, and nothing changes.
      does: `reach the check to ${action === 'setup' ? 'confirm' : action === 'disable' ? 'remove' : 'replace the recovery codes of'} their own two-factor sign-in`,
      surface: 'page',
      method: 'POST',
      path: () => `/account/two-factor/${action}`,
      body: () => ({ password: 'not the password at all', code: '000000' }),
      allowed: signedInPeople,
      allowedStatus: [409, 422],
      changesState: true,
      expectAllowed: (res, { before, after }) => {
        assertHtml(res)
        assert.deepEqual(after.accounts, before.accounts)
        assert.deepEqual(after.sessions, before.sessions)
      },
    })),
    {
      // Ending a session that is not yours is ignored: the page comes back and nothing changes.
      does: "end adminB's other session",
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/account/sessions/${targets.idHash}/end`,
      prepare: async () => {
        const token = await t.app.kernel.accounts.signIn(
          w.people.adminB,
          systemContext('test'),
          { ip: null, userAgent: 'another browser' },
          { secondFactorDone: true },
        )
        return { idHash: sha256(token) }
      },
      allowed: ['adminB'],
      refusedStatus: { outsider: 303, analystA: 303, adminA: 303, platformAdmin: 303 },
      changesState: true,
      expectAllowed: (res, { after, targets }) => {
        assert.equal(res.location, '/account/sessions')
        assert.ok(
          (after.sessions as Array<{ id_hash: string; revoked_at: Date | null }>).find(
            (x) => x.id_hash === targets.idHash,
          )?.revoked_at,
          'that session is ended',
        )
      },
    },
    {
      does: 'end their own other sessions, and nobody else’s',
      surface: 'page',
      method: 'POST',
      path: () => '/account/sessions/end-others',
      allowed: signedInPeople,
      changesState: true,
      expectAllowed: (res, { before, after, person }) => {
        assert.equal(res.location, '/account/sessions')
        const others = (s: Snapshot) =>
          (s.sessions as Array<{ account_id: string }>).filter((x) => x.account_id !== w.people[person as Named].id)
        assert.deepEqual(others(after), others(before))
        assert.equal((w.clients[person].cookie('comhla_session') ?? '') !== '', true, 'their own session goes on')
      },
    },
    {
      does: 'accept an invitation to fife-council sent to someone else',
      surface: 'page',
      method: 'POST',
      path: (_w, targets) => `/invitations/${targets.token}`,
      prepare: async () => {
        const i = await invite('B')
        return { token: i.token, id: i.id }
      },
      allowed: [],
      refusedHeading: /no longer valid/,
      changesState: true,
      expectAllowed: () => assert.fail('nobody may'),
    },
    {
      does: 'see who their own token belongs to',
      surface: 'api',
      method: 'GET',
      path: () => '/api/v1/me',
      scope: 'account:read',
      allowed: signedInPeople,
      changesState: false,
      expectAllowed: (res, { person }) => {
        const body = assertJson(res) as { email: string }
        assert.equal(body.email, w.people[person as Named].email)
      },
    },
  ]
}

const CASES: Case[] = [...organisationCases('A'), ...organisationCases('B'), ...platformCases(), ...accountCases()]

// --- running one (actor, case) ---

function isAllowed(c: Case, person: Person, via: ApiActor['via'] | 'page'): boolean {
  if (!c.allowed.includes(person)) return false
  if (via === 'read-only-token') return c.scope === undefined || c.scope === 'organisations:read'
  return true
}

async function send(c: Case, person: Person, via: ApiActor['via'] | 'page', targets: Targets): Promise<Page> {
  const url = c.path(w, targets)
  const payload = c.body?.(w, targets, person)
  if (c.surface === 'page') {
    const client = w.clients[person]
    if (c.method === 'GET') return client.get(url)
    const form: Record<string, string | string[]> = { _csrf: w.csrf[person] }
    for (const [k, v] of Object.entries(payload ?? {})) form[k] = v as string | string[]
    return client.request(c.method, url, { form })
  }
  const headers: Record<string, string> = {}
  let client = new TestClient(t.app)
  if (via === 'token') headers.authorization = `Bearer ${w.tokens[person as Named]}`
  if (via === 'read-only-token') headers.authorization = `Bearer ${w.readOnlyToken}`
  if (via === 'session') client = w.clients[person]
  return client.request(c.method, url, { headers, ...(payload !== undefined ? { json: payload } : {}) })
}

function assertRefused(c: Case, res: Page, person: Person, via: ApiActor['via'] | 'page', targets: Targets): void {
  // A token without the route's scope is refused before anything else is looked at.
  const lacksScope = via === 'read-only-token' && c.scope !== undefined && c.scope !== 'organisations:read'
  const expected =
    (lacksScope ? undefined : c.refusedStatus?.[person]) ??
    (via === 'none' || person === 'anonymous' ? (c.surface === 'page' ? 303 : 401) : 403)
  const label = `${c.method} ${c.path(w, targets)}`
  if (c.surface === 'page') {
    if (person === 'anonymous') {
      assert.equal(res.status, 303, `${label} sends an anonymous visitor to sign in`)
      assert.match(res.location ?? '', /^\/sign-in\?return=/)
      return
    }
    assert.equal(res.status, expected, `${label} should answer ${expected}, not ${res.status}`)
    if (expected !== 303) assertHtml(res)
    if (expected === 403) assert.match(text(res.$, 'h1'), c.refusedHeading ?? /permission/i)
  } else {
    assert.equal(
      res.status,
      expected,
      `${label} should answer ${expected}, not ${res.status}: ${res.body.slice(0, 200)}`,
    )
    const body = assertJson(res) as { error?: { code?: unknown; message?: unknown } }
    assert.deepEqual(Object.keys(body), ['error'])
    assert.equal(typeof body.error?.code, 'string')
    assert.equal(typeof body.error?.message, 'string')
    if (expected === 401) assert.equal(body.error?.code, 'AUTH_REQUIRED')
    if (expected === 403) {
      // A token lacking the scope is told so; otherwise either refusal is right.
      if (via === 'read-only-token' && c.allowed.includes(person)) assert.equal(body.error?.code, 'AUTH_SCOPE_MISSING')
      else
        assert.ok(
          ['AUTH_FORBIDDEN', 'AUTH_SCOPE_MISSING'].includes(String(body.error?.code)),
          `code ${String(body.error?.code)}`,
        )
    }
  }
  // Nothing private of another body shows on a refusal.
  const own = person === 'anonymous' ? '' : w.people[person].email
  for (const org of ['A', 'B'] as const) {
    for (const marker of w.privateMarkers[org])
      if (marker !== own) assert.ok(!res.body.includes(marker), `${label} refused, yet shows ${marker}`)
  }
}

/** Targets made by prepare(), kept until an allowed run uses them up. */
const prepared = new Map<Case, Targets>()

async function runCase(c: Case, person: Person, via: ApiActor['via'] | 'page'): Promise<void> {
  let targets = prepared.get(c)
  if (!targets) {
    targets = c.prepare ? await c.prepare(w) : {}
    prepared.set(c, targets)
  }
  const allowed = isAllowed(c, person, via)
  const before = await snapshot()
  const res = await send(c, person, via, targets)
  const afterState = await snapshot()
  assert.ok(res.status < 500, `${c.method} ${c.path(w, targets)} answered ${res.status}`)
  if (allowed) {
    const status =
      c.allowedStatus ??
      (c.method === 'GET' || c.method === 'PUT' || c.method === 'PATCH' ? 200 : c.surface === 'page' ? 303 : 201)
    assert.ok(
      (typeof status === 'number' ? [status] : status).includes(res.status),
      `${c.method} ${c.path(w, targets)} answered ${res.status}: ${res.body.slice(0, 300)}`,
    )
    c.expectAllowed(res, { w, targets, person, before, after: afterState })
    if (c.prepare && c.changesState) prepared.delete(c)
  } else {
    assertRefused(c, res, person, via, targets)
    assert.deepEqual(afterState, before, 'a refused request changes nothing')
  }
}

// --- the matrix ---

describe('authorisation matrix: each body sees and changes only its own data', () => {
  before(async () => {
    t = await testApp()
    const { kernel } = t.app
    const [A, B] = await Promise.all([kernel.organisations.getBySlug(SLUG.A), kernel.organisations.getBySlug(SLUG.B)])
    const base = { org: { A, B } } as Partial<World>
    w = base as World
    const platformAdmin = await makeAccount(kernel, {
      platformAdmin: true,
      email: 'platform.admin@example.gov.scot',
      name: 'Platform Admin',
    })
    const outsider = await makeAccount(kernel, { email: 'outsider@example.scot', name: 'Olive Outsider' })
    const adminA = (
      await makeStaff(kernel, SLUG.A, ['org-admin'], { email: 'admin@a.example.gov.scot', name: 'Alasdair AdminA' })
    ).account
    const analystA = (
      await makeStaff(kernel, SLUG.A, ['analyst'], { email: 'analyst@a.example.gov.scot', name: 'Ailsa AnalystA' })
    ).account
    const adminB = (
      await makeStaff(kernel, SLUG.B, ['org-admin'], { email: 'admin@b.example.gov.scot', name: 'Beathag AdminB' })
    ).account
    w.people = { platformAdmin, outsider, adminA, analystA, adminB }
    w.staff = {
      A: (await makeStaff(kernel, SLUG.A, ['analyst'], { email: 'staff@a.example.gov.scot', name: 'Seumas StaffA' }))
        .account,
      B: (await makeStaff(kernel, SLUG.B, ['analyst'], { email: 'staff@b.example.gov.scot', name: 'Sorcha StaffB' }))
        .account,
    }
    w.invitation = {
      A: await invite('A', 'pending@a.example.gov.scot'),
      B: await invite('B', 'pending@b.example.gov.scot'),
    }
    w.outboxMessageId = (await kernel.mail.list({ to: w.invitation.B.email })).items[0]!.id
    w.privateMarkers = {
      A: [adminA.email, w.staff.A.email, w.invitation.A.email],
      B: [adminB.email, w.staff.B.email, w.invitation.B.email],
    }
    const everyScope = allScopes().map((s) => s.id)
    w.tokens = {
      platformAdmin: await tokenFor(platformAdmin, everyScope),
      outsider: await tokenFor(outsider, everyScope),
      adminA: await tokenFor(adminA, everyScope),
      analystA: await tokenFor(analystA, everyScope),
      adminB: await tokenFor(adminB, everyScope),
    }
    w.readOnlyToken = await tokenFor(adminA, ['organisations:read'])
    const anonymous = new TestClient(t.app)
    w.clients = {
      anonymous,
      platformAdmin: await signIn(platformAdmin),
      outsider: await signIn(outsider),
      adminA: await signIn(adminA),
      analystA: await signIn(analystA),
      adminB: await signIn(adminB),
    }
    w.csrf = {} as Record<Person, string>
    for (const p of PEOPLE) w.csrf[p] = await csrfOf(w.clients[p])
  })
  after(async () => {
    await t.close()
  })

  for (const c of CASES) {
    describe(`${c.surface === 'page' ? 'page' : 'API'} ${c.method}: ${c.does}`, () => {
      if (c.surface === 'page') {
        for (const person of PEOPLE) {
          it(`${person} ${isAllowed(c, person, 'page') ? 'can' : 'cannot'} ${c.does}`, () => runCase(c, person, 'page'))
        }
      } else {
        for (const actor of API_ACTORS) {
          it(`${actor.label} ${isAllowed(c, actor.person, actor.via) ? 'can' : 'cannot'} ${c.does}`, () =>
            runCase(c, actor.person, actor.via))
        }
      }
    })
  }

  describe('audit trail isolation', () => {
    const bOnly = () => [SLUG.B, w.org.B.id, ...w.privateMarkers.B, '@b.example.gov.scot']

    it("never lists an entry of fife-council in highland-council's audit API", async () => {
      const client = new TestClient(t.app)
      const auth = { authorization: `Bearer ${w.tokens.adminA}` }
      let seen = 0
      for (let page = 1; ; page++) {
        const res = await client.request('GET', `/api/v1/organisations/${SLUG.A}/audit?page=${page}`, { headers: auth })
        assert.equal(res.status, 200)
        const body = JSON.parse(res.body) as { items: Array<{ organisationId: string }>; pageCount: number }
        seen += body.items.length
        for (const e of body.items) assert.equal(e.organisationId, w.org.A.id)
        for (const marker of bOnly())
          assert.ok(!res.body.includes(marker), `the audit API of ${SLUG.A} mentions ${marker}`)
        if (page >= body.pageCount) break
      }
      assert.ok(seen > 0, 'highland-council has entries of its own')
      const theirs = await client.request('GET', `/api/v1/organisations/${SLUG.B}/audit`, {
        headers: { authorization: `Bearer ${w.tokens.adminB}` },
      })
      assert.ok(theirs.body.includes(w.invitation.B.email), 'fife-council has entries that could leak')
    })

    it("never lists an entry of fife-council in highland-council's audit page or CSV, however it is filtered", async () => {
      const client = w.clients.adminA
      const urls = [
        `/manage/organisations/${SLUG.A}/audit`,
        `/manage/organisations/${SLUG.A}/audit?actor=${encodeURIComponent(w.people.adminB.email)}`,
        `/manage/organisations/${SLUG.A}/audit?action=staff`,
        `/manage/organisations/${SLUG.A}/audit?actor=b.example.gov.scot`,
        `/manage/organisations/${SLUG.A}/audit.csv`,
        `/manage/organisations/${SLUG.A}/audit.csv?action=staff.invited`,
        `/api/v1/organisations/${SLUG.A}/audit.csv`,
      ]
      for (const url of urls) {
        const res = url.startsWith('/api/')
          ? await new TestClient(t.app).request('GET', url, { headers: { authorization: `Bearer ${w.tokens.adminA}` } })
          : await client.get(url)
        assert.equal(res.status, 200, url)
        const shown = url.includes('?') ? res.body.replace(/value="[^"]*"/g, '').replace(/href="[^"]*"/g, '') : res.body
        for (const marker of bOnly()) assert.ok(!shown.includes(marker), `${url} mentions ${marker}`)
      }
      const filtered = await client.get(
        `/manage/organisations/${SLUG.A}/audit?actor=${encodeURIComponent(w.people.adminB.email)}`,
      )
      assert.match(text(filtered.$, 'main table tbody'), /No entries match/, 'adminB did nothing in highland-council')
    })
  })
})

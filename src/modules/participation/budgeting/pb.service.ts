// The rules of participatory budgeting: who may set up and run a process, ideas and their review,
// eligibility, casting ballots, voting codes, paper ballots and counting. Every change and its
// audit entry commit together. Ballots are stored apart from who cast them: the marked register
// (pb_voter) says who has voted in an area, the ballot says what was chosen under a keyed hash
// that only lets the same voter find their own ballot again.
import { createHmac, randomInt } from 'node:crypto'
import { parse } from 'csv-parse/sync'
import type { Upload } from '../../../platform/files/uploads.plugin.js'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext, Principal } from '../../../platform/auth/principal.js'
import { actingAccountId, systemContext } from '../../../platform/auth/principal.js'
import { requireOrganisationRole, requirePrincipal, rolesIn } from '../../../platform/auth/authorisation.js'
import { ORG_ADMIN } from '../../../platform/accounts/roles.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import { PbRepository, type Executor, type ProcessFields } from './pb.repository.js'
import { PbError, areaNotFound, assertValid, processNotFound, projectNotFound } from './pb.errors.js'
import { ageOn, checkBallot, normalisePostcode, phaseAt, type BallotProblem } from './pb.rules.js'
import { londonInstant, londonToday } from './pb.dates.js'
import { equalShares, greedy, rankTallies, tally, type CountBallot } from './pb.results.js'
import {
  eligibilities,
  votingRules,
  type AreaResult,
  type Channel,
  type Eligibility,
  type PbArea,
  type PbCode,
  type PbCodeBatch,
  type PbComment,
  type PbProcess,
  type PbProject,
  type PbResident,
  type Phase,
  type ProjectResult,
  type ProjectStatus,
  type Voter,
  type VotingRule,
} from './pb.types.js'

export const MANAGER_ROLES = ['participation-manager']
export const RESULTS_EVENT = 'participation.pb-results-published'
export const DATASET_PROVIDER = 'participation.pb-results'

export type ProcessInput = {
  organisationId: string
  title: string
  summary: string
  description: string
  votingRule: string
  maxChoices: string
  pointsTotal: string
  minSpendPercent: string
  allowChanges: string
  eligibility: string
  minAge: string
  equalShares: string
  ideasDate: string
  reviewDate: string
  voteDate: string
  closeDate: string
  closeTime: string
}

export type WithPhase = { process: PbProcess; organisation: Organisation; phase: Phase }

/** A ballot the service refused, with every problem to show beside the choices. */
export class BallotInvalid extends PbError {
  constructor(readonly problems: BallotProblem[]) {
    super('PB_BALLOT_INVALID', problems[0]?.key ?? 'participation.pb.ballot.error.empty')
  }
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A voting code a child can copy from paper: "K7QM-3XPA". */
export function newVotingCode(): string {
  const c = Array.from({ length: 8 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)])
  return `${c.slice(0, 4).join('')}-${c.slice(4).join('')}`
}

/** A typed code in the stored form, forgiving case, spaces and a missing dash. */
export function normaliseCode(value: string): string | null {
  const c = value
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '')
    .replace(/O/g, '0')
  if (c.length !== 8) return null
  return `${c.slice(0, 4)}-${c.slice(4)}`
}

const clean = (s: string) => s.trim().replace(/\s+/g, ' ')
const wholeNumber = (s: string) =>
  /^\d{1,9}$/.test(s.replace(/[£,\s]/g, '')) ? Number(s.replace(/[£,\s]/g, '')) : null

export class PbService {
  readonly repo = new PbRepository()
  private readonly ballotKey: Buffer

  constructor(private readonly kernel: Kernel) {
    this.ballotKey = createHmac('sha256', kernel.config.sessionSecret).update('participation.pb.ballot').digest()
  }

  private get db() {
    return this.kernel.db
  }

  /** The voter's keyed hash for one area: finds their ballot again, and reveals nothing without the key. */
  voterHash(areaId: string, voterKey: string): string {
    return createHmac('sha256', this.ballotKey).update(`${areaId}\n${voterKey}`).digest('hex')
  }

  // --- reading ---

  private async withPhase(process: PbProcess, now = new Date()): Promise<WithPhase> {
    const organisation = await this.kernel.organisations.getById(process.organisationId)
    if (!organisation) throw processNotFound()
    return { process, organisation, phase: phaseAt(process, now) }
  }

  async getPublished(id: string): Promise<WithPhase & { areas: PbArea[] }> {
    const process = await this.repo.getProcess(this.db, id)
    if (!process || !process.publishedAt) throw processNotFound()
    return { ...(await this.withPhase(process)), areas: await this.repo.areas(this.db, id) }
  }

  async listPublished(query: { page?: number | string | undefined; pageSize?: number | string | undefined }) {
    const { page, pageSize, offset } = clampPage(query.page, query.pageSize ?? 20, 200)
    const found = await this.repo.listPublished(this.db, pageSize, offset)
    const items: WithPhase[] = []
    const cache = new Map<string, Organisation | null>()
    for (const p of found.items) {
      if (!cache.has(p.organisationId))
        cache.set(p.organisationId, await this.kernel.organisations.getById(p.organisationId))
      const organisation = cache.get(p.organisationId)
      if (organisation) items.push({ process: p, organisation, phase: phaseAt(p) })
    }
    return toPage(items, found.total, page, pageSize)
  }

  /** Projects the public may see: everything proposed, with review outcomes; page by page. */
  async projectsPage(
    processId: string,
    query: {
      area?: string | undefined
      status?: string | undefined
      q?: string | undefined
      page?: number | string | undefined
      pageSize?: number | string | undefined
    },
    maxPageSize = 200,
  ): Promise<{ found: WithPhase & { areas: PbArea[] }; page: Page<PbProject> }> {
    const found = await this.getPublished(processId)
    const { page, pageSize, offset } = clampPage(query.page, query.pageSize ?? 50, maxPageSize)
    const statuses: ProjectStatus[] =
      query.status === 'feasible' ||
      query.status === 'not-feasible' ||
      query.status === 'proposed' ||
      query.status === 'merged'
        ? [query.status]
        : ['proposed', 'feasible', 'not-feasible', 'merged']
    const areaId = found.areas.some((a) => a.id === query.area) ? query.area : undefined
    const result = await this.repo.searchProjects(
      this.db,
      processId,
      { statuses, areaId, q: query.q?.trim().slice(0, 200) || undefined },
      pageSize,
      offset,
    )
    return { found, page: toPage(result.items, result.total, page, pageSize) }
  }

  async *allProjects(processId: string, query: { area?: string | undefined; status?: string | undefined }) {
    for (let page = 1; ; page++) {
      const r = await this.projectsPage(processId, { ...query, page, pageSize: 200 })
      yield* r.page.items
      if (page >= r.page.pageCount) return
    }
  }

  async getProject(
    processId: string,
    projectId: string,
  ): Promise<{ found: WithPhase & { areas: PbArea[] }; project: PbProject }> {
    const found = await this.getPublished(processId)
    const project = await this.repo.getProject(this.db, projectId)
    if (!project || project.processId !== processId) throw projectNotFound()
    return { found, project }
  }

  async comments(projectId: string, pageQuery: string | number | undefined): Promise<Page<PbComment>> {
    const project = await this.repo.getProject(this.db, projectId)
    if (!project) throw projectNotFound()
    const { page, pageSize, offset } = clampPage(pageQuery, 20, 20)
    return toPage(await this.repo.comments(this.db, projectId, pageSize, offset), project.commentCount, page, pageSize)
  }

  // --- staff: access ---

  canManage(principal: Principal | null, organisationId: string): boolean {
    if (!principal) return false
    const held = rolesIn(principal, organisationId)
    return principal.isPlatformAdmin || held.includes(ORG_ADMIN) || held.some((r) => MANAGER_ROLES.includes(r))
  }

  async manageableOrganisations(ctx: ActionContext): Promise<Organisation[]> {
    const principal = requirePrincipal(ctx)
    if (principal.isPlatformAdmin) {
      const all: Organisation[] = []
      for await (const o of this.kernel.organisations.all()) all.push(o)
      return all
    }
    const ids = principal.memberships
      .filter((m) => this.canManage(principal, m.organisationId))
      .map((m) => m.organisationId)
    const out: Organisation[] = []
    for (const id of ids) {
      const o = await this.kernel.organisations.getById(id)
      if (o) out.push(o)
    }
    return out.sort((a, b) => a.nameEn.localeCompare(b.nameEn))
  }

  async listForStaff(ctx: ActionContext): Promise<WithPhase[]> {
    const principal = requirePrincipal(ctx)
    const ids = principal.isPlatformAdmin
      ? 'all'
      : principal.memberships.filter((m) => this.canManage(principal, m.organisationId)).map((m) => m.organisationId)
    const out: WithPhase[] = []
    for (const p of await this.repo.listForOrganisations(this.db, ids)) out.push(await this.withPhase(p))
    return out
  }

  async getForManager(ctx: ActionContext, id: string): Promise<WithPhase & { areas: PbArea[] }> {
    const process = await this.repo.getProcess(this.db, id)
    if (!process) throw processNotFound()
    requireOrganisationRole(ctx, process.organisationId, MANAGER_ROLES)
    return { ...(await this.withPhase(process)), areas: await this.repo.areas(this.db, id) }
  }

  async managerOverview(ctx: ActionContext, id: string) {
    const found = await this.getForManager(ctx, id)
    const [statusCounts, postcodeCounts, turnout, batches] = await Promise.all([
      this.repo.statusCounts(this.db, id),
      this.repo.postcodeCounts(this.db, id),
      this.repo.turnout(this.db, id),
      this.repo.batches(this.db, id),
    ])
    return { ...found, statusCounts, postcodeCounts, turnout, batches }
  }

  // --- staff: processes ---

  private validateProcess(input: ProcessInput): ProcessFields {
    const errors: Record<string, string> = {}
    const title = clean(input.title)
    const summary = input.summary.trim()
    const description = input.description.replace(/\r\n/g, '\n').trim()
    if (!/^[0-9a-f-]{36}$/i.test(input.organisationId))
      errors.organisationId = 'participation.pb.form.error.organisation'
    if (title === '') errors.title = 'participation.pb.form.error.title'
    else if (title.length > 200) errors.title = 'participation.pb.form.error.titleTooLong'
    if (summary === '') errors.summary = 'participation.pb.form.error.summary'
    else if (summary.length > 1000) errors.summary = 'participation.pb.form.error.summaryTooLong'
    if (description.length > 20_000) errors.description = 'participation.pb.form.error.descriptionTooLong'
    const rule = input.votingRule as VotingRule
    if (!(votingRules as readonly string[]).includes(rule)) errors.votingRule = 'participation.pb.form.error.votingRule'
    const maxChoices = input.maxChoices.trim() === '' ? null : wholeNumber(input.maxChoices)
    if (rule === 'approval' && (maxChoices === null || maxChoices < 1 || maxChoices > 1000))
      errors.maxChoices = 'participation.pb.form.error.maxChoices'
    const pointsTotal = input.pointsTotal.trim() === '' ? null : wholeNumber(input.pointsTotal)
    if (rule === 'points' && (pointsTotal === null || pointsTotal < 1 || pointsTotal > 100000))
      errors.pointsTotal = 'participation.pb.form.error.pointsTotal'
    const minSpend = input.minSpendPercent.trim() === '' ? 0 : wholeNumber(input.minSpendPercent)
    if (minSpend === null || minSpend > 100) errors.minSpendPercent = 'participation.pb.form.error.minSpend'
    const eligibility = input.eligibility as Eligibility
    if (!(eligibilities as readonly string[]).includes(eligibility))
      errors.eligibility = 'participation.pb.form.error.eligibility'
    const minAge = input.minAge.trim() === '' ? null : wholeNumber(input.minAge)
    if (input.minAge.trim() !== '' && (minAge === null || minAge < 1 || minAge > 120))
      errors.minAge = 'participation.pb.form.error.minAge'
    const ideas = londonInstant(input.ideasDate, '00:00')
    const review = londonInstant(input.reviewDate, '00:00')
    const vote = londonInstant(input.voteDate, '00:00')
    const close = londonInstant(input.closeDate, input.closeTime || '23:59')
    if (!ideas) errors.ideasDate = 'participation.pb.form.error.date'
    if (!review) errors.reviewDate = 'participation.pb.form.error.date'
    else if (ideas && review < ideas) errors.reviewDate = 'participation.pb.form.error.reviewBeforeIdeas'
    if (!vote) errors.voteDate = 'participation.pb.form.error.date'
    else if (review && vote < review) errors.voteDate = 'participation.pb.form.error.voteBeforeReview'
    if (!close) errors.closeDate = 'participation.pb.form.error.date'
    else if (vote && close <= vote) errors.closeDate = 'participation.pb.form.error.closeBeforeVote'
    assertValid('PB_PROCESS_INVALID', errors)
    return {
      organisationId: input.organisationId,
      title,
      summary,
      description,
      votingRule: rule,
      maxChoices: rule === 'approval' ? maxChoices : null,
      pointsTotal: rule === 'points' ? pointsTotal : null,
      minSpendPercent: rule === 'knapsack' ? (minSpend ?? 0) : 0,
      allowChanges: input.allowChanges === 'yes',
      eligibility,
      minAge,
      equalShares: input.equalShares === 'yes',
      ideasOpenAt: ideas!,
      reviewOpensAt: review!,
      voteOpensAt: vote!,
      voteClosesAt: close!,
    }
  }

  async createProcess(ctx: ActionContext, input: ProcessInput): Promise<PbProcess> {
    const principal = requirePrincipal(ctx)
    const fields = this.validateProcess(input)
    const organisation = await this.kernel.organisations.getById(fields.organisationId)
    if (!organisation)
      throw new PbError('PB_PROCESS_INVALID', 'participation.pb.form.error.organisation', {
        fields: { organisationId: 'participation.pb.form.error.organisation' },
      })
    requireOrganisationRole(ctx, organisation.id, MANAGER_ROLES)
    return inTransaction(this.db, async (trx) => {
      const created = await this.repo.insertProcess(trx, fields, actingAccountId(principal))
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.process-created',
        organisationId: organisation.id,
        targetType: 'pb-process',
        targetId: created.id,
        details: { title: created.title, votingRule: created.votingRule, eligibility: created.eligibility },
      })
      return created
    })
  }

  async updateProcess(ctx: ActionContext, id: string, input: ProcessInput): Promise<PbProcess> {
    const { process } = await this.getForManager(ctx, id)
    const fields = this.validateProcess({ ...input, organisationId: process.organisationId })
    return inTransaction(this.db, async (trx) => {
      const locked = await this.repo.getProcess(trx, id, 'update')
      if (!locked) throw processNotFound()
      const phase = phaseAt(locked)
      // Once voting has begun, the rules and the close of the vote stay as they were.
      if (phase === 'vote' || phase === 'counting' || phase === 'results') {
        const same =
          fields.votingRule === locked.votingRule &&
          fields.maxChoices === locked.maxChoices &&
          fields.pointsTotal === locked.pointsTotal &&
          fields.minSpendPercent === locked.minSpendPercent &&
          fields.eligibility === locked.eligibility &&
          fields.minAge === locked.minAge &&
          fields.voteOpensAt.getTime() === locked.voteOpensAt.getTime() &&
          fields.voteClosesAt.getTime() === locked.voteClosesAt.getTime()
        if (!same)
          throw new PbError('PB_PROCESS_INVALID', 'participation.pb.form.error.rulesLocked', {
            fields: { votingRule: 'participation.pb.form.error.rulesLocked' },
          })
      }
      const updated = await this.repo.updateProcess(trx, id, fields)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.process-updated',
        organisationId: updated.organisationId,
        targetType: 'pb-process',
        targetId: id,
        details: {
          title: updated.title,
          votingRule: updated.votingRule,
          voteClosesAt: updated.voteClosesAt.toISOString(),
        },
      })
      return updated
    })
  }

  async publishProcess(ctx: ActionContext, id: string): Promise<void> {
    const found = await this.getForManager(ctx, id)
    if (found.process.publishedAt) return
    if (found.areas.length === 0)
      throw new PbError('PB_PROCESS_NOT_PUBLISHABLE', 'participation.pb.publish.error.noAreas')
    await inTransaction(this.db, async (trx) => {
      await this.repo.publishProcess(trx, id, new Date())
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.process-published',
        organisationId: found.process.organisationId,
        targetType: 'pb-process',
        targetId: id,
      })
    })
  }

  /** Starts the next phase now (for a body running late or early); the dates after it stay. */
  async startNextPhase(ctx: ActionContext, id: string, now = new Date()): Promise<Phase> {
    const found = await this.getForManager(ctx, id)
    const p = found.process
    if (!p.publishedAt) throw new PbError('PB_WRONG_PHASE', 'participation.pb.error.notPublished')
    const later = (d: Date) => (d.getTime() > now.getTime() ? d : now)
    const dates: Parameters<PbRepository['setProcessDates']>[2] = {}
    switch (found.phase) {
      case 'upcoming':
        dates.ideasOpenAt = now
        break
      case 'ideas':
        dates.reviewOpensAt = now
        break
      case 'review':
        dates.voteOpensAt = now
        dates.voteClosesAt = later(p.voteClosesAt)
        if (dates.voteClosesAt.getTime() <= now.getTime()) dates.voteClosesAt = new Date(now.getTime() + 86_400_000)
        break
      case 'vote':
        dates.voteClosesAt = now
        break
      default:
        throw new PbError('PB_WRONG_PHASE', 'participation.pb.error.noNextPhase')
    }
    // Keep the phases in order when one is brought forward past the next.
    if (dates.ideasOpenAt && p.reviewOpensAt < now) dates.reviewOpensAt = now
    if ((dates.ideasOpenAt || dates.reviewOpensAt) && p.voteOpensAt < now) dates.voteOpensAt = now
    if (dates.voteOpensAt || dates.reviewOpensAt || dates.ideasOpenAt)
      if (p.voteClosesAt <= now) dates.voteClosesAt = new Date(now.getTime() + 86_400_000)
    await inTransaction(this.db, async (trx) => {
      await this.repo.getProcess(trx, id, 'update')
      await this.repo.setProcessDates(trx, id, dates)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.phase-started-early',
        organisationId: p.organisationId,
        targetType: 'pb-process',
        targetId: id,
        details: {
          from: found.phase,
          dates: Object.fromEntries(Object.entries(dates).map(([k, v]) => [k, v.toISOString()])),
        },
      })
    })
    if (found.phase === 'vote') await this.recordPhases(now)
    const after = await this.repo.getProcess(this.db, id)
    return phaseAt(after!, now)
  }

  // --- staff: areas and the postcode lookup ---

  private validateArea(input: { name: string; budget: string }): { name: string; budget: number } {
    const errors: Record<string, string> = {}
    const name = clean(input.name)
    const budget = wholeNumber(input.budget)
    if (name === '') errors.name = 'participation.pb.area.error.name'
    else if (name.length > 120) errors.name = 'participation.pb.area.error.nameTooLong'
    if (budget === null || budget < 1 || budget > 1_000_000_000) errors.budget = 'participation.pb.area.error.budget'
    assertValid('PB_AREA_INVALID', errors)
    return { name, budget: budget! }
  }

  async addArea(ctx: ActionContext, processId: string, input: { name: string; budget: string; areaWide: string }) {
    const found = await this.getForManager(ctx, processId)
    const fields = this.validateArea(input)
    const areaWide = input.areaWide === 'yes'
    if (found.areas.some((a) => a.name.toLowerCase() === fields.name.toLowerCase()))
      throw new PbError('PB_AREA_INVALID', 'participation.pb.area.error.nameTaken', {
        fields: { name: 'participation.pb.area.error.nameTaken' },
      })
    if (areaWide && found.areas.some((a) => a.areaWide))
      throw new PbError('PB_AREA_INVALID', 'participation.pb.area.error.oneAreaWide', {
        fields: { areaWide: 'participation.pb.area.error.oneAreaWide' },
      })
    this.assertBeforeVote(found.phase)
    return inTransaction(this.db, async (trx) => {
      const area = await this.repo.insertArea(trx, processId, fields.name, fields.budget, areaWide)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.area-added',
        organisationId: found.process.organisationId,
        targetType: 'pb-process',
        targetId: processId,
        details: { areaId: area.id, name: area.name, budget: area.budget, areaWide },
      })
      return area
    })
  }

  async updateArea(ctx: ActionContext, processId: string, areaId: string, input: { name: string; budget: string }) {
    const found = await this.getForManager(ctx, processId)
    const area = found.areas.find((a) => a.id === areaId)
    if (!area) throw areaNotFound()
    const fields = this.validateArea(input)
    if (found.areas.some((a) => a.id !== areaId && a.name.toLowerCase() === fields.name.toLowerCase()))
      throw new PbError('PB_AREA_INVALID', 'participation.pb.area.error.nameTaken', {
        fields: { name: 'participation.pb.area.error.nameTaken' },
      })
    // A budget is fixed once ballots may be cast against it.
    if (fields.budget !== area.budget) this.assertBeforeVote(found.phase)
    return inTransaction(this.db, async (trx) => {
      const updated = await this.repo.updateArea(trx, areaId, fields.name, fields.budget)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.area-updated',
        organisationId: found.process.organisationId,
        targetType: 'pb-process',
        targetId: processId,
        details: { areaId, name: updated.name, budget: updated.budget, previousBudget: area.budget },
      })
      return updated
    })
  }

  private assertBeforeVote(phase: Phase): void {
    if (phase === 'vote' || phase === 'counting' || phase === 'results')
      throw new PbError('PB_WRONG_PHASE', 'participation.pb.error.afterVoteOpened')
  }

  /**
   * Replaces the postcode-to-area lookup from CSV text with the columns "postcode" and "area" (an
   * area's name). Every problem is reported with its line; nothing changes unless all lines are good.
   */
  async importPostcodes(ctx: ActionContext, processId: string, csvText: string): Promise<number> {
    const found = await this.getForManager(ctx, processId)
    const byName = new Map(found.areas.filter((a) => !a.areaWide).map((a) => [a.name.toLowerCase(), a.id]))
    let records: string[][]
    try {
      records = parse(csvText.replace(/^\uFEFF/, ''), { skip_empty_lines: true, trim: true, relax_column_count: true })
    } catch {
      throw this.postcodeError('participation.pb.postcodes.error.notCsv')
    }
    if (records.length === 0) throw this.postcodeError('participation.pb.postcodes.error.empty')
    const header = records[0]!.map((h) => h.toLowerCase())
    const pc = header.indexOf('postcode')
    const ar = header.indexOf('area')
    if (pc < 0 || ar < 0) throw this.postcodeError('participation.pb.postcodes.error.header')
    const rows: { postcode: string; areaId: string }[] = []
    const seen = new Set<string>()
    const problems: { line: number; key: string; value: string }[] = []
    records.slice(1).forEach((r, i) => {
      const line = i + 2
      const postcode = normalisePostcode(r[pc] ?? '')
      const areaId = byName.get((r[ar] ?? '').trim().toLowerCase())
      if (!postcode) problems.push({ line, key: 'participation.pb.postcodes.error.badPostcode', value: r[pc] ?? '' })
      else if (!areaId) problems.push({ line, key: 'participation.pb.postcodes.error.unknownArea', value: r[ar] ?? '' })
      else if (seen.has(postcode))
        problems.push({ line, key: 'participation.pb.postcodes.error.duplicate', value: r[pc] ?? '' })
      else {
        seen.add(postcode)
        rows.push({ postcode, areaId })
      }
    })
    if (problems.length > 0) throw new PostcodeImportInvalid(problems.slice(0, 20), problems.length)
    if (rows.length === 0) throw this.postcodeError('participation.pb.postcodes.error.empty')
    await inTransaction(this.db, async (trx) => {
      await this.repo.replacePostcodes(trx, processId, rows)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.postcodes-imported',
        organisationId: found.process.organisationId,
        targetType: 'pb-process',
        targetId: processId,
        details: { postcodes: rows.length },
      })
    })
    return rows.length
  }

  private postcodeError(key: string) {
    return new PbError('PB_POSTCODES_INVALID', key, { fields: { csv: key } })
  }

  // --- ideas and projects ---

  private validateProject(
    areas: PbArea[],
    input: { title: string; description: string; areaId: string; cost: string },
  ): { title: string; description: string; areaId: string; cost: number } {
    const errors: Record<string, string> = {}
    const title = clean(input.title)
    const description = input.description.replace(/\r\n/g, '\n').trim()
    const cost = wholeNumber(input.cost)
    if (title === '') errors.title = 'participation.pb.idea.error.title'
    else if (title.length > 150) errors.title = 'participation.pb.idea.error.titleTooLong'
    if (description === '') errors.description = 'participation.pb.idea.error.description'
    else if (description.length > 5000) errors.description = 'participation.pb.idea.error.descriptionTooLong'
    if (!areas.some((a) => a.id === input.areaId)) errors.areaId = 'participation.pb.idea.error.area'
    if (cost === null || cost < 1 || cost > 1_000_000_000) errors.cost = 'participation.pb.idea.error.cost'
    assertValid('PB_PROJECT_INVALID', errors)
    return { title, description, areaId: input.areaId, cost: cost! }
  }

  /** A resident proposes an idea during the ideas phase, with an image if they have one. */
  async proposeIdea(
    ctx: ActionContext,
    processId: string,
    input: { title: string; description: string; areaId: string; cost: string; imageAlt?: string },
    image?: Upload,
  ): Promise<PbProject> {
    const principal = requirePrincipal(ctx)
    const found = await this.getPublished(processId)
    if (found.phase !== 'ideas') throw new PbError('PB_WRONG_PHASE', 'participation.pb.idea.error.notIdeasPhase')
    const errors: Record<string, string> = {}
    let fields: ReturnType<PbService['validateProject']> | null = null
    try {
      fields = this.validateProject(found.areas, input)
    } catch (e) {
      if (e instanceof PbError && e.fields) Object.assign(errors, e.fields)
      else throw e
    }
    const imageAlt = clean(input.imageAlt ?? '')
    if (image && imageAlt === '') errors.imageAlt = 'participation.pb.idea.error.imageAlt'
    else if (imageAlt.length > 300) errors.imageAlt = 'participation.pb.idea.error.imageAltTooLong'
    assertValid('PB_PROJECT_INVALID', errors)
    return inTransaction(this.db, async (trx) => {
      let project = await this.repo.insertProject(trx, {
        processId,
        ...fields!,
        status: 'proposed',
        proposedBy: principal.accountId,
        proposerName: principal.displayName,
      })
      if (image) {
        const stored = await this.kernel.files.store(trx, image, {
          owner: `participation.pb-project:${project.id}`,
          organisationId: found.process.organisationId,
          accept: ['png', 'jpg', 'jpeg', 'gif', 'webp'],
          field: 'image',
          createdBy: principal.accountId,
        })
        await this.repo.setProjectImage(trx, project.id, stored.id, imageAlt)
        project = { ...project, imageFileId: stored.id, imageAlt }
      }
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.idea-proposed',
        organisationId: found.process.organisationId,
        targetType: 'pb-project',
        targetId: project.id,
        details: { processId, title: project.title, cost: project.cost, image: project.imageFileId !== null },
      })
      return project
    })
  }

  /** A project's image, as stored. */
  async projectImage(processId: string, projectId: string) {
    const { project } = await this.getProject(processId, projectId)
    const file = project.imageFileId ? await this.kernel.files.get(project.imageFileId) : null
    if (!file) throw projectNotFound()
    return file
  }

  /** Staff add a project directly (from a meeting, a paper form); it starts as proposed. */
  async addProject(
    ctx: ActionContext,
    processId: string,
    input: { title: string; description: string; areaId: string; cost: string },
  ): Promise<PbProject> {
    const found = await this.getForManager(ctx, processId)
    this.assertBeforeVote(found.phase)
    const fields = this.validateProject(found.areas, input)
    return inTransaction(this.db, async (trx) => {
      const project = await this.repo.insertProject(trx, {
        processId,
        ...fields,
        status: 'proposed',
        proposedBy: null,
        proposerName: found.organisation.nameEn,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.project-added',
        organisationId: found.process.organisationId,
        targetType: 'pb-project',
        targetId: project.id,
        details: { processId, title: project.title, cost: project.cost },
      })
      return project
    })
  }

  /** Review: cost, feasible or not with a public reason, or merged into another project. */
  async reviewProject(
    ctx: ActionContext,
    processId: string,
    projectId: string,
    input: {
      title: string
      description: string
      areaId: string
      cost: string
      status: string
      publicReason: string
      mergedInto: string
    },
  ): Promise<PbProject> {
    const found = await this.getForManager(ctx, processId)
    this.assertBeforeVote(found.phase)
    const existing = await this.repo.getProject(this.db, projectId)
    if (!existing || existing.processId !== processId) throw projectNotFound()
    const errors: Record<string, string> = {}
    let fields: ReturnType<PbService['validateProject']> | null = null
    try {
      fields = this.validateProject(found.areas, input)
    } catch (e) {
      if (e instanceof PbError && e.fields) Object.assign(errors, e.fields)
      else throw e
    }
    const status = input.status as ProjectStatus
    const reason = input.publicReason.trim()
    if (!['proposed', 'feasible', 'not-feasible', 'merged'].includes(status))
      errors.status = 'participation.pb.review.error.status'
    if ((status === 'not-feasible' || status === 'merged') && reason === '')
      errors.publicReason = 'participation.pb.review.error.reason'
    if (reason.length > 2000) errors.publicReason = 'participation.pb.review.error.reasonTooLong'
    let mergedInto: string | null = null
    if (status === 'merged') {
      const target = await this.repo.getProject(this.db, input.mergedInto)
      if (!target || target.processId !== processId || target.id === projectId || target.status === 'merged')
        errors.mergedInto = 'participation.pb.review.error.mergedInto'
      else mergedInto = target.id
    }
    assertValid('PB_PROJECT_INVALID', errors)
    return inTransaction(this.db, async (trx) => {
      const updated = await this.repo.reviewProject(trx, projectId, {
        ...fields!,
        status,
        publicReason: reason,
        mergedInto,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.project-reviewed',
        organisationId: found.process.organisationId,
        targetType: 'pb-project',
        targetId: projectId,
        details: {
          from: existing.status,
          to: status,
          cost: updated.cost,
          previousCost: existing.cost,
          mergedInto,
          reason,
        },
      })
      return updated
    })
  }

  async addComment(ctx: ActionContext, processId: string, projectId: string, body: string): Promise<PbComment> {
    const principal = requirePrincipal(ctx)
    const { found, project } = await this.getProject(processId, projectId)
    const text = body.replace(/\r\n/g, '\n').trim()
    if (text === '')
      throw new PbError('PB_COMMENT_INVALID', 'participation.pb.comment.error.empty', {
        fields: { comment: 'participation.pb.comment.error.empty' },
      })
    if (text.length > 2000)
      throw new PbError('PB_COMMENT_INVALID', 'participation.pb.comment.error.tooLong', {
        fields: { comment: 'participation.pb.comment.error.tooLong' },
      })
    return inTransaction(this.db, async (trx) => {
      const comment = await this.repo.insertComment(trx, project.id, principal.accountId, principal.displayName, text)
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.comment-added',
        organisationId: found.process.organisationId,
        targetType: 'pb-project',
        targetId: project.id,
        details: { commentId: comment.id },
      })
      return comment
    })
  }

  // --- voting codes ---

  async issueCodes(
    ctx: ActionContext,
    processId: string,
    input: { areaId: string; count: string; label: string },
  ): Promise<string> {
    const principal = requirePrincipal(ctx)
    const found = await this.getForManager(ctx, processId)
    const errors: Record<string, string> = {}
    const count = wholeNumber(input.count)
    const label = clean(input.label)
    if (!found.areas.some((a) => a.id === input.areaId)) errors.areaId = 'participation.pb.codes.error.area'
    if (count === null || count < 1 || count > 1000) errors.count = 'participation.pb.codes.error.count'
    if (label === '') errors.label = 'participation.pb.codes.error.label'
    else if (label.length > 100) errors.label = 'participation.pb.codes.error.labelTooLong'
    assertValid('PB_CODES_INVALID', errors)
    if (found.process.eligibility === 'account')
      throw new PbError('PB_CODES_INVALID', 'participation.pb.codes.error.notAllowed', {
        fields: { count: 'participation.pb.codes.error.notAllowed' },
      })
    if (found.phase === 'counting' || found.phase === 'results')
      throw new PbError('PB_WRONG_PHASE', 'participation.pb.error.voteClosed')
    for (let attempt = 1; ; attempt++) {
      const codes = new Set<string>()
      while (codes.size < count!) codes.add(newVotingCode())
      try {
        return await inTransaction(this.db, async (trx) => {
          const batchId = await this.repo.insertBatch(trx, {
            processId,
            areaId: input.areaId,
            label,
            codes: [...codes],
            createdBy: actingAccountId(principal),
          })
          await this.kernel.audit.record(trx, ctx, {
            action: 'participation.pb.codes-issued',
            organisationId: found.process.organisationId,
            targetType: 'pb-process',
            targetId: processId,
            details: { batchId, areaId: input.areaId, label, count },
          })
          return batchId
        })
      } catch (error) {
        // A code already issued in this process: draw the batch again.
        if (attempt < 3 && (error as { code?: string }).code === '23505') continue
        throw error
      }
    }
  }

  async batch(
    ctx: ActionContext,
    processId: string,
    batchId: string,
  ): Promise<{ batch: PbCodeBatch; codes: PbCode[] }> {
    const found = await this.getForManager(ctx, processId)
    const batch = (await this.repo.batches(this.db, processId)).find((b) => b.id === batchId)
    if (!batch) throw new PbError('PB_CODE_INVALID', 'participation.pb.codes.error.noBatch')
    void found
    return { batch, codes: await this.repo.batchCodes(this.db, batchId) }
  }

  // --- eligibility ---

  /** The areas this voter may vote in: their own (by postcode or code) and the area-wide one. */
  private ballotAreas(areas: PbArea[], areaId: string): PbArea[] {
    const own = areas.find((a) => a.id === areaId)
    const wide = areas.find((a) => a.areaWide)
    return [...(own ? [own] : []), ...(wide && wide.id !== areaId ? [wide] : [])]
  }

  /** A signed-in resident's declaration for this process, if any. */
  async residentOf(ctx: ActionContext, processId: string): Promise<PbResident | null> {
    if (!ctx.principal) return null
    return this.repo.resident(this.db, processId, ctx.principal.accountId)
  }

  /** Checks and keeps a resident's postcode (and date of birth where there is a minimum age). */
  async declareResident(
    ctx: ActionContext,
    processId: string,
    input: { postcode: string; birthDay: string; birthMonth: string; birthYear: string },
  ): Promise<PbResident> {
    const principal = requirePrincipal(ctx)
    const found = await this.getPublished(processId)
    if (found.phase !== 'vote') throw new PbError('PB_WRONG_PHASE', 'participation.pb.vote.error.notOpen')
    if (found.process.eligibility === 'code')
      throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.codesOnly')
    const existing = await this.repo.resident(this.db, processId, principal.accountId)
    if (existing) return existing
    const errors: Record<string, string> = {}
    const postcode = normalisePostcode(input.postcode)
    if (!postcode) errors.postcode = 'participation.pb.eligibility.error.postcode'
    let bornOn: string | null = null
    if (found.process.minAge !== null) {
      const [d, m, y] = [input.birthDay, input.birthMonth, input.birthYear].map((s) => s.trim())
      const iso = `${y!.padStart(4, '0')}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`
      const parsed = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00Z`) : null
      if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso || Number(y) < 1900)
        errors.birthDay = 'participation.pb.eligibility.error.birthDate'
      else if (iso > londonToday()) errors.birthDay = 'participation.pb.eligibility.error.birthFuture'
      else bornOn = iso
    }
    assertValid('PB_ELIGIBILITY_INVALID', errors)
    const areaId = await this.repo.areaForPostcode(this.db, processId, postcode!)
    if (!areaId)
      throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.eligibility.error.outsideArea', {
        fields: { postcode: 'participation.pb.eligibility.error.outsideArea' },
      })
    if (found.process.minAge !== null && ageOn(bornOn!, londonToday()) < found.process.minAge)
      throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.eligibility.error.tooYoung', {
        fields: { birthDay: 'participation.pb.eligibility.error.tooYoung' },
      })
    return inTransaction(this.db, async (trx) => {
      const { resident, created } = await this.repo.declareResident(trx, processId, principal.accountId, {
        postcode: postcode!,
        areaId,
        bornOn,
      })
      if (created)
        await this.kernel.audit.record(trx, ctx, {
          action: 'participation.pb.resident-declared',
          organisationId: found.process.organisationId,
          targetType: 'pb-process',
          targetId: processId,
          details: { areaId },
        })
      return resident
    })
  }

  /** A code as typed, checked: the area it is for, and the areas it has not yet voted in. */
  async checkCode(
    processId: string,
    typed: string,
  ): Promise<{ code: string; areaId: string; open: PbArea[]; voted: Set<string> }> {
    const found = await this.getPublished(processId)
    const code = normaliseCode(typed)
    const stored = code ? await this.repo.findCode(this.db, processId, code) : null
    if (!code || !stored)
      throw new PbError('PB_CODE_INVALID', 'participation.pb.code.error.unknown', {
        fields: { code: 'participation.pb.code.error.unknown' },
      })
    const voted = await this.repo.votedAreas(this.db, processId, `code:${stored.id}`)
    const areas = this.ballotAreas(found.areas, stored.areaId)
    const open = areas.filter((a) => !voted.has(a.id))
    if (open.length === 0)
      throw new PbError('PB_CODE_USED', 'participation.pb.code.error.used', {
        fields: { code: 'participation.pb.code.error.used' },
      })
    return { code, areaId: stored.areaId, open: areas, voted }
  }

  /** The ballots a voter may fill in, with whether each is already cast. */
  async ballotsFor(ctx: ActionContext, processId: string, voter: Voter): Promise<{ area: PbArea; voted: boolean }[]> {
    const found = await this.getPublished(processId)
    const { areaId, voterKey } = await this.identify(ctx, found, voter)
    const voted = await this.repo.votedAreas(this.db, processId, voterKey)
    return this.ballotAreas(found.areas, areaId).map((area) => ({ area, voted: voted.has(area.id) }))
  }

  /** Who the voter is for the register, and their home area; refuses anyone not eligible. */
  private async identify(
    ctx: ActionContext,
    found: { process: PbProcess; areas: PbArea[] },
    voter: Voter,
  ): Promise<{ areaId: string; voterKey: string; codeId: string | null }> {
    const p = found.process
    if (voter.kind === 'account') {
      if (p.eligibility === 'code') throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.codesOnly')
      const principal = requirePrincipal(ctx)
      if (principal.accountId !== voter.accountId)
        throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.notEligible')
      const resident = await this.repo.resident(this.db, p.id, voter.accountId)
      if (!resident) throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.declareFirst')
      return { areaId: resident.areaId, voterKey: `account:${voter.accountId}`, codeId: null }
    }
    if (voter.channel === 'code' && p.eligibility === 'account')
      throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.accountsOnly')
    if (voter.channel === 'paper') requireOrganisationRole(ctx, p.organisationId, MANAGER_ROLES)
    const code = normaliseCode(voter.code)
    const stored = code ? await this.repo.findCode(this.db, p.id, code) : null
    if (!stored)
      throw new PbError('PB_CODE_INVALID', 'participation.pb.code.error.unknown', {
        fields: { code: 'participation.pb.code.error.unknown' },
      })
    return { areaId: stored.areaId, voterKey: `code:${stored.id}`, codeId: stored.id }
  }

  /** The projects on an area's ballot, and the voter's current choices if they may change them. */
  async ballot(
    ctx: ActionContext,
    processId: string,
    areaId: string,
    voter: Voter,
  ): Promise<{
    found: WithPhase & { areas: PbArea[] }
    area: PbArea
    projects: PbProject[]
    current: Map<string, number> | null
    voted: boolean
  }> {
    const found = await this.getPublished(processId)
    if (found.phase !== 'vote') throw new PbError('PB_WRONG_PHASE', 'participation.pb.vote.error.notOpen')
    const { areaId: home, voterKey } = await this.identify(ctx, found, voter)
    const area = this.ballotAreas(found.areas, home).find((a) => a.id === areaId)
    if (!area) throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.otherArea')
    const voted = (await this.repo.votedAreas(this.db, processId, voterKey)).has(areaId)
    let current: Map<string, number> | null = null
    if (voted && voter.kind === 'account') {
      const ballot = await this.repo.ballotByHash(this.db, areaId, this.voterHash(areaId, voterKey))
      if (ballot)
        current = new Map((await this.repo.ballotChoices(this.db, ballot.id)).map((c) => [c.projectId, c.points]))
    }
    return { found, area, projects: await this.repo.ballotProjects(this.db, areaId), current, voted }
  }

  /** Checks choices without casting them: the running total and any problems, for the ballot page. */
  async preview(processId: string, areaId: string, raw: Map<string, string>) {
    const found = await this.getPublished(processId)
    const area = found.areas.find((a) => a.id === areaId)
    if (!area) throw areaNotFound()
    const projects = await this.repo.ballotProjects(this.db, areaId)
    return { check: checkBallot(found.process, area, projects, raw), projects, area, found }
  }

  /**
   * Casts (or, where the body allows it, changes) a ballot. The register entry, the ballot and the
   * code's use commit together or not at all; the database refuses a ballot over its limits, a
   * second ballot for the same voter and area, and any ballot outside the vote, whatever the
   * concurrency. Casting the same choices twice (a double click) is not an error.
   */
  async cast(
    ctx: ActionContext,
    processId: string,
    areaId: string,
    voter: Voter,
    choices: Map<string, string> | ((projects: PbProject[], process: PbProcess) => Map<string, string>),
  ): Promise<{ changed: boolean }> {
    // The organisation is not needed to vote: the process and its areas, read together.
    const [process0, areas] = await Promise.all([
      this.repo.getProcess(this.db, processId),
      this.repo.areas(this.db, processId),
    ])
    if (!process0 || !process0.publishedAt) throw processNotFound()
    if (phaseAt(process0) !== 'vote') throw new PbError('PB_WRONG_PHASE', 'participation.pb.vote.error.notOpen')
    const found = { process: process0, areas }
    const [{ areaId: home, voterKey, codeId }, projects] = await Promise.all([
      this.identify(ctx, found, voter),
      this.repo.ballotProjects(this.db, areaId),
    ])
    const area = this.ballotAreas(found.areas, home).find((a) => a.id === areaId)
    if (!area) throw new PbError('PB_NOT_ELIGIBLE', 'participation.pb.vote.error.otherArea')
    const raw = typeof choices === 'function' ? choices(projects, process0) : choices
    const check = checkBallot(found.process, area, projects, raw)
    if (check.problems.length > 0) throw new BallotInvalid(check.problems)
    const channel: Channel = voter.kind === 'account' ? 'online' : voter.channel
    const hash = this.voterHash(areaId, voterKey)
    const same = (existing: { projectId: string; points: number }[]) =>
      existing.length === check.choices.length &&
      check.choices.every((c) => existing.some((e) => e.projectId === c.projectId && e.points === c.points))
    try {
      return await inTransaction(this.db, async (trx) => {
        // Shares the process row with other voters; counting takes it exclusively, so no ballot
        // commits after the count has begun.
        const process = await this.repo.getProcess(trx, processId, 'key-share')
        if (!process || process.resultsComputedAt || phaseAt(process) !== 'vote')
          throw new PbError('PB_WRONG_PHASE', 'participation.pb.vote.error.notOpen')
        let changed = false
        if (await this.repo.markVoted(trx, processId, areaId, voterKey, channel)) {
          await this.repo.insertBallot(trx, { processId, areaId, voterHash: hash, channel, ...check })
          if (codeId) await this.repo.markCodeUsed(trx, codeId)
        } else {
          const ballot = await this.repo.ballotByHash(trx, areaId, hash, true)
          if (!ballot) throw new PbError('PB_ALREADY_VOTED', 'participation.pb.vote.error.alreadyVoted')
          // A double submission online is not an error; a paper ballot with a used code always is.
          if (channel !== 'paper' && same(await this.repo.ballotChoices(trx, ballot.id))) return { changed: false }
          if (channel === 'paper') throw new PbError('PB_CODE_USED', 'participation.pb.code.error.used')
          if (voter.kind === 'code') throw new PbError('PB_CODE_USED', 'participation.pb.code.error.used')
          if (!process.allowChanges) throw new PbError('PB_ALREADY_VOTED', 'participation.pb.vote.error.alreadyVoted')
          await this.repo.replaceBallot(trx, ballot.id, areaId, check)
          changed = true
        }
        // Last, so the audit trail's lock is held for as short a time as possible. The entry says
        // that this person voted in this area, never what they chose.
        await this.kernel.audit.record(trx, ctx, {
          action: changed ? 'participation.pb.ballot-changed' : 'participation.pb.ballot-cast',
          organisationId: process.organisationId,
          targetType: 'pb-process',
          targetId: processId,
          details: { areaId, channel },
        })
        return { changed }
      })
    } catch (error) {
      const code = (error as { code?: string }).code
      // Another request for the same voter won the race (unique register entry), or the ballot
      // broke a limit the database checks at commit: either way nothing was recorded.
      if (code === '23505') throw new PbError('PB_ALREADY_VOTED', 'participation.pb.vote.error.alreadyVoted')
      if (code === '23514' || code === '23503')
        throw new BallotInvalid([{ key: 'participation.pb.ballot.error.changed' }])
      if (code === '40P01') throw new PbError('PB_ALREADY_VOTED', 'participation.pb.vote.error.alreadyVoted')
      throw error
    }
  }

  // --- the lifecycle and counting ---

  /** Records phase changes and counts every vote that has closed; run by the job every minute. */
  async recordPhases(now: Date = new Date()): Promise<number> {
    let changed = 0
    for (const p of await this.repo.activeProcesses(this.db)) {
      const to = phaseAt(p, now)
      if ((to === 'counting' || to === 'results') && !p.resultsComputedAt) await this.computeResults(p.id, now)
      if (to !== p.recordedPhase)
        await inTransaction(this.db, async (trx) => {
          if (!(await this.repo.setPhase(trx, p.id, p.recordedPhase, to))) return
          changed++
          await this.kernel.audit.record(trx, systemContext('participation.pb-phases'), {
            action: 'participation.pb.phase-changed',
            organisationId: p.organisationId,
            targetType: 'pb-process',
            targetId: p.id,
            details: { from: p.recordedPhase, to },
          })
        })
    }
    return changed
  }

  /** Counts once, after the vote has closed: by votes with greedy skipping, and by equal shares if chosen. */
  async computeResults(processId: string, now = new Date()): Promise<boolean> {
    return inTransaction(this.db, async (trx) => {
      // Exclusive: waits for ballots in flight, and keeps any later one out (they take a key-share lock).
      const p = await this.repo.getProcess(trx, processId, 'update')
      if (!p || p.resultsComputedAt || now.getTime() < p.voteClosesAt.getTime()) return false
      const areas = await this.repo.areas(trx, processId)
      const summary: Record<string, unknown>[] = []
      for (const area of areas) {
        const { areaResult, projectResults } = await this.countArea(trx, p, area, now)
        await this.repo.saveResults(trx, processId, areaResult, projectResults)
        summary.push({ areaId: area.id, ballots: areaResult.ballots, greedySpent: areaResult.greedySpent })
      }
      await this.repo.setResultsComputed(trx, processId, now)
      await this.kernel.audit.record(trx, systemContext('participation.pb-count'), {
        action: 'participation.pb.results-computed',
        organisationId: p.organisationId,
        targetType: 'pb-process',
        targetId: processId,
        details: { areas: summary },
      })
      return true
    })
  }

  private async countArea(trx: Executor, p: PbProcess, area: PbArea, now: Date) {
    const projects = (await this.repo.ballotProjects(trx, area.id)).map((x) => ({ id: x.id, cost: x.cost }))
    const ballots: CountBallot[] = []
    for await (const b of this.repo.areaBallots(trx, area.id)) ballots.push(b)
    return countBallots(p, area, projects, ballots, now)
  }

  async publishResults(ctx: ActionContext, processId: string): Promise<void> {
    const found = await this.getForManager(ctx, processId)
    if (!found.process.resultsComputedAt)
      throw new PbError('PB_RESULTS_NOT_READY', 'participation.pb.results.error.notReady')
    if (found.process.resultsPublishedAt) return
    await inTransaction(this.db, async (trx) => {
      await this.repo.publishResults(trx, processId, new Date())
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.pb.results-published',
        organisationId: found.process.organisationId,
        targetType: 'pb-process',
        targetId: processId,
      })
      await this.kernel.events.publish(trx, RESULTS_EVENT, { processId, organisationId: found.process.organisationId })
      await this.kernel.datasets.changed(trx, DATASET_PROVIDER, processId)
    })
  }

  /** Published results (managers may see them before they are published). */
  async results(
    ctx: ActionContext,
    processId: string,
  ): Promise<{ found: WithPhase & { areas: PbArea[] }; areas: AreaResult[]; projects: ProjectResult[] }> {
    const found = await this.getPublished(processId)
    if (!found.process.resultsPublishedAt && !this.canManage(ctx.principal, found.process.organisationId))
      throw new PbError('PB_RESULTS_NOT_READY', 'participation.pb.results.error.notPublished')
    if (!found.process.resultsComputedAt)
      throw new PbError('PB_RESULTS_NOT_READY', 'participation.pb.results.error.notReady')
    return {
      found,
      areas: await this.repo.areaResults(this.db, processId),
      projects: await this.repo.projectResults(this.db, processId),
    }
  }
}

/** The count of one area, without I/O: used by the service and by the benchmark. */
export function countBallots(
  p: Pick<PbProcess, 'votingRule' | 'equalShares'>,
  area: PbArea,
  projects: { id: string; cost: number }[],
  ballots: CountBallot[],
  now: Date,
): { areaResult: AreaResult; projectResults: Omit<ProjectResult, 'title' | 'cost' | 'areaId'>[] } {
  const byPoints = p.votingRule === 'points'
  const ranked = rankTallies(tally(projects, ballots), byPoints)
  const chosen = greedy(ranked, area.budget)
  const mes = p.equalShares ? equalShares(projects, ballots, area.budget, ranked, byPoints) : null
  const cost = new Map(projects.map((x) => [x.id, x.cost]))
  return {
    areaResult: {
      areaId: area.id,
      ballots: ballots.length,
      greedySpent: [...chosen].reduce((s, id) => s + (cost.get(id) ?? 0), 0),
      equalSharesSpent: mes ? mes.spent : null,
      computedAt: now,
    },
    projectResults: ranked.map((t, i) => ({
      projectId: t.projectId,
      votes: t.votes,
      points: t.points,
      rank: i + 1,
      greedySelected: chosen.has(t.projectId),
      equalSharesSelected: mes ? mes.selected.has(t.projectId) : null,
    })),
  }
}

/** A postcode file with bad lines: each problem with its line number. */
export class PostcodeImportInvalid extends PbError {
  constructor(
    readonly problems: { line: number; key: string; value: string }[],
    readonly total: number,
  ) {
    super('PB_POSTCODES_INVALID', problems[0]?.key ?? 'participation.pb.postcodes.error.empty', {
      fields: { csv: 'participation.pb.postcodes.error.lines' },
    })
  }
}

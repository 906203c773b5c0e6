// All SQL of participatory budgeting. Takes the database or a transaction from the caller and
// returns domain types, never raw rows.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { CoreDatabase } from '../../../platform/db/core.tables.js'
import type { BudgetingTables } from './pb.tables.js'
import type {
  AreaResult,
  BallotChoice,
  Channel,
  Eligibility,
  PbArea,
  PbCode,
  PbCodeBatch,
  PbComment,
  PbProcess,
  PbProject,
  PbResident,
  Phase,
  ProjectResult,
  ProjectStatus,
  VotingRule,
} from './pb.types.js'

export type Executor = Kysely<CoreDatabase> | Transaction<CoreDatabase>
const q = (executor: Executor) => executor.withTables<BudgetingTables>()

type ProcessRow = {
  id: string
  organisation_id: string
  title: string
  summary: string
  description: string
  voting_rule: string
  max_choices: number | null
  points_total: number | null
  min_spend_percent: number
  allow_changes: boolean
  eligibility: string
  min_age: number | null
  equal_shares: boolean
  ideas_open_at: Date
  review_opens_at: Date
  vote_opens_at: Date
  vote_closes_at: Date
  published_at: Date | null
  recorded_phase: string
  results_computed_at: Date | null
  results_published_at: Date | null
  created_at: Date
  updated_at: Date
}

const date = (d: Date | string) => new Date(d)
const maybeDate = (d: Date | string | null) => (d ? new Date(d) : null)

function toProcess(r: ProcessRow): PbProcess {
  return {
    id: r.id,
    organisationId: r.organisation_id,
    title: r.title,
    summary: r.summary,
    description: r.description,
    votingRule: r.voting_rule as VotingRule,
    maxChoices: r.max_choices,
    pointsTotal: r.points_total,
    minSpendPercent: r.min_spend_percent,
    allowChanges: r.allow_changes,
    eligibility: r.eligibility as Eligibility,
    minAge: r.min_age,
    equalShares: r.equal_shares,
    ideasOpenAt: date(r.ideas_open_at),
    reviewOpensAt: date(r.review_opens_at),
    voteOpensAt: date(r.vote_opens_at),
    voteClosesAt: date(r.vote_closes_at),
    publishedAt: maybeDate(r.published_at),
    recordedPhase: r.recorded_phase as Phase,
    resultsComputedAt: maybeDate(r.results_computed_at),
    resultsPublishedAt: maybeDate(r.results_published_at),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  }
}

const toArea = (r: { id: string; process_id: string; name: string; budget: number; area_wide: boolean }): PbArea => ({
  id: r.id,
  processId: r.process_id,
  name: r.name,
  budget: r.budget,
  areaWide: r.area_wide,
})

type ProjectRow = {
  id: string
  process_id: string
  area_id: string
  title: string
  description: string
  cost: number
  status: string
  public_reason: string
  merged_into: string | null
  proposed_by: string | null
  proposer_name: string
  comment_count: number
  image_file_id: string | null
  image_alt: string
  created_at: Date
}

const toProject = (r: ProjectRow): PbProject => ({
  id: r.id,
  processId: r.process_id,
  areaId: r.area_id,
  title: r.title,
  description: r.description,
  cost: r.cost,
  status: r.status as ProjectStatus,
  publicReason: r.public_reason,
  mergedInto: r.merged_into,
  proposedBy: r.proposed_by,
  proposerName: r.proposer_name,
  commentCount: r.comment_count,
  imageFileId: r.image_file_id,
  imageAlt: r.image_alt,
  createdAt: date(r.created_at),
})

const projectColumns = [
  'id',
  'process_id',
  'area_id',
  'title',
  'description',
  'cost',
  'status',
  'public_reason',
  'merged_into',
  'proposed_by',
  'proposer_name',
  'comment_count',
  'image_file_id',
  'image_alt',
  'created_at',
] as const

export type ProcessFields = {
  organisationId: string
  title: string
  summary: string
  description: string
  votingRule: VotingRule
  maxChoices: number | null
  pointsTotal: number | null
  minSpendPercent: number
  allowChanges: boolean
  eligibility: Eligibility
  minAge: number | null
  equalShares: boolean
  ideasOpenAt: Date
  reviewOpensAt: Date
  voteOpensAt: Date
  voteClosesAt: Date
}

const processValues = (f: ProcessFields) => ({
  organisation_id: f.organisationId,
  title: f.title,
  summary: f.summary,
  description: f.description,
  voting_rule: f.votingRule,
  max_choices: f.maxChoices,
  points_total: f.pointsTotal,
  min_spend_percent: f.minSpendPercent,
  allow_changes: f.allowChanges,
  eligibility: f.eligibility,
  min_age: f.minAge,
  equal_shares: f.equalShares,
  ideas_open_at: f.ideasOpenAt,
  review_opens_at: f.reviewOpensAt,
  vote_opens_at: f.voteOpensAt,
  vote_closes_at: f.voteClosesAt,
})

export type ProjectSearch = { statuses: ProjectStatus[]; areaId?: string | undefined; q?: string | undefined }

const likeTerm = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

export class PbRepository {
  // --- processes ---

  async insertProcess(x: Executor, f: ProcessFields, createdBy: string | null): Promise<PbProcess> {
    const row = await q(x)
      .insertInto('participation.pb_process')
      .values({ ...processValues(f), created_by: createdBy })
      .returningAll()
      .executeTakeFirstOrThrow()
    return toProcess(row)
  }

  async updateProcess(x: Executor, id: string, f: ProcessFields): Promise<PbProcess> {
    const row = await q(x)
      .updateTable('participation.pb_process')
      .set({ ...processValues(f), updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return toProcess(row)
  }

  async getProcess(x: Executor, id: string, lock?: 'update' | 'key-share'): Promise<PbProcess | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = q(x).selectFrom('participation.pb_process').selectAll().where('id', '=', id)
    if (lock === 'update') query = query.forUpdate()
    if (lock === 'key-share') query = query.forKeyShare()
    const row = await query.executeTakeFirst()
    return row ? toProcess(row) : null
  }

  async setProcessDates(
    x: Executor,
    id: string,
    dates: Partial<Pick<ProcessFields, 'ideasOpenAt' | 'reviewOpensAt' | 'voteOpensAt' | 'voteClosesAt'>>,
  ): Promise<void> {
    await q(x)
      .updateTable('participation.pb_process')
      .set({
        ...(dates.ideasOpenAt ? { ideas_open_at: dates.ideasOpenAt } : {}),
        ...(dates.reviewOpensAt ? { review_opens_at: dates.reviewOpensAt } : {}),
        ...(dates.voteOpensAt ? { vote_opens_at: dates.voteOpensAt } : {}),
        ...(dates.voteClosesAt ? { vote_closes_at: dates.voteClosesAt } : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute()
  }

  async publishProcess(x: Executor, id: string, at: Date): Promise<void> {
    await q(x)
      .updateTable('participation.pb_process')
      .set({ published_at: at, updated_at: at })
      .where('id', '=', id)
      .execute()
  }

  async publishResults(x: Executor, id: string, at: Date): Promise<void> {
    await q(x)
      .updateTable('participation.pb_process')
      .set({ results_published_at: at, updated_at: at })
      .where('id', '=', id)
      .execute()
  }

  async setResultsComputed(x: Executor, id: string, at: Date): Promise<void> {
    await q(x).updateTable('participation.pb_process').set({ results_computed_at: at }).where('id', '=', id).execute()
  }

  /** Records a phase change once: false when another worker recorded it first. */
  async setPhase(x: Executor, id: string, from: Phase, to: Phase): Promise<boolean> {
    const r = await q(x)
      .updateTable('participation.pb_process')
      .set({ recorded_phase: to })
      .where('id', '=', id)
      .where('recorded_phase', '=', from)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) === 1
  }

  /** Published processes that the job may need to move: not yet counted and published. */
  async activeProcesses(x: Executor): Promise<PbProcess[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_process')
      .selectAll()
      .where('published_at', 'is not', null)
      .where((eb) => eb.or([eb('results_computed_at', 'is', null), eb('recorded_phase', '<>', 'results')]))
      .execute()
    return rows.map(toProcess)
  }

  async listPublished(x: Executor, limit: number, offset: number): Promise<{ items: PbProcess[]; total: number }> {
    const base = q(x).selectFrom('participation.pb_process').where('published_at', 'is not', null)
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('vote_closes_at', 'desc').orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items: rows.map(toProcess), total: Number(count.n) }
  }

  async listForOrganisations(x: Executor, ids: string[] | 'all'): Promise<PbProcess[]> {
    if (ids !== 'all' && ids.length === 0) return []
    let query = q(x).selectFrom('participation.pb_process').selectAll()
    if (ids !== 'all') query = query.where('organisation_id', 'in', ids)
    return (await query.orderBy('created_at', 'desc').execute()).map(toProcess)
  }

  // --- areas and postcodes ---

  async areas(x: Executor, processId: string): Promise<PbArea[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_area')
      .select(['id', 'process_id', 'name', 'budget', 'area_wide'])
      .where('process_id', '=', processId)
      .orderBy('area_wide')
      .orderBy('name')
      .execute()
    return rows.map(toArea)
  }

  async insertArea(x: Executor, processId: string, name: string, budget: number, areaWide: boolean): Promise<PbArea> {
    const row = await q(x)
      .insertInto('participation.pb_area')
      .values({ process_id: processId, name, budget, area_wide: areaWide })
      .returning(['id', 'process_id', 'name', 'budget', 'area_wide'])
      .executeTakeFirstOrThrow()
    return toArea(row)
  }

  async updateArea(x: Executor, id: string, name: string, budget: number): Promise<PbArea> {
    const row = await q(x)
      .updateTable('participation.pb_area')
      .set({ name, budget })
      .where('id', '=', id)
      .returning(['id', 'process_id', 'name', 'budget', 'area_wide'])
      .executeTakeFirstOrThrow()
    return toArea(row)
  }

  async replacePostcodes(x: Executor, processId: string, rows: { postcode: string; areaId: string }[]): Promise<void> {
    await q(x).deleteFrom('participation.pb_postcode').where('process_id', '=', processId).execute()
    for (let i = 0; i < rows.length; i += 1000) {
      await q(x)
        .insertInto('participation.pb_postcode')
        .values(
          rows.slice(i, i + 1000).map((r) => ({ process_id: processId, postcode: r.postcode, area_id: r.areaId })),
        )
        .execute()
    }
  }

  async postcodeCounts(x: Executor, processId: string): Promise<Map<string, number>> {
    const rows = await q(x)
      .selectFrom('participation.pb_postcode')
      .select(['area_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('process_id', '=', processId)
      .groupBy('area_id')
      .execute()
    return new Map(rows.map((r) => [r.area_id, Number(r.n)]))
  }

  async areaForPostcode(x: Executor, processId: string, postcode: string): Promise<string | null> {
    const row = await q(x)
      .selectFrom('participation.pb_postcode')
      .select('area_id')
      .where('process_id', '=', processId)
      .where('postcode', '=', postcode)
      .executeTakeFirst()
    return row?.area_id ?? null
  }

  // --- projects ---

  async insertProject(
    x: Executor,
    f: {
      processId: string
      areaId: string
      title: string
      description: string
      cost: number
      status: ProjectStatus
      proposedBy: string | null
      proposerName: string
    },
  ): Promise<PbProject> {
    const row = await q(x)
      .insertInto('participation.pb_project')
      .values({
        process_id: f.processId,
        area_id: f.areaId,
        title: f.title,
        description: f.description,
        cost: f.cost,
        status: f.status,
        proposed_by: f.proposedBy,
        proposer_name: f.proposerName,
      })
      .returning(projectColumns)
      .executeTakeFirstOrThrow()
    return toProject(row)
  }

  async setProjectImage(x: Executor, id: string, fileId: string, alt: string): Promise<void> {
    await q(x)
      .updateTable('participation.pb_project')
      .set({ image_file_id: fileId, image_alt: alt })
      .where('id', '=', id)
      .execute()
  }

  async getProject(x: Executor, id: string, lock = false): Promise<PbProject | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = q(x).selectFrom('participation.pb_project').select(projectColumns).where('id', '=', id)
    if (lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    return row ? toProject(row) : null
  }

  async reviewProject(
    x: Executor,
    id: string,
    f: {
      title: string
      description: string
      cost: number
      status: ProjectStatus
      publicReason: string
      mergedInto: string | null
      areaId: string
    },
  ): Promise<PbProject> {
    const row = await q(x)
      .updateTable('participation.pb_project')
      .set({
        title: f.title,
        description: f.description,
        cost: f.cost,
        status: f.status,
        public_reason: f.publicReason,
        merged_into: f.mergedInto,
        area_id: f.areaId,
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .returning(projectColumns)
      .executeTakeFirstOrThrow()
    return toProject(row)
  }

  /** One page of a process's projects with the total, in one query each, using pb_project_list_idx. */
  async searchProjects(
    x: Executor,
    processId: string,
    search: ProjectSearch,
    limit: number,
    offset: number,
  ): Promise<{ items: PbProject[]; total: number }> {
    let base = q(x)
      .selectFrom('participation.pb_project')
      .where('process_id', '=', processId)
      .where('status', 'in', search.statuses)
    if (search.areaId) base = base.where('area_id', '=', search.areaId)
    if (search.q) {
      const term = likeTerm(search.q)
      base = base.where((eb) => eb.or([eb('title', 'ilike', term), eb('description', 'ilike', term)]))
    }
    const [rows, count] = await Promise.all([
      base.select(projectColumns).orderBy('title').orderBy('id').limit(limit).offset(offset).execute(),
      base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ])
    return { items: rows.map(toProject), total: Number(count.n) }
  }

  async ballotProjects(x: Executor, areaId: string): Promise<PbProject[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_project')
      .select(projectColumns)
      .where('area_id', '=', areaId)
      .where('status', '=', 'feasible')
      .orderBy('title')
      .orderBy('id')
      .execute()
    return rows.map(toProject)
  }

  async projectsByIds(x: Executor, ids: string[]): Promise<PbProject[]> {
    if (ids.length === 0) return []
    return (
      await q(x).selectFrom('participation.pb_project').select(projectColumns).where('id', 'in', ids).execute()
    ).map(toProject)
  }

  async statusCounts(x: Executor, processId: string): Promise<Record<string, number>> {
    const rows = await q(x)
      .selectFrom('participation.pb_project')
      .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('process_id', '=', processId)
      .groupBy('status')
      .execute()
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))
  }

  // --- comments ---

  async insertComment(
    x: Executor,
    projectId: string,
    accountId: string,
    authorName: string,
    body: string,
  ): Promise<PbComment> {
    const row = await q(x)
      .insertInto('participation.pb_comment')
      .values({ project_id: projectId, account_id: accountId, author_name: authorName, body })
      .returning(['id', 'project_id', 'author_name', 'body', 'created_at'])
      .executeTakeFirstOrThrow()
    await q(x)
      .updateTable('participation.pb_project')
      .set((eb) => ({ comment_count: eb('comment_count', '+', 1) }))
      .where('id', '=', projectId)
      .execute()
    return {
      id: row.id,
      projectId: row.project_id,
      authorName: row.author_name,
      body: row.body,
      createdAt: date(row.created_at),
    }
  }

  async comments(x: Executor, projectId: string, limit: number, offset: number): Promise<PbComment[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_comment')
      .select(['id', 'project_id', 'author_name', 'body', 'created_at'])
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .offset(offset)
      .execute()
    return rows.map((r) => ({
      id: r.id,
      projectId: r.project_id,
      authorName: r.author_name,
      body: r.body,
      createdAt: date(r.created_at),
    }))
  }

  // --- voting codes ---

  async insertBatch(
    x: Executor,
    f: { processId: string; areaId: string; label: string; codes: string[]; createdBy: string | null },
  ): Promise<string> {
    const batch = await q(x)
      .insertInto('participation.pb_code_batch')
      .values({
        process_id: f.processId,
        area_id: f.areaId,
        label: f.label,
        size: f.codes.length,
        created_by: f.createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    for (let i = 0; i < f.codes.length; i += 1000)
      await q(x)
        .insertInto('participation.pb_code')
        .values(
          f.codes.slice(i, i + 1000).map((code, j) => ({
            batch_id: batch.id,
            process_id: f.processId,
            area_id: f.areaId,
            code,
            position: i + j + 1,
          })),
        )
        .execute()
    return batch.id
  }

  async batches(x: Executor, processId: string): Promise<PbCodeBatch[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_code_batch as b')
      .select(['b.id', 'b.process_id', 'b.area_id', 'b.label', 'b.size', 'b.created_at'])
      .select((eb) =>
        eb
          .selectFrom('participation.pb_code as c')
          .select((e) => e.fn.countAll<string>().as('n'))
          .whereRef('c.batch_id', '=', 'b.id')
          .where('c.used_at', 'is not', null)
          .as('used'),
      )
      .where('b.process_id', '=', processId)
      .orderBy('b.created_at')
      .execute()
    return rows.map((r) => ({
      id: r.id,
      processId: r.process_id,
      areaId: r.area_id,
      label: r.label,
      size: r.size,
      used: Number(r.used ?? 0),
      createdAt: date(r.created_at),
    }))
  }

  async batchCodes(x: Executor, batchId: string): Promise<PbCode[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_code')
      .select(['code', 'used_at'])
      .where('batch_id', '=', batchId)
      .orderBy('position')
      .execute()
    return rows.map((r) => ({ code: r.code, usedAt: maybeDate(r.used_at) }))
  }

  async findCode(
    x: Executor,
    processId: string,
    code: string,
  ): Promise<{ id: string; areaId: string; usedAt: Date | null } | null> {
    const row = await q(x)
      .selectFrom('participation.pb_code')
      .select(['id', 'area_id', 'used_at'])
      .where('process_id', '=', processId)
      .where('code', '=', code)
      .executeTakeFirst()
    return row ? { id: row.id, areaId: row.area_id, usedAt: maybeDate(row.used_at) } : null
  }

  async markCodeUsed(x: Executor, id: string): Promise<void> {
    await q(x)
      .updateTable('participation.pb_code')
      .set({ used_at: sql<Date>`coalesce(used_at, now())` })
      .where('id', '=', id)
      .execute()
  }

  // --- residents and the marked register ---

  async resident(x: Executor, processId: string, accountId: string): Promise<PbResident | null> {
    const row = await q(x)
      .selectFrom('participation.pb_resident')
      .select(['postcode', 'area_id', 'born_on'])
      .where('process_id', '=', processId)
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    return row
      ? {
          postcode: row.postcode,
          areaId: row.area_id,
          bornOn: row.born_on === null ? null : String(row.born_on).slice(0, 10),
        }
      : null
  }

  /** Keeps the first declaration: returns the one that stands. */
  async declareResident(
    x: Executor,
    processId: string,
    accountId: string,
    r: PbResident,
  ): Promise<{ resident: PbResident; created: boolean }> {
    const inserted = await q(x)
      .insertInto('participation.pb_resident')
      .values({
        process_id: processId,
        account_id: accountId,
        postcode: r.postcode,
        area_id: r.areaId,
        born_on: r.bornOn,
      })
      .onConflict((oc) => oc.columns(['process_id', 'account_id']).doNothing())
      .returning('postcode')
      .executeTakeFirst()
    return { resident: (await this.resident(x, processId, accountId))!, created: inserted !== undefined }
  }

  /** Marks the voter on the register for an area; false when they were already on it. */
  async markVoted(
    x: Executor,
    processId: string,
    areaId: string,
    voterKey: string,
    channel: Channel,
  ): Promise<boolean> {
    const row = await q(x)
      .insertInto('participation.pb_voter')
      .values({ process_id: processId, area_id: areaId, voter_key: voterKey, channel })
      .onConflict((oc) => oc.columns(['area_id', 'voter_key']).doNothing())
      .returning('area_id')
      .executeTakeFirst()
    return row !== undefined
  }

  async votedAreas(x: Executor, processId: string, voterKey: string): Promise<Set<string>> {
    const rows = await q(x)
      .selectFrom('participation.pb_voter')
      .select('area_id')
      .where('process_id', '=', processId)
      .where('voter_key', '=', voterKey)
      .execute()
    return new Set(rows.map((r) => r.area_id))
  }

  async turnout(x: Executor, processId: string): Promise<Map<string, number>> {
    const rows = await q(x)
      .selectFrom('participation.pb_voter')
      .select(['area_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('process_id', '=', processId)
      .groupBy('area_id')
      .execute()
    return new Map(rows.map((r) => [r.area_id, Number(r.n)]))
  }

  // --- ballots ---

  async ballotByHash(x: Executor, areaId: string, voterHash: string, lock = false): Promise<{ id: string } | null> {
    let query = q(x)
      .selectFrom('participation.pb_ballot')
      .select('id')
      .where('area_id', '=', areaId)
      .where('voter_hash', '=', voterHash)
    if (lock) query = query.forUpdate()
    return (await query.executeTakeFirst()) ?? null
  }

  async ballotChoices(x: Executor, ballotId: string): Promise<BallotChoice[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_ballot_choice')
      .select(['project_id', 'points'])
      .where('ballot_id', '=', ballotId)
      .execute()
    return rows.map((r) => ({ projectId: r.project_id, points: r.points }))
  }

  async insertBallot(
    x: Executor,
    f: {
      processId: string
      areaId: string
      voterHash: string
      channel: Channel
      choices: BallotChoice[]
      totalCost: number
      totalPoints: number
    },
  ): Promise<string> {
    const row = await q(x)
      .insertInto('participation.pb_ballot')
      .values({
        process_id: f.processId,
        area_id: f.areaId,
        voter_hash: f.voterHash,
        channel: f.channel,
        choice_count: f.choices.length,
        total_cost: f.totalCost,
        total_points: f.totalPoints,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await this.insertChoices(x, row.id, f.areaId, f.choices)
    return row.id
  }

  private async insertChoices(x: Executor, ballotId: string, areaId: string, choices: BallotChoice[]): Promise<void> {
    if (choices.length === 0) return
    await q(x)
      .insertInto('participation.pb_ballot_choice')
      .values(choices.map((c) => ({ ballot_id: ballotId, area_id: areaId, project_id: c.projectId, points: c.points })))
      .execute()
  }

  async replaceBallot(
    x: Executor,
    ballotId: string,
    areaId: string,
    f: { choices: BallotChoice[]; totalCost: number; totalPoints: number },
  ): Promise<void> {
    await q(x).deleteFrom('participation.pb_ballot_choice').where('ballot_id', '=', ballotId).execute()
    await q(x)
      .updateTable('participation.pb_ballot')
      .set({ choice_count: f.choices.length, total_cost: f.totalCost, total_points: f.totalPoints })
      .where('id', '=', ballotId)
      .execute()
    await this.insertChoices(x, ballotId, areaId, f.choices)
  }

  async ballotCount(x: Executor, areaId: string): Promise<number> {
    const row = await q(x)
      .selectFrom('participation.pb_ballot')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('area_id', '=', areaId)
      .executeTakeFirstOrThrow()
    return Number(row.n)
  }

  /** Every ballot of an area as its choices, in batches of ballots by id (keyset), for counting. */
  async *areaBallots(x: Executor, areaId: string, batch = 5000): AsyncGenerator<BallotChoice[]> {
    let after = '00000000-0000-0000-0000-000000000000'
    for (;;) {
      const rows = await sql<{ ballot_id: string; project_id: string; points: number }>`
        select c.ballot_id, c.project_id, c.points
          from (select id from participation.pb_ballot where area_id = ${areaId} and id > ${after}::uuid
                order by id limit ${batch}) b
          join participation.pb_ballot_choice c on c.ballot_id = b.id
         order by c.ballot_id`.execute(x)
      if (rows.rows.length === 0) return
      let current: string | null = null
      let choices: BallotChoice[] = []
      for (const r of rows.rows) {
        if (r.ballot_id !== current) {
          if (current) yield choices
          current = r.ballot_id
          choices = []
        }
        choices.push({ projectId: r.project_id, points: r.points })
      }
      if (current) yield choices
      after = current!
      const seen = new Set(rows.rows.map((r) => r.ballot_id)).size
      if (seen < batch) return
    }
  }

  // --- results ---

  async saveResults(
    x: Executor,
    processId: string,
    area: AreaResult,
    projects: Omit<ProjectResult, 'title' | 'cost' | 'areaId'>[],
  ): Promise<void> {
    await q(x).deleteFrom('participation.pb_result').where('area_id', '=', area.areaId).execute()
    await q(x).deleteFrom('participation.pb_area_result').where('area_id', '=', area.areaId).execute()
    await q(x)
      .insertInto('participation.pb_area_result')
      .values({
        area_id: area.areaId,
        process_id: processId,
        ballots: area.ballots,
        greedy_spent: area.greedySpent,
        equal_shares_spent: area.equalSharesSpent,
        computed_at: area.computedAt,
      })
      .execute()
    for (let i = 0; i < projects.length; i += 500)
      await q(x)
        .insertInto('participation.pb_result')
        .values(
          projects.slice(i, i + 500).map((p) => ({
            area_id: area.areaId,
            project_id: p.projectId,
            process_id: processId,
            votes: p.votes,
            points: p.points,
            rank: p.rank,
            greedy_selected: p.greedySelected,
            equal_shares_selected: p.equalSharesSelected,
          })),
        )
        .execute()
  }

  async areaResults(x: Executor, processId: string): Promise<AreaResult[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_area_result')
      .selectAll()
      .where('process_id', '=', processId)
      .execute()
    return rows.map((r) => ({
      areaId: r.area_id,
      ballots: r.ballots,
      greedySpent: Number(r.greedy_spent),
      equalSharesSpent: r.equal_shares_spent === null ? null : Number(r.equal_shares_spent),
      computedAt: date(r.computed_at),
    }))
  }

  async projectResults(x: Executor, processId: string): Promise<ProjectResult[]> {
    const rows = await q(x)
      .selectFrom('participation.pb_result as r')
      .innerJoin('participation.pb_project as p', 'p.id', 'r.project_id')
      .select([
        'r.area_id',
        'r.project_id',
        'p.title',
        'p.cost',
        'r.votes',
        'r.points',
        'r.rank',
        'r.greedy_selected',
        'r.equal_shares_selected',
      ])
      .where('r.process_id', '=', processId)
      .orderBy('r.area_id')
      .orderBy('r.rank')
      .execute()
    return rows.map((r) => ({
      areaId: r.area_id,
      projectId: r.project_id,
      title: r.title,
      cost: r.cost,
      votes: r.votes,
      points: Number(r.points),
      rank: r.rank,
      greedySelected: r.greedy_selected,
      equalSharesSelected: r.equal_shares_selected,
    }))
  }
}

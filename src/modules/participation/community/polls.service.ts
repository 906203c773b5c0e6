// Local decisions: quick polls (one question) and short surveys (a few questions) for a community
// council's area. Signed-in people answer once each (a unique constraint); the results — counts
// for every option — are published by the community council when it chooses, once the poll closes.
import { actingAccountId } from '../../../platform/auth/principal.js'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import type { FieldErrors } from '../../../platform/errors/domain-error.js'
import type { Organisation } from '../../../platform/organisations/organisation.service.js'
import type { CommunityTables } from './community.tables.js'
import { CommunityError, assertValid, uuidPattern } from './community.errors.js'
import { requireCommunityCouncilManager } from './community.access.js'
import { londonInstant } from './community.text.js'
import { POLL_RESULTS_DATASET } from './community.datasets.js'

export const pollKinds = ['poll', 'survey'] as const
export const MAX_SURVEY_QUESTIONS = 10
export const MAX_OPTIONS = 10

export type PollQuestion = { id: string; position: number; title: string; options: string[] }

export type Poll = {
  id: string
  organisationId: string
  kind: 'poll' | 'survey'
  title: string
  description: string
  opensAt: Date
  closesAt: Date
  publishedAt: Date | null
  resultsPublishedAt: Date | null
  questions: PollQuestion[]
}

export type PollStatus = 'draft' | 'forthcoming' | 'open' | 'closed'

export type PollInput = {
  kind: string
  title: string
  description: string
  opensDate: string
  opensTime: string
  closesDate: string
  closesTime: string
}

export type QuestionResult = { question: PollQuestion; counts: number[]; total: number }
export type PollResults = { poll: Poll; responses: number; questions: QuestionResult[] }

const pollNotFound = () => new CommunityError('POLL_NOT_FOUND', 'There is no such poll')

export function pollStatus(p: Poll, now = new Date()): PollStatus {
  if (!p.publishedAt) return 'draft'
  if (now < p.opensAt) return 'forthcoming'
  if (now < p.closesAt) return 'open'
  return 'closed'
}

export class PollService {
  constructor(private readonly kernel: Kernel) {}

  private get db() {
    return this.kernel.db.withTables<CommunityTables>()
  }

  private async load(cc: Organisation, pollId: string): Promise<Poll> {
    if (!uuidPattern.test(pollId)) throw pollNotFound()
    const row = await this.db
      .selectFrom('participation.cc_poll')
      .selectAll()
      .where('id', '=', pollId)
      .where('organisation_id', '=', cc.id)
      .executeTakeFirst()
    if (!row) throw pollNotFound()
    const questions = await this.db
      .selectFrom('participation.cc_poll_question')
      .select(['id', 'position', 'title', 'options'])
      .where('poll_id', '=', row.id)
      .orderBy('position')
      .execute()
    return {
      id: row.id,
      organisationId: row.organisation_id,
      kind: row.kind as Poll['kind'],
      title: row.title,
      description: row.description,
      opensAt: new Date(row.opens_at),
      closesAt: new Date(row.closes_at),
      publishedAt: row.published_at ? new Date(row.published_at) : null,
      resultsPublishedAt: row.results_published_at ? new Date(row.results_published_at) : null,
      questions,
    }
  }

  private async ids(cc: Organisation, published: boolean): Promise<string[]> {
    let q = this.db.selectFrom('participation.cc_poll').select('id').where('organisation_id', '=', cc.id)
    if (published) q = q.where('published_at', 'is not', null)
    return (await q.orderBy('opens_at', 'desc').limit(200).execute()).map((r) => r.id)
  }

  async forManager(ctx: ActionContext, cc: Organisation) {
    requireCommunityCouncilManager(ctx, cc)
    const polls = await Promise.all((await this.ids(cc, false)).map((id) => this.load(cc, id)))
    return polls.map((p) => ({ ...p, status: pollStatus(p) }))
  }

  async openPolls(cc: Organisation): Promise<Poll[]> {
    const polls = await Promise.all((await this.ids(cc, true)).map((id) => this.load(cc, id)))
    return polls.filter((p) => pollStatus(p) === 'open')
  }

  async publishedResults(cc: Organisation): Promise<Poll[]> {
    const polls = await Promise.all((await this.ids(cc, true)).map((id) => this.load(cc, id)))
    return polls.filter((p) => p.resultsPublishedAt !== null)
  }

  /** A poll as the public sees it (published only), or as its managers do. */
  async get(ctx: ActionContext, cc: Organisation, pollId: string, asManager = false): Promise<Poll> {
    if (asManager) requireCommunityCouncilManager(ctx, cc)
    const poll = await this.load(cc, pollId)
    if (!asManager && !poll.publishedAt) throw pollNotFound()
    return poll
  }

  validate(input: PollInput): { fields: FieldErrors; opensAt: Date | null; closesAt: Date | null } {
    const fields: FieldErrors = {}
    if (!(pollKinds as readonly string[]).includes(input.kind))
      fields.kind = 'participation.poll.validation.kindRequired'
    if (input.title.trim() === '') fields.title = 'participation.poll.validation.titleRequired'
    else if (input.title.trim().length > 200) fields.title = 'participation.meeting.validation.titleTooLong'
    if (input.description.length > 5000) fields.description = 'participation.poll.validation.descriptionTooLong'
    const opensAt = londonInstant(input.opensDate, input.opensTime)
    const closesAt = londonInstant(input.closesDate, input.closesTime)
    if (!opensAt) fields.opensDate = 'participation.poll.validation.opensInvalid'
    if (!closesAt) fields.closesDate = 'participation.poll.validation.closesInvalid'
    else if (opensAt && closesAt <= opensAt) fields.closesDate = 'participation.poll.validation.closesBeforeOpens'
    return { fields, opensAt, closesAt }
  }

  async create(ctx: ActionContext, cc: Organisation, input: PollInput): Promise<Poll> {
    const principal = requireCommunityCouncilManager(ctx, cc)
    const { fields, opensAt, closesAt } = this.validate(input)
    assertValid('POLL_INVALID', fields, 'Check the poll’s details')
    const id = await inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .insertInto('participation.cc_poll')
        .values({
          organisation_id: cc.id,
          kind: input.kind,
          title: input.title.trim(),
          description: input.description.trim(),
          opens_at: opensAt!,
          closes_at: closesAt!,
          created_by: actingAccountId(principal),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.poll.created',
        organisationId: cc.id,
        targetType: 'poll',
        targetId: row.id,
        details: { kind: input.kind, title: input.title.trim() },
      })
      return row.id
    })
    return this.load(cc, id)
  }

  /** Questions are added while the poll is a draft: one for a poll, up to ten for a survey. */
  async addQuestion(ctx: ActionContext, cc: Organisation, pollId: string, input: { title: string; options: string }) {
    requireCommunityCouncilManager(ctx, cc)
    const poll = await this.load(cc, pollId)
    const fields: FieldErrors = {}
    const options = input.options
      .split(/\r?\n/)
      .map((o) => o.trim())
      .filter((o) => o !== '')
    if (poll.publishedAt) fields.questionTitle = 'participation.poll.validation.published'
    else if (poll.questions.length >= (poll.kind === 'poll' ? 1 : MAX_SURVEY_QUESTIONS))
      fields.questionTitle = 'participation.poll.validation.tooManyQuestions'
    if (input.title.trim() === '') fields.questionTitle = 'participation.poll.validation.questionRequired'
    else if (input.title.trim().length > 300) fields.questionTitle = 'participation.meeting.validation.titleTooLong'
    if (options.length < 2 || options.length > MAX_OPTIONS || new Set(options).size !== options.length)
      fields.options = 'participation.poll.validation.options'
    else if (options.some((o) => o.length > 200)) fields.options = 'participation.poll.validation.optionTooLong'
    assertValid('POLL_INVALID', fields, 'Check the question')
    await inTransaction(this.kernel.db, async (trx) => {
      const row = await trx
        .withTables<CommunityTables>()
        .insertInto('participation.cc_poll_question')
        .values({ poll_id: poll.id, position: poll.questions.length + 1, title: input.title.trim(), options })
        .returning('id')
        .executeTakeFirstOrThrow()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.poll.question-added',
        organisationId: cc.id,
        targetType: 'poll',
        targetId: poll.id,
        details: { questionId: row.id, title: input.title.trim(), options },
      })
    })
  }

  private async stamp(
    ctx: ActionContext,
    cc: Organisation,
    poll: Poll,
    column: 'published_at' | 'results_published_at',
    action: string,
  ) {
    await inTransaction(this.kernel.db, async (trx) => {
      await trx
        .withTables<CommunityTables>()
        .updateTable('participation.cc_poll')
        .set({ [column]: new Date(), updated_at: new Date() })
        .where('id', '=', poll.id)
        .where(column, 'is', null)
        .execute()
      await this.kernel.audit.record(trx, ctx, {
        action,
        organisationId: cc.id,
        targetType: 'poll',
        targetId: poll.id,
        details: { title: poll.title },
      })
      if (column === 'results_published_at') await this.kernel.datasets.changed(trx, POLL_RESULTS_DATASET, poll.id)
    })
  }

  async publish(ctx: ActionContext, cc: Organisation, pollId: string): Promise<void> {
    requireCommunityCouncilManager(ctx, cc)
    const poll = await this.load(cc, pollId)
    if (poll.publishedAt) return
    if (poll.questions.length === 0)
      throw new CommunityError('POLL_INVALID', 'Add a question first', {
        fields: { questionTitle: 'participation.poll.validation.noQuestions' },
      })
    await this.stamp(ctx, cc, poll, 'published_at', 'participation.poll.published')
  }

  async publishResults(ctx: ActionContext, cc: Organisation, pollId: string): Promise<void> {
    requireCommunityCouncilManager(ctx, cc)
    const poll = await this.load(cc, pollId)
    if (poll.resultsPublishedAt) return
    if (pollStatus(poll) !== 'closed')
      throw new CommunityError('POLL_NOT_OPEN', 'Results are published after the poll closes')
    await this.stamp(ctx, cc, poll, 'results_published_at', 'participation.poll.results-published')
  }

  async hasAnswered(accountId: string | undefined, pollId: string): Promise<boolean> {
    if (!accountId) return false
    const row = await this.db
      .selectFrom('participation.cc_poll_response')
      .select('id')
      .where('poll_id', '=', pollId)
      .where('account_id', '=', accountId)
      .executeTakeFirst()
    return row !== undefined
  }

  /** One response a person: answers are option numbers keyed by question id. */
  async respond(ctx: ActionContext, cc: Organisation, pollId: string, answers: Record<string, string>): Promise<void> {
    const principal = requirePrincipal(ctx)
    const poll = await this.get(ctx, cc, pollId)
    if (pollStatus(poll) !== 'open') throw new CommunityError('POLL_NOT_OPEN', 'This poll is not open')
    const fields: FieldErrors = {}
    const chosen = poll.questions.map((q) => {
      const raw = answers[q.id] ?? ''
      const index = /^\d{1,2}$/.test(raw) ? Number(raw) : -1
      if (index < 0 || index >= q.options.length) fields[`q-${q.id}`] = 'participation.poll.validation.answerRequired'
      return { questionId: q.id, index }
    })
    assertValid('POLL_ANSWERS_INVALID', fields, 'Answer every question')
    await inTransaction(this.kernel.db, async (trx) => {
      const db = trx.withTables<CommunityTables>()
      const response = await db
        .insertInto('participation.cc_poll_response')
        .values({ poll_id: poll.id, account_id: principal.accountId })
        .onConflict((oc) => oc.columns(['poll_id', 'account_id']).doNothing())
        .returning('id')
        .executeTakeFirst()
      if (!response) throw new CommunityError('POLL_ALREADY_ANSWERED', 'You have already answered this poll')
      await db
        .insertInto('participation.cc_poll_answer')
        .values(chosen.map((c) => ({ response_id: response.id, question_id: c.questionId, option_index: c.index })))
        .execute()
      await this.kernel.audit.record(trx, ctx, {
        action: 'participation.poll.answered',
        organisationId: cc.id,
        targetType: 'poll',
        targetId: poll.id,
        details: {},
      })
    })
  }

  /** Counts for every option; public once published, and always for the poll's managers. */
  async results(ctx: ActionContext, cc: Organisation, pollId: string): Promise<PollResults> {
    const poll = await this.load(cc, pollId)
    if (!poll.resultsPublishedAt) requireCommunityCouncilManager(ctx, cc)
    const counts = await this.db
      .selectFrom('participation.cc_poll_answer as a')
      .innerJoin('participation.cc_poll_question as q', 'q.id', 'a.question_id')
      .select(['a.question_id', 'a.option_index', (eb) => eb.fn.countAll<number>().as('n')])
      .where('q.poll_id', '=', poll.id)
      .groupBy(['a.question_id', 'a.option_index'])
      .execute()
    const responses = await this.db
      .selectFrom('participation.cc_poll_response')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('poll_id', '=', poll.id)
      .executeTakeFirstOrThrow()
    return {
      poll,
      responses: Number(responses.n),
      questions: poll.questions.map((question) => {
        const c = question.options.map((_, i) =>
          Number(counts.find((r) => r.question_id === question.id && r.option_index === i)?.n ?? 0),
        )
        return { question, counts: c, total: c.reduce((a, b) => a + b, 0) }
      }),
    }
  }

  /** A poll's published results with its community council, for open data; null when not published. */
  async publishedById(pollId: string): Promise<{ cc: Organisation; results: PollResults } | null> {
    if (!uuidPattern.test(pollId)) return null
    const row = await this.db
      .selectFrom('participation.cc_poll')
      .select('organisation_id')
      .where('id', '=', pollId)
      .where('results_published_at', 'is not', null)
      .executeTakeFirst()
    const cc = row ? await this.kernel.organisations.getById(row.organisation_id) : null
    if (!cc) return null
    const anonymous = { principal: null, requestId: null, ip: null, locale: 'en' as const }
    return { cc, results: await this.results(anonymous, cc, pollId) }
  }

  /** Published results of every community council, for the open list. */
  async allPublishedResults(): Promise<{ organisationId: string; pollId: string }[]> {
    const rows = await this.db
      .selectFrom('participation.cc_poll')
      .select(['organisation_id', 'id'])
      .where('results_published_at', 'is not', null)
      .orderBy('results_published_at', 'desc')
      .limit(1000)
      .execute()
    return rows.map((r) => ({ organisationId: r.organisation_id, pollId: r.id }))
  }
}

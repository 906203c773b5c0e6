// Responses received by post or email: staff enter them one by one or import many from a CSV file
// (checked whole, previewed, then imported in one transaction, so nothing is half-imported). Each
// is marked with its channel, the day it was received, and as late when it came after closing.
import { actingAccountId } from '../../../platform/auth/principal.js'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { requirePrincipal } from '../../../platform/auth/authorisation.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { clampPage, toPage, type Page } from '../../../shared/pagination.js'
import type { RespondentInput } from '../consultation.answers.js'
import { instantToLondon } from '../consultation.dates.js'
import type { ConsultationService, WithOrganisation } from '../consultation.service.js'
import type { Question } from '../consultation.types.js'
import { PublicationError } from '../moderation/moderation.errors.js'
import { checkCsv, checkOffline, type RowError } from './offline.input.js'
import { OfflineRepository, type OfflineImport, type OfflineResponse } from './offline.repository.js'

type RawAnswer = string | string[] | undefined
type Found = WithOrganisation & { questions: Question[]; responseCount: number }

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024

export class OfflineService {
  readonly repo = new OfflineRepository()
  constructor(
    private readonly kernel: Kernel,
    private readonly consultations: ConsultationService,
  ) {}

  private get db() {
    return this.kernel.db
  }

  /** The consultation, for its managers, once it has opened: before that there is nothing to respond to. */
  async consultation(ctx: ActionContext, consultationId: string, scope?: string): Promise<Found> {
    // Through the API the token must carry the scope; either way the person must manage consultations.
    if (scope) await this.consultations.getForReader(ctx, consultationId, scope)
    const found = await this.consultations.getForManager(ctx, consultationId)
    if (!found.consultation.publishedAt || (found.status !== 'open' && found.status !== 'closed'))
      throw new PublicationError('CONSULTATION_OFFLINE_NOT_OPENED', 'consultations.offline.error.notOpened')
    return found
  }

  private dates(found: Found) {
    return {
      opensOn: instantToLondon(found.consultation.opensAt).date,
      closesOn: instantToLondon(found.consultation.closesAt).date,
      today: instantToLondon(new Date()).date,
    }
  }

  async list(
    ctx: ActionContext,
    consultationId: string,
    query: { page?: string | number | undefined },
  ): Promise<{ found: Found; page: Page<OfflineResponse> }> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const { page, pageSize, offset } = clampPage(query.page, 50, 50)
    const result = await this.repo.list(this.db, consultationId, pageSize, offset)
    return { found, page: toPage(result.items, result.total, page, pageSize) }
  }

  /** Records one response; refuses it whole, with a message for each field, when anything is wrong. */
  async record(
    ctx: ActionContext,
    consultationId: string,
    fields: { channel: string; received: string; respondent: RespondentInput },
    raw: Record<string, RawAnswer>,
    scope?: string,
  ): Promise<{ id: string; reference: string; late: boolean }> {
    const principal = requirePrincipal(ctx)
    const found = await this.consultation(ctx, consultationId, scope)
    const dates = this.dates(found)
    const checked = checkOffline(found.questions, fields, raw, dates)
    if (!checked.input)
      throw new PublicationError(
        'CONSULTATION_OFFLINE_INVALID',
        `Check the response: ${Object.keys(checked.errors).join(', ')}`,
        { fields: checked.errors },
      )
    const input = checked.input
    const late = input.receivedOn > dates.closesOn
    return inTransaction(this.db, async (trx) => {
      const created = await this.repo.insert(trx, consultationId, input, {
        late,
        enteredBy: actingAccountId(principal),
        importId: null,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.response-recorded',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { reference: created.reference, channel: input.channel, receivedOn: input.receivedOn, late },
      })
      return { ...created, late }
    })
  }

  /** Checks a whole file; keeps it for confirmation only when every row is acceptable. */
  async previewImport(
    ctx: ActionContext,
    consultationId: string,
    file: { filename: string; text: string },
  ): Promise<{ importId: string | null; errors: RowError[]; rowCount: number }> {
    const principal = requirePrincipal(ctx)
    const found = await this.consultation(ctx, consultationId)
    const { rows, errors, rowCount } = checkCsv(file.text, found.questions, this.dates(found))
    if (errors.length > 0) return { importId: null, errors, rowCount }
    const importId = await inTransaction(this.db, async (trx) => {
      const id = await this.repo.createImport(
        trx,
        consultationId,
        file.filename.slice(0, 255) || 'import.csv',
        rows,
        actingAccountId(principal),
      )
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.import-previewed',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { importId: id, filename: file.filename.slice(0, 255), rows: rows.length },
      })
      return id
    })
    return { importId, errors: [], rowCount }
  }

  async getImport(
    ctx: ActionContext,
    consultationId: string,
    importId: string,
  ): Promise<{ found: Found; imported: OfflineImport; lateCount: number }> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    const imported = await this.repo.getImport(this.db, consultationId, importId)
    if (!imported) throw new PublicationError('CONSULTATION_IMPORT_NOT_FOUND', 'There is no such import')
    const { closesOn } = this.dates(found)
    return { found, imported, lateCount: imported.rows.filter((r) => r.receivedOn > closesOn).length }
  }

  /** Imports every row of a previewed file in one transaction; a second confirmation changes nothing. */
  async confirmImport(ctx: ActionContext, consultationId: string, importId: string): Promise<number> {
    const principal = requirePrincipal(ctx)
    const found = await this.consultation(ctx, consultationId)
    const { closesOn } = this.dates(found)
    return inTransaction(this.db, async (trx) => {
      const imported = await this.repo.getImport(trx, consultationId, importId, { lock: true })
      if (!imported) throw new PublicationError('CONSULTATION_IMPORT_NOT_FOUND', 'There is no such import')
      if (imported.status !== 'previewed') return 0
      const rows = imported.rows.map((input) => ({ input, late: input.receivedOn > closesOn }))
      const late = rows.filter((r) => r.late).length
      await this.repo.insertMany(trx, consultationId, rows, {
        enteredBy: actingAccountId(principal),
        importId,
      })
      await this.repo.finishImport(trx, importId, 'imported')
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.responses-imported',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { importId, filename: imported.filename, responses: imported.rows.length, late },
      })
      return imported.rows.length
    })
  }

  async discardImport(ctx: ActionContext, consultationId: string, importId: string): Promise<void> {
    const found = await this.consultations.getForManager(ctx, consultationId)
    await inTransaction(this.db, async (trx) => {
      const imported = await this.repo.getImport(trx, consultationId, importId, { lock: true })
      if (!imported || imported.status !== 'previewed') return
      await this.repo.finishImport(trx, importId, 'discarded')
      await this.kernel.audit.record(trx, ctx, {
        action: 'consultation.import-discarded',
        organisationId: found.organisation.id,
        targetType: 'consultation',
        targetId: consultationId,
        details: { importId },
      })
    })
  }
}

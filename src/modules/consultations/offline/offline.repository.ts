// The SQL of responses received by post or email: the response itself (in the module's response
// table, marked with its channel), when it was received and whether it was late, and CSV imports.
import { newReference } from '../consultation.service.js'
import { tables, type Executor } from '../moderation/moderation.repository.js'
import type { OfflineResponseInput } from './offline.input.js'

export type OfflineResponse = {
  id: string
  reference: string
  channel: string
  receivedOn: string
  late: boolean
  name: string
  enteredAt: Date
  imported: boolean
}

export type OfflineImport = {
  id: string
  consultationId: string
  filename: string
  status: 'previewed' | 'imported' | 'discarded'
  rows: OfflineResponseInput[]
  rowCount: number
  createdAt: Date
}

const day = (d: Date | string) => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10))

export class OfflineRepository {
  async insert(
    executor: Executor,
    consultationId: string,
    r: OfflineResponseInput,
    extra: { late: boolean; enteredBy: string | null; importId: string | null },
  ): Promise<{ id: string; reference: string }> {
    const response = await tables(executor)
      .insertInto('consultations.response')
      .values({
        consultation_id: consultationId,
        reference: newReference(),
        draft_hash: null,
        channel: r.channel,
        answers: JSON.stringify(r.answers),
        respondent_type: r.respondent.respondentType,
        respondent_name: r.respondent.name,
        respondent_organisation: r.respondent.organisationName || null,
        email: r.respondent.email || null,
        publication: r.respondent.publication,
        may_contact: r.respondent.mayContact,
        submitted_at: new Date(),
      })
      .returning(['id', 'reference'])
      .executeTakeFirstOrThrow()
    await tables(executor)
      .insertInto('consultations.offline_response')
      .values({
        response_id: response.id,
        received_on: r.receivedOn,
        late: extra.late,
        import_id: extra.importId,
        entered_by: extra.enteredBy,
      })
      .execute()
    return response
  }

  /** Inserts many responses in batches (an import), each with its offline facts. */
  async insertMany(
    executor: Executor,
    consultationId: string,
    rows: { input: OfflineResponseInput; late: boolean }[],
    extra: { enteredBy: string | null; importId: string | null },
  ): Promise<number> {
    const now = new Date()
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, reference: newReference() }))
      const inserted = await tables(executor)
        .insertInto('consultations.response')
        .values(
          chunk.map(({ input: r, reference }) => ({
            consultation_id: consultationId,
            reference,
            draft_hash: null,
            channel: r.channel,
            answers: JSON.stringify(r.answers),
            respondent_type: r.respondent.respondentType,
            respondent_name: r.respondent.name,
            respondent_organisation: r.respondent.organisationName || null,
            email: r.respondent.email || null,
            publication: r.respondent.publication,
            may_contact: r.respondent.mayContact,
            submitted_at: now,
          })),
        )
        .returning(['id', 'reference'])
        .execute()
      const ids = new Map(inserted.map((r) => [r.reference, r.id]))
      await tables(executor)
        .insertInto('consultations.offline_response')
        .values(
          chunk.map((r) => ({
            response_id: ids.get(r.reference)!,
            received_on: r.input.receivedOn,
            late: r.late,
            import_id: extra.importId,
            entered_by: extra.enteredBy,
          })),
        )
        .execute()
    }
    return rows.length
  }

  async list(
    executor: Executor,
    consultationId: string,
    limit: number,
    offset: number,
  ): Promise<{ items: OfflineResponse[]; total: number }> {
    const base = tables(executor)
      .selectFrom('consultations.offline_response as o')
      .innerJoin('consultations.response as r', 'r.id', 'o.response_id')
      .where('r.consultation_id', '=', consultationId)
    const rows = await base
      .select([
        'r.id',
        'r.reference',
        'r.channel',
        'o.received_on',
        'o.late',
        'r.respondent_name',
        'o.created_at',
        'o.import_id',
      ])
      .orderBy('o.created_at', 'desc')
      .orderBy('r.id')
      .limit(limit)
      .offset(offset)
      .execute()
    const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    return {
      items: rows.map((row) => ({
        id: row.id,
        reference: row.reference,
        channel: row.channel,
        receivedOn: day(row.received_on),
        late: row.late,
        name: row.respondent_name,
        enteredAt: new Date(row.created_at),
        imported: row.import_id !== null,
      })),
      total: Number(count.n),
    }
  }

  /** How each response of these was received, for the responses a staff API reads. */
  async offlineFacts(
    executor: Executor,
    responseIds: string[],
  ): Promise<Map<string, { receivedOn: string; late: boolean }>> {
    const out = new Map<string, { receivedOn: string; late: boolean }>()
    if (responseIds.length === 0) return out
    const rows = await tables(executor)
      .selectFrom('consultations.offline_response')
      .select(['response_id', 'received_on', 'late'])
      .where('response_id', 'in', responseIds)
      .execute()
    for (const r of rows) out.set(r.response_id, { receivedOn: day(r.received_on), late: r.late })
    return out
  }

  // --- imports ---

  async createImport(
    executor: Executor,
    consultationId: string,
    filename: string,
    rows: OfflineResponseInput[],
    createdBy: string | null,
  ): Promise<string> {
    const row = await tables(executor)
      .insertInto('consultations.offline_import')
      .values({
        consultation_id: consultationId,
        filename,
        status: 'previewed',
        rows: JSON.stringify(rows),
        row_count: rows.length,
        created_by: createdBy,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return row.id
  }

  async getImport(
    executor: Executor,
    consultationId: string,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<OfflineImport | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    let query = tables(executor)
      .selectFrom('consultations.offline_import')
      .selectAll()
      .where('id', '=', id)
      .where('consultation_id', '=', consultationId)
    if (options.lock) query = query.forUpdate()
    const row = await query.executeTakeFirst()
    return row
      ? {
          id: row.id,
          consultationId: row.consultation_id,
          filename: row.filename,
          status: row.status as OfflineImport['status'],
          rows: row.rows as OfflineResponseInput[],
          rowCount: row.row_count,
          createdAt: new Date(row.created_at),
        }
      : null
  }

  /** Marks the import finished and forgets its rows: the responses now hold them. */
  async finishImport(executor: Executor, id: string, status: 'imported' | 'discarded'): Promise<void> {
    await tables(executor)
      .updateTable('consultations.offline_import')
      .set({ status, rows: '[]', finished_at: new Date() })
      .where('id', '=', id)
      .execute()
  }
}

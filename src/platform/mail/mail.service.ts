// Email: rendered into the outbox in the caller's transaction, delivered by SMTP in a job.
// With no SMTP configured the outbox keeps every message for administrators to read.
import type { Transaction } from 'kysely'
import nodemailer, { type Transporter } from 'nodemailer'
import type { Logger } from 'pino'
import type { CoreDatabase } from '../db/core.tables.js'
import type { Db } from '../db/database.js'
import type { JobQueue } from '../jobs/job-queue.js'
import { clampPage, toPage, type Page } from '../../shared/pagination.js'
import { renderMail, type MailTemplateName } from './mail.templates.js'

export const DELIVER_JOB = 'mail.deliver'
const MAX_ATTEMPTS = 6

export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'not-sent'

export type OutboxMessage = {
  id: string
  to: string
  template: string
  locale: string
  subject: string
  body: string
  status: OutboxStatus
  attempts: number
  lastError: string | null
  createdAt: Date
  sentAt: Date | null
}

export type SmtpSettings = { host: string; port: number; secure: boolean; user: string | null; password: string | null }

export class MailService {
  private readonly transport: Transporter | null

  constructor(
    private readonly db: Db,
    private readonly jobs: JobQueue,
    private readonly logger: Logger,
    private readonly options: { smtp: SmtpSettings | null; from: string; retryDelaySeconds?: number },
  ) {
    this.transport = options.smtp
      ? nodemailer.createTransport({
          host: options.smtp.host,
          port: options.smtp.port,
          secure: options.smtp.secure,
          ...(options.smtp.user ? { auth: { user: options.smtp.user, pass: options.smtp.password ?? '' } } : {}),
          // Local test servers use self-signed certificates; production should use a real one.
          tls: { rejectUnauthorized: false },
          connectionTimeout: 10_000,
          socketTimeout: 20_000,
        })
      : null
    jobs.define<{ id: string }>({
      name: DELIVER_JOB,
      retryLimit: MAX_ATTEMPTS,
      retryDelaySeconds: options.retryDelaySeconds ?? 10,
      retryBackoff: true,
      handler: async ({ id }) => this.deliver(id),
    })
  }

  get deliversBySmtp(): boolean {
    return this.transport !== null
  }

  /** Renders the email into the outbox; it is sent only if the transaction commits. */
  async enqueue(
    trx: Transaction<CoreDatabase>,
    message: {
      to: string
      template: MailTemplateName
      locale: 'en' | 'gd'
      params: Record<string, string>
      organisationId?: string | null
    },
  ): Promise<string> {
    const { subject, body } = renderMail(message.template, message.locale, message.params)
    const row = await trx
      .insertInto('core.email_outbox')
      .values({
        to_address: message.to,
        template: message.template,
        locale: message.locale,
        subject,
        body_text: body,
        status: this.transport ? 'queued' : 'not-sent',
        organisation_id: message.organisationId ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    if (this.transport) await this.jobs.send(DELIVER_JOB, { id: row.id }, { trx })
    return row.id
  }

  /** Sends one outbox message once: the claim is an atomic status change, so two workers never both send it. */
  async deliver(id: string): Promise<void> {
    if (!this.transport) return
    const claimed = await this.db
      .updateTable('core.email_outbox')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst()
    if (!claimed) return
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: claimed.to_address,
        subject: claimed.subject,
        text: claimed.body_text,
        headers: { 'X-Comhla-Message-Id': claimed.id },
      })
      await this.db
        .updateTable('core.email_outbox')
        .set({ status: 'sent', sent_at: new Date(), last_error: null })
        .where('id', '=', id)
        .execute()
    } catch (error) {
      const finalAttempt = claimed.attempts >= MAX_ATTEMPTS + 1
      await this.db
        .updateTable('core.email_outbox')
        .set({
          status: finalAttempt ? 'failed' : 'queued',
          last_error: String((error as Error).message ?? error).slice(0, 1000),
        })
        .where('id', '=', id)
        .execute()
      this.logger.warn({ err: error, outboxId: id }, 'email delivery failed')
      throw error
    }
  }

  async list(query: { page?: number; status?: string; to?: string }): Promise<Page<OutboxMessage>> {
    const { page, pageSize, offset } = clampPage(query.page, 50)
    let q = this.db.selectFrom('core.email_outbox')
    if (query.status) q = q.where('status', '=', query.status)
    if (query.to) q = q.where('to_address', 'ilike', `%${query.to.replace(/[%_\\]/g, '\\$&')}%`)
    const [rows, total] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').limit(pageSize).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ])
    return toPage(rows.map(toMessage), Number(total.n), page, pageSize)
  }

  async get(id: string): Promise<OutboxMessage | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null
    const row = await this.db.selectFrom('core.email_outbox').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? toMessage(row) : null
  }

  async close(): Promise<void> {
    this.transport?.close()
  }
}

function toMessage(r: {
  id: string
  to_address: string
  template: string
  locale: string
  subject: string
  body_text: string
  status: string
  attempts: number
  last_error: string | null
  created_at: Date
  sent_at: Date | null
}): OutboxMessage {
  return {
    id: r.id,
    to: r.to_address,
    template: r.template,
    locale: r.locale,
    subject: r.subject,
    body: r.body_text,
    status: r.status as OutboxStatus,
    attempts: r.attempts,
    lastError: r.last_error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  }
}

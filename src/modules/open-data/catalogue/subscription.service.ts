// Email subscriptions to a dataset's changes: asked for on the dataset's page, confirmed by a
// link in an email, ended by the link in every notification. Links carry an HMAC of the
// subscription's id, so nothing secret is stored and a guessed id is useless.
import { createHmac } from 'node:crypto'
import type { Kernel } from '../../../platform/kernel.js'
import type { ActionContext } from '../../../platform/auth/principal.js'
import { inTransaction } from '../../../platform/db/transaction.js'
import { registerMailTemplates } from '../../../platform/mail/mail.templates.js'
import { isValidEmail, normaliseEmail } from '../../../shared/email.js'
import { safeEqual } from '../../../shared/crypto.js'
import { CatalogueError } from './dataset.errors.js'
import type { CatalogueRepository } from './dataset.repository.js'
import type { Dataset, Subscription } from './dataset.types.js'

export const CONFIRM_TEMPLATE = 'open-data.subscription-confirm'
export const UPDATED_TEMPLATE = 'open-data.dataset-updated'
export const WITHDRAWN_TEMPLATE = 'open-data.dataset-withdrawn'

export function registerSubscriptionTemplates(): void {
  registerMailTemplates({
    [CONFIRM_TEMPLATE]: {
      placeholders: ['title', 'link'],
      gaelicAwaitingReview: true,
      en: {
        subject: 'Confirm you want emails about “((title))”',
        body: 'Someone asked for emails when the open dataset “((title))” changes, using this email address.\n\nTo confirm, open this link:\n\n((link))\n\nIf this was not you, ignore this email and you will get nothing more.\n\nCòmhla',
      },
      gd: {
        subject: 'Dearbhaich gu bheil thu ag iarraidh puist-d mu “((title))”',
        body: "Dh'iarr cuideigin puist-d nuair a dh'atharraicheas an dàta fosgailte “((title))”, leis an t-seòladh phuist-d seo.\n\nGus a dhearbhadh, fosgail an ceangal seo:\n\n((link))\n\nMur e thusa a bh' ann, leig seachad am post-d seo agus chan fhaigh thu càil a bharrachd.\n\nCòmhla",
      },
    },
    [UPDATED_TEMPLATE]: {
      placeholders: ['title', 'link', 'unsubscribeLink'],
      gaelicAwaitingReview: true,
      en: {
        subject: 'The open dataset “((title))” has been updated',
        body: 'The open dataset “((title))” has changed. See what is new:\n\n((link))\n\nTo stop these emails, open this link:\n((unsubscribeLink))\n\nCòmhla',
      },
      gd: {
        subject: 'Chaidh an dàta fosgailte “((title))” ùrachadh',
        body: "Dh'atharraich an dàta fosgailte “((title))”. Faic dè tha ùr:\n\n((link))\n\nGus stad a chur air na puist-d seo, fosgail an ceangal seo:\n((unsubscribeLink))\n\nCòmhla",
      },
    },
    [WITHDRAWN_TEMPLATE]: {
      placeholders: ['title', 'link', 'reason', 'unsubscribeLink'],
      gaelicAwaitingReview: true,
      en: {
        subject: 'The open dataset “((title))” has been withdrawn',
        body: 'The open dataset “((title))” has been withdrawn by its publisher, for this reason:\n\n((reason))\n\n((link))\n\nTo stop these emails, open this link:\n((unsubscribeLink))\n\nCòmhla',
      },
      gd: {
        subject: 'Chaidh an dàta fosgailte “((title))” a tharraing air ais',
        body: 'Tharraing am foillsichear an dàta fosgailte “((title))” air ais, air an adhbhar seo:\n\n((reason))\n\n((link))\n\nGus stad a chur air na puist-d seo, fosgail an ceangal seo:\n((unsubscribeLink))\n\nCòmhla',
      },
    },
  })
}

export class SubscriptionService {
  constructor(
    private readonly kernel: Kernel,
    private readonly repo: CatalogueRepository,
  ) {}

  private token(purpose: 'confirm' | 'unsubscribe', id: string): string {
    return createHmac('sha256', this.kernel.config.sessionSecret)
      .update(`open-data-subscription:${purpose}:${id}`)
      .digest('base64url')
  }

  confirmLink(id: string): string {
    return `${this.kernel.config.baseUrl}/datasets/subscriptions/${id}/confirm?token=${this.token('confirm', id)}`
  }

  unsubscribeLink(id: string): string {
    return `${this.kernel.config.baseUrl}/datasets/subscriptions/${id}/unsubscribe?token=${this.token('unsubscribe', id)}`
  }

  /**
   * Asks for emails about a published dataset; the address gets a confirmation link. Asking again
   * sends the link again while unconfirmed, and nothing once confirmed (so nobody learns who subscribes).
   */
  async subscribe(ctx: ActionContext, dataset: Dataset, email: string): Promise<void> {
    const address = email.trim()
    if (!isValidEmail(address))
      throw new CatalogueError('DATASET_SUBSCRIPTION_INVALID', 'Enter an email address', {
        fields: { email: 'open-data.subscribe.error.email' },
      })
    if (dataset.status !== 'published') throw new CatalogueError('DATASET_NOT_FOUND', 'There is no such dataset')
    await inTransaction(this.kernel.db, async (trx) => {
      const sub = await this.repo.subscribe(trx, dataset.id, address, normaliseEmail(address), ctx.locale)
      if (sub.confirmedAt) return
      await this.kernel.mail.enqueue(trx, {
        to: address,
        template: CONFIRM_TEMPLATE,
        locale: ctx.locale,
        params: { title: dataset.title, link: this.confirmLink(sub.id) },
        organisationId: dataset.organisationId,
      })
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.subscription-requested',
        organisationId: dataset.organisationId,
        targetType: 'dataset',
        targetId: dataset.id,
        details: { subscriptionId: sub.id },
      })
    })
  }

  /** The subscription behind a link, if the link's token is right. */
  async byLink(purpose: 'confirm' | 'unsubscribe', id: string, token: string): Promise<Subscription> {
    const sub = await this.repo.subscription(this.kernel.db, id)
    if (!sub || token.length > 100 || !safeEqual(token, this.token(purpose, id)))
      throw new CatalogueError('DATASET_SUBSCRIPTION_NOT_FOUND', 'open-data.subscribe.error.link')
    return sub
  }

  async confirm(ctx: ActionContext, id: string, token: string): Promise<Subscription> {
    const sub = await this.byLink('confirm', id, token)
    if (sub.confirmedAt) return sub
    const dataset = await this.repo.getDataset(this.kernel.db, sub.datasetId)
    await inTransaction(this.kernel.db, async (trx) => {
      await this.repo.confirmSubscription(trx, id)
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.subscription-confirmed',
        organisationId: dataset?.organisationId ?? null,
        targetType: 'dataset',
        targetId: sub.datasetId,
        details: { subscriptionId: id },
      })
    })
    return { ...sub, confirmedAt: new Date() }
  }

  async unsubscribe(ctx: ActionContext, id: string, token: string): Promise<void> {
    const sub = await this.byLink('unsubscribe', id, token)
    const dataset = await this.repo.getDataset(this.kernel.db, sub.datasetId)
    await inTransaction(this.kernel.db, async (trx) => {
      if (!(await this.repo.deleteSubscription(trx, id))) return
      await this.kernel.audit.record(trx, ctx, {
        action: 'open-data.subscription-ended',
        organisationId: dataset?.organisationId ?? null,
        targetType: 'dataset',
        targetId: sub.datasetId,
        details: { subscriptionId: id },
      })
    })
  }

  /** Emails every confirmed subscriber about the dataset's latest change (run by the notify job). */
  async notify(datasetId: string): Promise<number> {
    const dataset = await this.repo.getDataset(this.kernel.db, datasetId)
    if (!dataset || dataset.status === 'draft') return 0
    const subs = await this.repo.confirmedSubscriptions(this.kernel.db, datasetId)
    const link = `${this.kernel.config.baseUrl}/datasets/${dataset.name}`
    await inTransaction(this.kernel.db, async (trx) => {
      for (const sub of subs) {
        const unsubscribeLink = this.unsubscribeLink(sub.id)
        await this.kernel.mail.enqueue(
          trx,
          dataset.status === 'withdrawn'
            ? {
                to: sub.email,
                template: WITHDRAWN_TEMPLATE,
                locale: sub.locale,
                params: { title: dataset.title, link, reason: dataset.withdrawalReason ?? '', unsubscribeLink },
                organisationId: dataset.organisationId,
              }
            : {
                to: sub.email,
                template: UPDATED_TEMPLATE,
                locale: sub.locale,
                params: { title: dataset.title, link, unsubscribeLink },
                organisationId: dataset.organisationId,
              },
        )
      }
    })
    return subs.length
  }
}

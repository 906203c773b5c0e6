// The kernel: every shared service, built once per process and handed to the modules.
import type { Logger } from 'pino'
import type { Config } from '../config/config.js'
import type { Database, Db } from './db/database.js'
import { AuditService } from './audit/audit.service.js'
import { JobQueue } from './jobs/job-queue.js'
import { MailService } from './mail/mail.service.js'
import { I18n } from './i18n/i18n.js'
import { SessionService } from './auth/session.service.js'
import { AccountService } from './accounts/account.service.js'
import { ApiTokenService } from './accounts/api-token.service.js'
import { OrganisationService } from './organisations/organisation.service.js'
import { StaffService } from './organisations/staff.service.js'
import { IdempotencyService } from './idempotency/idempotency.service.js'
import { TwoFactorService } from './auth/two-factor.service.js'
import { OidcService } from './oidc/oidc.service.js'
import { PersonalDataService } from './accounts/personal-data.service.js'
import { SecretBox } from '../shared/secret-box.js'
import { FileService } from './files/file.service.js'
import { EventBus } from './events/event-bus.js'
import { DatasetOutlet } from './datasets/dataset-outlet.js'

export type Kernel = {
  config: Config
  database: Database
  db: Db
  logger: Logger
  i18n: I18n
  audit: AuditService
  jobs: JobQueue
  mail: MailService
  sessions: SessionService
  accounts: AccountService
  apiTokens: ApiTokenService
  organisations: OrganisationService
  staff: StaffService
  idempotency: IdempotencyService
  twoFactor: TwoFactorService
  oidc: OidcService
  personalData: PersonalDataService
  /** uploaded documents and images, kept in PostgreSQL */
  files: FileService
  /** events between modules, delivered through the job queue */
  events: EventBus
  /** the open-data outlet: modules register dataset providers here */
  datasets: DatasetOutlet
}

export function createKernel(
  config: Config,
  database: Database,
  logger: Logger,
  options: { runJobWorkers?: boolean } = {},
): Kernel {
  const db = database.db
  const audit = new AuditService(db)
  const jobs = new JobQueue(database, logger, {
    runWorkers: options.runJobWorkers ?? config.runJobs,
    pollingIntervalSeconds: config.env === 'test' ? 0.5 : 2,
    schedules: config.jobSchedules,
  })
  const mail = new MailService(db, jobs, logger, {
    smtp: config.smtp,
    from: config.mailFrom,
    retryDelaySeconds: config.env === 'test' ? 1 : 10,
  })
  const sessions = new SessionService(db, {
    idleMinutes: config.sessionIdleMinutes,
    absoluteHours: config.sessionAbsoluteHours,
  })
  const accounts = new AccountService(db, audit, mail, sessions, config.baseUrl)
  const organisations = new OrganisationService(db, audit)
  const i18n = new I18n()
  const idempotency = new IdempotencyService(db)
  const apiTokens = new ApiTokenService(db, audit)
  const events = new EventBus(jobs)
  jobs.define({
    name: 'idempotency.purge',
    cron: '41 * * * *',
    retryLimit: 1,
    handler: async () => {
      await idempotency.purge()
    },
  })
  jobs.define({
    name: 'sessions.purge',
    cron: '17 * * * *',
    retryLimit: 1,
    handler: async () => {
      await sessions.purgeExpired()
    },
  })
  return {
    config,
    database,
    db,
    logger,
    i18n,
    audit,
    jobs,
    mail,
    sessions,
    accounts,
    apiTokens,
    personalData: new PersonalDataService(db, audit, sessions, apiTokens, mail),
    organisations,
    staff: new StaffService(db, audit, mail, organisations, config.baseUrl, (role, locale) =>
      i18n.translator(locale)(`roles.${role}`),
    ),
    idempotency,
    twoFactor: new TwoFactorService(
      db,
      audit,
      mail,
      sessions,
      new SecretBox(config.sessionSecret, 'totp'),
      config.baseUrl,
    ),
    oidc: new OidcService(db, audit, sessions, jobs, config, logger),
    files: new FileService(db, { maxBytes: config.fileMaxBytes }),
    events,
    datasets: new DatasetOutlet(events),
  }
}

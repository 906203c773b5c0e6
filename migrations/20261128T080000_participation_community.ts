// Frozen in time: imports nothing from src/.
// The participation module's community part: community councils' meetings (papers, registrations
// to attend, minutes) and local polls and surveys; representatives with their areas, the postcode
// lookup, remote surgeries (one booking a slot: a partial unique index) and casework.
// Community councils themselves are organisations in core.organisation.
import { sql, type Kysely } from 'kysely'

const statements = [
  `create schema if not exists participation`,

  `create table participation.cc_meeting (
    id uuid primary key default gen_random_uuid(),
    organisation_id uuid not null references core.organisation(id) on delete cascade,
    title text not null,
    kind text not null check (kind in ('in-person', 'online', 'hybrid')),
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    location text not null default '',
    joining_url text not null default '',
    joining_visibility text not null default 'registered' check (joining_visibility in ('registered', 'public')),
    agenda_markdown text not null default '',
    minutes_markdown text not null default '',
    minutes_published_at timestamptz,
    published_at timestamptz,
    cancelled_at timestamptz,
    sequence integer not null default 0,
    created_by uuid references core.account(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint cc_meeting_dates_check check (ends_at > starts_at)
  )`,
  `create index cc_meeting_org_idx on participation.cc_meeting (organisation_id, starts_at)`,

  `create table participation.cc_meeting_paper (
    id uuid primary key default gen_random_uuid(),
    meeting_id uuid not null references participation.cc_meeting(id) on delete cascade,
    title text not null,
    url text not null,
    position integer not null,
    created_at timestamptz not null default now()
  )`,
  `create index cc_meeting_paper_meeting_idx on participation.cc_meeting_paper (meeting_id, position)`,

  `create table participation.cc_meeting_registration (
    meeting_id uuid not null references participation.cc_meeting(id) on delete cascade,
    account_id uuid not null references core.account(id) on delete cascade,
    attendance text not null check (attendance in ('in-person', 'online')),
    created_at timestamptz not null default now(),
    primary key (meeting_id, account_id)
  )`,

  `create table participation.cc_poll (
    id uuid primary key default gen_random_uuid(),
    organisation_id uuid not null references core.organisation(id) on delete cascade,
    kind text not null check (kind in ('poll', 'survey')),
    title text not null,
    description text not null default '',
    opens_at timestamptz not null,
    closes_at timestamptz not null,
    published_at timestamptz,
    results_published_at timestamptz,
    created_by uuid references core.account(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint cc_poll_dates_check check (closes_at > opens_at)
  )`,
  `create index cc_poll_org_idx on participation.cc_poll (organisation_id, opens_at)`,

  `create table participation.cc_poll_question (
    id uuid primary key default gen_random_uuid(),
    poll_id uuid not null references participation.cc_poll(id) on delete cascade,
    position integer not null,
    title text not null,
    options text[] not null,
    unique (poll_id, position)
  )`,

  `create table participation.cc_poll_response (
    id uuid primary key default gen_random_uuid(),
    poll_id uuid not null references participation.cc_poll(id) on delete cascade,
    account_id uuid references core.account(id) on delete set null,
    created_at timestamptz not null default now(),
    unique (poll_id, account_id)
  )`,

  `create table participation.cc_poll_answer (
    response_id uuid not null references participation.cc_poll_response(id) on delete cascade,
    question_id uuid not null references participation.cc_poll_question(id) on delete cascade,
    option_index integer not null check (option_index >= 0),
    primary key (response_id, question_id)
  )`,
  `create index cc_poll_answer_question_idx on participation.cc_poll_answer (question_id, option_index)`,

  `create table participation.rep_representative (
    id uuid primary key default gen_random_uuid(),
    organisation_id uuid not null references core.organisation(id) on delete restrict,
    name text not null,
    role text not null check (role in ('councillor', 'msp')),
    party text not null default '',
    area_kind text not null check (area_kind in ('ward', 'constituency', 'region')),
    area_code text not null,
    area_name text not null,
    email text not null default '',
    account_id uuid references core.account(id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (organisation_id, area_kind, area_code, name)
  )`,
  `create index rep_representative_area_idx on participation.rep_representative (area_kind, area_code)`,
  `create index rep_representative_account_idx on participation.rep_representative (account_id)`,

  `create table participation.rep_office_member (
    representative_id uuid not null references participation.rep_representative(id) on delete cascade,
    account_id uuid not null references core.account(id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (representative_id, account_id)
  )`,
  `create index rep_office_member_account_idx on participation.rep_office_member (account_id)`,

  `create table participation.rep_postcode (
    postcode text primary key,
    ward_code text not null default '',
    ward_name text not null default '',
    constituency_code text not null default '',
    constituency_name text not null default '',
    region_code text not null default '',
    region_name text not null default '',
    organisation_id uuid references core.organisation(id) on delete set null,
    updated_at timestamptz not null default now()
  )`,

  `create table participation.rep_surgery_slot (
    id uuid primary key default gen_random_uuid(),
    representative_id uuid not null references participation.rep_representative(id) on delete cascade,
    mode text not null check (mode in ('online', 'in-person')),
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    location text not null default '',
    joining_url text not null default '',
    cancelled_at timestamptz,
    created_at timestamptz not null default now(),
    constraint rep_surgery_slot_dates_check check (ends_at > starts_at)
  )`,
  `create index rep_surgery_slot_rep_idx on participation.rep_surgery_slot (representative_id, starts_at)`,

  `create table participation.rep_surgery_booking (
    id uuid primary key default gen_random_uuid(),
    slot_id uuid not null references participation.rep_surgery_slot(id) on delete cascade,
    account_id uuid not null references core.account(id) on delete cascade,
    topic text not null default '',
    created_at timestamptz not null default now(),
    cancelled_at timestamptz
  )`,
  // Capacity one: at most one live booking a slot, whatever the concurrency.
  `create unique index rep_surgery_booking_one_idx on participation.rep_surgery_booking (slot_id) where cancelled_at is null`,
  `create index rep_surgery_booking_account_idx on participation.rep_surgery_booking (account_id)`,

  `create table participation.rep_case (
    id uuid primary key default gen_random_uuid(),
    reference text not null unique,
    representative_id uuid not null references participation.rep_representative(id) on delete cascade,
    constituent_account_id uuid references core.account(id) on delete set null,
    constituent_name text not null,
    constituent_email text not null,
    postcode text not null default '',
    subject text not null,
    status text not null default 'open' check (status in ('open', 'in-progress', 'closed')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index rep_case_rep_idx on participation.rep_case (representative_id, updated_at)`,
  `create index rep_case_constituent_idx on participation.rep_case (constituent_account_id, created_at)`,

  `create table participation.rep_case_entry (
    id uuid primary key default gen_random_uuid(),
    case_id uuid not null references participation.rep_case(id) on delete cascade,
    kind text not null check (kind in ('enquiry', 'note', 'reply', 'status')),
    body text not null,
    author_account_id uuid references core.account(id) on delete set null,
    author_name text not null,
    created_at timestamptz not null default now()
  )`,
  `create index rep_case_entry_case_idx on participation.rep_case_entry (case_id, created_at)`,
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'rep_case_entry',
    'rep_case',
    'rep_surgery_booking',
    'rep_surgery_slot',
    'rep_postcode',
    'rep_office_member',
    'rep_representative',
    'cc_poll_answer',
    'cc_poll_response',
    'cc_poll_question',
    'cc_poll',
    'cc_meeting_registration',
    'cc_meeting_paper',
    'cc_meeting',
  ])
    await sql.raw(`drop table if exists participation.${table}`).execute(db)
}

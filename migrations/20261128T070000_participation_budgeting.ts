// Frozen in time: imports nothing from src/.
// Participatory budgeting in the participation module's schema: processes with dated phases, areas
// with budgets, a postcode-to-area lookup, projects (ideas) with comments, voting codes in batches,
// the marked register (who has voted, in which area) kept apart from the ballots (what was chosen),
// and results. A ballot's integrity is enforced here, not only in the service: one ballot per voter
// hash per area (unique index), one register entry per voter per area (primary key), choices only of
// feasible projects of the ballot's own area (composite foreign keys and a trigger), and a deferred
// constraint trigger that re-adds every ballot at commit and refuses one over its budget, over its
// number of choices or points, under the minimum spend, or cast outside the vote.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createSchema('participation').ifNotExists().execute()

  await sql`
    create table participation.pb_process (
      id uuid primary key default gen_random_uuid(),
      organisation_id uuid not null references core.organisation(id) on delete restrict,
      title text not null,
      summary text not null,
      description text not null default '',
      voting_rule text not null check (voting_rule in ('approval', 'knapsack', 'points')),
      max_choices integer check (max_choices between 1 and 1000),
      points_total integer check (points_total between 1 and 100000),
      min_spend_percent integer not null default 0 check (min_spend_percent between 0 and 100),
      allow_changes boolean not null default true,
      eligibility text not null default 'either' check (eligibility in ('account', 'code', 'either')),
      min_age integer check (min_age between 1 and 120),
      equal_shares boolean not null default false,
      ideas_open_at timestamptz not null,
      review_opens_at timestamptz not null,
      vote_opens_at timestamptz not null,
      vote_closes_at timestamptz not null,
      published_at timestamptz,
      recorded_phase text not null default 'draft',
      results_computed_at timestamptz,
      results_published_at timestamptz,
      created_by uuid references core.account(id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint pb_process_phases_check check (
        ideas_open_at <= review_opens_at and review_opens_at <= vote_opens_at and vote_opens_at < vote_closes_at
      ),
      constraint pb_process_rule_check check (
        (voting_rule <> 'approval' or max_choices is not null) and (voting_rule <> 'points' or points_total is not null)
      )
    )`.execute(db)
  await sql`create index pb_process_organisation_idx on participation.pb_process (organisation_id)`.execute(db)
  await sql`create index pb_process_published_idx on participation.pb_process (published_at, vote_closes_at)`.execute(
    db,
  )

  await sql`
    create table participation.pb_area (
      id uuid primary key default gen_random_uuid(),
      process_id uuid not null references participation.pb_process(id) on delete cascade,
      name text not null,
      budget integer not null check (budget >= 0),
      area_wide boolean not null default false,
      created_at timestamptz not null default now(),
      unique (process_id, name),
      unique (id, process_id)
    )`.execute(db)
  await sql`create unique index pb_area_one_wide_idx on participation.pb_area (process_id) where area_wide`.execute(db)

  await sql`
    create table participation.pb_postcode (
      process_id uuid not null,
      postcode text not null check (postcode ~ '^[A-Z0-9]{5,7}$'),
      area_id uuid not null,
      primary key (process_id, postcode),
      foreign key (area_id, process_id) references participation.pb_area(id, process_id) on delete cascade
    )`.execute(db)
  await sql`create index pb_postcode_area_idx on participation.pb_postcode (area_id)`.execute(db)

  await sql`
    create table participation.pb_project (
      id uuid primary key default gen_random_uuid(),
      process_id uuid not null,
      area_id uuid not null,
      title text not null,
      description text not null,
      cost integer not null check (cost >= 0),
      status text not null default 'proposed'
        check (status in ('proposed', 'feasible', 'not-feasible', 'merged')),
      public_reason text not null default '',
      merged_into uuid references participation.pb_project(id) on delete set null,
      proposed_by uuid references core.account(id) on delete set null,
      proposer_name text not null default '',
      comment_count integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      foreign key (area_id, process_id) references participation.pb_area(id, process_id) on delete cascade,
      unique (id, area_id),
      constraint pb_project_merged_check check ((status = 'merged') = (merged_into is not null))
    )`.execute(db)
  // The public list: a process's projects by status and area, in title order, one page at a time.
  await sql`create index pb_project_list_idx on participation.pb_project (process_id, status, area_id, title, id)`.execute(
    db,
  )
  await sql`create index pb_project_title_idx on participation.pb_project (process_id, title, id)`.execute(db)

  await sql`
    create table participation.pb_comment (
      id uuid primary key default gen_random_uuid(),
      project_id uuid not null references participation.pb_project(id) on delete cascade,
      account_id uuid references core.account(id) on delete set null,
      author_name text not null,
      body text not null check (length(body) between 1 and 2000),
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index pb_comment_project_idx on participation.pb_comment (project_id, created_at, id)`.execute(db)

  await sql`
    create table participation.pb_code_batch (
      id uuid primary key default gen_random_uuid(),
      process_id uuid not null,
      area_id uuid not null,
      label text not null,
      size integer not null check (size between 1 and 5000),
      created_by uuid references core.account(id) on delete set null,
      created_at timestamptz not null default now(),
      foreign key (area_id, process_id) references participation.pb_area(id, process_id) on delete cascade
    )`.execute(db)
  await sql`create index pb_code_batch_process_idx on participation.pb_code_batch (process_id, created_at)`.execute(db)

  await sql`
    create table participation.pb_code (
      id uuid primary key default gen_random_uuid(),
      batch_id uuid not null references participation.pb_code_batch(id) on delete cascade,
      process_id uuid not null references participation.pb_process(id) on delete cascade,
      area_id uuid not null,
      code text not null,
      position integer not null,
      used_at timestamptz,
      unique (process_id, code)
    )`.execute(db)
  await sql`create index pb_code_batch_idx on participation.pb_code (batch_id, position)`.execute(db)

  // What a signed-in resident declared for a process, fixed once given: one area per person.
  await sql`
    create table participation.pb_resident (
      process_id uuid not null references participation.pb_process(id) on delete cascade,
      account_id uuid not null references core.account(id) on delete cascade,
      postcode text not null,
      area_id uuid not null,
      born_on date,
      created_at timestamptz not null default now(),
      primary key (process_id, account_id),
      foreign key (area_id, process_id) references participation.pb_area(id, process_id) on delete cascade
    )`.execute(db)

  // The marked register: who has voted in which area, and nothing about what they chose.
  await sql`
    create table participation.pb_voter (
      area_id uuid not null references participation.pb_area(id) on delete cascade,
      voter_key text not null,
      process_id uuid not null references participation.pb_process(id) on delete cascade,
      channel text not null check (channel in ('online', 'code', 'paper')),
      primary key (area_id, voter_key)
    )`.execute(db)

  // Ballots: what was chosen, under a keyed hash of the voter that only finds their own ballot
  // again (to change it); no account, code, time or order that could link a ballot to a person.
  await sql`
    create table participation.pb_ballot (
      id uuid primary key default gen_random_uuid(),
      process_id uuid not null,
      area_id uuid not null,
      voter_hash text not null,
      channel text not null check (channel in ('online', 'code', 'paper')),
      choice_count integer not null check (choice_count >= 1),
      total_cost bigint not null check (total_cost >= 0),
      total_points bigint not null check (total_points >= 1),
      foreign key (area_id, process_id) references participation.pb_area(id, process_id) on delete cascade,
      unique (area_id, voter_hash),
      unique (id, area_id)
    )`.execute(db)
  await sql`create index pb_ballot_process_idx on participation.pb_ballot (process_id, area_id)`.execute(db)

  await sql`
    create table participation.pb_ballot_choice (
      ballot_id uuid not null,
      area_id uuid not null,
      project_id uuid not null,
      points integer not null check (points >= 1),
      primary key (ballot_id, project_id),
      foreign key (ballot_id, area_id) references participation.pb_ballot(id, area_id) on delete cascade,
      foreign key (project_id, area_id) references participation.pb_project(id, area_id) on delete cascade
    )`.execute(db)
  await sql`create index pb_ballot_choice_project_idx on participation.pb_ballot_choice (project_id)`.execute(db)

  await sql`
    create function participation.pb_check_ballot() returns trigger language plpgsql as $$
    declare
      bid uuid;
      b record;
      p record;
      a record;
      s record;
    begin
      if tg_table_name = 'pb_ballot' then
        bid := case when tg_op = 'DELETE' then old.id else new.id end;
      else
        bid := case when tg_op = 'DELETE' then old.ballot_id else new.ballot_id end;
      end if;
      select * into b from participation.pb_ballot where id = bid;
      if not found then
        return null;
      end if;
      select * into p from participation.pb_process where id = b.process_id;
      select * into a from participation.pb_area where id = b.area_id;
      select count(*)::integer as n,
             coalesce(sum(pr.cost), 0)::bigint as cost,
             coalesce(sum(c.points), 0)::bigint as points,
             coalesce(bool_and(pr.status = 'feasible'), true) as feasible
        into s
        from participation.pb_ballot_choice c
        join participation.pb_project pr on pr.id = c.project_id
       where c.ballot_id = bid;
      if s.n <> b.choice_count or s.cost <> b.total_cost or s.points <> b.total_points then
        raise exception 'ballot % does not add up to its choices', bid using errcode = 'check_violation';
      end if;
      if not s.feasible then
        raise exception 'ballot % chooses a project that is not on the ballot', bid using errcode = 'check_violation';
      end if;
      if p.voting_rule = 'approval' and s.n > p.max_choices then
        raise exception 'ballot % chooses more than % projects', bid, p.max_choices using errcode = 'check_violation';
      end if;
      if p.voting_rule = 'knapsack' and s.cost > a.budget then
        raise exception 'ballot % exceeds its budget', bid using errcode = 'check_violation';
      end if;
      if p.voting_rule = 'knapsack' and s.cost * 100 < a.budget::bigint * p.min_spend_percent then
        raise exception 'ballot % spends less than the minimum', bid using errcode = 'check_violation';
      end if;
      if p.voting_rule = 'points' and s.points > p.points_total then
        raise exception 'ballot % gives more than % points', bid, p.points_total using errcode = 'check_violation';
      end if;
      if p.voting_rule <> 'points' and s.points <> s.n then
        raise exception 'ballot % gives points under a rule without points', bid using errcode = 'check_violation';
      end if;
      if p.results_computed_at is not null or now() < p.vote_opens_at or now() >= p.vote_closes_at then
        raise exception 'ballot % cast outside the vote', bid using errcode = 'check_violation';
      end if;
      return null;
    end
    $$`.execute(db)
  await sql`
    create constraint trigger pb_ballot_check after insert or update on participation.pb_ballot
      deferrable initially deferred for each row execute function participation.pb_check_ballot()`.execute(db)
  await sql`
    create constraint trigger pb_ballot_choice_check after insert or update or delete on participation.pb_ballot_choice
      deferrable initially deferred for each row execute function participation.pb_check_ballot()`.execute(db)

  // Results, computed once when the vote closes.
  await sql`
    create table participation.pb_area_result (
      area_id uuid primary key references participation.pb_area(id) on delete cascade,
      process_id uuid not null references participation.pb_process(id) on delete cascade,
      ballots integer not null,
      greedy_spent bigint not null,
      equal_shares_spent bigint,
      computed_at timestamptz not null default now()
    )`.execute(db)
  await sql`
    create table participation.pb_result (
      area_id uuid not null references participation.pb_area(id) on delete cascade,
      project_id uuid not null references participation.pb_project(id) on delete cascade,
      process_id uuid not null references participation.pb_process(id) on delete cascade,
      votes integer not null,
      points bigint not null,
      rank integer not null,
      greedy_selected boolean not null,
      equal_shares_selected boolean,
      primary key (area_id, project_id)
    )`.execute(db)
  await sql`create index pb_result_process_idx on participation.pb_result (process_id, area_id, rank)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'pb_result',
    'pb_area_result',
    'pb_ballot_choice',
    'pb_ballot',
    'pb_voter',
    'pb_resident',
    'pb_code',
    'pb_code_batch',
    'pb_comment',
    'pb_project',
    'pb_postcode',
    'pb_area',
    'pb_process',
  ])
    await sql`drop table if exists participation.${sql.raw(table)} cascade`.execute(db)
  await sql`drop function if exists participation.pb_check_ballot()`.execute(db)
}

// Frozen in time: imports nothing from src/.
// Analysis of consultation responses: every answer as a row (searchable text with a stored
// tsvector, choices one row per option chosen), kept in step with consultations.response by
// statement-level triggers (so COPY, multi-row inserts and single submissions all fill it in one
// set-based statement); a codebook of themes per question with tags and analyst notes; data-quality
// runs with their groups (duplicates, campaigns, blanks) and the analyst's decisions; and exports
// produced by a job, stored in chunks. Nothing here deletes a response. See docs/adr/0007.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table consultations.answer (
      id bigint generated always as identity primary key,
      response_id uuid not null references consultations.response(id) on delete cascade,
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      question_id uuid not null references consultations.question(id) on delete cascade,
      ordinal integer not null,
      kind text not null check (kind in ('text', 'choice', 'value')),
      value text not null,
      search tsvector generated always as (
        case when kind = 'text' then to_tsvector('english', left(value, 100000)) end
      ) stored,
      unique (response_id, question_id, ordinal)
    )`.execute(db)
  await sql`create index answer_question_idx on consultations.answer (question_id, kind, value)`.execute(db)
  await sql`create index answer_keyset_idx on consultations.answer (question_id, id)`.execute(db)
  await sql`create index answer_search_idx on consultations.answer using gin (search)`.execute(db)

  // Turns the answers of the rows in a transition table into answer rows. Strings give one row,
  // lists one row per item (a choice grid's as "row: column"), objects one "key: value" row per
  // entry; the text of "Other, please specify" (kept under "<question id>:other") is a text row of
  // its question; empty answers give none. Columns other migrations may add are read through
  // to_jsonb(q), so a submission never fails for want of one.
  // On an update, rows whose answer is unchanged are left alone (their themes and notes stay);
  // a changed answer keeps its row with the new value; an answer taken away loses its row.
  await sql`
    create function consultations.analysis_answer_rows()
    returns trigger language plpgsql as $$
    begin
      with fresh as (
        select r.id as response_id, r.consultation_id, q.id as question_id,
               x.ord + case when e.key like '%:other' then 10000 else 0 end as ordinal,
               case
                 when e.key like '%:other' or q.type in ('short-text', 'long-text') then 'text'
                 when q.type in ('single-choice', 'multiple-choice', 'choice-grid')
                   or jsonb_typeof(e.value) in ('array', 'object') then 'choice'
                 else 'value'
               end as kind,
               case
                 when q.type = 'choice-grid' and e.key not like '%:other'
                   then coalesce((to_jsonb(q) -> 'grid_rows' ->> x.ord) || ': ', '') || x.val
                 else x.val
               end as value
        from changed_rows r
        cross join lateral jsonb_each(case when jsonb_typeof(r.answers) = 'object' then r.answers else '{}'::jsonb end) e
        join consultations.question q
          on q.id::text = split_part(e.key, ':', 1) and q.consultation_id = r.consultation_id
        cross join lateral (
          select 0 as ord, e.value #>> '{}' as val where jsonb_typeof(e.value) in ('string', 'number', 'boolean')
          union all
          select (a.n - 1)::int, a.t
            from jsonb_array_elements_text(case when jsonb_typeof(e.value) = 'array' then e.value else '[]'::jsonb end)
            with ordinality a(t, n)
          union all
          select (o.n - 1)::int, o.k || ': ' || (o.v #>> '{}')
            from jsonb_each(case when jsonb_typeof(e.value) = 'object' then e.value else '{}'::jsonb end)
            with ordinality o(k, v, n)
        ) x
        where x.val is not null and btrim(x.val) <> ''
      ),
      gone as (
        delete from consultations.answer a using changed_rows c
        where tg_op = 'UPDATE' and a.response_id = c.id
          and not exists (
            select 1 from fresh f
            where f.response_id = a.response_id and f.question_id = a.question_id and f.ordinal = a.ordinal
          )
        returning 1
      )
      insert into consultations.answer (response_id, consultation_id, question_id, ordinal, kind, value)
      select response_id, consultation_id, question_id, ordinal, kind, value from fresh
      on conflict (response_id, question_id, ordinal) do update
        set value = excluded.value, kind = excluded.kind
        where consultations.answer.value is distinct from excluded.value
           or consultations.answer.kind is distinct from excluded.kind;
      return null;
    end
    $$`.execute(db)
  await sql`
    create trigger response_answers_inserted after insert on consultations.response
    referencing new table as changed_rows for each statement
    execute function consultations.analysis_answer_rows()`.execute(db)
  await sql`
    create trigger response_answers_updated after update on consultations.response
    referencing new table as changed_rows for each statement
    execute function consultations.analysis_answer_rows()`.execute(db)
  // Responses already recorded (a development database) get their rows now; a large installation
  // would have none yet, as the module is new.
  await sql`update consultations.response set answers = answers`.execute(db)

  await sql`
    create table consultations.theme (
      id uuid primary key default gen_random_uuid(),
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      question_id uuid not null references consultations.question(id) on delete cascade,
      name text not null,
      description text not null default '',
      created_by uuid references core.account(id) on delete set null,
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`create unique index theme_name_idx on consultations.theme (question_id, lower(name))`.execute(db)

  await sql`
    create table consultations.answer_theme (
      answer_id bigint not null references consultations.answer(id) on delete cascade,
      theme_id uuid not null references consultations.theme(id) on delete cascade,
      tagged_by uuid references core.account(id) on delete set null,
      tagged_at timestamptz not null default now(),
      primary key (answer_id, theme_id)
    )`.execute(db)
  await sql`create index answer_theme_theme_idx on consultations.answer_theme (theme_id)`.execute(db)

  await sql`
    create table consultations.answer_note (
      id uuid primary key default gen_random_uuid(),
      answer_id bigint not null references consultations.answer(id) on delete cascade,
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      body text not null,
      author_id uuid references core.account(id) on delete set null,
      author_name text not null,
      created_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index answer_note_answer_idx on consultations.answer_note (answer_id, created_at)`.execute(db)
  await sql`create index answer_note_consultation_idx on consultations.answer_note (consultation_id)`.execute(db)

  await sql`
    create table consultations.quality_run (
      id uuid primary key default gen_random_uuid(),
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
      summary jsonb not null default '{}'::jsonb,
      requested_by uuid references core.account(id) on delete set null,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db)
  await sql`create index quality_run_consultation_idx on consultations.quality_run (consultation_id, created_at)`.execute(
    db,
  )

  await sql`
    create table consultations.quality_group (
      id uuid primary key default gen_random_uuid(),
      run_id uuid not null references consultations.quality_run(id) on delete cascade,
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      kind text not null check (kind in ('duplicate-identity', 'duplicate-answers', 'campaign', 'blank')),
      label text not null,
      size integer not null
    )`.execute(db)
  await sql`create index quality_group_run_idx on consultations.quality_group (run_id, kind, size desc)`.execute(db)

  await sql`
    create table consultations.quality_member (
      group_id uuid not null references consultations.quality_group(id) on delete cascade,
      response_id uuid not null references consultations.response(id) on delete cascade,
      similarity real not null default 1,
      primary key (group_id, response_id)
    )`.execute(db)
  await sql`create index quality_member_response_idx on consultations.quality_member (response_id)`.execute(db)

  // Every decision is kept; response_status holds the current one for fast filtering.
  await sql`
    create table consultations.response_decision (
      id uuid primary key default gen_random_uuid(),
      response_id uuid not null references consultations.response(id) on delete cascade,
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      outcome text not null check (outcome in ('keep', 'exclude', 'merge')),
      merged_into uuid references consultations.response(id),
      group_id uuid references consultations.quality_group(id) on delete set null,
      reason text not null,
      decided_by uuid references core.account(id) on delete set null,
      decided_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index response_decision_response_idx on consultations.response_decision (response_id, decided_at)`.execute(
    db,
  )
  await sql`
    create table consultations.response_status (
      response_id uuid primary key references consultations.response(id) on delete cascade,
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      outcome text not null check (outcome in ('keep', 'exclude', 'merge')),
      merged_into uuid references consultations.response(id),
      reason text not null,
      decision_id uuid not null references consultations.response_decision(id)
    )`.execute(db)
  await sql`create index response_status_consultation_idx on consultations.response_status (consultation_id, outcome)`.execute(
    db,
  )

  await sql`
    create table consultations.analysis_export (
      id uuid primary key default gen_random_uuid(),
      consultation_id uuid not null references consultations.consultation(id) on delete cascade,
      format text not null check (format in ('csv', 'xlsx')),
      status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
      total integer not null default 0,
      done integer not null default 0,
      byte_size bigint not null default 0,
      requested_by uuid references core.account(id) on delete set null,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    )`.execute(db)
  await sql`create index analysis_export_consultation_idx on consultations.analysis_export (consultation_id, created_at)`.execute(
    db,
  )
  await sql`
    create table consultations.analysis_export_chunk (
      export_id uuid not null references consultations.analysis_export(id) on delete cascade,
      seq integer not null,
      data bytea not null,
      primary key (export_id, seq)
    )`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'analysis_export_chunk',
    'analysis_export',
    'response_status',
    'response_decision',
    'quality_member',
    'quality_group',
    'quality_run',
    'answer_note',
    'answer_theme',
    'theme',
  ])
    await sql`drop table if exists ${sql.table(`consultations.${t}`)}`.execute(db)
  await sql`drop trigger if exists response_answers_inserted on consultations.response`.execute(db)
  await sql`drop trigger if exists response_answers_updated on consultations.response`.execute(db)
  await sql`drop table if exists consultations.answer`.execute(db)
  await sql`drop function if exists consultations.analysis_answer_rows()`.execute(db)
}

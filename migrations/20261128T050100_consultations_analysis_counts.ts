// Frozen in time: imports nothing from src/.
// Faster counts of consultation answers at scale: each answer row says whether it is the first
// row of its response for its question ("lead"), so the responses answering a question are
// counted in the same single pass as the choices, without count(distinct). The trigger function
// is replaced to fill it; existing rows are brought up to date. Two partial covering indexes let
// the counts read the index alone, and a long text answer no longer meets a btree's size limit.
// See docs/adr/0007.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consultations.answer add column lead boolean not null default false`.execute(db)
  await sql`
    create or replace function consultations.analysis_answer_rows()
    returns trigger language plpgsql as $$
    begin
      with exploded as (
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
      fresh as (
        select e.*, row_number() over (partition by e.response_id, e.question_id order by e.ordinal) = 1 as lead
        from exploded e
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
      insert into consultations.answer (response_id, consultation_id, question_id, ordinal, kind, value, lead)
      select response_id, consultation_id, question_id, ordinal, kind, value, lead from fresh
      on conflict (response_id, question_id, ordinal) do update
        set value = excluded.value, kind = excluded.kind, lead = excluded.lead
        where consultations.answer.value is distinct from excluded.value
           or consultations.answer.kind is distinct from excluded.kind
           or consultations.answer.lead is distinct from excluded.lead;
      return null;
    end
    $$`.execute(db)
  await sql`update consultations.response set answers = answers`.execute(db)
  await sql`create index answer_consultation_idx on consultations.answer (consultation_id, question_id, kind)`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists consultations.answer_choice_idx`.execute(db)
  await sql`drop index if exists consultations.answer_text_idx`.execute(db)
  await sql`create index answer_question_idx on consultations.answer (question_id, kind, value)`.execute(db)
  await sql`alter table consultations.answer drop column lead`.execute(db)
}

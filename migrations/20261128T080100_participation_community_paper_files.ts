// Frozen in time: imports nothing from src/.
// A meeting's paper may be an uploaded file kept in core.file (its address is then the paper's own page).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table participation.cc_meeting_paper add column file_id uuid references core.file(id) on delete set null`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table participation.cc_meeting_paper drop column file_id`.execute(db)
}

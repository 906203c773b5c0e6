// Frozen in time: imports nothing from src/.
// An idea may carry one image (stored by the kernel's file store) with a text alternative.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table participation.pb_project
    add column image_file_id uuid references core.file(id) on delete set null,
    add column image_alt text not null default ''`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table participation.pb_project drop column image_file_id, drop column image_alt`.execute(db)
}

// Frozen in time: imports nothing from src/.
// Counting reads an area's ballots in keyset batches by id: an index on (area_id, id) serves it
// without sorting the area's ballots for every batch.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists pb_ballot_area_id_idx on participation.pb_ballot (area_id, id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists participation.pb_ballot_area_id_idx`.execute(db)
}

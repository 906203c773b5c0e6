// What the rest of the open-data module (the catalogue) may call on the data store.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DatastoreService {}

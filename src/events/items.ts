/**
 * What passes between ingesting events and processing them: an event checked and ready to post, and what became
 * of each item of a batch. Kept apart so that ingest, process and returns depend on it rather than on each other.
 */
import type { LojalError } from '../errors/index.js';
import type { EngineLine } from '../rules/types.js';
import type { AccountRef, MemberRef } from '../accounts/references.js';
import type { EventRecord } from './records.js';
import type { EventInput } from './schema.js';

export interface ReadyEvent {
  index: number;
  id: string;
  input: EventInput;
  hash: string;
  occurredAt: Date;
  account: AccountRef;
  member: MemberRef | null;
  lines: EngineLine[];
}

export type IngestItem =
  | { index: number; externalId: string; status: 'processed' | 'replayed'; record: EventRecord }
  | { index: number; externalId: string | null; status: 'rejected'; error: LojalError };

import type { Db } from '../../src/db/database.js';

/** One request to the demo program; the runner fills in the credentials the operation's security names. */
export interface ExampleRequest {
  operationId: string;
  /** Path parameters by name (`{id}` → `{ id: '…' }`). */
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  /** A multipart/form-data body instead: text fields, and files with their name, type and bytes. */
  form?: Record<string, string | { filename: string; type: string; content: string | Uint8Array<ArrayBuffer> }>;
  /**
   * Who calls, when the operation takes more than one credential: `console` for the demo owner's session (an
   * instance admin and a staff user, where the demo's API key is neither); by default the API key.
   */
  as?: 'console';
  /** A portal call as another member than the demo's (their external id), e.g. a person of a company that has not bought yet. */
  portalMember?: string;
  /** Another API key than the demo's admin key (a coalition partner's, say). */
  apiKey?: string;
  /** The status expected; by default any 2xx. A 4xx expected here becomes the operation's error example. */
  expectStatus?: number;
}

export interface ExampleAnswer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ExampleRun {
  /** The demo program's database and id, for looking up the ids a request needs. */
  db: Db;
  programId: string;
  /** The demo member the portal session speaks for (external id P10001) and the demo owner (console). */
  memberId: string;
  staffUserId: string;
  /**
   * Sends the request to the seeded demo and keeps it with its answer as the operation's example (the first one
   * that answers as expected). Throws when the answer is not what `expectStatus` (default: any 2xx) says.
   */
  call(request: ExampleRequest): Promise<ExampleAnswer>;
}

/** An area's examples: the calls run in order, so a later call may use what an earlier one created. */
export type ExampleScript = (run: ExampleRun) => Promise<void>;

/**
 * The webhook event of a service-request change: `service_request.created` and `service_request.changed`.
 * The payload holds what a receiver needs (number, type, state, member, account, assignee) and, for a
 * comment, only a public one: the caller never passes an internal comment here.
 */
import type { Db } from '../db/database.js';
import { enqueueEvent } from '../webhooks/events.js';
import type { ServiceRequest } from './requests.js';
import type { ServiceType } from './setup.js';
import type { RequestState } from './workflow.js';

export interface ServiceChange {
  change: 'created' | 'commented' | 'state_changed' | 'assigned';
  /** A public comment's text and side; null for other changes. */
  entry: { body: string; byStaff: boolean } | null;
  from?: RequestState;
}

export async function publishServiceChange(trx: Db, programId: string, r: ServiceRequest, type: ServiceType, c: ServiceChange, at: Date): Promise<void> {
  await enqueueEvent(
    trx,
    programId,
    c.change === 'created' ? 'service_request.created' : 'service_request.changed',
    {
      requestId: r.id,
      number: r.number,
      change: c.change,
      type: type.code,
      kind: type.kind,
      state: r.state,
      ...(c.from !== undefined && { from: c.from }),
      memberId: r.memberId,
      accountId: r.accountId,
      assigneeId: r.assigneeId,
      teamId: r.teamId,
      subject: r.subject,
      comment: c.entry,
    },
    at,
  );
}

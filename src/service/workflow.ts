/**
 * The life of a service request as a pure state machine: which state may follow which, for whom, and when a
 * closed request may still be reopened. No I/O: the store asks here before it writes anything.
 *
 *   new → in_progress → waiting_customer → resolved → closed
 *   (reopen: resolved → in_progress at any time; closed → in_progress within the program's reopen window)
 */
export const requestStates = ['new', 'in_progress', 'waiting_customer', 'resolved', 'closed'] as const;
export type RequestState = (typeof requestStates)[number];

export type Party = 'staff' | 'member';

/** States in which the SLA clock runs; waiting for the customer pauses it, resolved and closed stop it. */
export const clockRunsIn: ReadonlySet<RequestState> = new Set(['new', 'in_progress']);
export const openStates: ReadonlySet<RequestState> = new Set(['new', 'in_progress', 'waiting_customer']);

const staffMoves: Record<RequestState, readonly RequestState[]> = {
  new: ['in_progress', 'waiting_customer', 'resolved', 'closed'],
  in_progress: ['waiting_customer', 'resolved', 'closed'],
  waiting_customer: ['in_progress', 'resolved', 'closed'],
  resolved: ['in_progress', 'closed'],
  closed: ['in_progress'],
};

// A member confirms a solution (closes), reopens, or answers while we wait (which the store does for them).
const memberMoves: Record<RequestState, readonly RequestState[]> = {
  new: [],
  in_progress: [],
  waiting_customer: ['in_progress'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export type TransitionCheck =
  | { ok: true }
  | { ok: false; code: 'service_transition_not_allowed' | 'service_reopen_window_passed' };

export interface TransitionContext {
  by: Party;
  /** When the request was closed (for a reopen from closed). */
  closedAt: Date | null;
  reopenDays: number;
  now: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function checkTransition(from: RequestState, to: RequestState, ctx: TransitionContext): TransitionCheck {
  const moves = ctx.by === 'staff' ? staffMoves : memberMoves;
  if (!moves[from].includes(to)) return { ok: false, code: 'service_transition_not_allowed' };
  if (from === 'closed') {
    if (!ctx.closedAt || ctx.now.getTime() - ctx.closedAt.getTime() > ctx.reopenDays * DAY_MS) {
      return { ok: false, code: 'service_reopen_window_passed' };
    }
  }
  return { ok: true };
}

/** The state a comment moves the request to, if any: a member's answer ends the wait; staff's first answer starts work. */
export function stateAfterComment(state: RequestState, by: Party, internal: boolean): RequestState | null {
  if (internal) return null;
  if (by === 'member' && state === 'waiting_customer') return 'in_progress';
  if (by === 'member' && state === 'resolved') return 'in_progress';
  if (by === 'staff' && state === 'new') return 'in_progress';
  return null;
}

/** Whether anyone may still write in the request's conversation. */
export const acceptsComments = (state: RequestState): boolean => state !== 'closed';

/** The states someone may move a request to from here (for buttons). */
export function nextStates(from: RequestState, by: Party): RequestState[] {
  return [...(by === 'staff' ? staffMoves : memberMoves)[from]];
}

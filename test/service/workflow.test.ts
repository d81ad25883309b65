/** The request workflow, table-driven: every move for staff and member, and the reopen window. */
import { describe, expect, it } from 'vitest';
import { checkTransition, requestStates, stateAfterComment, type Party, type RequestState } from '../../src/service/workflow.js';

const now = new Date('2026-11-25T12:00:00Z');
const DAY = 86_400_000;
const ctx = (by: Party, closedDaysAgo: number | null = null) => ({ by, closedAt: closedDaysAgo === null ? null : new Date(now.getTime() - closedDaysAgo * DAY), reopenDays: 14, now });

const allowed: Record<Party, [RequestState, RequestState][]> = {
  staff: [
    ['new', 'in_progress'], ['new', 'waiting_customer'], ['new', 'resolved'], ['new', 'closed'],
    ['in_progress', 'waiting_customer'], ['in_progress', 'resolved'], ['in_progress', 'closed'],
    ['waiting_customer', 'in_progress'], ['waiting_customer', 'resolved'], ['waiting_customer', 'closed'],
    ['resolved', 'in_progress'], ['resolved', 'closed'],
    ['closed', 'in_progress'],
  ],
  member: [['waiting_customer', 'in_progress'], ['resolved', 'closed'], ['resolved', 'in_progress'], ['closed', 'in_progress']],
};

describe('checkTransition', () => {
  for (const by of ['staff', 'member'] as const) {
    for (const from of requestStates) {
      for (const to of requestStates) {
        const ok = allowed[by].some(([f, t]) => f === from && t === to);
        it(`${by}: ${from} → ${to} is ${ok ? 'allowed' : 'refused'}`, () => {
          const r = checkTransition(from, to, ctx(by, from === 'closed' ? 1 : null));
          expect(r.ok).toBe(ok);
          if (!ok) expect(r).toEqual({ ok: false, code: 'service_transition_not_allowed' });
        });
      }
    }
  }

  it.each([
    [0, true],
    [14, true],
    [14.01, false],
    [30, false],
  ])('reopening %s days after closing: %s', (days, ok) => {
    for (const by of ['staff', 'member'] as const) {
      const r = checkTransition('closed', 'in_progress', ctx(by, days));
      expect(r.ok).toBe(ok);
      if (!ok) expect(r).toEqual({ ok: false, code: 'service_reopen_window_passed' });
    }
  });
});

describe('stateAfterComment', () => {
  it.each([
    ['waiting_customer', 'member', false, 'in_progress'],
    ['resolved', 'member', false, 'in_progress'],
    ['new', 'staff', false, 'in_progress'],
    ['new', 'staff', true, null],
    ['in_progress', 'staff', false, null],
    ['in_progress', 'member', false, null],
    ['waiting_customer', 'staff', false, null],
  ] as const)('%s, %s (internal %s) → %s', (state, by, internal, next) => {
    expect(stateAfterComment(state, by, internal)).toBe(next);
  });
});

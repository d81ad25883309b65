/**
 * The demo program's webhook: the ERP connector a wholesaler would point at Lojal, paused so that the
 * demo sends nothing (port 9 is the discard port; nobody listens there). Activate it with PATCH
 * /v1/webhooks/{id} after pointing it at a receiver of your own. The seed is ours, not an admin's input,
 * so it is stored whatever the server allows; `serve --demo` allows this machine as a target unless
 * LOJAL_WEBHOOKS_ALLOW_PRIVATE says otherwise (src/cli/main.ts), so the paused hook can be used as it is.
 */
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { createSubscription } from '../webhooks/subscriptions.js';

export async function seedWebhooks(db: Db, program: Program, now: Date): Promise<void> {
  await createSubscription(db, program.id, {
    url: 'http://127.0.0.1:9/erp-demo',
    eventTypes: ['reward_order.placed', 'reward_order.state_changed', 'credit_note.created', 'tier.changed'],
    active: false,
    description: 'Affärssystemet (ERP): kreditnotor för cashback, orderstatus och kundnivåer',
  }, { allowPrivate: true }, now);
}

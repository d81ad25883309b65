import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { adminUrl } from '../support/env.js';
import { createRules, purchase, seedAccount, seedCatalog, seedMember } from '../support/fixtures.js';

/**
 * A single earn's way to PostgreSQL: the look-up, then the begin, the locks and the events' insert in one write,
 * then the ledger's statement and the commit in one write — three writes to the server's sockets, each one round
 * trip (src/db/database.ts, src/events/process.ts). Counted at the sockets, so a statement that stops being
 * pipelined, or a pipelined one that leaves in a write of its own, shows here. PostgreSQL only: the embedded
 * database has no sockets.
 */
const port = Number(new URL(adminUrl()).port || 5432);
let t: TestApp;
let writes = 0;
let account = '';
type Writer = (this: net.Socket, ...args: unknown[]) => unknown;
const proto = net.Socket.prototype as unknown as { _write: Writer; _writev: Writer };
const original = { _write: proto._write, _writev: proto._writev };

/**
 * The writes of one earn once they have settled: earns are sent until two in a row wrote as often. The settings
 * cache is emptied by a notification that arrives on its own connection when it arrives (a rule or the tiers just
 * changed), and the earn after that reloads them; on a busy machine that may be any of the first earns.
 */
async function settledWrites(prefix: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 10; i++) {
    writes = 0;
    const res = await t.call('POST', '/v1/events', purchase(`${prefix}-${i}`, 'C-1', 'P-1'));
    expect(res.statusCode).toBe(201);
    expect(res.json().status).toBe('processed');
    expect(res.json().postings.length).toBeGreaterThan(0);
    if (writes === last) return writes;
    last = writes;
  }
  return last;
}

describe.skipIf(!onPostgres)('the round trips of one earn (PostgreSQL)', () => {
  beforeAll(async () => {
    t = await startTestApp();
    await seedCatalog(t);
    account = await seedAccount(t, 'C-1');
    await seedMember(t, account, 'P-1');
    await createRules(t);
    for (const method of ['_write', '_writev'] as const) {
      proto[method] = function (this: net.Socket, ...args: unknown[]) {
        if (this.remotePort === port) writes++;
        return original[method].apply(this, args);
      };
    }
  });
  afterAll(async () => {
    Object.assign(proto, original);
    await t?.close();
  });

  it('takes three writes to the database: look-up; begin, locks and insert; ledger and commit', async () => {
    // The first events make the statements named prepared ones and fill the caches (key, program, rules).
    for (const id of ['warm-1', 'warm-2', 'warm-3']) expect((await t.call('POST', '/v1/events', purchase(id, 'C-1', 'P-1'))).statusCode).toBe(201);
    expect(await settledWrites('counted')).toBe(3);
  });

  it('takes one write more with tiers: their statuses and totals are read behind the ledger, the commit goes alone', async () => {
    const names = (en: string) => ({ en, sv: en, nb: en, pl: en, de: en });
    const tiers = {
      settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'both', downgradeMaxLevels: 1, graceDays: 0 },
      levels: [
        { code: 'bronze', rank: 1, threshold: 50, names: names('Bronze') },
        { code: 'gold', rank: 2, threshold: 1_000_000, names: names('Gold') },
      ],
    };
    expect((await t.call('PUT', '/v1/tiers', tiers)).statusCode).toBe(200);
    // Reaches bronze: an upgrade is evaluated as the job would, in statements of its own.
    const first = await t.call('POST', '/v1/events', purchase('tiered-1', 'C-1', 'P-1'));
    expect(first.statusCode).toBe(201);
    expect((await t.call('GET', `/v1/accounts/${account}/tier`)).json().level.code).toBe('bronze');
    for (const id of ['tiered-2', 'tiered-3']) expect((await t.call('POST', '/v1/events', purchase(id, 'C-1', 'P-1'))).statusCode).toBe(201);

    expect(await settledWrites('tiered-counted')).toBe(4);
  });
});

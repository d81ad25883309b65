/**
 * The typed client (packages/client) as an integrator uses it, against a real server on 127.0.0.1: account and
 * member by ERP number, a purchase event, the balance, a reward order (retried after a lost answer without
 * ordering twice), paging, a problem thrown as LojalError, and a webhook checked with verifyWebhook. Also: the
 * client's generated files are those the current document gives (`npm run client:generate`).
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLojalClient, LojalError, ok, verifyWebhook, WebhookVerificationError, type LojalClient } from '../../packages/client/src/index.js';
import { generatedClientFiles } from '../../scripts/client-generate.js';
import { deliverWebhooks } from '../../src/webhooks/delivery.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';
import { createRules, seedCatalog } from '../support/fixtures.js';
import { startReceiver, type Receiver } from '../webhooks/receiver.js';
import fs from 'node:fs';
import path from 'node:path';

let t: TestApp;
let receiver: Receiver;
let lojal: LojalClient;
let baseUrl: string;

beforeAll(async () => {
  t = await startTestApp({ LOJAL_WEBHOOKS_ALLOW_PRIVATE: 'on' });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  lojal = createLojalClient({ baseUrl, apiKey: t.key, retryDelay: () => 1 });
  receiver = await startReceiver();
  await seedCatalog(t);
  await createRules(t);
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('the TypeScript client', () => {
  it('runs the main flow: account, member, purchase, balance, order, webhook', async () => {
    const account = await ok(lojal.PUT('/v1/accounts/by-external-id/{externalId}', { params: { path: { externalId: 'K-2001' } }, body: { name: 'Byggvaror Norr AB' } }));
    expect(account.externalId).toBe('K-2001');
    const member = await ok(
      lojal.PUT('/v1/members/by-external-id/{externalId}', { params: { path: { externalId: 'P-2001' } }, body: { name: 'Anna Lind', accountExternalId: 'K-2001' } }),
    );
    expect(member.accountId).toBe(account.id);

    const subscription = await ok(lojal.POST('/v1/webhooks', { body: { url: receiver.url('/erp'), description: 'ERP connector', eventTypes: ['reward_order.placed'] } }));

    await ok(
      lojal.POST('/v1/events', {
        body: {
          id: 'INV-2001',
          type: 'purchase',
          occurredAt: '2026-11-20T10:00:00+01:00',
          account: 'K-2001',
          member: 'P-2001',
          lines: [{ sku: 'DRILL', quantity: 2, amount: 600_000 }],
        } as never,
      }),
    );
    const balance = await ok(lojal.GET('/v1/accounts/{id}/balance', { params: { path: { id: 'ext:K-2001' } } }));
    expect(balance.available + balance.pending).toBeGreaterThan(0);

    // Points to spend, then a reward to spend them on.
    await ok(lojal.POST('/v1/members/{id}/adjustments', { params: { path: { id: member.id } }, body: { points: 5_000, reasonCode: 'opening', idempotencyKey: 'open-P-2001' } as never }));
    await ok(lojal.PUT('/v1/reward-categories/{code}', { params: { path: { code: 'tools' } }, body: { names: { en: 'Tools' } } as never }));
    await ok(lojal.POST('/v1/rewards', { body: { code: 'drill', type: 'physical', category: 'tools', pricePoints: 1_000, stock: 5, texts: { en: { name: 'Drill' } } } as never }));

    // The first answer is lost on the way back: the client sends the same order again with the same key.
    let attempts = 0;
    const flaky = createLojalClient({
      baseUrl,
      apiKey: t.key,
      retryDelay: () => 1,
      fetch: async (request) => {
        const response = await fetch(request);
        if (++attempts === 1) throw new TypeError('fetch failed: connection reset');
        return response;
      },
    });
    const order = await ok(flaky.POST('/v1/reward-orders', { body: { reward: 'drill', memberId: member.id, quantity: 1 } as never }));
    expect(attempts).toBe(2);
    const orders = await ok(lojal.GET('/v1/reward-orders', { params: { query: { memberId: member.id } as never } }));
    expect(orders.data.map((o: { id: string }) => o.id)).toEqual([order.id]);

    await deliverWebhooks(t.database.db, { allowPrivate: true, now: t.clock() });
    const delivered = receiver.received.filter((r) => r.path === '/erp');
    expect(delivered.length).toBeGreaterThan(0);
    // Signed at the app's time, so checked against it too (a receiver checks against its own clock).
    const event = await verifyWebhook({ secret: subscription.secret, body: delivered[0]!.body, headers: delivered[0]!.headers as never, now: () => t.clock().getTime() });
    expect(event.type).toBe('reward_order.placed');
    if (event.type === 'reward_order.placed') expect(event.data.orderId).toBe(order.id);
    await expect(verifyWebhook({ secret: 'whsec_wrong', body: delivered[0]!.body, headers: delivered[0]!.headers as never })).rejects.toBeInstanceOf(WebhookVerificationError);
    const tooLate = () => (Number(delivered[0]!.headers['lojal-timestamp']) + 3_600) * 1000;
    await expect(verifyWebhook({ secret: subscription.secret, body: delivered[0]!.body, headers: delivered[0]!.headers as never, now: tooLate })).rejects.toThrow(/too old/);
  });

  it('throws problems as LojalError with their code and fields', async () => {
    const missing = await lojal.GET('/v1/accounts/{id}', { params: { path: { id: 'ext:NOPE' } } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(LojalError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    const refused = await lojal.POST('/v1/accounts', { body: { name: 5 } as never }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((refused as LojalError).errors.map((e) => e.path)).toContain('body.name');
    expect((refused as LojalError).requestId).toBeTruthy();
  });

  it('pages through a list as an async iterator', async () => {
    for (const n of [1, 2, 3]) await ok(lojal.PUT('/v1/accounts/by-external-id/{externalId}', { params: { path: { externalId: `PAGE-${n}` } }, body: { name: `Page ${n} AB` } }));
    const seen: string[] = [];
    for await (const account of lojal.paginate('/v1/accounts', { params: { query: { limit: 1 } as never } })) seen.push(account.externalId ?? '');
    expect(seen).toEqual(expect.arrayContaining(['PAGE-1', 'PAGE-2', 'PAGE-3', 'K-2001']));
    expect(new Set(seen).size).toBe(seen.length);
  });

  // The document is the same on both databases: the embedded pass compares.
  it.skipIf(onPostgres)('is generated from the current document', async () => {
    // The test server's configuration is the default one, so its document is the one the files come from.
    const files = await generatedClientFiles(t.app.swagger());
    for (const [name, text] of Object.entries(files)) {
      const committed = fs.readFileSync(path.resolve(import.meta.dirname, '../../packages/client/src', name), 'utf8');
      expect(committed === text, `packages/client/src/${name} is not current: run npm run client:generate`).toBe(true);
    }
  });
});

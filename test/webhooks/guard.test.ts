/**
 * The webhook target guard: without LOJAL_WEBHOOKS_ALLOW_PRIVATE=on, loopback, private, link-local and
 * similar targets are refused when configured (webhook_target_not_allowed) and, for URLs that got in
 * anyway or names that resolve there, when delivering; with it, the same targets work.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverWebhooks } from '../../src/webhooks/delivery.js';
import { enqueueEvent } from '../../src/webhooks/events.js';
import { isPrivateAddress, publicOnlyLookup, TargetNotAllowedError } from '../../src/webhooks/target.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { startReceiver, type Receiver } from './receiver.js';

let guarded: TestApp;
let open: TestApp;
let receiver: Receiver;

beforeAll(async () => {
  guarded = await startTestApp();
  open = await startTestApp({ LOJAL_WEBHOOKS_ALLOW_PRIVATE: 'on' });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await guarded?.close();
  await open?.close();
});

describe('which addresses are not public', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.31.255.255', true],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['224.0.0.251', true],
    ['255.255.255.255', true],
    ['::1', true],
    ['::', true],
    ['fd12:3456::1', true],
    ['fc00::1', true],
    ['fe80::1', true],
    ['ff02::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:a00:1', true],
    ['::ffff:169.254.169.254', true],
    // NAT64 (RFC 6052 well-known prefix) and its local-use prefix: judged by the IPv4 address inside.
    ['64:ff9b::a9fe:a9fe', true],
    ['64:ff9b::10.0.0.1', true],
    ['64:ff9b::127.0.0.1', true],
    ['64:ff9b::c0a8:101', true],
    ['64:ff9b:1::a00:1', true],
    ['64:ff9b::808:808', false],
    // 6to4: 2002:aabb:ccdd:: reaches a.b.c.d through a relay.
    ['2002:a9fe:a9fe::', true],
    ['2002:a00:1::1', true],
    ['2002:7f00:1::', true],
    ['2002:c0a8:101:1::1', true],
    ['2002:808:808::1', false],
    // IPv4-translated (RFC 6145) and the old IPv4-compatible form.
    ['::ffff:0:a00:1', true],
    ['::ffff:0:808:808', false],
    ['::10.0.0.1', true],
    ['::169.254.169.254', true],
    // Other special-purpose ranges of the IANA registries.
    ['100.127.255.254', true],
    ['192.0.2.1', true],
    ['198.18.0.1', true],
    ['198.51.100.7', true],
    ['203.0.113.9', true],
    ['240.0.0.1', true],
    ['2001:db8::1', true],
    ['2001::1', true],
    ['100::1', true],
    ['fec0::1', true],
    ['fe80::1%eth0', true],
    ['4000::1', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['93.184.215.14', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
    ['erp.example.com', false],
  ])('%s → %s', (address, blocked) => {
    expect(isPrivateAddress(address)).toBe(blocked);
  });

  it('the lookup used for connections refuses a name that resolves to loopback', async () => {
    const err = await new Promise<unknown>((resolve) => publicOnlyLookup('localhost', { all: true }, (e) => resolve(e)));
    expect(err).toBeInstanceOf(TargetNotAllowedError);
    expect((err as Error).message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is not a public address$/);
  });
});

describe('configuring a webhook', () => {
  const refused = [
    'http://127.0.0.1:8080/hook',
    'https://10.1.2.3/hook',
    'https://169.254.169.254/latest/meta-data/',
    'http://[::1]:8080/hook',
    'https://[::ffff:10.0.0.1]/hook',
    'https://[fd00::5]/hook',
    'https://[64:ff9b::a9fe:a9fe]/latest/meta-data/',
    'https://[2002:a00:1::]/hook',
    'https://[::ffff:0:7f00:1]/hook',
    'http://localhost:8080/hook',
    'http://erp.localhost/hook',
  ];

  it('refuses loopback, private and link-local targets with 422 webhook_target_not_allowed unless the server allows them', async () => {
    for (const url of refused) {
      const res = await guarded.call('POST', '/v1/webhooks', { url });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().code, url).toBe('webhook_target_not_allowed');
      expect((await open.call('POST', '/v1/webhooks', { url })).statusCode, url).toBe(201);
    }
    expect((await guarded.call('GET', '/v1/webhooks')).json().data).toEqual([]);
    // A public https target is fine, and moving it to a private one is refused as well.
    const ok = await guarded.call('POST', '/v1/webhooks', { url: 'https://erp.example.com/lojal' });
    expect(ok.statusCode, ok.body).toBe(201);
    const patch = await guarded.call('PATCH', `/v1/webhooks/${ok.json().id}`, { url: 'https://192.168.0.10/lojal' });
    expect(patch.statusCode).toBe(422);
    expect(patch.json().code).toBe('webhook_target_not_allowed');
    expect((await guarded.call('GET', `/v1/webhooks/${ok.json().id}`)).json().url).toBe('https://erp.example.com/lojal');
    // Plain http to a private network stays an insecure URL first.
    expect((await guarded.call('POST', '/v1/webhooks', { url: 'http://10.1.2.3/hook' })).json().code).toBe('invalid_webhook_url');
  });

  it('says why in the reader’s language', async () => {
    const detail = async (lng: string) => {
      const res = await guarded.app.inject({
        method: 'POST',
        url: '/v1/webhooks',
        headers: { authorization: `Bearer ${guarded.key}`, 'content-type': 'application/json', 'accept-language': lng },
        payload: JSON.stringify({ url: 'https://169.254.169.254/latest/meta-data/' }),
      });
      return res.json().detail as string;
    };
    const texts = new Map<string, string>();
    for (const lng of ['en', 'sv', 'nb', 'pl', 'de']) {
      const text = await detail(lng);
      expect(text, lng).toContain('169.254.169.254 (https://169.254.169.254/latest/meta-data/)');
      expect(text, lng).toContain('LOJAL_WEBHOOKS_ALLOW_PRIVATE=on');
      texts.set(lng, text);
    }
    expect(new Set(texts.values()).size).toBe(5);
    expect(texts.get('sv')).toMatch(/^Webhooks får inte skickas till/);
  });
});

describe('delivering', () => {
  it('sends nothing to a private target unless allowed, and records why; the flag lets the same delivery through', async () => {
    const { programId, key } = await open.newProgram();
    // Stored while allowed (a server whose flag was later turned off, or rows written before the guard).
    for (const url of [receiver.url('/guard-ip'), receiver.url('/guard-name').replace('127.0.0.1', 'localhost')]) {
      expect((await open.call('POST', '/v1/webhooks', { url, eventTypes: ['tier.changed'] }, key)).statusCode).toBe(201);
    }
    await open.database.db.transaction().execute(async (trx) => {
      await enqueueEvent(trx, programId, 'tier.changed', { ownerKind: 'account' }, open.clock());
    });

    const t0 = open.clock();
    const report = await deliverWebhooks(open.database.db, { now: t0 });
    expect(report).toMatchObject({ attempted: 2, delivered: 0, retrying: 2 });
    expect(receiver.received.filter((r) => r.path.startsWith('/guard'))).toEqual([]);
    const errors = (await sql<{ url: string; last_error: string }>`
      SELECT s.url, d.last_error FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.program_id = d.program_id AND s.id = d.subscription_id
      WHERE d.program_id = ${programId} ORDER BY s.url`.execute(open.database.db)).rows;
    expect(errors).toEqual([
      { url: receiver.url('/guard-ip'), last_error: '127.0.0.1 is not a public address; the server allows such targets with LOJAL_WEBHOOKS_ALLOW_PRIVATE=on' },
      {
        url: receiver.url('/guard-name').replace('127.0.0.1', 'localhost'),
        last_error: expect.stringMatching(/^localhost resolves to (127\.0\.0\.1|::1), which is not a public address; the server allows/),
      },
    ]);

    // The retry, allowed this time, reaches the receiver on 127.0.0.1.
    await deliverWebhooks(open.database.db, { now: new Date(t0.getTime() + 2 * 60_000), allowPrivate: true });
    expect(receiver.received.filter((r) => r.path === '/guard-ip')).toHaveLength(1);
  });
});

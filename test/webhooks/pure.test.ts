/** The pure parts of webhooks, as tables: which URLs are allowed, when a retry is due, what is signed. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isDelivered, nextAttemptAfter } from '../../src/webhooks/schedule.js';
import { newSecret, signatureMatches, signatureOf } from '../../src/webhooks/signature.js';
import { urlProblem } from '../../src/webhooks/url.js';

describe('webhook URLs', () => {
  it.each([
    ['https://erp.example.com/lojal', null],
    ['https://10.0.0.5:8443/hook', null],
    ['http://localhost:3000/hook', null],
    ['http://erp.localhost/hook', null],
    ['http://127.0.0.1:9/erp-demo', null],
    ['http://127.10.0.1/x', null],
    ['http://[::1]:8080/x', null],
    ['http://erp.example.com/hook', 'insecure'],
    ['http://192.168.1.10/hook', 'insecure'],
    ['http://localhost.example.com/hook', 'insecure'],
    ['ftp://erp.example.com/hook', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['erp.example.com/hook', 'unparsable'],
    ['', 'unparsable'],
    ['https://user:pw@erp.example.com/hook', 'credentials'],
    ['https://token@erp.example.com/hook', 'credentials'],
  ])('%s → %s', (url, problem) => {
    expect(urlProblem(url)).toBe(problem);
  });
});

describe('retry schedule', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  it.each([
    [1, '2026-11-23T12:01:00.000Z'],
    [2, '2026-11-23T12:05:00.000Z'],
    [3, '2026-11-23T12:30:00.000Z'],
    [4, '2026-11-23T14:00:00.000Z'],
    [5, '2026-11-24T00:00:00.000Z'],
    [6, null],
    [7, null],
  ])('after %i failed attempts: %s', (attempts, next) => {
    expect(nextAttemptAfter(attempts, now)?.toISOString() ?? null).toBe(next);
  });
  it.each([
    [200, true],
    [204, true],
    [299, true],
    [301, false],
    [404, false],
    [500, false],
  ])('HTTP %i delivered: %s', (status, delivered) => expect(isDelivered(status)).toBe(delivered));
});

describe('signatures', () => {
  it('is HMAC-SHA256 of timestamp.body, hex, after v1=', () => {
    const secret = 'whsec_test';
    const body = '{"id":"x","type":"tier.changed"}';
    const expected = createHmac('sha256', secret).update(`1763900000.${body}`).digest('hex');
    expect(signatureOf(secret, '1763900000', body)).toBe(`v1=${expected}`);
    expect(signatureMatches(secret, '1763900000', body, `v1=${expected}`)).toBe(true);
    expect(signatureMatches(secret, '1763900001', body, `v1=${expected}`)).toBe(false);
    expect(signatureMatches(secret, '1763900000', body + ' ', `v1=${expected}`)).toBe(false);
    expect(signatureMatches(secret, '1763900000', body, 'v1=short')).toBe(false);
  });
  it('secrets are fresh 256-bit values', () => {
    const a = newSecret();
    expect(a).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(newSecret()).not.toBe(a);
  });
});

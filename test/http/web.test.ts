import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webBuilt, webRoot } from '../../src/http/web.js';
import { startTestApp, type TestApp } from '../support/app.js';

const built = webBuilt();
if (!built) console.log('Web serving tests skipped: the console and portal are not built (npm run build:web).');

describe.skipIf(!built)('the console and portal are served by Lojal itself', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const html = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml' } });

  it('answers the portal at / and at any page address a member may reload or open from a mail', async () => {
    for (const url of ['/', '/shop', '/sign-in?token=abc']) {
      const res = await html(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<div id="root">');
      expect(res.body).not.toContain('Lojal console');
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('answers the console at /admin and below', async () => {
    for (const url of ['/admin', '/admin/', '/admin/accounts/42', '/admin/reset-password?token=x']) {
      const res = await html(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toContain('Lojal console');
    }
  });

  it('serves hashed assets for a year and keeps API addresses out of the page fallback', async () => {
    const asset = fs.readdirSync(`${webRoot}assets`).find((f) => f.endsWith('.js'))!;
    const res = await t.app.inject({ method: 'GET', url: `/assets/${asset}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toContain('immutable');

    for (const url of ['/v1/nothing-here', '/auth/nothing', '/portal/v1/nothing', '/assets/missing.js']) {
      const api = await html(url);
      expect(api.statusCode, url).toBe(404);
      expect(api.json().code, url).toBe('route_not_found');
    }
    // A program's API client asking for JSON never gets a page either.
    const json = await t.app.inject({ method: 'GET', url: '/no-such-page', headers: { accept: 'application/json' } });
    expect(json.statusCode).toBe(404);
    expect(json.json().code).toBe('route_not_found');
  });
});

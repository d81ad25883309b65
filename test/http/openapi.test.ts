/**
 * The OpenAPI document as an integrator's tools read it (issue 19): nothing missing on any operation, Redocly's
 * recommended rules clean, security as the server enforces it, webhooks described, and /docs under Lojal's name.
 * That real answers match the document is checked by the contract check in every test file (test/support/contract.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentGaps } from '../../scripts/openapi-gaps.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';

type Operation = { operationId: string; security?: Array<Record<string, string[]>>; responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
let t: TestApp;
let doc: { paths: Record<string, Record<string, Operation>>; webhooks: Record<string, { post: { requestBody: unknown; parameters: Array<{ name: string }> } }>; servers: Array<{ url: string }>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };
const root = path.resolve(import.meta.dirname, '../..');

beforeAll(async () => {
  if (onPostgres) return;
  t = await startTestApp({ LOJAL_PUBLIC_URL: 'https://loyalty.nordbygg.example' });
  doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
});
afterAll(async () => t?.close());

const operation = (method: string, p: string) => doc.paths[p]![method]!;

// The document does not depend on the database: the embedded pass checks it.
describe.skipIf(onPostgres)('the OpenAPI document', () => {
  it('describes every operation fully: id, tag, summary, description, parameters, typed bodies and examples', () => {
    expect(documentGaps(doc as never)).toEqual([]);
  });

  it('passes Redocly\'s recommended rules with no error and no warning', () => {
    const lint = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/openapi-lint.ts'), '--format=summary'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const said = lint.stdout + lint.stderr;
    expect(said).toContain('Woohoo! Your API description is valid.');
    // Redocly exits 0 with warnings and says how many: none are allowed either.
    expect(said).not.toMatch(/You have \d+ warnings?/);
    expect(lint.status).toBe(0);
  });

  it('names the security each kind of route takes: API key or console cookie for /v1, the member cookie for the portal, none to sign in', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'csrfToken', 'memberSession', 'staffSession']);
    expect(operation('get', '/v1/program').security).toEqual([{ apiKey: [] }, { staffSession: [] }]);
    expect(operation('post', '/v1/events').security).toEqual([{ apiKey: [] }, { staffSession: [], csrfToken: [] }]);
    const portal = Object.entries(doc.paths).filter(([p]) => p.startsWith('/portal/')).flatMap(([, item]) => Object.values(item));
    expect(portal.length).toBeGreaterThan(20);
    for (const op of portal) expect(Object.keys(op.security![0]!)).toContain('memberSession');
    const starts = Object.entries(doc.paths).filter(([p]) => /^\/auth\/(staff|member)\/(sign-in|code)/.test(p));
    expect(starts.length).toBeGreaterThan(0);
    for (const [, item] of starts) for (const op of Object.values(item)) expect(op.security).toEqual([]);
  });

  it('declares problem answers with their codes on every operation', () => {
    const balance = operation('get', '/v1/accounts/{id}/balance');
    expect(Object.keys(balance.responses)).toEqual(expect.arrayContaining(['200', '401', '404']));
    expect(balance.responses['404']!.content!['application/problem+json']!.schema).toMatchObject({
      allOf: [{ $ref: '#/components/schemas/Problem' }, { properties: { code: { enum: expect.arrayContaining(['not_found']) } } }],
    });
    for (const item of Object.values(doc.paths)) for (const op of Object.values(item)) expect(Object.keys(op.responses).some((s) => s.startsWith('4'))).toBe(true);
  });

  it('names its domain objects as reusable schemas', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Problem', 'Account', 'Member', 'Balance']));
  });

  it('describes the webhooks Lojal sends, with payloads and the signature header', () => {
    expect(Object.keys(doc.webhooks)).toEqual(expect.arrayContaining(['reward_order.placed', 'tier.changed', 'service_request.changed']));
    expect(doc.webhooks['tier.changed']!.post.parameters.map((p) => p.name)).toContain('lojal-signature');
  });

  it('names the server LOJAL_PUBLIC_URL gives', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: 'https://loyalty.nordbygg.example' })]);
  });

  it('shows the document at /docs under Lojal\'s name', async () => {
    const page = await t.call('GET', '/docs/', undefined, null);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Lojal API reference');
  });
});

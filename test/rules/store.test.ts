import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRule, getRuleVersions, rulesInForce, updateRule } from '../../src/rules/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

const fixed = (points: number) => ({
  conditions: { eventTypes: ['purchase'] },
  effect: { type: 'fixed', points },
  recipient: { type: 'account' },
});

interface RuleJson {
  id: string;
  version: number;
  name: string;
  description: string | null;
  priority: number;
  active: boolean;
  effectiveFrom: string;
  definition: { effect: { points?: number } };
  createdAt: string;
  versions?: { version: number; active: boolean; effectiveFrom: string }[];
}

async function create(body: Record<string, unknown>, key?: string): Promise<RuleJson> {
  const res = await t.call('POST', '/v1/rules', { definition: fixed(10), ...body }, key);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function patch(id: string, body: Record<string, unknown>): Promise<RuleJson> {
  const res = await t.call('PATCH', `/v1/rules/${id}`, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('rules over HTTP', () => {
  it('creates version 1 with defaults and reads it back with its versions', async () => {
    const before = t.clock().getTime();
    const rule = await create({ name: 'Points per purchase' });
    expect(rule).toMatchObject({ version: 1, name: 'Points per purchase', description: null, priority: 100, active: true });
    expect(rule.definition).toEqual(fixed(10));
    expect(Date.parse(rule.effectiveFrom)).toBeGreaterThanOrEqual(before - 5);
    expect(Date.parse(rule.effectiveFrom)).toBeLessThanOrEqual(t.clock().getTime() + 5);

    const got = await t.call('GET', `/v1/rules/${rule.id}`);
    expect(got.statusCode).toBe(200);
    const body: RuleJson = got.json();
    expect(body).toMatchObject({ id: rule.id, version: 1, createdAt: rule.createdAt });
    expect(body.versions).toEqual([
      { version: 1, name: 'Points per purchase', priority: 100, active: true, effectiveFrom: rule.effectiveFrom, createdAt: rule.createdAt },
    ]);
  });

  it('updates by writing a new version that copies what was not changed, and keeps the old one readable', async () => {
    const v1 = await create({ name: 'Login bonus', description: 'daily', priority: 50, effectiveFrom: '2026-01-01T00:00:00Z' });
    const v2 = await patch(v1.id, { expectedVersion: 1, definition: fixed(20), effectiveFrom: '2026-02-01T01:00:00+01:00' });
    expect(v2).toMatchObject({ id: v1.id, version: 2, name: 'Login bonus', description: 'daily', priority: 50, active: true });
    expect(v2.effectiveFrom).toBe('2026-02-01T00:00:00.000Z');
    expect(v2.definition.effect.points).toBe(20);

    const v3 = await patch(v1.id, { expectedVersion: 2, name: 'Login bonus (app)', description: null, priority: 60 });
    expect(v3).toMatchObject({ version: 3, name: 'Login bonus (app)', description: null, priority: 60 });
    expect(v3.definition.effect.points).toBe(20);

    const old = await t.call('GET', `/v1/rules/${v1.id}/versions/1`);
    expect(old.statusCode).toBe(200);
    expect(old.json()).toMatchObject({ version: 1, name: 'Login bonus', description: 'daily', definition: fixed(10) });
    const full: RuleJson = (await t.call('GET', `/v1/rules/${v1.id}`)).json();
    expect(full.version).toBe(3);
    expect(full.versions!.map((v) => v.version)).toEqual([1, 2, 3]);
    expect((await t.call('GET', `/v1/rules/${v1.id}/versions/4`)).statusCode).toBe(404);
  });

  it('refuses a version that would take effect before the previous one', async () => {
    const v1 = await create({ name: 'Scheduled', effectiveFrom: '2030-01-01T00:00:00Z' });
    const early = await t.call('PATCH', `/v1/rules/${v1.id}`, { expectedVersion: 1, effectiveFrom: '2029-12-31T23:59:59Z' });
    expect(early.statusCode).toBe(422);
    expect(early.json().code).toBe('invalid_rule');
    expect(early.json().errors[0].path).toBe('effectiveFrom');
    // Defaulting to now is also before a version scheduled for 2030.
    const byDefault = await t.call('PATCH', `/v1/rules/${v1.id}`, { expectedVersion: 1, name: 'x' });
    expect(byDefault.statusCode).toBe(422);
    expect(byDefault.json().detail).toContain('2030-01-01T00:00:00.000Z');
    // The same instant is allowed: the new version replaces the scheduled one.
    const same = await patch(v1.id, { expectedVersion: 1, effectiveFrom: '2030-01-01T00:00:00Z', definition: fixed(11) });
    expect(same.version).toBe(2);
  });

  it('archives with a new inactive version and re-activates with PATCH active: true', async () => {
    const rule = await create({ name: 'Archivable' });
    const archived = await t.call('POST', `/v1/rules/${rule.id}/archive`, { expectedVersion: 1 });
    expect(archived.statusCode).toBe(200);
    expect(archived.json()).toMatchObject({ version: 2, active: false, name: 'Archivable', definition: fixed(10) });

    const inactive: RuleJson[] = (await t.call('GET', '/v1/rules?active=false')).json().data;
    expect(inactive.map((r) => r.id)).toContain(rule.id);
    const active: RuleJson[] = (await t.call('GET', '/v1/rules?active=true')).json().data;
    expect(active.map((r) => r.id)).not.toContain(rule.id);

    const back = await patch(rule.id, { expectedVersion: 2, active: true });
    expect(back).toMatchObject({ version: 3, active: true });
    const history: RuleJson = (await t.call('GET', `/v1/rules/${rule.id}`)).json();
    expect(history.versions!.map((v) => v.active)).toEqual([true, false, true]);
  });

  it('lists the latest version of each rule by priority, then name, and searches name and description', async () => {
    const { key } = await t.newProgram();
    const low = await create({ name: 'b low', priority: 10 }, key);
    const high = await create({ name: 'z high', priority: 500, description: 'Black Friday campaign' }, key);
    const tieB = await create({ name: 'b tie' }, key);
    const tieA = await create({ name: 'a tie' }, key);
    const res = await t.call('GET', '/v1/rules', undefined, key);
    expect(res.statusCode).toBe(200);
    const data: RuleJson[] = res.json().data;
    expect(data.map((r) => r.id)).toEqual([high.id, tieA.id, tieB.id, low.id]);
    // Page by page, the same order, each rule once.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: RuleJson[]; nextCursor: string | null } = (await t.call('GET', `/v1/rules?limit=1${cursor ? `&cursor=${cursor}` : ''}`, undefined, key)).json();
      paged.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual([high.id, tieA.id, tieB.id, low.id]);

    await t.call('PATCH', `/v1/rules/${low.id}`, { expectedVersion: 1, name: 'b low renamed' }, key);
    const after: RuleJson[] = (await t.call('GET', '/v1/rules', undefined, key)).json().data;
    expect(after).toHaveLength(4);
    expect(after.find((r) => r.id === low.id)).toMatchObject({ version: 2, name: 'b low renamed' });

    const search = async (q: string) =>
      ((await t.call('GET', `/v1/rules?q=${encodeURIComponent(q)}`, undefined, key)).json().data as RuleJson[]).map((r) => r.id);
    expect(await search('FRIDAY')).toEqual([high.id]);
    expect(await search('tie')).toEqual([tieA.id, tieB.id]);
    expect(await search('renamed')).toEqual([low.id]);
    expect(await search('100%')).toEqual([]);
  });

  it('refuses a stale expectedVersion with rule_version_conflict naming the current version', async () => {
    const rule = await create({ name: 'Contended' });
    await patch(rule.id, { expectedVersion: 1, priority: 120 });
    const stale = await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, priority: 130 });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('rule_version_conflict');
    expect(stale.json().detail).toContain('version 2');
    const staleArchive = await t.call('POST', `/v1/rules/${rule.id}/archive`, { expectedVersion: 1 });
    expect(staleArchive.statusCode).toBe(409);
    const ahead = await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 3, priority: 130 });
    expect(ahead.statusCode).toBe(409);
    expect(((await t.call('GET', `/v1/rules/${rule.id}`)).json() as RuleJson).version).toBe(2);
  });

  it('lets only one of several racing edits of the same version win, the others get rule_version_conflict', async () => {
    // Called on the store directly, all reads happen before the inserts even on PGlite, so the losers
    // are turned away by the primary key (unique violation), not by the version check before it.
    const rule = await createRule(t.database.db, t.programId, { name: 'Race', definition: fixed(1) }, t.clock());
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => updateRule(t.database.db, t.programId, rule.id, { expectedVersion: 1, priority: i }, t.clock())),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'rule_version_conflict', params: { current: 2 } });
    }
    expect((await getRuleVersions(t.database.db, t.programId, rule.id)).map((v) => v.version)).toEqual([1, 2]);
  });

  it('answers 404 for rules that do not exist', async () => {
    const missing = '01900000-0000-7000-8000-000000000000';
    for (const [method, url, body] of [
      ['GET', `/v1/rules/${missing}`, undefined],
      ['GET', `/v1/rules/${missing}/versions/1`, undefined],
      ['PATCH', `/v1/rules/${missing}`, { expectedVersion: 1, name: 'x' }],
      ['POST', `/v1/rules/${missing}/archive`, { expectedVersion: 1 }],
    ] as const) {
      const res = await t.call(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json().code).toBe('not_found');
    }
    expect((await t.call('GET', '/v1/rules/not-a-uuid')).statusCode).toBe(400);
  });
});

describe('invalid rules', () => {
  const cases: { name: string; definition: unknown; path: string; message: RegExp }[] = [
    {
      name: 'zero points',
      definition: { ...fixed(10), effect: { type: 'fixed', points: 0 } },
      path: 'definition.effect.points',
      message: /points must be a whole number from 1/,
    },
    {
      name: 'a typo in a condition',
      definition: { ...fixed(10), conditions: { eventType: ['purchase'] } },
      path: 'definition.conditions.eventType',
      message: /unknown field "eventType"/,
    },
    {
      name: 'a missing recipient',
      definition: { conditions: {}, effect: { type: 'fixed', points: 1 } },
      path: 'definition.recipient',
      message: /recipient\.type must be one of/,
    },
    {
      name: 'an empty list',
      definition: { ...fixed(10), conditions: { eventTypes: [] } },
      path: 'definition.conditions.eventTypes',
      message: /must not be empty/,
    },
    {
      name: 'a multiplier with a lines filter',
      definition: {
        conditions: { lines: { categories: ['tools'] } },
        effect: { type: 'multiplier', factor: 2 },
        recipient: { type: 'account' },
      },
      path: 'definition.conditions.lines',
      message: /cannot filter lines/,
    },
    {
      name: 'not an object',
      definition: 'double points',
      path: 'definition',
      message: /a rule definition must be an object/,
    },
    {
      name: 'a multiplier of a rule that does not exist',
      definition: {
        conditions: {},
        effect: { type: 'multiplier', factor: 2, ruleIds: ['01900000-0000-7000-8000-000000000000'] },
        recipient: { type: 'account' },
      },
      path: 'definition.effect.ruleIds.0',
      message: /no rule 01900000-0000-7000-8000-000000000000 in this program/,
    },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with 422 invalid_rule naming ${c.path}`, async () => {
      const res = await t.call('POST', '/v1/rules', { name: c.name, definition: c.definition });
      expect(res.statusCode, res.body).toBe(422);
      const body = res.json();
      expect(body.code).toBe('invalid_rule');
      expect(body.errors).toContainEqual({ path: c.path, message: expect.stringMatching(c.message), code: expect.any(String) });
      expect(body.detail).toMatch(c.message);
      expect(body.detail).toContain(c.path);
    });
  }

  it('refuses an invalid definition in an update and keeps the version', async () => {
    const rule = await create({ name: 'Keep me' });
    const res = await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, definition: { ...fixed(1), stacking: 'alone' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('definition.stacking');
    expect(((await t.call('GET', `/v1/rules/${rule.id}`)).json() as RuleJson).version).toBe(1);
  });

  it('accepts a multiplier of an existing rule, normalizing the id, but not of itself on update', async () => {
    const base = await create({ name: 'Base' });
    const multiplier = await create({
      name: 'Double',
      definition: { conditions: {}, effect: { type: 'multiplier', factor: 2, ruleIds: [base.id.toUpperCase()] }, recipient: { type: 'account' } },
    });
    expect(multiplier.definition.effect).toEqual({ type: 'multiplier', factor: 2, ruleIds: [base.id] });
    const self = await t.call('PATCH', `/v1/rules/${multiplier.id}`, {
      expectedVersion: 1,
      definition: { conditions: {}, effect: { type: 'multiplier', factor: 2, ruleIds: [multiplier.id] }, recipient: { type: 'account' } },
    });
    expect(self.statusCode).toBe(422);
    expect(self.json().errors[0]).toMatchObject({ path: 'definition.effect.ruleIds.0', message: expect.stringMatching(/itself/) });
  });

  it('refuses unknown fields, wrong types and missing fields with 400 validation_failed', async () => {
    const rule = await create({ name: 'Strict' });
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/v1/rules', { name: 'x', definition: fixed(1), colour: 'red' }, /colour/],
      ['POST', '/v1/rules', { name: 'x' }, /definition/],
      ['POST', '/v1/rules', { name: '', definition: fixed(1) }, /name/],
      ['POST', '/v1/rules', { name: 'x', priority: 1.5, definition: fixed(1) }, /priority/],
      ['POST', '/v1/rules', { name: 'x', effectiveFrom: 'tomorrow', definition: fixed(1) }, /effectiveFrom/],
      ['PATCH', `/v1/rules/${rule.id}`, { name: 'no version' }, /expectedVersion/],
      ['PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, version: 2 }, /version/],
      ['POST', `/v1/rules/${rule.id}/archive`, { expectedVersion: 1, reason: 'old' }, /reason/],
      ['GET', '/v1/rules?colour=red', undefined, /colour/],
    ];
    for (const [method, url, body, path] of cases) {
      const res = await t.call(method, url, body);
      expect(res.statusCode, `${method} ${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json().code).toBe('validation_failed');
      expect(res.json().errors.map((e: { path: string }) => e.path).join(' ')).toMatch(path);
    }
  });
});

describe('tenants and scopes', () => {
  it("keeps one program's rules away from another's key", async () => {
    const rule = await create({ name: 'Program A only' });
    const other = await t.newProgram();
    const get = await t.call('GET', `/v1/rules/${rule.id}`, undefined, other.key);
    expect(get.statusCode).toBe(404);
    expect((await t.call('GET', `/v1/rules/${rule.id}/versions/1`, undefined, other.key)).statusCode).toBe(404);
    expect((await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, name: 'hijack' }, other.key)).statusCode).toBe(404);
    expect((await t.call('POST', `/v1/rules/${rule.id}/archive`, { expectedVersion: 1 }, other.key)).statusCode).toBe(404);
    const list: RuleJson[] = (await t.call('GET', '/v1/rules', undefined, other.key)).json().data;
    expect(list.map((r) => r.id)).not.toContain(rule.id);
    // Nor can its multipliers point at program A's rules.
    const multiplier = await t.call(
      'POST',
      '/v1/rules',
      { name: 'x', definition: { conditions: {}, effect: { type: 'multiplier', factor: 2, ruleIds: [rule.id] }, recipient: { type: 'account' } } },
      other.key,
    );
    expect(multiplier.statusCode).toBe(422);
    expect(((await t.call('GET', `/v1/rules/${rule.id}`)).json() as RuleJson).version).toBe(1);
    expect(await (await rulesInForce(t.database.db, other.programId, [t.clock()]))(new Date(0))).toEqual([]);
  });

  it('needs rules:write to write and read to read', async () => {
    const reader = await t.keyWith(['read']);
    const writer = await t.keyWith(['rules:write']);
    const denied = await t.call('POST', '/v1/rules', { name: 'x', definition: fixed(1) }, reader);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('insufficient_scope');
    const rule = await create({ name: 'By writer' }, writer);
    expect((await t.call('GET', `/v1/rules/${rule.id}`, undefined, reader)).statusCode).toBe(200);
    expect((await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, name: 'y' }, reader)).statusCode).toBe(403);
  });

  it('documents the routes in OpenAPI', async () => {
    const doc = (await t.call('GET', '/openapi.json', undefined, null)).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/rules', '/v1/rules/{id}', '/v1/rules/{id}/versions/{version}', '/v1/rules/{id}/archive']),
    );
    expect(JSON.stringify(doc.paths['/v1/rules'].post)).toContain('docs/rules.md');
  });
});

describe('rulesInForce', () => {
  const at = (iso: string) => new Date(iso);

  it('gives, for each instant, the version in force then, without archived or not-yet-started rules', async () => {
    const { programId, key } = await t.newProgram();
    // A: 10 points from March, 20 from May, archived from July.
    const a = await create({ name: 'A', effectiveFrom: '2026-03-01T00:00:00Z' }, key);
    await t.call('PATCH', `/v1/rules/${a.id}`, { expectedVersion: 1, definition: fixed(20), effectiveFrom: '2026-05-01T00:00:00Z' }, key);
    await t.call('POST', `/v1/rules/${a.id}/archive`, { expectedVersion: 2, effectiveFrom: '2026-07-01T00:00:00Z' }, key);
    // B: from June, priority 200.
    const b = await create({ name: 'B', priority: 200, effectiveFrom: '2026-06-01T00:00:00Z' }, key);
    // C: from January, same priority as A, so A and C are ordered by id.
    const c = await create({ name: 'C', effectiveFrom: '2026-01-01T00:00:00Z' }, key);

    const instants = ['2025-12-31T23:59:59Z', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', '2026-06-15T00:00:00Z', '2026-07-01T00:00:00Z', '2026-12-01T00:00:00Z'].map(at);
    const inForce = await rulesInForce(t.database.db, programId, instants);
    const show = (iso: string) => inForce(at(iso)).map((r) => `${r.name}${r.version}:${(r.definition.effect as { points: number }).points}`);
    const first = [a.id, c.id].sort()[0];
    const ac = (aPart: string) => (first === a.id ? [aPart, 'C1:10'] : ['C1:10', aPart]);

    expect(show('2025-12-31T23:59:59Z')).toEqual([]);
    expect(show('2026-02-01T00:00:00Z')).toEqual(['C1:10']);
    expect(show('2026-04-01T00:00:00Z')).toEqual(ac('A1:10'));
    expect(show('2026-04-30T23:59:59.999Z')).toEqual(ac('A1:10'));
    expect(show('2026-05-01T00:00:00Z')).toEqual(ac('A2:20')); // effectiveFrom is inclusive
    expect(show('2026-06-15T00:00:00Z')).toEqual(['B1:10', ...ac('A2:20')]);
    expect(show('2026-06-30T23:59:59.999Z')).toEqual(['B1:10', ...ac('A2:20')]);
    expect(show('2026-07-01T00:00:00Z')).toEqual(['B1:10', 'C1:10']);
    expect(show('2026-12-01T00:00:00Z')).toEqual(['B1:10', 'C1:10']);

    // Re-activated from September: A's next version pays again from then on, and only then.
    await t.call('PATCH', `/v1/rules/${a.id}`, { expectedVersion: 3, active: true, effectiveFrom: '2026-09-01T00:00:00Z' }, key);
    // The loaded function is a snapshot: it does not query again.
    expect(show('2026-12-01T00:00:00Z')).toEqual(['B1:10', 'C1:10']);
    const reloaded = await rulesInForce(t.database.db, programId, instants);
    expect(reloaded(at('2026-08-01T00:00:00Z')).map((r) => r.name)).toEqual(['B', 'C']);
    expect(reloaded(at('2026-12-01T00:00:00Z')).map((r) => `${r.name}${r.version}`)).toEqual(['B1', ...(first === a.id ? ['A4', 'C1'] : ['C1', 'A4'])]);
    // Versions after the latest instant asked about are not loaded.
    const early = await rulesInForce(t.database.db, programId, [at('2026-04-01T00:00:00Z')]);
    expect(early(at('2026-04-01T00:00:00Z')).map((r) => `${r.name}${r.version}`).sort()).toEqual(['A1', 'C1']);
    expect(() => early(at('2026-04-01T00:00:00.001Z'))).toThrow(RangeError);
  });

  it('lets the higher of two versions with the same start win', async () => {
    const { programId, key } = await t.newProgram();
    const rule = await create({ name: 'Twice', effectiveFrom: '2026-03-01T00:00:00Z' }, key);
    await t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, definition: fixed(99), effectiveFrom: '2026-03-01T00:00:00Z' }, key);
    const inForce = await rulesInForce(t.database.db, programId, [at('2026-03-01T00:00:00Z')]);
    expect(inForce(at('2026-03-01T00:00:00Z')).map((r) => r.version)).toEqual([2]);
  });

  it('answers an empty list of instants without a query and refuses invalid dates', async () => {
    const none = await rulesInForce(t.database.db, t.programId, []);
    expect(() => none(t.clock())).toThrow(RangeError);
    await expect(rulesInForce(t.database.db, t.programId, [new Date('nope')])).rejects.toThrow(RangeError);
  });
});

describe.runIf(onPostgres)('concurrent edits on PostgreSQL', () => {
  it('lets exactly one of 10 concurrent PATCHes of the same version win; the rest get 409', async () => {
    const rule = await create({ name: 'Hot rule' });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => t.call('PATCH', `/v1/rules/${rule.id}`, { expectedVersion: 1, priority: i + 1 })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(9);
    for (const r of results.filter((r) => r.statusCode === 409)) expect(r.json().code).toBe('rule_version_conflict');
    const full: RuleJson = (await t.call('GET', `/v1/rules/${rule.id}`)).json();
    expect(full.versions!.map((v) => v.version)).toEqual([1, 2]);
    const winner = results.find((r) => r.statusCode === 200)!.json();
    expect(full.priority).toBe(winner.priority);
  });
});

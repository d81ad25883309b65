/**
 * Records the OpenAPI document's examples from the demo program: seeds the demo in memory, runs each area's calls
 * (scripts/openapi-examples/AREA.ts) against the app as an integrator, the console or the portal would, and writes
 * each operation's request and answer to src/http/openapi-examples.json, which the document shows.
 *
 *   npm run openapi:examples                 all areas
 *   npm run openapi:examples -- --only shop  one area; the other areas' examples are kept
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock/index.js';
import { loadConfig } from '../../src/config/index.js';
import { openMemory } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { ensureDemoProgram } from '../../src/demo/index.js';
import { demoSignIns, ensureDemoSignIns } from '../../src/demo/sign-in.js';
import { getMemberByExternalId } from '../../src/accounts/index.js';
import { DiskEvidenceStore } from '../../src/evidence/store.js';
import { sessionCookies } from '../../src/sessions/http.js';
import { chooseSessionMember, createSession, csrfTokenFor } from '../../src/sessions/store.js';
import type { ExampleAnswer, ExampleRequest, ExampleRun, ExampleScript } from './types.js';
import core from './core.js';
import earning from './earning.js';
import shop from './shop.js';
import portal from './portal.js';
import listen from './listen.js';
import relevance from './relevance.js';
import recognition from './recognition.js';

const areas: Record<string, ExampleScript> = { core, earning, shop, portal, listen, recognition, relevance };
const outFile = new URL('../../src/http/openapi-examples.json', import.meta.url);

interface Recorded {
  area: string;
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  /** A multipart request's fields; a file is shown by its name and type. */
  form?: Record<string, string>;
  response?: ExampleAnswer;
  error?: ExampleAnswer;
}

/** Long lists shortened: an example shows the shape, not the demo's whole catalogue. */
function trimmed(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 3).map(trimmed);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, trimmed(v)]));
  return value;
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only && !areas[only]) throw new Error(`--only: no area ${only}; areas: ${Object.keys(areas).join(', ')}`);

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lojal-examples-'));
const database = await openMemory();
await migrate(database);
const config = loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', LOJAL_DATA_DIR: dataDir, LOJAL_PUBLIC_URL: 'https://loyalty.example.com' });
const evidence = new DiskEvidenceStore(config.evidenceDir);
const clock = systemClock;
process.stdout.write('seeding the demo program… ');
let adminKey = '';
await ensureDemoProgram(database.db, async (k) => void (adminKey = k), async () => adminKey, clock(), evidence);
const program = await database.db.selectFrom('programs').select('id').executeTakeFirstOrThrow();
await ensureDemoSignIns(database.db, program.id, clock());
console.log('done');

const app: FastifyInstance = await buildApp(database, config, { demo: true, evidence, clock });
await app.ready();
const doc = app.swagger() as { paths: Record<string, Record<string, { operationId?: string; security?: Array<Record<string, unknown>> }>> };
const operations = new Map<string, { method: string; path: string; security: Array<Record<string, unknown>> }>();
for (const [p, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) if (op.operationId) operations.set(op.operationId, { method: method.toUpperCase(), path: p, security: op.security ?? [] });
}

const member = await getMemberByExternalId(database.db, program.id, demoSignIns.portalMemberExternalId);
const staff = await database.db.selectFrom('staff_users').select('id').where('program_id', '=', program.id).where('email', '=', demoSignIns.console.email).executeTakeFirstOrThrow();
async function sessionHeaders(kind: 'staff' | 'member', who = member) {
  const { token, session } = await createSession(database.db, kind === 'staff' ? { kind, programId: program.id, staffUserId: staff.id } : { kind, email: who.email ?? null }, clock());
  if (kind === 'member') await chooseSessionMember(database.db, session.id, program.id, who.id);
  // The public URL is https, so the server reads the Secure cookie's `__Host-` name.
  return { cookie: `__Host-${sessionCookies[kind]}=${token}`, 'x-csrf-token': csrfTokenFor(session) };
}
const consoleHeaders = await sessionHeaders('staff');
const portalHeaders = await sessionHeaders('member');

const previous: Record<string, Recorded> = JSON.parse(await fs.readFile(outFile, 'utf8').catch(() => '{}'));
const recorded: Record<string, Recorded> = only ? Object.fromEntries(Object.entries(previous).filter(([, r]) => r.area !== only)) : {};
const failures: string[] = [];

for (const [area, script] of Object.entries(areas)) {
  if (only && area !== only) continue;
  const run: ExampleRun = {
    db: database.db,
    programId: program.id,
    memberId: member.id,
    staffUserId: staff.id,
    async call(request: ExampleRequest): Promise<ExampleAnswer> {
      const operation = operations.get(request.operationId);
      if (!operation) throw new Error(`${area}: no operation ${request.operationId} in the document`);
      const url =
        operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
          const value = request.params?.[name];
          if (value === undefined) throw new Error(`${request.operationId}: path parameter ${name} missing`);
          return encodeURIComponent(value);
        }) + (request.query ? `?${new URLSearchParams(Object.entries(request.query).map(([k, v]) => [k, String(v)]))}` : '');
      const scheme = Object.keys(operation.security[0] ?? {});
      const headers: Record<string, string> = request.portalMember
        ? await sessionHeaders('member', await getMemberByExternalId(database.db, program.id, request.portalMember))
        : request.as === 'console'
        ? { ...consoleHeaders }
        : scheme.includes('apiKey')
        ? { authorization: `Bearer ${request.apiKey ?? adminKey}` }
        : scheme.includes('memberSession')
          ? { ...portalHeaders }
          : scheme.includes('staffSession')
            ? { ...consoleHeaders }
            : {};
      let payload: string | Buffer | undefined;
      if (request.form) {
        // The multipart body as a browser would send it: FormData serialized by the platform's own Request.
        const form = new FormData();
        for (const [name, value] of Object.entries(request.form)) {
          if (typeof value === 'string') form.append(name, value);
          else form.append(name, new Blob([value.content], { type: value.type }), value.filename);
        }
        const encoded = new Request('http://localhost/', { method: 'POST', body: form });
        headers['content-type'] = encoded.headers.get('content-type')!;
        payload = Buffer.from(await encoded.arrayBuffer());
      } else if (request.body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(request.body);
      }
      const res = await app.inject({ method: operation.method as 'GET', url, headers, ...(payload !== undefined && { payload }) });
      const body = res.headers['content-type']?.toString().includes('json') ? res.json() : res.body.slice(0, 200);
      const answer = { status: res.statusCode, body };
      const expected = request.expectStatus ? res.statusCode === request.expectStatus : res.statusCode >= 200 && res.statusCode < 300;
      if (!expected) {
        throw new Error(`${request.operationId} (${operation.method} ${url}) answered ${res.statusCode}: ${res.body.slice(0, 400)}`);
      }
      const entry = (recorded[request.operationId] ??= { area });
      const isError = res.statusCode >= 400;
      if (isError ? !entry.error : !entry.response) {
        if (!isError || !entry.response) {
          if (request.params) entry.params = request.params;
          if (request.query) entry.query = request.query;
          if (request.body !== undefined) entry.body = trimmed(request.body);
          if (request.form) {
            entry.form = Object.fromEntries(
              Object.entries(request.form).map(([name, value]) => [name, typeof value === 'string' ? value : `(file ${value.filename}, ${value.type})`]),
            );
          }
        }
        entry[isError ? 'error' : 'response'] = { status: answer.status, body: trimmed(answer.body) };
      }
      return answer;
    },
  };
  try {
    await script(run);
  } catch (err) {
    failures.push(`${area}: ${(err as Error).message}`);
  }
}

await fs.writeFile(outFile, JSON.stringify(Object.fromEntries(Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b))), null, 1) + '\n');
const missing = [...operations.keys()].filter((id) => !recorded[id]?.response);
console.log(`examples: ${Object.keys(recorded).length} operations recorded, ${missing.length} of ${operations.size} without a success example`);
if (missing.length) console.log(`  without: ${missing.sort().join(', ')}`);
for (const failure of failures) console.error(`failed: ${failure}`);
await app.close();
await database.close();
await fs.rm(dataDir, { recursive: true, force: true });
process.exit(failures.length ? 1 : 0);

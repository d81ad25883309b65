/**
 * `npm run chaos`: the money guarantees probed from outside, as an attacker or an unlucky integration would meet
 * them, against a real `lojal serve` process on a fresh PostgreSQL database (loopback only, every loop bounded).
 *
 * - overdraw: one member with points for 10 orders sends 200 at once → exactly 10 orders;
 * - oversell: 500 members race for an item with stock 50 → exactly 50 orders, stock 0;
 * - replay: events sent with a third of them again, concurrently → one journal per distinct event;
 * - kill -9: events sent without pause while the server is killed and restarted → every acknowledged event is
 *   in the database exactly once, and the cached balances equal the sums of their entries.
 *
 * `--short` is the form CI runs (fewer requests, 3 kills). Prints a table; exits 1 when a guarantee fails.
 * The database is CHAOS_DATABASE_URL's server (default the local one, as the tests use) and is dropped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { openPostgres } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { createApiKey } from '../src/programs/api-keys.js';
import { createProgram } from '../src/programs/programs.js';

const short = process.argv.includes('--short');
const size = short
  ? { orders: 60, ordersAffordable: 5, racers: 100, stock: 10, replayEvents: 1_000, replayDuplicates: 300, kills: 3, killEvery: 60 }
  : { orders: 200, ordersAffordable: 10, racers: 500, stock: 50, replayEvents: 7_000, replayDuplicates: 3_300, kills: 20, killEvery: 150 };

const serverUrl = new URL(process.env.CHAOS_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const databaseName = `lojal_chaos_${randomBytes(5).toString('hex')}`;
const databaseUrl = Object.assign(new URL(serverUrl), { pathname: `/${databaseName}` }).toString();

interface Finding {
  probe: string;
  sent: number;
  expected: string;
  observed: string;
  ok: boolean;
}
const findings: Finding[] = [];
const record = (f: Finding) => {
  findings.push(f);
  console.log(`${f.ok ? 'ok  ' : 'FAIL'} ${f.probe}: expected ${f.expected}, observed ${f.observed}`);
};

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl.toString() });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** One `lojal serve` process; `start` resolves once it answers /health. */
class Server {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  constructor(readonly port: number) {}
  get base() {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const child = spawn(process.execPath, ['bin/lojal.js', 'serve'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(this.port), HOST: '127.0.0.1', LOG_LEVEL: 'error', LOJAL_JOBS: 'off' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    // Ready is the first health answer; a process that dies first is an error, not something to wait out.
    let died = false;
    void this.exited.then(() => (died = true));
    for (;;) {
      if (died) throw new Error('lojal serve exited while starting');
      const ok = await fetch(`${this.base}/health`).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
  }
}

async function main() {
  await adminQuery(`CREATE DATABASE ${databaseName}`);
  const database = await openPostgres(databaseUrl, 4);
  // The checks read the tables directly, the way an auditor would.
  const checks = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const server = new Server(await freePort());
  try {
    await migrate(database);
    const program = await createProgram(database.db, { name: 'Chaos', currency: 'SEK', timeZone: 'Europe/Stockholm', defaultLanguage: 'en' });
    const { key } = await createApiKey(database.db, program.id, { name: 'chaos', scopes: ['admin'] });
    await server.start();

    const call = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> => {
      const res = await fetch(server.base + url, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    };
    const must = async (method: string, url: string, body?: unknown) => {
      const res = await call(method, url, body);
      if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(res.json)}`);
      return res.json;
    };
    const count = (sql: string, params: unknown[] = []) =>
      checks.query<{ n: string }>(sql, params).then((r) => Number(r.rows[0]!.n));
    const tally = (statuses: number[]) => Object.entries(statuses.reduce<Record<number, number>>((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {})).map(([s, n]) => `${n}×${s}`).join(' ');

    // People with points to spend, in companies of ten.
    const people = async (prefix: string, n: number, points: number) => {
      const ids: string[] = [];
      for (let a = 0; a * 10 < n; a++) await must('PUT', `/v1/accounts/by-external-id/${prefix}-C${a}`, { name: `${prefix} company ${a}`, country: 'SE' });
      for (let i = 0; i < n; i++) {
        const m = await must('PUT', `/v1/members/by-external-id/${prefix}-P${i}`, { accountExternalId: `${prefix}-C${Math.floor(i / 10)}`, name: `${prefix} person ${i}` });
        if (points > 0) await must('POST', `/v1/members/${m.id}/adjustments`, { points, reasonCode: 'opening', idempotencyKey: `${prefix}-opening-${i}` });
        ids.push(m.id);
      }
      return ids;
    };

    // Overdraw: points for `ordersAffordable` orders, `orders` sent at once.
    {
      const [member] = await people('OD', 1, size.ordersAffordable * 1_000);
      await must('POST', '/v1/rewards', { code: 'od-card', type: 'code', codeSource: 'generated', pricePoints: 1_000, texts: { en: { name: 'Gift card' } } });
      const answers = await Promise.all(
        Array.from({ length: size.orders }, (_, i) => call('POST', '/v1/reward-orders', { reward: 'od-card', memberId: member, idempotencyKey: `overdraw-${i}` })),
      );
      const statuses = answers.map((a) => a.status);
      const balance = (await must('GET', `/v1/members/${member}/balance`)) as { available: number };
      const created = statuses.filter((s) => s === 201).length;
      record({
        probe: 'overdraw',
        sent: size.orders,
        expected: `${size.ordersAffordable} orders, balance 0, no 5xx`,
        observed: `${tally(statuses)}, balance ${balance.available}`,
        ok: created === size.ordersAffordable && balance.available === 0 && !statuses.some((s) => s >= 500),
      });
    }

    // Oversell: `racers` members, stock `stock`.
    {
      const members = await people('OS', size.racers, 1_000);
      await must('POST', '/v1/rewards', { code: 'os-seat', type: 'experience', pricePoints: 400, stock: size.stock, texts: { en: { name: 'Hockey seat' } } });
      const answers = await Promise.all(members.map((m, i) => call('POST', '/v1/reward-orders', { reward: 'os-seat', memberId: m, idempotencyKey: `oversell-${i}` })));
      const statuses = answers.map((a) => a.status);
      const stock = ((await must('GET', '/v1/rewards/os-seat')) as { stock: number }).stock;
      const orders = await count(`SELECT count(*) AS n FROM reward_orders o JOIN rewards r ON r.program_id = o.program_id AND r.id = o.reward_id WHERE o.program_id = $1 AND r.code = 'os-seat'`, [program.id]);
      record({
        probe: 'oversell',
        sent: size.racers,
        expected: `${size.stock} orders, stock 0, no 5xx`,
        observed: `${tally(statuses)}, ${orders} orders, stock ${stock}`,
        ok: orders === size.stock && stock === 0 && !statuses.some((s) => s >= 500),
      });
    }

    // Events that pay: a login is worth 10 points to the member.
    await must('POST', '/v1/rules', {
      name: 'Login',
      effectiveFrom: '2020-01-01T00:00:00Z',
      definition: { conditions: { eventTypes: ['app.login'] }, effect: { type: 'fixed', points: 10 }, recipient: { type: 'member' } },
    });
    await people('EV', 20, 0);
    const login = (id: string, i: number) => ({ id, type: 'app.login', occurredAt: '2026-11-20T10:00:00Z', account: `EV-C${Math.floor((i % 20) / 10)}`, member: `EV-P${i % 20}` });

    // Replay: every event once, a share of them again, in concurrent batches of 100.
    {
      const unique = Array.from({ length: size.replayEvents }, (_, i) => login(`RP-${i}`, i));
      const again = unique.slice(0, size.replayDuplicates);
      const all = [...unique, ...again].sort((a, b) => a.id.localeCompare(b.id));
      const batches = Array.from({ length: Math.ceil(all.length / 100) }, (_, b) => all.slice(b * 100, b * 100 + 100));
      const statuses: number[] = [];
      for (let i = 0; i < batches.length; i += 8) {
        const answers = await Promise.all(batches.slice(i, i + 8).map((events) => call('POST', '/v1/events', { events })));
        statuses.push(...answers.map((a) => a.status));
      }
      const journals = await count(`SELECT count(*) AS n FROM journals j JOIN events e ON e.program_id = j.program_id AND e.id = j.event_id WHERE j.program_id = $1 AND e.external_id LIKE 'RP-%'`, [program.id]);
      record({
        probe: 'replay',
        sent: all.length,
        expected: `${size.replayEvents} journals, no 5xx`,
        observed: `${journals} journals, batches ${tally(statuses)}`,
        ok: journals === size.replayEvents && !statuses.some((s) => s >= 500),
      });
    }

    // kill -9 under load: eight clients send events one by one and retry what was not acknowledged; the server is
    // killed after every `killEvery` acknowledgements (a count, not a time, so a slow machine probes the same thing).
    {
      const acknowledged = new Set<string>();
      let sent = 0;
      let next = 0;
      let kills = 0;
      let down: Promise<void> | undefined;
      const total = size.killEvery * (size.kills + 1);
      const client = async () => {
        for (;;) {
          const i = next++;
          if (i >= total) return;
          const event = login(`KILL-${i}`, i);
          // Retry until acknowledged: an integration does the same after a dropped connection.
          for (;;) {
            await down;
            sent++;
            const res = await call('POST', '/v1/events', event).catch(() => undefined);
            if (res && res.status < 300) break;
            if (res && res.status < 500) throw new Error(`event ${event.id} refused: ${res.status} ${JSON.stringify(res.json)}`);
          }
          acknowledged.add(event.id);
          if (acknowledged.size % size.killEvery === 0 && kills < size.kills && !down) {
            kills++;
            down = server.kill().then(() => server.start()).finally(() => (down = undefined));
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, client));
      await down;
      const stored = await checks.query<{ external_id: string; journals: string }>(
        `SELECT e.external_id, count(j.id) AS journals FROM events e LEFT JOIN journals j ON j.program_id = e.program_id AND j.event_id = e.id
         WHERE e.program_id = $1 AND e.external_id LIKE 'KILL-%' GROUP BY e.external_id`,
        [program.id],
      );
      const byId = new Map(stored.rows.map((r) => [r.external_id, Number(r.journals)]));
      const lost = [...acknowledged].filter((id) => !byId.has(id)).length;
      const doubled = [...byId.values()].filter((n) => n !== 1).length;
      const drift = await count(
        `SELECT count(*) AS n FROM wallets w
           LEFT JOIN LATERAL (
             SELECT coalesce(sum(amount) FILTER (WHERE bucket = 'available'), 0) AS available,
                    coalesce(sum(amount) FILTER (WHERE bucket = 'pending'), 0) AS pending
             FROM entries e WHERE e.program_id = w.program_id AND e.wallet_id = w.id) s ON true
         WHERE w.program_id = $1 AND w.kind IN ('account', 'member') AND (w.available <> s.available OR w.pending <> s.pending)`,
        [program.id],
      );
      record({
        probe: 'kill -9',
        sent,
        expected: `${size.kills} kills, 0 acknowledged lost, 0 paid twice, 0 wallets off their entries`,
        observed: `${kills} kills, ${acknowledged.size} acknowledged, ${lost} lost, ${doubled} not paid once, ${drift} wallets off`,
        ok: kills === size.kills && lost === 0 && doubled === 0 && drift === 0,
      });
    }
  } finally {
    await server.kill('SIGTERM').catch(() => undefined);
    await checks.end();
    await database.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => undefined);
  }

  console.log('\n| probe | requests | expected | observed | |\n|---|---:|---|---|---|');
  for (const f of findings) console.log(`| ${f.probe} | ${f.sent} | ${f.expected} | ${f.observed} | ${f.ok ? 'ok' : 'FAILED'} |`);
  if (findings.some((f) => !f.ok)) process.exitCode = 1;
}

await main();

import { fortySixElks } from '../messages/sms-outbox.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.js';
import { systemClock } from '../clock/index.js';
import { openConfiguredDatabase } from '../db/open.js';
import { keepsOwnStatistics } from '../db/statistics.js';
import { buildApp } from '../app.js';
import type { Db } from '../db/database.js';
import { demoProgramName } from '../demo/name.js';
import { ensureDemoSignIns, type DemoSignIns } from '../demo/sign-in.js';
import { configuredEvidenceStore } from '../evidence/configured.js';
import { startScheduler } from '../jobs/scheduler.js';
import { smtpTransport } from '../mail/index.js';

/** Starts the API; with `demo`, seeds the demo program once and prints how to reach it. */
export async function serve(config: Config, opts: { demo: boolean }): Promise<void> {
  // The server's one clock: the routes, the scheduled jobs and the demo seed all take the time from it.
  const clock = systemClock;
  let { database, applied } = await openConfiguredDatabase(config);
  if (database.kind === 'pglite') {
    console.log(
      `Embedded database in ${config.dataDir}. Fine for trying Lojal out and for development; ` +
        'PGlite does not fsync, so use a PostgreSQL server (DATABASE_URL) in production.',
    );
  }
  if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`);
  const evidence = await configuredEvidenceStore(config);
  console.log(`Evidence files: ${evidence.description}.`);
  if (config.webhooksAllowPrivate) console.log('Webhooks may go to this machine and private networks (LOJAL_WEBHOOKS_ALLOW_PRIVATE=on).');
  const heapLimitMb = Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
  if (heapLimitMb > 1024 && database.kind === 'postgres') {
    // Without a limit V8 lets a busy server's heap grow to several times what is live before it collects it. (On the
    // embedded database the database's own memory, outside V8's heap, is most of the process: no advice there.)
    console.log(
      `Heap limit ${heapLimitMb} MB: start with \`node --max-old-space-size=192 bin/lojal.js serve\` ` +
        'to keep the server near 300 MB resident (docs/operations.md#memory).',
    );
  }

  let demoKey: string | undefined;
  let signIns: DemoSignIns | undefined;
  if (opts.demo) {
    if (!(await demoProgramId(database.db))) {
      // The embedded database is one process's at a time: the seeding process takes it over meanwhile.
      if (database.kind === 'pglite') await database.close();
      await seedDemoInChildProcess(clock());
      if (database.kind === 'pglite') ({ database } = await openConfiguredDatabase(config));
    }
    const keyFile = path.join(config.dataDir, 'demo-api-key.txt');
    demoKey = (await fs.readFile(keyFile, 'utf8').catch(() => '')).trim() || undefined;
    signIns = await ensureDemoSignIns(database.db, (await demoProgramId(database.db))!, clock());
  }

  const app = await buildApp(database, config, { demo: opts.demo, evidence, clock });
  const mail = config.smtpUrl ? { transport: smtpTransport(config.smtpUrl), from: config.mailFrom } : undefined;
  const sms = config.sms ? { provider: fortySixElks(config.sms), from: config.sms.from } : undefined;
  const ownStatistics = await keepsOwnStatistics(database);
  if (ownStatistics && database.kind === 'postgres') {
    console.log(
      config.jobs
        ? 'PostgreSQL runs with autovacuum off: Lojal analyzes the tables that grow (each minute, with its jobs) so that ' +
            'its plans stay index look-ups; removing dead rows (VACUUM) is left to you.'
        : 'PostgreSQL runs with autovacuum off and the jobs are off here (LOJAL_JOBS=off): keep one server with its jobs ' +
            'on, or run `lojal jobs` from cron (both analyze the tables that grow), or plans degrade as the tables grow.',
    );
  }
  const stopJobs = config.jobs
    ? startScheduler(database.db, app.log, clock, undefined, mail, { allowPrivate: config.webhooksAllowPrivate }, evidence, sms, config.publicUrl, ownStatistics)
    : async () => {};
  const stop = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await stopJobs();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const base = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${(app.server.address() as { port: number }).port}`;
  console.log(`\nLojal is running at ${base}\nAPI docs: ${base}/docs   OpenAPI: ${base}/openapi.json`);
  if (demoKey) console.log(`Demo program API key (admin): ${demoKey}\nTry: curl -H "Authorization: Bearer ${demoKey}" ${base}/v1/program\n`);
  if (signIns) {
    console.log(
      `Console: ${base}/admin/   sign in as ${signIns.console.email} / ${signIns.console.password}\n` +
        `Portal:  ${base}/   sign in as ${signIns.portal.email} / ${signIns.portal.password} (${signIns.portal.name}, a company manager)\n` +
        (config.smtpUrl
          ? ''
          : 'No mail server configured (LOJAL_SMTP_URL): mails wait in the outbox (GET /v1/outbox), and member sign-in codes are also written to this log.\n'),
    );
  }
}

const demoProgramId = async (db: Db): Promise<string | undefined> =>
  (await db.selectFrom('programs').select('id').where('name', '=', demoProgramName).executeTakeFirst())?.id;

/**
 * Seeds the demo in a child process (`lojal demo-seed`, src/cli/demo-seed.ts) with this process's Node.js flags and
 * loader, its environment, and this clock's "now" as the demo's today. Its output is this process's; a seed that
 * fails stops the start.
 */
function seedDemoInChildProcess(now: Date): Promise<void> {
  // bin/lojal.js, not this process's script: `npm start` runs a script of its own that always serves.
  const lojal = fileURLToPath(new URL('../../bin/lojal.js', import.meta.url));
  const args = [...process.execArgv, lojal, 'demo-seed', '--now', now.toISOString()];
  const child = spawn(process.execPath, args, { stdio: 'inherit', env: process.env });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`seeding the demo failed (${signal ?? `exit code ${code}`})`))));
  });
}

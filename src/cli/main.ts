#!/usr/bin/env node
import fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Command, InvalidArgumentError } from 'commander';
import { systemClock } from '../clock/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { DataDirLockedError } from '../db/database.js';
import { openConfiguredDatabase } from '../db/open.js';
import { LojalError } from '../errors/index.js';
import { translator } from '../i18n/index.js';
import { createApiKey, scopes, type Scope } from '../programs/api-keys.js';
import { issueApiKey } from '../programs/key-issue.js';
import { auditCheckpoint, systemContext, verifyChain } from '../audit/index.js';
import { setInstanceAdmin } from '../programs/instance.js';
import { readCheckpoints } from '../audit/checkpoints.js';
import { SingleBar, Presets } from 'cli-progress';
import type { Db } from '../db/database.js';
import { createRetailProgram } from '../demo/retail-program.js';
import { getAccountByExternalId } from '../accounts/accounts.js';
import { getMemberByExternalId } from '../accounts/members.js';
import { importAccountsCsv, importMembersCsv } from '../accounts/index.js';
import { importProductsCsv } from '../catalog/index.js';
import { importEventsCsv } from '../imports/csv.js';
import { batchLanesOn } from '../events/ingest.js';
import { getBalance } from '../ledger/queries.js';
import { findOrCreateImportProgram } from '../imports/import-programs.js';
import { analyzeGrownTables, keepsOwnStatistics } from '../db/statistics.js';
import { importLanes, importOnlineRetail, RETAIL_IMPORT_ID, retailSummaryLines } from '../imports/online-retail.js';
import { walletTotalsMismatches } from '../ledger/check.js';
import { createProgram, getProgram, listPrograms, type Program } from '../programs/programs.js';
import { runLedgerJobs } from '../jobs/ledger-jobs.js';
import { runTierJobs } from '../tiers/job.js';
import { deliverWebhooks } from '../webhooks/delivery.js';
import { getReward } from '../rewards/catalogue.js';
import { importCodesFile } from '../rewards/issuing.js';
import { runCoopAccruals } from '../coop/accrual.js';
import { deliverOutbox, smtpTransport } from '../mail/index.js';
import { runOnboardingJobs } from '../onboarding/complete.js';
import { setStaffPasswordByEmail } from '../sessions/staff-sign-in.js';
import { readSecret } from './secret.js';
import { exportCsv, exportKinds, type ExportKind } from '../insight/export.js';
import { periods, segmentFields, type Period, type SegmentField } from '../insight/formulas.js';
import { refreshInsight, runInsightJobs } from '../insight/summary.js';
import { languages, type Language } from '../i18n/index.js';
import { pipeline } from 'node:stream/promises';
import { PassThrough, type Readable } from 'node:stream';
import path from 'node:path';
import { checkRetailFile } from '../imports/online-retail-file.js';

/** A command that ran but could not do all it was asked (rows refused): exit 1 at the end. */
let failed = false;
/** The CLI is an entry point: the one place its commands take the time from, passed down to everything they run. */
const clock = systemClock;

const program = new Command();
program.name('lojal').description('Lojal, the open B2B loyalty and partner-incentive engine').showHelpAfterError();

program
  .command('serve')
  .description('Start the API server (embedded database unless DATABASE_URL is set)')
  .option('--demo', 'seed the demo program on first start and print its API key')
  .action(async (opts: { demo?: boolean }) => {
    // The demo runs on someone's own machine, where a webhook receiver to try is on localhost too: there
    // private targets are allowed unless LOJAL_WEBHOOKS_ALLOW_PRIVATE is set either way.
    const env = opts.demo ? { LOJAL_WEBHOOKS_ALLOW_PRIVATE: 'on', ...process.env } : process.env;
    // The server's modules (HTTP, API docs, object storage, the web pages) load only for `serve`: every other
    // command starts in a fraction of the time.
    const { serve } = await import('./serve.js');
    await serve(loadConfig(env), { demo: Boolean(opts.demo) });
  });

// Run by `serve --demo` on first start, in a process of its own (src/cli/demo-seed.ts says why).
program
  .command('demo-seed', { hidden: true })
  .requiredOption('--now <time>', "the demo's today (ISO 8601)")
  .action(async (opts: { now: string }) => {
    const now = new Date(opts.now);
    if (Number.isNaN(now.getTime())) throw new InvalidArgumentError(`not a time: ${opts.now}`);
    const { seedDemoProgram } = await import('./demo-seed.js');
    await seedDemoProgram(loadConfig({ LOJAL_WEBHOOKS_ALLOW_PRIVATE: 'on', ...process.env }), now);
  });

program
  .command('migrate')
  .description('Apply pending database migrations and exit')
  .action(async () => {
    const { database, applied } = await openConfiguredDatabase(loadConfig());
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The schema is up to date.');
    await database.close();
  });

const parseScopes = (value: string): Scope[] => {
  const list = value.split(',').map((s) => s.trim());
  for (const s of list) {
    if (!(scopes as readonly string[]).includes(s)) throw new InvalidArgumentError(`unknown scope "${s}"; use ${scopes.join(', ')}`);
  }
  return list as Scope[];
};

const programCmd = program.command('program').description('Programs (tenants)');
programCmd
  .command('create')
  .description('Create a program and an admin API key (shown once)')
  .requiredOption('--name <name>', 'program name')
  .requiredOption('--currency <code>', 'ISO 4217 currency, e.g. SEK')
  .option('--language <lang>', 'default language: en, sv, nb, pl, de', 'en')
  .option('--time-zone <tz>', 'IANA time zone', 'UTC')
  .option('--points-name <name>', 'what points are called', 'points')
  .action(async (o: { name: string; currency: string; language: string; timeZone: string; pointsName: string }) => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const p = await createProgram(database.db, {
        name: o.name,
        currency: o.currency,
        defaultLanguage: o.language as 'en',
        timeZone: o.timeZone,
        pointsName: o.pointsName,
      });
      const { key } = await createApiKey(database.db, p.id, { name: 'admin (CLI)', scopes: ['admin'] });
      console.log(`Program ${p.id} created.\nAdmin API key (shown once): ${key}`);
    } finally {
      await database.close();
    }
  });

const auditCmd = program.command('audit').description('The audit log');
auditCmd
  .command('verify')
  .description('Walk the hash chain of the audit log; exit 1 if it is broken or a checkpoint no longer holds')
  .option('--program <id>', 'only this program (default: every program)')
  .option('--checkpoints <file>', 'a file of checkpoints, one JSON object per line, as `lojal audit checkpoint` prints them')
  .action(async (o: { program?: string; checkpoints?: string }) => {
    const checkpoints = o.checkpoints ? await readCheckpoints(o.checkpoints) : [];
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const ids = o.program ? [o.program] : (await listPrograms(database.db)).map((p) => p.id);
      for (const id of ids) {
        const report = await verifyChain(database.db, id, { checkpoints });
        const held = checkpoints.filter((c) => c.programId === id).length;
        const checks = `${report.checked} entries checked${held ? `, ${held} checkpoints` : ''}`;
        if (report.brokenAt === null) console.log(`Program ${id}: ${checks}, the chain is whole.`);
        else {
          console.log(`Program ${id}: ${checks}; broken at seq ${report.brokenAt}: ${report.reason}`);
          failed = true;
        }
        if (report.unkeyed > 0) {
          console.log(`  ${report.unkeyed} entries are chained without a key: anyone who can write the database could rewrite them (set LOJAL_AUDIT_KEY).`);
        }
      }
    } finally {
      await database.close();
    }
  });

auditCmd
  .command('checkpoint')
  .description("Print each program's chain head as a JSON line; keep the lines outside the database and pass them to `audit verify --checkpoints`")
  .option('--program <id>', 'only this program (default: every program)')
  .action(async (o: { program?: string }) => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const ids = o.program ? [o.program] : (await listPrograms(database.db)).map((p) => p.id);
      for (const id of ids) console.log(JSON.stringify(await auditCheckpoint(database.db, id, clock())));
    } finally {
      await database.close();
    }
  });

program
  .command('key')
  .description('API keys')
  .command('create')
  .description('Create an API key for a program (shown once)')
  .requiredOption('--program <id>', 'program id')
  .requiredOption('--name <name>', 'what the key is for, e.g. "ERP"')
  .option('--scopes <list>', `comma-separated: ${scopes.join(', ')}`, parseScopes, ['admin'] as Scope[])
  .option('--staff-user <id>', 'issue the key to this staff user (its scopes must be within their role)')
  .action(async (o: { program: string; name: string; scopes: Scope[]; staffUser?: string }) => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const { key } = await issueApiKey(database.db, systemContext(o.program, 'lojal CLI', clock()), { name: o.name, scopes: o.scopes, staffUserId: o.staffUser });
      console.log(key);
    } finally {
      await database.close();
    }
  });

const staffCmd = program.command('staff').description('Staff users of a program (the console team)');
staffCmd
  .command('instance-admin')
  .description('Let a person create programs while the server runs (POST /v1/programs, the console\'s Programs page): every staff user with the e-mail, in every program')
  .requiredOption('--email <email>', 'the staff user\'s e-mail address')
  .option('--revoke', 'take the right back instead')
  .action(async (o: { email: string; revoke?: boolean }) => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const changed = await setInstanceAdmin(database.db, o.email, !o.revoke);
      if (changed === 0) {
        console.error(`No staff user has the e-mail ${o.email}; create one first (the console's Staff page or an invitation).`);
        failed = true;
        return;
      }
      console.log(`${o.email} ${o.revoke ? 'may no longer' : 'may now'} create programs (${changed} staff ${changed === 1 ? 'row' : 'rows'}).`);
    } finally {
      await database.close();
    }
  });
staffCmd
  .command('set-password')
  .description('Set a staff user\'s console password without mail (read from stdin, or asked for on a terminal)')
  .requiredOption('--program <id>', 'program id')
  .requiredOption('--email <email>', 'the staff user\'s e-mail address')
  .action(async (o: { program: string; email: string }) => {
    const password = await readSecret('Password: ');
    await withProgram(o.program, async (db, p) => {
      await setStaffPasswordByEmail(db, p.id, o.email, password, systemContext(p.id, 'lojal CLI', clock()));
      console.log(`Password set for ${o.email}; their other sessions have ended.`);
    });
  });

program
  .command('jobs')
  .description('Run the periodic jobs once (planner statistics where no autovacuum keeps them, release pending points, expire old points, re-evaluate tiers, accrue co-op funds, complete onboarding profile steps, deliver mail, send due webhooks) and exit')
  .action(async () => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      // Where no autovacuum runs, this is the job that keeps the plans index lookups as the tables grow (a server
      // with its jobs on does it each tick; with every server's jobs off, only this command does).
      if (await keepsOwnStatistics(database)) {
        const analyzed = await analyzeGrownTables(database.db);
        console.log(`Planner statistics: ${analyzed.length ? `analyzed ${analyzed.length} tables that grew (${analyzed.join(', ')})` : 'no table grew enough to analyze'}.`);
      }
      const r = await runLedgerJobs(database.db, clock());
      console.log(`Released ${r.lotsReleased} pending lots; expired ${r.pointsExpired} points; moved ${r.leaverPointsSettled} released points of people who left.`);
      const tiers = await runTierJobs(database.db, clock());
      console.log(`Evaluated tiers of ${tiers.evaluated} accounts and members: ${tiers.upgrades} upgrades, ${tiers.downgrades} downgrades.`);
      const coop = await runCoopAccruals(database.db, clock());
      console.log(`Co-op funds: ${coop.entries} accruals, ${coop.amount} in minor units.`);
      console.log(`Onboarding: ${await runOnboardingJobs(database.db, clock())} profile steps completed.`);
      const insight = await runInsightJobs(database.db, clock());
      console.log(`Insight: KPI summaries of ${insight.refreshed} of ${insight.programs} programs rebuilt in ${insight.tookMs} ms (the others had no new data).`);
      const config = loadConfig();
      if (config.smtpUrl) {
        const transport = smtpTransport(config.smtpUrl);
        const mail = await deliverOutbox(database.db, transport, { from: config.mailFrom, now: clock() }).finally(() => transport.close());
        console.log(`Mail: ${mail.sent} sent, ${mail.retried} to retry, ${mail.failed} failed.`);
      } else {
        console.log('Mail: no LOJAL_SMTP_URL, so mails stay in the outbox (GET /v1/outbox).');
      }
      const hooks = await deliverWebhooks(database.db, { allowPrivate: config.webhooksAllowPrivate, now: clock() });
      console.log(`Webhooks: ${hooks.attempted} attempts, ${hooks.delivered} delivered, ${hooks.retrying} to retry, ${hooks.failed} failed.`);
    } finally {
      await database.close();
    }
  });

program
  .command('balance')
  .description("Show an account's or member's points, by your external id")
  .requiredOption('--program <id>', 'program id')
  .option('--account <externalId>', 'the account (company)')
  .option('--member <externalId>', 'the member (person)')
  .action(async (o: { program: string; account?: string; member?: string }) => {
    if (!o.account === !o.member) throw new InvalidArgumentError('give exactly one of --account or --member');
    await withProgram(o.program, async (db, p) => {
      const owner = o.account ? await getAccountByExternalId(db, p.id, o.account) : await getMemberByExternalId(db, p.id, o.member!);
      const b = await getBalance(db, p.id, owner.id, { now: clock(), timeZone: p.timeZone });
      console.log(`${owner.name} (${o.account ?? o.member})`);
      console.log(`  available  ${b.available} ${p.pointsName}`);
      console.log(`  pending    ${b.pending}${b.pendingReleases.length ? ` (next on ${b.pendingReleases[0]!.date})` : ''}`);
      console.log(`  expiring   ${b.expiringTotal} within 90 days${b.expiring.length ? ` (first on ${b.expiring[0]!.date})` : ''}`);
      console.log(`  lifetime   earned ${b.lifetimeEarned}, spent ${b.lifetimeSpent}, expired ${b.lifetimeExpired}`);
    });
  });

const ledgerCmd = program.command('ledger').description('The points ledger');
ledgerCmd
  .command('check')
  .description("Check every account's and member's kept balance and lifetime totals against the sums of their ledger entries (reads the whole history); exit 1 on a difference")
  .requiredOption('--program <id>', 'program id')
  .action(async (o: { program: string }) => {
    await withProgram(o.program, async (db, p) => {
      const bad = await walletTotalsMismatches(db, p.id);
      for (const m of bad) console.log(`wallet ${m.walletId}: kept ${JSON.stringify(m.kept)}, from entries ${JSON.stringify(m.fromEntries)}`);
      console.log(bad.length === 0 ? 'Every wallet agrees with its entries.' : `${bad.length} wallets differ from their entries.`);
      if (bad.length) failed = true;
    });
  });

const importCmd = program.command('import').description('Import CSV files (plain or .gz) into a program');
for (const kind of ['accounts', 'members', 'products'] as const) {
  importCmd
    .command(`${kind} <file>`)
    .description(`Create or update ${kind} from a CSV with a header row (API field names, camelCase or snake_case)`)
    .requiredOption('--program <id>', 'program id')
    .action(async (file: string, o: { program: string }) => {
      await withProgram(o.program, async (db, p) => {
        const bar = progress(`${kind}`);
        const importer = kind === 'accounts' ? importAccountsCsv : kind === 'members' ? importMembersCsv : importProductsCsv;
        const t0 = performance.now();
        const s = await importer(db, p.id, await openInput(file), clock, (n) => bar.update(n));
        bar.stop();
        printSummary(
          s.rows,
          `created ${s.created}, updated ${s.updated}, failed ${s.failed}, skipped ${s.skipped}`,
          (performance.now() - t0) / 1000,
          s.errors.map((e) => `line ${e.line}: ${e.code} ${e.message}`),
        );
        if (s.failed || s.errorCount) failed = true;
      });
    });
}
importCmd
  .command('events <file>')
  .description('Send events from a CSV, one row per line: id,type,occurred_at,account,member,sku,quantity,amount,original_id')
  .requiredOption('--program <id>', 'program id')
  .action(async (file: string, o: { program: string }) => {
    await withProgram(o.program, async (db, p, lanes, config) => {
      const input = await openInput(file);
      const bar = progress('events');
      const s = await importEventsCsv(db, p, input, clock, (n) => bar.update(n), lanes, config.futureToleranceSeconds).finally(() => bar.stop());
      printSummary(
        s.rows,
        `processed ${s.created}, replayed ${s.replayed}, rejected ${s.failed}${s.refusedRows ? `; ${s.refusedRows} rows refused` : ''}`,
        s.seconds,
        s.errors.map((e) => `line ${e.line}: ${e.code} ${e.message}`),
        s.errorCount,
      );
      if (s.failed || s.errorCount) failed = true;
    });
  });
importCmd
  .command('reward-codes <file>')
  .description("Add gift-card or coupon codes to a reward's pool: one code per line, or a CSV with the code first")
  .requiredOption('--program <id>', 'program id')
  .requiredOption('--reward <code>', 'the reward (its code or id); it must be a code reward with codeSource pool')
  .action(async (file: string, o: { program: string; reward: string }) => {
    await withProgram(o.program, async (db, p) => {
      const reward = await getReward(db, p.id, o.reward);
      const bar = progress('codes');
      const t0 = performance.now();
      const input = await openInput(file);
      const s = await failingWith(input, importCodesFile(db, p.id, reward, input, clock, (n) => bar.update(n))).finally(() => bar.stop());
      printSummary(s.rows, `added ${s.added}, already in the pool ${s.duplicates}; ${s.stock} codes available`, (performance.now() - t0) / 1000, []);
    });
  });
importCmd
  .command('online-retail <file>')
  .description('Import the UCI Online Retail invoice lines (customers, stock codes, invoices, cancellations and manual credits)')
  .option('--program <id>', 'program id; without it the program this import made before, or a new "Online Retail (UCI)" with standard rules')
  .option('--import-id <id>', 'the stable id a run finds its program by; runs with the same id replay into one program', RETAIL_IMPORT_ID)
  .action(async (file: string, o: { program?: string; importId: string }) => {
    // The file first: one that cannot be read or is not the data set leaves no program behind.
    await checkRetailFile(file);
    const config = loadConfig();
    const { database } = await openConfiguredDatabase(config);
    try {
      let p: Program;
      if (o.program) {
        const found = await getProgram(database.db, o.program);
        if (!found) throw new Error(`No program ${o.program}.`);
        p = found;
      } else {
        const { program: chosen, created } = await findOrCreateImportProgram(database.db, o.importId, () => createRetailProgram(database.db, clock()));
        p = chosen;
        if (created) console.log(`Program ${p.id} created. Admin API key (shown once): ${created.key}`);
        else console.log(`Program ${p.id} ("${p.name}") made by an earlier run of import ${o.importId}: replaying into it.`);
      }
      const bar = progress('rows');
      const lanes = await importLanes(database.db, p, database.kind);
      const s = await importOnlineRetail(database.db, p, file, { onProgress: (_phase, n) => bar.update(n), lanes, clock, futureToleranceSeconds: config.futureToleranceSeconds }).finally(
        () => bar.stop(),
      );
      for (const line of retailSummaryLines(s)) console.log(line);
      if (s.rejected || s.accountsFailed || s.productsFailed) failed = true;
    } finally {
      await database.close();
    }
  });

/** A day of the calendar as YYYY-MM-DD: 2026-02-30 and 2026-13-45 are refused, not moved to another day. */
const calendarDate = (v: string): string => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== v) throw new InvalidArgumentError(`not a date of the calendar (YYYY-MM-DD): ${v}`);
  return v;
};

const oneOf = <T extends string>(list: readonly T[], what: string) => (v: string): T => {
  if (!(list as readonly string[]).includes(v)) throw new InvalidArgumentError(`${what}: one of ${list.join(', ')}`);
  return v as T;
};

program
  .command('export <what>')
  .description(`Write a list as CSV (UTF-8 with BOM, numbers in the language's locale): ${exportKinds.join(', ')}`)
  .requiredOption('--program <id>', 'program id')
  .option('--out <file>', 'write here instead of standard output')
  .option('--language <lang>', `${languages.join(', ')}: decimal point and commas (en) or decimal comma and semicolons`, oneOf(languages, 'language'), 'en')
  .option('--from <date>', 'kpis: first day (YYYY-MM-DD)', calendarDate)
  .option('--to <date>', 'kpis: last day (YYYY-MM-DD)', calendarDate)
  .option('--period <period>', `kpis: ${periods.join(', ')}`, oneOf(periods, 'period'), 'month')
  .option('--segment-by <field>', `kpis: ${segmentFields.join(', ')}`, oneOf(segmentFields, 'segment'), 'none')
  .action(async (what: string, o: { program: string; out?: string; language: Language; from?: string; to?: string; period: Period; segmentBy: SegmentField }) => {
    const kind = oneOf(exportKinds, 'what')(what) as ExportKind;
    if (o.from && o.to && o.from > o.to) throw new InvalidArgumentError(`--from ${o.from} is after --to ${o.to}`);
    await withProgram(o.program, async (db, p) => {
      if (kind === 'kpis' || kind === 'cohorts') await refreshInsight(db, p, clock());
      const stream = exportCsv(db, p, kind, { language: o.language, from: o.from, to: o.to, period: o.period, segmentBy: o.segmentBy, now: clock() });
      if (!o.out) {
        await pipeline(stream, process.stdout);
        return;
      }
      // Written beside the target and renamed over it only when complete: a failed export leaves the file as it was.
      const temporary = path.join(path.dirname(o.out), `.${path.basename(o.out)}.${process.pid}.tmp`);
      try {
        await pipeline(stream, fs.createWriteStream(temporary));
        await fs.promises.rename(temporary, o.out);
      } catch (err) {
        await fs.promises.rm(temporary, { force: true });
        throw err;
      }
      console.error(`Wrote ${o.out}.`);
    });
  });

program
  .command('insight-refresh')
  .description('Rebuild the KPI summary tables of a program now (the job does it hourly when data changed)')
  .requiredOption('--program <id>', 'program id')
  .action(async (o: { program: string }) => {
    await withProgram(o.program, async (db, p) => {
      const r = await refreshInsight(db, p, clock(), { force: true });
      console.log(`Rebuilt in ${r.tookMs} ms: ${r.accountDays} account-days.`);
    });
  });

function progress(label: string) {
  const bar = new SingleBar({ format: `${label} {value} rows | {duration}s`, stream: process.stderr, noTTYOutput: false }, Presets.shades_classic);
  bar.start(0, 0);
  return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
}

function printSummary(rows: number, counts: string, seconds: number, errors: string[], errorCount = errors.length) {
  console.log(`${rows} rows: ${counts} in ${seconds.toFixed(1)} s (${Math.round(rows / Math.max(seconds, 0.001))} rows/s).`);
  for (const e of errors.slice(0, 20)) console.log(`  ${e}`);
  if (errorCount > 20) console.log(`  … and ${errorCount - 20} more`);
}

/**
 * The file to import as a stream (unzipped when it ends in `.gz`), opened before anything is written. Every error of
 * the reading — an unreadable file, a `.gz` that is not gzip — reaches the importer as one error saying so, where an
 * error of a stream nobody listens to would end the process with a stack trace.
 */
async function openInput(file: string): Promise<Readable> {
  const handle = await fs.promises.open(file).catch((err: NodeJS.ErrnoException) => {
    throw new Error(err.code === 'ENOENT' ? `${file}: no such file` : `${file} cannot be read: ${err.message}`);
  });
  const input = handle.createReadStream();
  const out = new PassThrough();
  const fail = (what: string) => (err: Error) => out.destroy(new Error(`${file} ${what}: ${err.message}`));
  input.on('error', fail('cannot be read'));
  if (!file.endsWith('.gz')) return input.pipe(out);
  const gunzip = createGunzip();
  gunzip.on('error', fail('cannot be unzipped (is it a gzip file?)'));
  return input.pipe(gunzip).pipe(out);
}

/**
 * The importer's work, or the error of its input: an importer that pipes its input into a parser does not hear of
 * the input's error (a corrupt gzip), which would otherwise end the process as an unhandled error event.
 */
function failingWith<T>(input: Readable, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<never>((_, reject) => input.once('error', reject))]);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Program ids are UUIDs: anything else is refused on the command line, before it reaches a query. */
const programId = (v: string): string => {
  if (!uuid.test(v.trim())) throw new InvalidArgumentError(`not a program id (a UUID such as 0b9f6c1e-…, as \`lojal program create\` prints): ${v}`);
  return v.trim();
};

/** `lanes`: how many transactions an event batch may be written in at once here (LOJAL_BATCH_LANES on a server). */
async function withProgram(id: string, fn: (db: Db, p: Program, lanes: number, config: ReturnType<typeof loadConfig>) => Promise<void>) {
  const config = loadConfig();
  const { database } = await openConfiguredDatabase(config);
  try {
    const p = await getProgram(database.db, id);
    if (!p) throw new Error(`No program ${id}. Create one with: lojal program create`);
    await fn(database.db, p, batchLanesOn(database, config.batchLanes), config);
  } finally {
    await database.close();
  }
}

// Every command's --program takes a program id, checked as such (commands defined above, options by their long name).
const everyCommand = (c: Command): Command[] => [c, ...c.commands.flatMap(everyCommand)];
for (const command of everyCommand(program)) {
  for (const option of command.options) if (option.long === '--program') option.argParser(programId);
}

export { program };

try {
  await program.parseAsync(process.argv);
  // Set explicitly: the embedded database's runtime resets process.exitCode when it shuts down.
  if (failed) process.exit(1);
} catch (err) {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(err.message);
  } else if (err instanceof LojalError) {
    const issues = err.issues?.map((i) => `\n  ${i.path}: ${i.message}`).join('') ?? '';
    console.error(`Error (${err.code}): ${String(translator('en')(`errors:${err.code}`, err.params as never))}${issues}`);
  } else if ((err as { name?: string }).name === 'ZodError') {
    const issues = (err as { issues: Array<{ path: PropertyKey[]; message: string }> }).issues;
    console.error(`Invalid input:${issues.map((i) => `\n  ${i.path.join('.')}: ${i.message}`).join('')}`);
  } else if (err instanceof Error && process.env.LOG_LEVEL !== 'debug') {
    console.error(`Error: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exit(1);
}

#!/usr/bin/env node
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config/index.js';
import { DataDirLockedError } from '../db/database.js';
import { openConfiguredDatabase } from '../db/open.js';
import { LojalError } from '../errors/index.js';
import { createApiKey, scopes, type Scope } from '../programs/api-keys.js';
import { createProgram } from '../programs/programs.js';
import { runLedgerJobs } from '../jobs/ledger-jobs.js';
import { serve } from './serve.js';

const program = new Command();
program.name('lojal').description('Lojal, the open B2B loyalty and partner-incentive engine').showHelpAfterError();

program
  .command('serve')
  .description('Start the API server (embedded database unless DATABASE_URL is set)')
  .option('--demo', 'seed the demo program on first start and print its API key')
  .action(async (opts: { demo?: boolean }) => {
    await serve(loadConfig(), { demo: Boolean(opts.demo) });
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

program
  .command('key')
  .description('API keys')
  .command('create')
  .description('Create an API key for a program (shown once)')
  .requiredOption('--program <id>', 'program id')
  .requiredOption('--name <name>', 'what the key is for, e.g. "ERP"')
  .option('--scopes <list>', `comma-separated: ${scopes.join(', ')}`, parseScopes, ['admin'] as Scope[])
  .action(async (o: { program: string; name: string; scopes: Scope[] }) => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const { key } = await createApiKey(database.db, o.program, { name: o.name, scopes: o.scopes });
      console.log(key);
    } finally {
      await database.close();
    }
  });

program
  .command('jobs')
  .description('Run the periodic ledger jobs once (release pending points, expire old points) and exit')
  .action(async () => {
    const { database } = await openConfiguredDatabase(loadConfig());
    try {
      const r = await runLedgerJobs(database.db);
      console.log(`Released ${r.lotsReleased} pending lots; expired ${r.pointsExpired} points.`);
    } finally {
      await database.close();
    }
  });

export { program };

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    console.error(err.message);
  } else if (err instanceof LojalError) {
    console.error(`Error (${err.code}): ${err.message}`);
  } else if ((err as { name?: string }).name === 'ZodError') {
    console.error(`Invalid input: ${(err as Error).message}`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
}

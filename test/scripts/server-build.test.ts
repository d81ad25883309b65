import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServerIfNeeded, currentServerBuild } from '../../scripts/server-build.mjs';

/**
 * The server's build (scripts/server-build.mjs), on a small tree of its own: bin/lojal.js runs build/ only while
 * it is current for src/, so a changed, added or deleted source must make it stale, never run old code.
 */
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-server-build-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
};
/** A modification time of its own, so two writes within the file system's time resolution still differ. */
let tick = Date.parse('2026-01-01T00:00:00Z') / 1000;
const touch = (file: string) => fs.utimesSync(path.join(root, file), ++tick, tick);

const run = () => spawnSync(process.execPath, [fileURLToPath(currentServerBuild(root)!)], { cwd: root, encoding: 'utf8' });

write('tsconfig.json', fs.readFileSync('tsconfig.json', 'utf8'));
write('src/domain/answer.ts', 'export const answer: number = 42;\n');
write(
  'src/cli/main.ts',
  [
    "import fs from 'node:fs';",
    "import type { Dirent } from 'node:fs';",
    "import { answer } from '../domain/answer.js';",
    "const migration = fs.readFileSync(new URL('../db/migrations/0001_first.sql', import.meta.url), 'utf8').trim();",
    'const unused: Dirent | undefined = undefined;',
    'console.log(answer, migration, unused);',
    '',
  ].join('\n'),
);
write('src/db/migrations/0001_first.sql', 'select 1;\n');

describe('the server build', () => {
  it('builds every module with its data files beside it, and runs without tsx', async () => {
    expect(currentServerBuild(root)).toBeUndefined();
    expect(await buildServerIfNeeded({ root, quiet: true })).toBe('built');
    expect(currentServerBuild(root)).toBe(new URL('build/cli/main.js', `file://${root}/`).href);
    const out = run();
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('42 select 1; undefined\n');
    expect(fs.readdirSync(root).sort()).toEqual(['build', 'src', 'tsconfig.json']);
  });

  it('is current until a source changes, and then stale until built again', async () => {
    expect(await buildServerIfNeeded({ root, quiet: true })).toBe('current');

    write('src/domain/answer.ts', 'export const answer: number = 43;\n');
    touch('src/domain/answer.ts');
    expect(currentServerBuild(root)).toBeUndefined();
    expect(await buildServerIfNeeded({ root, quiet: true })).toBe('built');
    expect(run().stdout).toBe('43 select 1; undefined\n');

    write('src/domain/more.ts', 'export const more = 1;\n');
    expect(currentServerBuild(root)).toBeUndefined();
    await buildServerIfNeeded({ root, quiet: true });
    expect(fs.existsSync(path.join(root, 'build/domain/more.js'))).toBe(true);

    fs.rmSync(path.join(root, 'src/domain/more.ts'));
    expect(currentServerBuild(root)).toBeUndefined();
    await buildServerIfNeeded({ root, quiet: true });
    expect(fs.existsSync(path.join(root, 'build/domain/more.js'))).toBe(false);

    touch('src/db/migrations/0001_first.sql');
    expect(currentServerBuild(root)).toBeUndefined();
    await buildServerIfNeeded({ root, quiet: true });

    write('tsconfig.json', JSON.stringify(JSON.parse(fs.readFileSync('tsconfig.json', 'utf8'))));
    expect(currentServerBuild(root)).toBeUndefined();
    await buildServerIfNeeded({ root, quiet: true });
    expect(currentServerBuild(root)).toBeDefined();
    expect(fs.readdirSync(root).sort()).toEqual(['build', 'src', 'tsconfig.json']);
  });
});

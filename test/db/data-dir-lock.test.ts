/**
 * The embedded database's data directory lock against real processes: a holder killed with SIGKILL leaves its
 * lock behind, and the next opener takes it over at once; a live holder keeps others out, named by its pid.
 * Every wait is on the child process's own output or exit, never on time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lockDataDir, renewDataDirLock } from '../../src/db/data-dir-lock.js';
import { DataDirLockedError } from '../../src/db/database.js';
import { onPostgres } from '../support/db.js';

const script = path.join(import.meta.dirname, 'hold-data-dir.ts');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) {
    c.kill('SIGKILL');
    await once(c, 'exit');
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-lock-'));
  dirs.push(dir);
  return dir;
}

/** Starts a process that opens `dir`; resolves with its first line of output (`ready` or `refused: …`). */
async function opener(dir: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const end = out.indexOf('\n');
      if (end >= 0) resolve(out.slice(0, end));
    });
    child.once('exit', (code, signal) => reject(new Error(`opener exited (${code ?? signal}) before saying anything`)));
  });
  return { child, line };
}

describe.skipIf(onPostgres)('the data directory lock between processes', () => {
  it('a live holder keeps another process out and is named; killed with SIGKILL, its lock is taken over at once', async () => {
    const dir = tempDir();
    const { child, line } = await opener(dir);
    expect(line).toBe('ready');

    const refused = await lockDataDir(dir).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`in use by another Lojal process (pid ${child.pid},`);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(fs.existsSync(path.join(dir, '.lojal.lock'))).toBe(true); // left behind by the dead process
    const again = await lockDataDir(dir);
    await again.release();
  });

  it('another process is refused while this one holds the directory, with this pid in the message', async () => {
    const dir = tempDir();
    const held = await lockDataDir(dir);
    try {
      const { child, line } = await opener(dir);
      expect(line).toMatch(new RegExp(`^refused: The data directory .* is in use by another Lojal process \\(pid ${process.pid},`));
      if (child.exitCode === null) await once(child, 'exit');
      expect(child.exitCode).toBe(3);
    } finally {
      await held.release();
    }
    expect(fs.existsSync(path.join(dir, '.lojal.lock'))).toBe(false);
  });

  it('a lock naming a pid that now belongs to another process (started at another time) is taken over', async () => {
    const dir = tempDir();
    const lockPath = path.join(dir, '.lojal.lock');
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const owner = {
      pid: process.pid,
      startTicks: String(Number(fields[19]) - 1),
      bootId: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      pidNamespace: fs.readlinkSync('/proc/self/ns/pid'),
      host: os.hostname(),
      startedAt: '2026-01-01T00:00:00.000Z',
      nonce: 'earlier',
    };
    fs.writeFileSync(lockPath, JSON.stringify(owner));
    const lock = await lockDataDir(dir);
    expect(JSON.parse(fs.readFileSync(lockPath, 'utf8')).nonce).not.toBe('earlier');
    await lock.release();
  });

  it('a lock of another host is respected while renewed and taken over when its heartbeat stopped 30 s ago', async () => {
    const dir = tempDir();
    const lockPath = path.join(dir, '.lojal.lock');
    fs.writeFileSync(lockPath, JSON.stringify({ pid: 1, startTicks: null, bootId: null, pidNamespace: null, host: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z', nonce: 'x' }));
    await expect(lockDataDir(dir)).rejects.toThrow(/locked by process 1 on elsewhere, which cannot be seen from here/);
    const old = new Date(fs.statSync(lockPath).mtimeMs - 31_000);
    fs.utimesSync(lockPath, old, old);
    const lock = await lockDataDir(dir);
    await lock.release();
  });

  it("a foreign lock's age is told by the file system's clock: this process's clock set an hour either way changes nothing", async () => {
    const dir = tempDir();
    const lockPath = path.join(dir, '.lojal.lock');
    fs.writeFileSync(lockPath, JSON.stringify({ pid: 1, startTicks: null, bootId: null, pidNamespace: null, host: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z', nonce: 'x' }));
    const realNow = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // A host whose clock runs an hour ahead must not see the fresh lock as an hour old and take it over.
      vi.setSystemTime(realNow + 3_600_000);
      await expect(lockDataDir(dir)).rejects.toThrow(/renewed 0 s ago/);
      // One an hour behind must still see a lock whose heartbeat stopped 31 s ago as stale.
      vi.setSystemTime(realNow - 3_600_000);
      const old = new Date(fs.statSync(lockPath).mtimeMs - 31_000);
      fs.utimesSync(lockPath, old, old);
      const lock = await lockDataDir(dir);
      await lock.release();
    } finally {
      vi.useRealTimers();
    }
  });

  it("the owner's heartbeat makes a stale lock fresh again, and renews only a lock that is still its own", async () => {
    const dir = tempDir();
    const lockPath = path.join(dir, '.lojal.lock');
    const text = JSON.stringify({ pid: 1, startTicks: null, bootId: null, pidNamespace: null, host: 'elsewhere', startedAt: '2026-01-01T00:00:00.000Z', nonce: 'theirs' });
    fs.writeFileSync(lockPath, text);
    const old = new Date(fs.statSync(lockPath).mtimeMs - 31_000);
    fs.utimesSync(lockPath, old, old);
    await renewDataDirLock(lockPath, 'theirs');
    expect(fs.readFileSync(lockPath, 'utf8')).toBe(text);
    await expect(lockDataDir(dir)).rejects.toThrow(/renewed 0 s ago/);

    fs.utimesSync(lockPath, old, old);
    await renewDataDirLock(lockPath, 'someone else');
    const lock = await lockDataDir(dir);
    await lock.release();
  });
});

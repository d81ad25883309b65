/**
 * The embedded database's lock on its data directory: PGlite is one PostgreSQL session inside one process, so a
 * second process on the same files would corrupt them.
 *
 * The lock file names its owner: pid, the process's start time (Linux: /proc/<pid>/stat, so that a pid reused
 * by an unrelated process is not mistaken for the owner), the boot and pid namespace it ran in, and the host.
 * When the owner visibly died (a crash, kill -9) the next process takes the lock over at once. When the owner
 * cannot be seen from here (another host on a shared disk, another container), the lock is judged by its
 * heartbeat instead: the owner renews the file's time every 10 s, and one not renewed for 30 s is taken over.
 * A live owner is never taken over, and the refusal names it.
 *
 * The heartbeat is judged by one clock only, the file system's: the owner renews by rewriting the file (the
 * file system stamps the time), and the age is the lock's time against that of a file this process has just
 * written next to it. Neither process's own clock enters, so two hosts whose clocks disagree by more than 30 s
 * (or a process whose clock was set forward) cannot take a live lock over, nor wait on a dead one forever.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export class DataDirLockedError extends Error {}

interface Owner {
  pid: number;
  /** Clock ticks since boot at which the process started (field 22 of /proc/<pid>/stat); null off Linux. */
  startTicks: string | null;
  bootId: string | null;
  pidNamespace: string | null;
  host: string;
  startedAt: string;
  /** Tells this lock from any other, even of the same pid. */
  nonce: string;
}

const heartbeatMs = 10_000;
const staleMs = 30_000;

async function startTicksOf(pid: number): Promise<string | null> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

const optional = async (read: () => Promise<string>): Promise<string | null> => read().then((v) => v.trim(), () => null);
const bootId = () => optional(() => fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8'));
const pidNamespace = () => optional(() => fs.readlink('/proc/self/ns/pid'));

async function me(): Promise<Owner> {
  return {
    pid: process.pid,
    startTicks: await startTicksOf(process.pid),
    bootId: await bootId(),
    pidNamespace: await pidNamespace(),
    host: os.hostname(),
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    nonce: randomUUID(),
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

type Verdict = 'live' | 'dead' | 'unseen';

/** Whether the owner still runs: 'unseen' when it ran where this process cannot look (another host or container). */
async function verdictOn(owner: Owner, self: Owner): Promise<Verdict> {
  if (owner.host !== self.host) return 'unseen';
  // The machine restarted since: nothing of that boot runs any more.
  if (owner.bootId && self.bootId && owner.bootId !== self.bootId) return 'dead';
  if (owner.pidNamespace !== self.pidNamespace) return 'unseen';
  if (!isRunning(owner.pid)) return 'dead';
  if (owner.startTicks && self.startTicks) {
    const now = await startTicksOf(owner.pid);
    if (now !== null && now !== owner.startTicks) return 'dead';
  }
  return 'live';
}

function parseOwner(text: string): Owner | undefined {
  try {
    const o = JSON.parse(text) as Owner;
    return typeof o.pid === 'number' && typeof o.nonce === 'string' && typeof o.host === 'string' ? o : undefined;
  } catch {
    return undefined;
  }
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

export interface DataDirLock {
  release(): Promise<void>;
}

/** Takes the lock of `dataDir`, or throws DataDirLockedError naming the process that holds it. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const lockPath = path.join(dataDir, '.lojal.lock');
  const self = await me();
  const mine = JSON.stringify(self);
  const tmp = `${lockPath}.${self.nonce}.tmp`;
  for (let attempt = 0; attempt < 5; attempt++) {
    // Written whole first, then linked into place: the lock never exists half-written, and link() fails if it exists.
    await fs.writeFile(tmp, mine);
    let fsNowMs: number;
    try {
      await fs.link(tmp, lockPath);
      await fs.unlink(tmp);
      return held(lockPath, self.nonce);
    } catch (err) {
      if (code(err) !== 'EEXIST') {
        await fs.unlink(tmp).catch(() => {});
        throw err;
      }
      // The file just written tells the file system's time now, the clock the lock's heartbeat was stamped by.
      fsNowMs = (await fs.stat(tmp)).mtimeMs;
      await fs.unlink(tmp).catch(() => {});
    }
    const seen = await inspect(lockPath);
    if (!seen) continue; // released meanwhile
    const verdict = seen.owner ? await verdictOn(seen.owner, self) : 'unseen';
    const ageMs = fsNowMs - seen.mtimeMs;
    if (verdict === 'live' || (verdict === 'unseen' && ageMs <= staleMs)) throw lockedError(dataDir, lockPath, seen, verdict, ageMs);
    await takeOver(lockPath, seen.text, self.nonce);
  }
  throw new DataDirLockedError(`The data directory ${dataDir} is being locked and unlocked by other processes; try again.`);
}

/** The lock as found: its owner (none for the directory older versions made with proper-lockfile) and age. */
async function inspect(lockPath: string): Promise<{ owner: Owner | undefined; text: string | null; mtimeMs: number } | undefined> {
  try {
    const stat = await fs.stat(lockPath);
    const text = stat.isDirectory() ? null : await fs.readFile(lockPath, 'utf8');
    return { owner: text === null ? undefined : parseOwner(text), text, mtimeMs: stat.mtimeMs };
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Removes a dead owner's lock. Two processes may find the same dead lock at once: the lock is moved aside
 * (atomic) and checked to be the one judged dead; if another process's fresh lock was moved instead, it is
 * put back, and that process is then found alive.
 */
async function takeOver(lockPath: string, judged: string | null, nonce: string): Promise<void> {
  const aside = `${lockPath}.dead-${nonce}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    throw err;
  }
  const stat = await fs.stat(aside);
  const moved = stat.isDirectory() ? null : await fs.readFile(aside, 'utf8');
  if (moved !== judged) await fs.link(aside, lockPath).catch(() => {});
  await fs.rm(aside, { recursive: true, force: true });
}

function lockedError(dataDir: string, lockPath: string, seen: { owner: Owner | undefined }, verdict: Verdict, ageMs: number): DataDirLockedError {
  const advice = 'Stop it first, or use a PostgreSQL server (DATABASE_URL) to run several processes.';
  const o = seen.owner;
  if (verdict === 'live' && o) {
    return new DataDirLockedError(`The data directory ${dataDir} is in use by another Lojal process (pid ${o.pid}, started ${o.startedAt}). ${advice}`);
  }
  const who = o ? `process ${o.pid} on ${o.host}` : 'a Lojal process of an older version';
  const ago = Math.max(0, Math.round(ageMs / 1000));
  return new DataDirLockedError(
    `The data directory ${dataDir} is locked by ${who}, which cannot be seen from here; the lock was renewed ${ago} s ago ` +
      `and is taken over once it has not been renewed for ${staleMs / 1000} s. ${advice} If that process no longer runs, delete ${lockPath}.`,
  );
}

/**
 * One heartbeat: the lock's own bytes written over themselves, so that the file system stamps the file with its
 * time (utimes would stamp this process's clock, which another host's need not agree with). Through one open
 * file, so the file checked to be ours is the one renewed; readers see the same bytes throughout. Exported for
 * the tests, which cannot wait for the timer.
 */
export async function renewDataDirLock(lockPath: string, nonce: string): Promise<void> {
  const file = await fs.open(lockPath, 'r+');
  try {
    const text = await file.readFile('utf8');
    if (parseOwner(text)?.nonce === nonce) await file.write(text, 0, 'utf8');
  } finally {
    await file.close();
  }
}

function held(lockPath: string, nonce: string): DataDirLock {
  const ours = async () => parseOwner(await fs.readFile(lockPath, 'utf8').catch(() => ''))?.nonce === nonce;
  // The heartbeat for processes that cannot see us; it must not keep the process alive by itself.
  const timer = setInterval(() => {
    void renewDataDirLock(lockPath, nonce).catch(() => {});
  }, heartbeatMs);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      if (await ours()) await fs.unlink(lockPath).catch(() => {});
    },
  };
}

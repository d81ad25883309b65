import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ChildClock {
  /** To add to a child process's environment: its `Date` (and its embedded database's `now()`) then tells this clock. */
  env: { LOJAL_DATE_OFFSET_MS: string; NODE_OPTIONS: string };
  /** The time the child processes tell now, for dating what the test sends them. */
  now(): Date;
}

/** The real time, from the monotonic clock's origin, which scripts/shifted-date.mjs leaves alone. */
const realNow = () => performance.timeOrigin + performance.now();

/**
 * A clock for child Node processes (`bin/lojal.js serve`, CLI commands) that starts at `at` and runs on from there,
 * like a test app's clock started at TEST_NOW: scripts/shifted-date.mjs is preloaded with the offset from the real
 * time. The real time is read without `Date`, so this also holds inside `npm run test:dates`, where this process's
 * own `Date` is already shifted.
 */
export function childClockAt(at: string | Date, inherited: NodeJS.ProcessEnv = process.env): ChildClock {
  const target = new Date(at).getTime();
  if (Number.isNaN(target)) throw new Error(`childClockAt: not a time: ${String(at)}`);
  const offset = Math.round(target - realNow());
  const preload = pathToFileURL(path.resolve('scripts/shifted-date.mjs')).href;
  const options = inherited.NODE_OPTIONS ?? '';
  return {
    env: { LOJAL_DATE_OFFSET_MS: String(offset), NODE_OPTIONS: options.includes(preload) ? options : `${options} --import ${preload}`.trim() },
    now: () => new Date(realNow() + offset),
  };
}

import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Environment for a child Node process (`bin/lojal.js serve`, a CLI command) whose calendar clock starts at `at`
 * and runs on from there, like the clock of a test app: scripts/shifted-date.mjs is preloaded with the offset
 * from the real time. The real time is read from the monotonic clock's origin, which the preload leaves alone,
 * so this also holds inside `npm run test:dates`, where this process's own Date is already shifted.
 */
export function childClockAt(at: string | Date, inherited: NodeJS.ProcessEnv = process.env): { LOJAL_DATE_OFFSET_MS: string; NODE_OPTIONS: string } {
  const target = new Date(at).getTime();
  if (Number.isNaN(target)) throw new Error(`childClockAt: not a time: ${String(at)}`);
  const realNow = performance.timeOrigin + performance.now();
  const preload = pathToFileURL(path.resolve('scripts/shifted-date.mjs')).href;
  const options = inherited.NODE_OPTIONS ?? '';
  return {
    LOJAL_DATE_OFFSET_MS: String(Math.round(target - realNow)),
    NODE_OPTIONS: options.includes(preload) ? options : `${options} --import ${preload}`.trim(),
  };
}

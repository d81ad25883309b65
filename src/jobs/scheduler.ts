import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.js';
import { runLedgerJobs } from './ledger-jobs.js';

/**
 * Runs the periodic jobs inside the server process. A run that is still going when the next is due is
 * not started twice; the jobs themselves are idempotent, so several processes may each run them.
 */
export function startScheduler(db: Db, log: FastifyBaseLogger, intervalMs = 60_000): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = runLedgerJobs(db)
      .then((r) => {
        if (r.lotsReleased || r.pointsExpired) log.info(r, 'ledger jobs');
      })
      .catch((err) => log.error({ err }, 'ledger jobs failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

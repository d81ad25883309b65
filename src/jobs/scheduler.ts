import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.js';
import { runCoopAccruals } from '../coop/accrual.js';
import { runTierJobs } from '../tiers/job.js';
import { deliverOutbox, type MailTransport } from '../mail/index.js';
import { runOnboardingJobs } from '../onboarding/complete.js';
import { deliverWebhooks } from '../webhooks/delivery.js';
import { runLedgerJobs } from './ledger-jobs.js';
import { runInsightJobs } from '../insight/summary.js';

/** Tiers change at period ends (upgrades also at event time), so their job runs every this many ticks. */
const TIER_JOB_EVERY_TICKS = 60;
/** Webhooks are what an ERP waits for, so they go out every few seconds, on a timer of their own. */
const WEBHOOK_INTERVAL_MS = 5_000;

/**
 * Runs the periodic jobs inside the server process. A run that is still going when the next is due is
 * not started twice; the jobs themselves are idempotent, so several processes may each run them.
 */
export function startScheduler(
  db: Db,
  log: FastifyBaseLogger,
  intervalMs = 60_000,
  mail?: { transport: MailTransport; from: string },
  webhooks: { allowPrivate: boolean } = { allowPrivate: false },
): () => Promise<void> {
  let running: Promise<void> | undefined;
  let ticks = 0;
  const tick = () => {
    if (running) return;
    const withTiers = ticks++ % TIER_JOB_EVERY_TICKS === 0;
    running = runLedgerJobs(db)
      .then((r) => {
        if (r.lotsReleased || r.pointsExpired || r.leaverPointsSettled) log.info(r, 'ledger jobs');
      })
      .catch((err) => log.error({ err }, 'ledger jobs failed'))
      // After the ledger jobs, so that expired and released points are settled first; on its own, so a
      // ledger failure does not stop tier evaluation or the other way round.
      .then(() => (withTiers ? runTierJobs(db) : undefined))
      .then((r) => {
        if (r && (r.upgrades || r.downgrades)) log.info(r, 'tier jobs');
      })
      .catch((err) => log.error({ err }, 'tier jobs failed'))
      // Co-op funds accrue by the hour too: they pay for ads, not for the next minute's purchase.
      .then(() => (withTiers ? runCoopAccruals(db) : undefined))
      .then((r) => {
        if (r && r.entries) log.info(r, 'co-op accruals');
      })
      .catch((err) => log.error({ err }, 'co-op accruals failed'))
      // The KPI summaries, hourly too, and only for programs whose events or ledger moved since the last run.
      .then(() => (withTiers ? runInsightJobs(db) : undefined))
      .then((r) => {
        if (r && r.refreshed) log.info(r, 'insight summaries');
      })
      .catch((err) => log.error({ err }, 'insight summaries failed'))
      .then(() => runOnboardingJobs(db))
      .then((n) => {
        if (n) log.info({ completed: n }, 'onboarding profile steps');
      })
      .catch((err) => log.error({ err }, 'onboarding job failed'))
      // Without an SMTP server the mails wait in the outbox (GET /v1/outbox shows them).
      .then(() => (mail ? deliverOutbox(db, mail.transport, { from: mail.from }) : undefined))
      .then((r) => {
        if (r && (r.sent || r.retried || r.failed)) log.info(r, 'mail delivery');
      })
      .catch((err) => log.error({ err }, 'mail delivery failed'))
      .finally(() => {
        running = undefined;
      });
  };
  let sending: Promise<void> | undefined;
  const send = () => {
    if (sending) return;
    sending = deliverWebhooks(db, { allowPrivate: webhooks.allowPrivate })
      .then((r) => {
        if (r.failed) log.warn(r, 'webhook deliveries failed for good');
      })
      .catch((err) => log.error({ err }, 'webhook delivery failed'))
      .finally(() => {
        sending = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  const webhookTimer = setInterval(send, Math.min(WEBHOOK_INTERVAL_MS, intervalMs));
  timer.unref();
  webhookTimer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    clearInterval(webhookTimer);
    await Promise.all([running, sending]);
    mail?.transport.close();
  };
}

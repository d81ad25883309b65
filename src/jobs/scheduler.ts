import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../clock/index.js';
import type { Db } from '../db/database.js';
import { runCoopAccruals } from '../coop/accrual.js';
import { runTierJobs } from '../tiers/job.js';
import { deliverOutbox, type MailTransport } from '../mail/index.js';
import { runOnboardingJobs } from '../onboarding/complete.js';
import { runCertificateReminders } from '../training/index.js';
import { deliverWebhooks } from '../webhooks/delivery.js';
import { runLedgerJobs } from './ledger-jobs.js';
import { analyzeGrownTables } from '../db/statistics.js';
import type { EvidenceStore } from '../evidence/store.js';
import { runRetention } from '../privacy/erasure.js';
import { deliverSms, type SmsProvider } from '../messages/sms-outbox.js';
import { runRelevanceJobs } from '../segments/job.js';
import { runDueCampaigns } from '../messages/campaigns.js';
import { runSequences } from '../messages/sequences.js';
import { runInsightJobs } from '../insight/summary.js';
import { runSurprises } from '../surprises/job.js';
import { runReferrals } from '../referrals/store.js';
import { runRetention as runInactivity } from '../retention/job.js';

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
  /** The server's clock: every job runs at the time it tells, read once per tick. */
  clock: Clock,
  intervalMs = 60_000,
  mail?: { transport: MailTransport; from: string },
  webhooks: { allowPrivate: boolean } = { allowPrivate: false },
  /** Where evidence bytes live: the retention job deletes an erased member's files there. */
  evidence?: EvidenceStore,
  /** Set when an SMS provider is configured: the SMS outbox is sent with the mails. */
  sms?: { provider: SmsProvider; from: string },
  /** LOJAL_PUBLIC_URL: where links in messages point (certificate renewal, unsubscribe, portal). */
  publicUrl = 'http://localhost:3000',
  /** Set where no autovacuum keeps the planner's statistics (src/db/statistics.ts): grown tables are analyzed each tick. */
  ownStatistics = false,
): () => Promise<void> {
  let running: Promise<void> | undefined;
  let ticks = 0;
  const tick = () => {
    if (running) return;
    const withTiers = ticks++ % TIER_JOB_EVERY_TICKS === 0;
    // One instant for the whole tick: its jobs agree on which day and period it is.
    const now = clock();
    running = (ownStatistics ? analyzeGrownTables(db) : Promise.resolve([]))
      .then((tables) => {
        if (tables.length) log.info({ tables }, 'planner statistics refreshed');
      })
      .catch((err) => log.error({ err }, 'planner statistics failed'))
      .then(() => runLedgerJobs(db, now))
      .then((r) => {
        if (r.lotsReleased || r.pointsExpired || r.leaverPointsSettled) log.info(r, 'ledger jobs');
      })
      .catch((err) => log.error({ err }, 'ledger jobs failed'))
      // After the ledger jobs, so that expired and released points are settled first; on its own, so a
      // ledger failure does not stop tier evaluation or the other way round.
      .then(() => (withTiers ? runTierJobs(db, now) : undefined))
      .then((r) => {
        if (r && (r.upgrades || r.downgrades)) log.info(r, 'tier jobs');
      })
      .catch((err) => log.error({ err }, 'tier jobs failed'))
      // Co-op funds accrue by the hour too: they pay for ads, not for the next minute's purchase.
      .then(() => (withTiers ? runCoopAccruals(db, now) : undefined))
      .then((r) => {
        if (r && r.entries) log.info(r, 'co-op accruals');
      })
      .catch((err) => log.error({ err }, 'co-op accruals failed'))
      // Certificates expiring within 30 days: each member told once, hourly is soon enough.
      .then(() => (withTiers ? runCertificateReminders(db, now, publicUrl) : undefined))
      .then((r) => {
        if (r && r.reminded) log.info(r, 'certificate reminders');
      })
      .catch((err) => log.error({ err }, 'certificate reminders failed'))
      // Retention by the hour, with the tiers: members closed longer than the program keeps them are erased.
      .then(() => (withTiers && evidence ? runRetention(db, evidence, now) : undefined))
      .then((n) => {
        if (n) log.info({ erased: n }, 'retention: members erased');
      })
      .catch((err) => log.error({ err }, 'retention job failed'))
      // Scores and dynamic segments: once per program-local day, on the first hourly tick after midnight.
      .then(() => (withTiers ? runRelevanceJobs(db, now) : undefined))
      .then((r) => {
        if (r && r.length) log.info({ programs: r.length }, 'scores and segments');
      })
      .catch((err) => log.error({ err }, 'scores and segments failed'))
      // The KPI summaries, hourly too, and only for programs whose events or ledger moved since the last run.
      .then(() => (withTiers ? runInsightJobs(db, now) : undefined))
      .then((r) => {
        if (r && r.refreshed) log.info(r, 'insight summaries');
      })
      .catch((err) => log.error({ err }, 'insight summaries failed'))
      // Surprises, referrals and inactivity by the hour: each pays or tells once per member and occasion, so an
      // hourly run on the program's local day (or a later one catching up) is as good as one at midnight.
      .then(() => (withTiers ? runSurprises(db, now) : undefined))
      .then((r) => {
        if (r && r.paid) log.info(r, 'surprises');
      })
      .catch((err) => log.error({ err }, 'surprises failed'))
      .then(() => (withTiers ? runReferrals(db, now) : undefined))
      .then((r) => {
        if (r && (r.paid || r.capped)) log.info(r, 'referrals');
      })
      .catch((err) => log.error({ err }, 'referrals failed'))
      .then(() => (withTiers ? runInactivity(db, now) : undefined))
      .then((r) => {
        if (r && (r.reminded || r.deactivated || r.tierWarnings)) log.info(r, 'inactivity and tier warnings');
      })
      .catch((err) => log.error({ err }, 'inactivity job failed'))
      .then(() => runOnboardingJobs(db, now))
      .then((n) => {
        if (n) log.info({ completed: n }, 'onboarding profile steps');
      })
      .catch((err) => log.error({ err }, 'onboarding job failed'))
      // Sends to segments that fell due, and onboarding sequence steps, before the outboxes go out.
      .then(() => runDueCampaigns(db, now, publicUrl))
      .then((n) => {
        if (n) log.info({ campaigns: n }, 'segment sends');
      })
      .catch((err) => log.error({ err }, 'segment sends failed'))
      .then(() => runSequences(db, now, publicUrl))
      .then((r) => {
        if (r.sent || r.skipped) log.info(r, 'onboarding sequences');
      })
      .catch((err) => log.error({ err }, 'onboarding sequences failed'))
      // Without an SMTP server the mails wait in the outbox (GET /v1/outbox shows them).
      .then(() => (mail ? deliverOutbox(db, mail.transport, { from: mail.from, now }) : undefined))
      .then((r) => {
        if (r && (r.sent || r.retried || r.failed)) log.info(r, 'mail delivery');
      })
      .catch((err) => log.error({ err }, 'mail delivery failed'))
      // Without a provider the messages wait in the SMS outbox (GET /v1/sms shows them).
      .then(() => (sms ? deliverSms(db, sms.provider, { from: sms.from, now: now, publicUrl }) : undefined))
      .then((r) => {
        if (r && (r.sent || r.retried || r.failed)) log.info(r, 'sms delivery');
      })
      .catch((err) => log.error({ err }, 'sms delivery failed'))
      .finally(() => {
        running = undefined;
      });
  };
  let sending: Promise<void> | undefined;
  const send = () => {
    if (sending) return;
    sending = deliverWebhooks(db, { allowPrivate: webhooks.allowPrivate, now: clock() })
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

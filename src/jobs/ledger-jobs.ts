import type { Db } from '../db/database.js';
import { expireDueLots, releaseDueLots } from '../ledger/writer.js';
import { publishPointsExpired } from '../webhooks/publish.js';
import { getProgram, systemWalletId } from '../programs/programs.js';
import { settleLeavers } from '../people/deactivation.js';

export interface LedgerJobReport {
  lotsReleased: number;
  pointsExpired: number;
  /** Released points of people who left, moved by the program's leaver policy. */
  leaverPointsSettled: number;
}

const CHUNK = 1000;

/**
 * Releases pending points whose return window has passed and expires points past their date, for every
 * program, in chunks of 1,000 lots per transaction. Safe to run again, or in several processes at once:
 * each lot's journal is keyed by the lot, and its wallet is locked while it changes.
 */
export async function runLedgerJobs(db: Db, now: Date): Promise<LedgerJobReport> {
  const report: LedgerJobReport = { lotsReleased: 0, pointsExpired: 0, leaverPointsSettled: 0 };
  const programs = await db.selectFrom('programs').select('id').execute();
  for (const { id } of programs) {
    for (;;) {
      const n = await db.transaction().execute((trx) => releaseDueLots(trx, id, now, CHUNK));
      report.lotsReleased += n;
      if (n < CHUNK) break;
    }
    report.leaverPointsSettled += await settleLeavers(db, (await getProgram(db, id))!, now);
    // Each pass expires up to CHUNK lots; a pass that finds nothing ends the loop.
    for (;;) {
      const points = await db.transaction().execute(async (trx) => {
        const byWallet = new Map<string, number>();
        const expired = await expireDueLots(trx, id, systemWalletId(id, 'expiry'), now, CHUNK, byWallet);
        await publishPointsExpired(trx, id, byWallet, now);
        return expired;
      });
      report.pointsExpired += points;
      if (points === 0) break;
    }
  }
  return report;
}

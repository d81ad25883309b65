/**
 * Demo segments and a finished campaign. The segments and the campaign are made before the year of activity is
 * ingested, so the campaign's window (90 to 60 days before the seed's clock) pays its bonuses as the purchases
 * arrive; after the history the scores are computed and every segment refreshed, as the nightly job would.
 */
import type { Db } from '../db/database.js';
import type { Program } from '../programs/programs.js';
import { createCampaign } from '../campaigns/store.js';
import { runRelevanceJobs } from '../segments/job.js';
import { createSegment, refreshSegmentIn } from '../segments/store.js';

const day = 86_400_000;

export async function seedRelevanceBefore(db: Db, program: Program, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const segments = [
      { key: 'sweden', name: 'Swedish companies', definition: { field: 'country', op: 'eq', value: 'SE' } },
      { key: 'key-accounts', name: 'Key accounts', definition: { field: 'tags', op: 'hasAny', value: ['key-account'] } },
      { key: 'lapsed', name: 'No purchase in 60 days', definition: { field: 'lastPurchase', op: 'notWithinDays', days: 60 } },
      {
        key: 'installers-buying-tools',
        name: 'Installers with tools purchases this quarter',
        definition: { all: [{ field: 'segment', op: 'eq', value: 'installer' }, { field: 'purchaseCount', op: 'gte', value: 1, days: 90 }] },
      },
    ] as const;
    for (const s of segments) {
      const seg = await createSegment(trx, program.id, { ...s, kind: 'dynamic', subject: 'account', definition: s.definition as never }, now);
      await refreshSegmentIn(trx, program.id, seg.id, 'create', new Date(now.getTime() - 365 * day));
    }
    await createCampaign(
      trx,
      program.id,
      {
        name: 'Dubbla poäng i Sverige',
        description: 'Double points for Swedish companies for a month; a fifth of them held out to measure the effect.',
        segmentKeys: ['sweden'],
        startsAt: new Date(now.getTime() - 90 * day),
        endsAt: new Date(now.getTime() - 60 * day),
        effects: [{ type: 'multiplier', factor: 2 }],
        budgetPoints: 150_000,
        controlPercent: 20,
      },
      'demo',
      new Date(now.getTime() - 95 * day),
    );
  });
}

export async function seedRelevanceAfter(db: Db, program: Program, now: Date): Promise<void> {
  await runRelevanceJobs(db, now, { programId: program.id, force: true });
}

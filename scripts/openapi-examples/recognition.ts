/**
 * Examples for surprises, referrals and inactivity, against the seeded demo program (its surprises were paid over
 * the past year, P10001 has referred companies).
 */
import { sql } from 'kysely';
import { upsertAccounts, upsertMembers } from '../../src/accounts/index.js';
import type { ExampleScript } from './types.js';

const examples: ExampleScript = async (run) => {
  const { db, programId, memberId } = run;
  const { rows } = await sql<{ id: string; account_id: string }>`
    SELECT id, account_id FROM members WHERE program_id = ${programId} AND external_id IN ('P10002', 'P10001') ORDER BY external_id`.execute(db);
  const other = rows.find((r) => r.id !== memberId)!;

  // ---------------------------------------------------------------- surprises
  await run.call({ operationId: 'listSurprises' });
  await run.call({
    operationId: 'saveSurprise',
    params: { key: 'midsummer' },
    body: { key: 'midsummer', kind: 'seasonal', month: 6, day: 19, points: 150, message: { sv: 'Glad midsommar, {{name}}! {{points}} poäng från oss.', en: 'Happy midsummer, {{name}}! {{points}} points from us.' } },
  });
  await run.call({ operationId: 'saveSurprise', params: { key: 'midsummer' }, body: { key: 'midsummer', kind: 'seasonal', points: 150 }, expectStatus: 422 });
  await run.call({ operationId: 'listSurprisePayouts', query: { limit: 5 } });
  await run.call({ operationId: 'runSurprises', body: {} });
  await run.call({ operationId: 'deleteSurprise', params: { key: 'midsummer' } });
  await run.call({ operationId: 'setMemberBirthday', params: { id: other.id }, body: { birthday: { month: 5, day: 17 } } });
  await run.call({ operationId: 'setMemberBirthday', params: { id: other.id }, body: { birthday: { month: 4, day: 31 } }, expectStatus: 422 });
  await run.call({ operationId: 'getMemberBirthday', params: { id: other.id } });

  // ---------------------------------------------------------------- referrals
  await run.call({ operationId: 'getReferralSettings' });
  await run.call({ operationId: 'saveReferralSettings', body: { enabled: true, referrerPoints: 1000, refereePoints: 500, capCount: 5, capPeriod: 'year' } });
  const code = (await run.call({ operationId: 'getMemberReferralCode', params: { id: memberId } })).body.code as string;
  await run.call({ operationId: 'listReferrals', query: { limit: 10 } });
  const { rows: fresh } = await sql<{ id: string }>`
    SELECT a.id FROM accounts a WHERE a.program_id = ${programId} AND a.parent_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.program_id = a.program_id AND (r.referee_account_id = a.id OR r.referrer_account_id = a.id))
    ORDER BY a.external_id DESC LIMIT 1`.execute(db);
  await run.call({ operationId: 'createReferral', body: { code, accountId: fresh[0]!.id } });
  await run.call({ operationId: 'createReferral', body: { code, accountId: fresh[0]!.id }, expectStatus: 409 });
  await run.call({ operationId: 'runReferrals', body: {} });
  await run.call({ operationId: 'listReferralRefusals', query: { limit: 5 } });

  // ---------------------------------------------------------------- inactivity
  await run.call({ operationId: 'getInactivitySettings' });
  await run.call({ operationId: 'saveInactivitySettings', body: { enabled: false, remindAfterMonths: 12, deactivateAfterMonths: 6, tierWarningDays: 30 }, expectStatus: 422 });
  await run.call({ operationId: 'saveInactivitySettings', body: { enabled: false, remindAfterMonths: 11, deactivateAfterMonths: 12, tierWarningDays: 30 } });
  await run.call({ operationId: 'runInactivity', body: {} });

  // ---------------------------------------------------------------- the member in the portal (P10001)
  await run.call({ operationId: 'portalGetReferrals' });
  // P10001's company has bought for a year: a code from another company's person comes too late.
  const { rows: outside } = await sql<{ id: string }>`
    SELECT m.id FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
    WHERE m.program_id = ${programId} AND a.external_id = 'K4001' LIMIT 1`.execute(db);
  const outsideCode = (await run.call({ operationId: 'getMemberReferralCode', params: { id: outside[0]!.id } })).body.code as string;
  await run.call({ operationId: 'portalApplyReferral', body: { code: outsideCode }, expectStatus: 409 });
  // A person of a company that has not bought yet applies P10001's code, as the portal does after a shared link.
  await upsertAccounts(db, programId, [{ externalId: 'K4002', name: 'Norrlands Golv AB', segment: 'installer', country: 'SE' }], new Date());
  await upsertMembers(db, programId, [{ externalId: 'P40002', accountExternalId: 'K4002', name: 'Jonas Strand', role: 'owner', language: 'sv', email: 'jonas.strand@norrlands-golv-k4002.example' }], new Date());
  await run.call({ operationId: 'portalApplyReferral', portalMember: 'P40002', body: { code } });
  await run.call({ operationId: 'portalSetBirthday', body: { birthday: { month: 10, day: 23 } } });
  await run.call({ operationId: 'portalGetBirthday' });
};

export default examples;

/**
 * Demo data for control and coalition partners: the program team (an owner, a manager, a support agent),
 * four-eyes settings, adjustment requests in every state, and two partners — a bank and a hotel chain — whose
 * keys sent events for members and honoured redemptions. Every staff action goes through the same workflow
 * functions as the API and so fills the audit log.
 */
import { sql } from 'kysely';
import { recordAudit, systemContext, type AuditContext } from '../audit/index.js';
import { approveRequest, rejectRequest, submitAdjustment } from '../control/adjustments.js';
import { defaultControlSettings, putControlSettings } from '../control/settings.js';
import type { Db } from '../db/database.js';
import { ingestEvents } from '../events/ingest.js';
import { spend } from '../ledger/operations.js';
import { issueApiKey } from '../programs/key-issue.js';
import type { Program } from '../programs/programs.js';
import { createStaffUser } from '../programs/staff-users.js';
import { createPartner } from '../partners/store.js';
import { createRule } from '../rules/store.js';

const DAY = 86_400_000;

export async function seedControlDemo(db: Db, program: Program, now: Date): Promise<void> {
  const pid = program.id;
  const system = systemContext(pid, 'demo seed', now);
  await db.transaction().execute((trx) =>
    recordAudit(trx, { ...system, action: 'program.seed', entity: 'program', entityId: pid, after: { note: 'demo companies, people, catalog, rules and a year of events' } }),
  );

  // The program team. Ingrid owns the program, Magnus approves, Sofia works the customer service desk.
  const staff = async (email: string, name: string, role: 'owner' | 'manager' | 'support') =>
    db.transaction().execute(async (trx) => {
      const user = await createStaffUser(trx, pid, { email, name, role }, now);
      await recordAudit(trx, { ...system, action: 'staff_user.create', entity: 'staff_user', entityId: user.id, after: user });
      return user;
    });
  const ingrid = await staff('ingrid.dahl@nordbygg.example', 'Ingrid Dahl', 'owner');
  const magnus = await staff('magnus.berg@nordbygg.example', 'Magnus Berg', 'manager');
  const sofia = await staff('sofia.lind@nordbygg.example', 'Sofia Lind', 'support');
  const as = (u: { id: string; name: string }): AuditContext => ({ programId: pid, actor: { kind: 'staff', id: u.id, label: u.name }, ip: '10.20.0.15', at: now });
  await issueApiKey(db, as(ingrid), { name: 'Magnus, console', scopes: ['read', 'ledger:write', 'accounts:write'], staffUserId: magnus.id });
  await issueApiKey(db, as(ingrid), { name: 'Sofia, service desk', scopes: ['read', 'ledger:write'], staffUserId: sofia.id });

  await db.transaction().execute(async (trx) => {
    const after = await putControlSettings(trx, pid, { ...defaultControlSettings(), approvalThreshold: 5_000, dailyAdjustmentLimit: 50_000 });
    await recordAudit(trx, { ...as(ingrid), action: 'control_settings.update', entity: 'program', entityId: pid, before: defaultControlSettings(), after });
  });

  // Customers to work with: people with points, and their companies.
  const people = await sql<{ member_id: string; member_ext: string; account_id: string; account_ext: string }>`
    SELECT m.id AS member_id, m.external_id AS member_ext, a.id AS account_id, a.external_id AS account_ext
    FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
    JOIN wallets w ON w.program_id = m.program_id AND w.id = m.id
    WHERE m.program_id = ${pid} AND w.available >= 1000
    ORDER BY m.external_id LIMIT 24`.execute(db);
  const folk = people.rows;
  if (folk.length < 12) return; // a demo too small to show partners (not the seeded one)

  // Four eyes: one small goodwill posted at once, then requests approved, rejected and still waiting.
  const adjust = (who: { id: string; name: string }, i: number, points: number, reasonCode: string, memo: string) =>
    submitAdjustment(db, program, { walletId: folk[i]!.account_id, ownerKind: 'account', points, reasonCode, memo, idempotencyKey: `demo-adjust-${i}` }, as(who), new Date(now.getTime() - (10 - i) * DAY));
  await adjust(sofia, 0, 500, 'goodwill', 'Late delivery to the site in Uppsala');
  const approved = await adjust(sofia, 1, 8_000, 'complaint', 'Damaged roof sheets, agreed with the key account manager');
  const rejected = await adjust(sofia, 2, 6_000, 'goodwill', 'Customer asks for points on an order paid by another company');
  await adjust(magnus, 3, 12_000, 'migration', 'Points from the old dealer club, statement of 2025-12-31');
  await adjust(sofia, 4, -5_500, 'correction', 'Invoice credited in the ERP, points were not returned');
  if (approved.kind === 'requested') await approveRequest(db, program, approved.request.id, { audit: as(magnus), role: 'manager' }, new Date(now.getTime() - 8 * DAY));
  if (rejected.kind === 'requested') {
    await rejectRequest(db, program, rejected.request.id, 'The order belongs to Berg Bygg; book the points there', { audit: as(ingrid), role: 'owner' }, new Date(now.getTime() - 7 * DAY));
  }

  // Coalition partners and their keys.
  const partner = async (code: string, name: string, kind: 'bank' | 'hotel') =>
    db.transaction().execute(async (trx) => {
      const p = await createPartner(trx, pid, { code, name, kind }, now);
      await recordAudit(trx, { ...as(ingrid), action: 'partner.create', entity: 'partner', entityId: p.id, after: p });
      return p;
    });
  const bank = await partner('fjordbanken', 'Fjordbanken', 'bank');
  const hotel = await partner('nordhotell', 'Nordhotell', 'hotel');
  const keyOf = new Map<string, string>();
  keyOf.set(bank.id, (await issueApiKey(db, as(ingrid), { name: 'Fjordbanken card platform', scopes: ['partner'], partnerId: bank.id })).record.id);
  keyOf.set(hotel.id, (await issueApiKey(db, as(ingrid), { name: 'Nordhotell booking engine', scopes: ['partner'], partnerId: hotel.id })).record.id);

  const since = new Date(now.getTime() - 120 * DAY);
  const rules = [
    { name: 'Fjordbanken: företagskort aktiverat', definition: { conditions: { eventTypes: ['card.activated'], attributes: [{ path: 'partner', op: 'eq', value: 'fjordbanken' }] }, effect: { type: 'fixed', points: 1_000 }, recipient: { type: 'member' } } },
    { name: 'Fjordbanken: kortköp', definition: { conditions: { eventTypes: ['card.purchase'], attributes: [{ path: 'partner', op: 'eq', value: 'fjordbanken' }] }, effect: { type: 'fixed', points: 25 }, recipient: { type: 'member' } } },
    { name: 'Nordhotell: övernattning', definition: { conditions: { eventTypes: ['hotel.stay'], attributes: [{ path: 'partner', op: 'eq', value: 'nordhotell' }] }, effect: { type: 'fixed', points: 300 }, recipient: { type: 'member' } } },
    { name: 'Nordhotell: tre nätter eller fler', definition: { conditions: { eventTypes: ['hotel.stay'], attributes: [{ path: 'partner', op: 'eq', value: 'nordhotell' }, { path: 'nights', op: 'gte', value: 3 }] }, effect: { type: 'fixed', points: 500 }, recipient: { type: 'member' } } },
  ];
  for (const r of rules) {
    await db.transaction().execute(async (trx) => {
      const rule = await createRule(trx, pid, { ...r, effectiveFrom: since.toISOString() }, now);
      await recordAudit(trx, { ...as(ingrid), action: 'rule.create', entity: 'rule', entityId: rule.id, after: rule });
    });
  }

  const at = (daysAgo: number, hour: number) => new Date(now.getTime() - daysAgo * DAY + hour * 3_600_000).toISOString();
  const bankEvents = folk.slice(0, 10).flatMap((p, i) => [
    { id: `ACT-${4100 + i}`, type: 'card.activated', occurredAt: at(90 - i, 9), account: p.account_ext, member: p.member_ext },
    ...Array.from({ length: 3 + (i % 4) }, (_, k) => ({ id: `TX-${88000 + i * 10 + k}`, type: 'card.purchase', occurredAt: at(60 - i - k * 5, 13), account: p.account_ext, member: p.member_ext, attributes: { merchant: ['Circle K', 'Byggmax', 'Statoil', 'Clas Ohlson'][k % 4] } })),
  ]);
  const hotelEvents = folk.slice(6, 18).map((p, i) => ({
    id: `BK-${52000 + i}`,
    type: 'hotel.stay',
    occurredAt: at(70 - i * 4, 11),
    account: p.account_ext,
    member: p.member_ext,
    attributes: { hotel: ['Nordhotell Oslo Sentrum', 'Nordhotell Göteborg', 'Nordhotell Trondheim'][i % 3], nights: 1 + (i % 4) },
  }));
  const opts = (p: { id: string; code: string }) => ({ now, futureToleranceSeconds: 300, partner: p });
  await ingestEvents(db, program, bankEvents, opts(bank));
  await ingestEvents(db, program, hotelEvents, opts(hotel));

  // Redemptions: members paying a hotel night or a card fee with points.
  for (const [i, p] of folk.slice(12, 20).entries()) {
    const at = i % 2 === 0 ? hotel : bank;
    await spend(
      db,
      program,
      {
        walletId: p.member_id,
        points: 400 + i * 50,
        memo: at === hotel ? 'Övernattning betald med poäng' : 'Årsavgift företagskort',
        reference: `${at === hotel ? 'BK' : 'FEE'}-${70000 + i}`,
        idempotencyKey: `partner:${at.id}:demo-redeem-${i}`,
        actor: `api-key:${keyOf.get(at.id)}`,
        partnerId: at.id,
      },
      new Date(now.getTime() - (20 - i) * DAY),
    ).catch(() => undefined); // a member without enough points simply does not redeem
  }
}

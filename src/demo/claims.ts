/**
 * Demo sales claims and co-op fund: partner staff at the chains report sales (each with a small generated
 * PDF invoice or PNG photo), a rule pays for them, and the claims stand in every state: approved by the
 * program team or a chain manager, rejected with reasons, flagged as near duplicates or for velocity, and
 * waiting. Every account accrues 2 % of its purchases into a co-op fund, and a few dealers have claimed
 * ad costs from it, some paid out and exported to the ERP.
 */
import { receiveBytes } from '../evidence/files.js';
import { sql } from 'kysely';
import { approveClaim, rejectClaim } from '../claims/decide.js';
import type { RejectionReason } from '../claims/reasons.js';
import { putClaimSettings } from '../claims/settings.js';
import { submitClaim, type ClaimInput } from '../claims/submit.js';
import { accrueProgram } from '../coop/accrual.js';
import { approveCoopClaim, rejectCoopClaim, submitCoopClaim } from '../coop/claims.js';
import { exportPayouts, listPayouts } from '../coop/payouts.js';
import { putCoopPolicy } from '../coop/policy.js';
import type { Db } from '../db/database.js';
import { tinyPdf, tinyPng } from '../evidence/samples.js';
import type { EvidenceStore } from '../evidence/store.js';
import type { Program } from '../programs/programs.js';
import { createRule } from '../rules/store.js';

const DAY = 86_400_000;
const customers = ['Brf Solgläntan', 'Fastighets AB Norrsken', 'Villa Ekdahl', 'Bygg & Bo i Väst AB', 'Kommunfastigheter Umeå', 'Borettslaget Fjellsiden', 'Hotell Kustlinjen', 'Skolfastigheter Örebro'];

export async function seedClaimsDemo(db: Db, program: Program, store: EvidenceStore, now: Date): Promise<void> {
  const pid = program.id;
  const actor = 'demo';
  const date = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY).toISOString().slice(0, 10);

  await putClaimSettings(db, pid, { approver: 'either', nearDuplicateDays: 30, memberDailyLimit: 5, memberWeeklyLimit: null, accountDailyLimit: null, accountWeeklyLimit: 20 });
  await createRule(db, pid, {
    name: 'Såld av partner',
    priority: 70,
    effectiveFrom: new Date(now.getTime() - 400 * DAY).toISOString(),
    definition: { conditions: { eventTypes: ['sale_claim'] }, effect: { type: 'perAmount', points: 2, per: 1000 }, recipient: { type: 'member' } },
  }, now);

  // Salespeople at the chain branches, and their chains' managers (the demo's people are generated with roles).
  const staff = (await sql<{ external_id: string; id: string; account_id: string; parent_id: string | null }>`
    SELECT m.external_id, m.id, m.account_id, a.parent_id FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
    WHERE m.program_id = ${pid} AND a.parent_id IS NOT NULL AND m.role <> 'manager' ORDER BY m.external_id LIMIT 8`.execute(db)).rows;
  const managers = (await sql<{ id: string; account_id: string }>`
    SELECT id, account_id FROM members WHERE program_id = ${pid} AND role = 'manager' ORDER BY external_id`.execute(db)).rows;
  const skus = (await sql<{ sku: string; unit_price: number }>`
    SELECT sku, unit_price FROM products WHERE program_id = ${pid} AND margin_class = 'high' ORDER BY sku LIMIT 12`.execute(db)).rows;
  if (staff.length < 4 || skus.length === 0) return;

  const submitted: Array<{ id: string; memberId: string; accountId: string; parentId: string | null }> = [];
  const submit = async (i: number, input: Partial<ClaimInput> = {}) => {
    const who = staff[i % staff.length]!;
    const product = skus[i % skus.length]!;
    const quantity = 1 + (i % 4);
    const invoiceNumber = input.invoiceNumber ?? `F-${2026}-${String(4100 + i * 7)}`;
    const claim: ClaimInput = {
      member: who.external_id,
      sku: product.sku,
      quantity,
      amount: quantity * Number(product.unit_price),
      saleDate: date(2 + ((i * 3) % 50)),
      invoiceNumber,
      endCustomer: customers[i % customers.length]!,
      evidenceIds: [],
      ...input,
    };
    const file = i % 3 === 0 ? await receiveBytes(store, tinyPng([40 + i * 9, 120, 200 - i * 5]), `foto-${i}.png`) : await receiveBytes(store, tinyPdf(`Faktura ${invoiceNumber}`), `faktura-${invoiceNumber}.pdf`);
    const { claim: c } = await submitClaim(db, store, program, claim, [file], actor, now);
    submitted.push({ id: c.id, memberId: who.id, accountId: who.account_id, parentId: who.parent_id });
    return c;
  };

  for (let i = 0; i < 14; i++) await submit(i);
  // Look-alikes: the same invoice typed differently, and the same amount again at the same company.
  const first = submitted[0]!;
  const firstClaim = await sql<{ invoice_number: string; amount: number; sku: string; member_id: string }>`
    SELECT invoice_number, amount, sku, member_id FROM sale_claims WHERE program_id = ${pid} AND id = ${first.id}`.execute(db);
  const f = firstClaim.rows[0]!;
  await submit(0, { invoiceNumber: f.invoice_number.toLowerCase().replace(/-/g, ' ') });
  await submit(16, { member: staff[1]!.external_id, amount: Number((await sql<{ amount: number }>`SELECT amount FROM sale_claims WHERE id = ${submitted[1]!.id}`.execute(db)).rows[0]!.amount), sku: skus[3 % skus.length]!.sku });
  // One eager salesperson: the sixth claim in a day passes the daily limit of five.
  for (let i = 0; i < 4; i++) await submit(17 + i * staff.length, { member: staff[2]!.external_id });

  // Decisions: the program team approves some, a chain manager others; a few are rejected with reasons.
  const reasons: RejectionReason[] = ['evidence_unreadable', 'invoice_not_found', 'product_not_eligible'];
  for (const [n, c] of submitted.slice(1, 12).entries()) {
    const manager = managers.find((m) => m.account_id === c.parentId || m.account_id === c.accountId);
    if (n < 3) await rejectClaim(db, program, c.id, { actor: `api-key:${actor}` }, { code: reasons[n]!, note: n === 0 ? 'Fotot är suddigt, skicka en ny bild av fakturan.' : null }, now);
    else if (n % 2 === 1 && manager && manager.id !== c.memberId) {
      // A flagged claim is the program team's: the manager's attempt is refused, and the team approves it.
      await approveClaim(db, program, c.id, { actor: `api-key:${actor}`, managerId: manager.id }, now).catch(() => approveClaim(db, program, c.id, { actor: `api-key:${actor}` }, now));
    }
    else if (n < 9) await approveClaim(db, program, c.id, { actor: `api-key:${actor}` }, now);
  }

  // Co-op fund: 2 % of purchases over the past year.
  const policy = await putCoopPolicy(db, pid, { kind: 'percent_of_purchases', basisPoints: 200, accrueFrom: new Date(now.getTime() - 366 * DAY).toISOString() }, now);
  await accrueProgram(db, pid, policy, now);
  const dealers = (await sql<{ account_id: string; balance: number }>`
    SELECT account_id, balance FROM coop_funds WHERE program_id = ${pid} ORDER BY balance DESC, account_id LIMIT 5`.execute(db)).rows;
  const ads = [
    { cost: 1_850_000, medium: 'print' as const, otherBrands: 0, description: 'Helsidesannons i Byggindustrin, vecka 38' },
    { cost: 640_000, medium: 'outdoor' as const, otherBrands: 1, description: 'Affischer vid infarten, tillsammans med en fönstertillverkare' },
    { cost: 1_200_000, medium: 'online' as const, otherBrands: 3, description: 'Kampanjsida med fyra leverantörers varumärken' },
    { cost: 300_000, medium: 'radio' as const, otherBrands: 0, description: 'Radioreklam utan logotyp' },
    { cost: 450_000, medium: 'social' as const, otherBrands: 2, description: 'Instagram-kampanj hösten' },
  ];
  const coop = [];
  for (const [i, a] of ads.entries()) {
    const dealer = dealers[i % dealers.length];
    if (!dealer) break;
    const { claim } = await submitCoopClaim(db, store, program, { accountId: dealer.account_id, adDate: date(10 + i * 9), ...a }, [await receiveBytes(store, tinyPdf(`Annons: ${a.description}`), `annons-${i + 1}.pdf`)], actor);
    coop.push(claim);
  }
  for (const c of coop.slice(0, 3)) await approveCoopClaim(db, program, c.id, actor, now).catch(() => undefined); // an empty fund stays unpaid
  if (coop[3]) await rejectCoopClaim(db, program, coop[3].id, actor, { code: 'ad_not_eligible', note: 'Vårt varumärke syns inte i annonsen.' }, now);
  const [firstPayout] = await listPayouts(db, pid, 'unexported', 1);
  if (firstPayout) await exportPayouts(db, pid, 'demo-erp-export-1', actor, now, [firstPayout.id]);
}

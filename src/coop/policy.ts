/** How a program's accounts accrue their co-op fund. */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';

export const coopPolicySchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('percent_of_purchases'),
      /** Basis points of each purchase's amount net of returns (200 = 2 %). */
      basisPoints: z.number().int().min(1).max(10_000).describe("Basis points of each purchase's amount net of returns (200 = 2 %)"),
      accrueFrom: z.iso.datetime({ offset: true }).optional().describe('Purchases from this instant accrue (ISO 8601 with offset); default: now, so past purchases do not'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('fixed_per_quarter'),
      /** Minor units credited to every active account once per calendar quarter (in the program's time zone). */
      quarterlyAmount: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).describe("Minor units credited to every active account once per calendar quarter (in the program's time zone)"),
      accrueFrom: z.iso.datetime({ offset: true }).optional().describe('Quarters from this instant accrue (ISO 8601 with offset); default: now'),
    })
    .strict(),
]);

/** The policy as the API answers it: `accrueFrom` is always set. */
export const coopPolicyOut = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('percent_of_purchases'),
      basisPoints: z.number().int().describe("Basis points of each purchase's amount net of returns (200 = 2 %)"),
      accrueFrom: z.date().describe('Purchases from this instant accrue'),
    }),
    z.object({
      kind: z.literal('fixed_per_quarter'),
      quarterlyAmount: z.number().int().describe('Minor units credited to every active account once per calendar quarter'),
      accrueFrom: z.date().describe('Quarters from this instant accrue'),
    }),
  ])
  .meta({ id: 'CoopPolicy', description: "How the program's accounts accrue their co-op marketing fund: a share of their purchases, or a fixed amount per quarter." });

export type CoopPolicy =
  | { kind: 'percent_of_purchases'; basisPoints: number; accrueFrom: Date }
  | { kind: 'fixed_per_quarter'; quarterlyAmount: number; accrueFrom: Date };

interface Row {
  program_id: string;
  kind: CoopPolicy['kind'];
  basis_points: number | null;
  quarterly_amount: number | null;
  accrue_from: Date;
}

const toPolicy = (r: Row): CoopPolicy =>
  r.kind === 'percent_of_purchases'
    ? { kind: r.kind, basisPoints: r.basis_points!, accrueFrom: r.accrue_from }
    : { kind: r.kind, quarterlyAmount: Number(r.quarterly_amount), accrueFrom: r.accrue_from };

export async function getCoopPolicy(db: Db, programId: string): Promise<CoopPolicy | null> {
  const r = (await sql<Row>`SELECT * FROM coop_policies WHERE program_id = ${programId}`.execute(db)).rows[0];
  return r ? toPolicy(r) : null;
}

export async function requireCoopPolicy(db: Db, programId: string): Promise<CoopPolicy> {
  const p = await getCoopPolicy(db, programId);
  if (!p) throw new LojalError('coop_policy_missing');
  return p;
}

/** Every program with a policy, for the accrual job. */
export async function allCoopPolicies(db: Db): Promise<Array<{ programId: string; policy: CoopPolicy }>> {
  const rows = await sql<Row>`SELECT * FROM coop_policies ORDER BY program_id`.execute(db);
  return rows.rows.map((r) => ({ programId: r.program_id, policy: toPolicy(r) }));
}

/** Sets the policy. Without `accrueFrom` it applies from now: a new policy does not pay for past purchases unless asked. */
export async function putCoopPolicy(db: Db, programId: string, input: z.output<typeof coopPolicySchema>, now: Date): Promise<CoopPolicy> {
  const from = input.accrueFrom ? new Date(input.accrueFrom) : now;
  const bp = input.kind === 'percent_of_purchases' ? input.basisPoints : null;
  const amount = input.kind === 'fixed_per_quarter' ? input.quarterlyAmount : null;
  await sql`
    INSERT INTO coop_policies (program_id, kind, basis_points, quarterly_amount, accrue_from, updated_at)
    VALUES (${programId}, ${input.kind}, ${bp}, ${amount}, ${from}, ${now})
    ON CONFLICT (program_id) DO UPDATE SET kind = excluded.kind, basis_points = excluded.basis_points,
      quarterly_amount = excluded.quarterly_amount, accrue_from = excluded.accrue_from, updated_at = excluded.updated_at`.execute(db);
  return (await getCoopPolicy(db, programId))!;
}

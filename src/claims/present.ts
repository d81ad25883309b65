/**
 * A sales claim as its readers see it: flags and the points' reasons in the reader's language, a rejection
 * in the claimant's own. The API and the portal answer with the same shape.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { evidenceOut, presentEvidence } from '../evidence/routes.js';
import { isLanguage, translator, type Language } from '../i18n/index.js';
import { renderExplanation } from '../ledger/explain.js';
import type { Program } from '../programs/programs.js';
import { rejectionReasons } from './reasons.js';
import { claimEvidence, claimStates, type SaleClaim } from './store.js';

export const claimOut = z
  .object({
    id: z.uuid(),
    state: z.enum(claimStates).describe('submitted (waits for a decision), needs_review (flagged: the program team decides), approved, rejected'),
    accountId: z.uuid().describe("The claimant's account"),
    memberId: z.uuid().describe('The member (salesperson) who made the sale'),
    sku: z.string().describe('The product sold'),
    quantity: z.number().int(),
    amount: z.number().int().describe("The sale's amount in minor units (öre, cents)"),
    saleDate: z.string().describe('The date of the sale, YYYY-MM-DD'),
    invoiceNumber: z.string(),
    endCustomer: z.string().describe('Who bought'),
    flags: z
      .array(
        z.object({
          code: z.enum(['near_duplicate_invoice', 'same_amount_recent', 'member_velocity', 'account_velocity']),
          params: z.record(z.string(), z.union([z.string(), z.number()])).describe('The facts behind the flag: the look-alike claim, the period, the count and limit'),
          message: z.string().describe("The flag explained in the reader's language"),
        }),
      )
      .describe('Why the claim needs the program team to look at it; empty: nothing suspicious'),
    points: z
      .object({
        status: z.enum(['pending', 'posted', 'void']).describe('pending: shown, not posted; posted: on approval; void: rejected'),
        proposed: z.number().int().describe('What the rules would pay, judged at submission'),
        proposedPostings: z
          .array(z.object({ ruleId: z.uuid(), ruleName: z.string(), recipient: z.enum(['account', 'member']), points: z.number().int(), reason: z.string().describe("The rule's explanation in the reader's language") }))
          .describe('Each rule\'s share of `proposed`'),
        posted: z.number().int().nullable().describe('What approval posted (the rules may say otherwise then, e.g. a cap filled meanwhile); null before'),
      })
      .describe('The points the claim earns'),
    eventId: z.uuid().nullable().describe('The sale_claim event approval posted; null before'),
    rejection: z
      .object({ code: z.enum(rejectionReasons), message: z.string().describe("The reason in the claimant's language"), language: z.string(), note: z.string().nullable().describe('The decider\'s note, as written') })
      .nullable(),
    decidedBy: z.string().nullable().describe('`staff:<id>`, `api-key:<id>`, `member:<id>` (a manager), or `member:<id> via api-key:<id>`'),
    decidedAt: z.date().nullable(),
    submittedBy: z.string(),
    createdAt: z.date(),
    evidence: z.array(evidenceOut).optional().describe('The proof files; in answers about one claim, not in lists'),
  })
  .meta({ id: 'SalesClaim', description: 'A sale a member reported with evidence; it earns points through the rules only when approved.' });

/** The claimant reads a rejection in their own language (or the program's when they have none). */
async function claimantLanguage(db: Db, program: Program, memberId: string): Promise<Language> {
  const r = await sql<{ language: string | null }>`SELECT language FROM members WHERE program_id = ${program.id} AND id = ${memberId}`.execute(db);
  const lng = r.rows[0]?.language;
  return isLanguage(lng) ? lng : program.defaultLanguage;
}

/**
 * `evidenceUrl` names where a reader fetches each file: the program team's /v1 route by default, the portal's
 * own route (which checks the member may see the claim) for members.
 */
export async function presentClaim(
  db: Db,
  program: Program,
  c: SaleClaim,
  lng: Language,
  withEvidence: boolean,
  evidenceUrl?: (claimId: string, fileId: string) => string,
): Promise<z.infer<typeof claimOut>> {
  const t = translator(lng);
  const rejectionLng = c.rejectionCode ? await claimantLanguage(db, program, c.memberId) : lng;
  return {
    id: c.id,
    state: c.state,
    accountId: c.accountId,
    memberId: c.memberId,
    sku: c.sku,
    quantity: c.quantity,
    amount: c.amount,
    saleDate: c.saleDate,
    invoiceNumber: c.invoiceNumber,
    endCustomer: c.endCustomer,
    flags: c.flags.map((f) => {
      const key = f.code.endsWith('_velocity') ? `${f.code}_${f.params.period}` : f.code;
      return { ...f, message: String(t(`claims:flag.${key}`, f.params as never)) };
    }),
    points: {
      status: c.state === 'approved' ? ('posted' as const) : c.state === 'rejected' ? ('void' as const) : ('pending' as const),
      proposed: c.proposedPoints,
      proposedPostings: c.proposed.map((p) => ({ ruleId: p.ruleId, ruleName: p.ruleName, recipient: p.recipient, points: p.points, reason: renderExplanation(p.explanation, lng, program.currency) })),
      posted: c.points,
    },
    eventId: c.eventId,
    rejection: c.rejectionCode
      ? { code: c.rejectionCode, message: String(translator(rejectionLng)(`claims:rejection.${c.rejectionCode}`)), language: rejectionLng, note: c.rejectionNote }
      : null,
    decidedBy: c.decidedBy,
    decidedAt: c.decidedAt,
    submittedBy: c.submittedBy,
    createdAt: c.createdAt,
    ...(withEvidence && {
      evidence: (await claimEvidence(db, program.id, c.id)).map((f) => presentEvidence(f, evidenceUrl?.(c.id, f.id))),
    }),
  };
}

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

export const claimOut = z.object({
  id: z.uuid(),
  state: z.enum(claimStates),
  accountId: z.uuid(),
  memberId: z.uuid(),
  sku: z.string(),
  quantity: z.number(),
  amount: z.number(),
  saleDate: z.string(),
  invoiceNumber: z.string(),
  endCustomer: z.string(),
  flags: z.array(z.object({ code: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), message: z.string() })),
  points: z.object({
    /** pending: shown, not posted; posted: on approval; void: rejected. */
    status: z.enum(['pending', 'posted', 'void']),
    proposed: z.number(),
    proposedPostings: z.array(z.object({ ruleId: z.uuid(), ruleName: z.string(), recipient: z.enum(['account', 'member']), points: z.number(), reason: z.string() })),
    posted: z.number().nullable(),
  }),
  eventId: z.uuid().nullable(),
  rejection: z.object({ code: z.enum(rejectionReasons), message: z.string(), language: z.string(), note: z.string().nullable() }).nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.date().nullable(),
  submittedBy: z.string(),
  createdAt: z.date(),
  evidence: z.array(evidenceOut).optional(),
});

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

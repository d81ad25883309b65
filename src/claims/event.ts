/**
 * A sales claim as the event the rules judge: type `sale_claim`, the claimed sale as its one line, keyed by
 * the claim (so approving twice, or twice at once, posts it once). It occurs at noon UTC of the sale date,
 * which is that same calendar day in every time zone a program uses, or when the claim was submitted if
 * that was earlier (a sale claimed the morning it happened is judged by the rules in force then).
 */
import { SALE_CLAIM } from '../events/schema.js';

export const claimEventId = (claimId: string) => `claim:${claimId}`;

export function claimEvent(
  claimId: string,
  c: { accountId: string; memberId: string; sku: string; quantity: number; amount: number; saleDate: string; invoiceNumber: string; endCustomer: string },
  submittedAt: Date,
) {
  const noon = new Date(`${c.saleDate}T12:00:00Z`);
  return {
    id: claimEventId(claimId),
    type: SALE_CLAIM,
    occurredAt: (noon < submittedAt ? noon : submittedAt).toISOString(),
    accountId: c.accountId,
    memberId: c.memberId,
    lines: [{ sku: c.sku, quantity: c.quantity, amount: c.amount }],
    attributes: { claimId, invoiceNumber: c.invoiceNumber, endCustomer: c.endCustomer },
  };
}

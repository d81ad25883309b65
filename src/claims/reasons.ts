/** Why a claim was rejected: a code the claimant reads in their own language, or `other` with a note. */
export const rejectionReasons = ['evidence_unreadable', 'invoice_not_found', 'product_not_eligible', 'sale_outside_period', 'duplicate_sale', 'other'] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/**
 * The mail a salesperson gets when their sales claim is decided, in their language, queued in the decision's
 * own transaction: approved with the points it earned, or not approved with the reason they can act on.
 * Nobody without an e-mail address, or who switched claim mails off in the portal, gets one.
 */
import type { Db } from '../db/database.js';
import { isLanguage, translator } from '../i18n/index.js';
import { enqueueMails } from '../mail/index.js';
import { preferencesOf } from '../people/preferences.js';
import type { Program } from '../programs/programs.js';
import type { SaleClaim } from './store.js';

export type ClaimDecision = { state: 'approved'; points: number } | { state: 'rejected'; code: NonNullable<SaleClaim['rejectionCode']>; note: string | null };

export async function queueClaimDecisionMail(trx: Db, program: Program, claim: SaleClaim, decision: ClaimDecision, now: Date): Promise<void> {
  const m = await trx
    .selectFrom('members')
    .select(['email', 'name', 'language', 'mail_preferences'])
    .where('program_id', '=', program.id)
    .where('id', '=', claim.memberId)
    .executeTakeFirst();
  if (!m?.email || !preferencesOf(m.mail_preferences).claimMails) return;
  const product = await trx.selectFrom('products').select('name').where('program_id', '=', program.id).where('sku', '=', claim.sku).executeTakeFirst();
  const language = isLanguage(m.language) ? m.language : program.defaultLanguage;
  const t = translator(language);
  const params: Record<string, string> = {
    name: m.name,
    invoice: claim.invoiceNumber,
    quantity: String(claim.quantity),
    product: product?.name ?? claim.sku,
    points: decision.state === 'approved' ? new Intl.NumberFormat(language).format(decision.points) : '',
    reason: decision.state === 'rejected' ? t(`claims:rejection.${decision.code}`) : '',
    note: decision.state === 'rejected' && decision.note ? decision.note : '',
  };
  const template = decision.state === 'approved' ? 'claim_approved' : 'claim_rejected';
  await enqueueMails(trx, program.id, [{ template, to: m.email, language, params }], now);
}

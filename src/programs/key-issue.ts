import { recordAudit, type AuditContext } from '../audit/index.js';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { getPartner } from '../partners/store.js';
import { createApiKey, roleScopes, type ApiKeyRecord, type Scope } from './api-keys.js';
import { getStaffUser } from './staff-users.js';

export interface KeyRequest {
  name: string;
  scopes: Scope[];
  staffUserId?: string | undefined;
  partnerId?: string | undefined;
}

/**
 * Issues an API key (API and CLI alike): a person's key stays within their role, a partner's key belongs to
 * an active partner, and the issue is in the audit log. A partner key carries the scope `partner` and nothing
 * else, and no other key carries it.
 */
export async function issueApiKey(db: Db, audit: AuditContext, input: KeyRequest): Promise<{ key: string; record: ApiKeyRecord }> {
  const programId = audit.programId;
  const issue = (path: string, message: string) => new LojalError('validation_failed', {}, [{ path, message }]);
  if (input.staffUserId && input.partnerId) throw issue('body.partnerId', 'a key belongs to a staff user or a partner, not both');
  const partnerScope = input.scopes.includes('partner');
  if (input.partnerId && (!partnerScope || input.scopes.length !== 1)) throw issue('body.scopes', 'a partner key has exactly the scope ["partner"]');
  if (!input.partnerId && partnerScope) throw issue('body.scopes', 'the scope partner is only for partner keys (give partnerId)');
  return db.transaction().execute(async (trx) => {
    if (input.staffUserId) {
      const user = await getStaffUser(trx, programId, input.staffUserId).catch(() => undefined);
      if (!user?.active) throw new LojalError('unknown_staff_user', { id: input.staffUserId });
      const beyond = input.scopes.filter((s) => !roleScopes[user.role].has(s));
      if (beyond.length) throw new LojalError('scope_exceeds_role', { role: user.role, scopes: beyond.join(', ') });
    }
    if (input.partnerId) {
      const partner = await getPartner(trx, programId, input.partnerId).catch(() => undefined);
      if (!partner?.active) throw new LojalError('unknown_partner', { id: input.partnerId });
    }
    const created = await createApiKey(trx, programId, input);
    await recordAudit(trx, { ...audit, action: 'api_key.create', entity: 'api_key', entityId: created.record.id, after: created.record });
    return created;
  });
}

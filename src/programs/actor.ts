/**
 * Who did something, as the journals, adjustment requests and the audit log record it. Derived from the
 * credential in one place, so that another way of signing in (a browser session of a staff user) only has
 * to produce the same shape.
 *
 * The reference string is what is stored: `staff:<staff user id>` for a person (whichever of their keys or
 * sessions they used, so that two keys of one person are still one person for the four-eyes rule), and
 * `api-key:<key id>` for an integration key, as journals have always recorded it, and `member:<member id>` for a
 * member acting for themselves in the portal (a signed-in person with no API key behind them).
 */
import type { AuthContext } from './api-keys.js';

export interface Actor {
  kind: 'staff' | 'api_key' | 'member';
  id: string;
  /** For people reading the record: the person's name, or the key's name. */
  label: string;
}

export function actorOfAuth(auth: AuthContext): Actor {
  if (auth.staff) return { kind: 'staff', id: auth.staff.id, label: auth.staff.name };
  return { kind: 'api_key', id: auth.keyId, label: auth.partner ? `${auth.partner.name}: ${auth.keyName}` : auth.keyName };
}

/** A member in the portal: their own name for people reading the record. */
export function memberActor(member: { memberId: string; name: string }): Actor {
  return { kind: 'member', id: member.memberId, label: member.name };
}

export function actorRef(actor: Actor): string {
  if (actor.kind === 'member') return `member:${actor.id}`;
  return actor.kind === 'staff' ? `staff:${actor.id}` : `api-key:${actor.id}`;
}

/**
 * The one-click satisfaction links in a request's resolve and close mails: one per score (1–5), each a token
 * that names the program, the request and the score, with a last moment, signed with the program's service
 * link key (HMAC-SHA256, the MAC cut to 16 bytes, as the messages module signs its unsubscribe links). Opening
 * one needs no sign-in; a changed, cut or made-up token is `service_csat_link_invalid`, one past its last
 * moment `service_csat_link_expired`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { splitSignedToken } from '../http/signed-tokens.js';

/** How long the links in a mail work. */
export const csatLinkDays = 30;

export interface CsatLinkClaims {
  programId: string;
  requestId: string;
  score: number;
  expiresAt: Date;
}

const version = 1;
const macBytes = 16;
const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex');
const uuidOf = (b: Buffer) => b.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/** The program's key, made on first use (the service module's own settings row). */
async function linkKey(db: Db, programId: string): Promise<Buffer> {
  const { rows } = await sql<{ link_key: string }>`
    INSERT INTO service_settings (program_id, link_key) VALUES (${programId}, ${randomBytes(32).toString('hex')})
    ON CONFLICT (program_id) DO UPDATE SET link_key = coalesce(service_settings.link_key, excluded.link_key)
    RETURNING link_key`.execute(db);
  return Buffer.from(rows[0]!.link_key, 'hex');
}

// 38 bytes: version, score, program id, request id, last moment (seconds since 1970, unsigned 32 bits).
function pack(c: CsatLinkClaims): Buffer {
  const b = Buffer.alloc(38);
  b[0] = version;
  b[1] = c.score;
  uuidBytes(c.programId).copy(b, 2);
  uuidBytes(c.requestId).copy(b, 18);
  b.writeUInt32BE(Math.floor(c.expiresAt.getTime() / 1000), 34);
  return b;
}

function unpack(b: Buffer): CsatLinkClaims | null {
  if (b.length !== 38 || b[0] !== version) return null;
  const score = b[1]!;
  if (score < 1 || score > 5) return null;
  return { score, programId: uuidOf(b.subarray(2, 18)), requestId: uuidOf(b.subarray(18, 34)), expiresAt: new Date(b.readUInt32BE(34) * 1000) };
}

const mac = (key: Buffer, payload: Buffer) => createHmac('sha256', key).update(payload).digest().subarray(0, macBytes);

export async function signCsatLink(db: Db, claims: CsatLinkClaims): Promise<string> {
  const payload = pack(claims);
  return `${payload.toString('base64url')}.${mac(await linkKey(db, claims.programId), payload).toString('base64url')}`;
}

/** The five tokens of one mail, score 1 first. */
export async function csatLinkTokens(db: Db, programId: string, requestId: string, now: Date): Promise<string[]> {
  const expiresAt = new Date(now.getTime() + csatLinkDays * 86_400_000);
  const tokens: string[] = [];
  for (const score of [1, 2, 3, 4, 5]) tokens.push(await signCsatLink(db, { programId, requestId, score, expiresAt }));
  return tokens;
}

/** The claims of an untouched, unexpired token. The MAC is checked before the expiry, so a changed date is invalid, not expired. */
export async function verifyCsatLink(db: Db, token: string, now: Date): Promise<CsatLinkClaims> {
  const invalid = () => new LojalError('service_csat_link_invalid');
  const parts = splitSignedToken(token);
  if (!parts) throw invalid();
  const { payload, mac: givenMac } = parts;
  const claims = unpack(payload);
  if (!claims) throw invalid();
  const known = await sql`SELECT 1 FROM service_settings WHERE program_id = ${claims.programId} AND link_key IS NOT NULL`.execute(db);
  if (!known.rows.length) throw invalid();
  const expected = mac(await linkKey(db, claims.programId), payload);
  if (givenMac.length !== expected.length || !timingSafeEqual(givenMac, expected)) throw invalid();
  if (now.getTime() >= claims.expiresAt.getTime()) throw new LojalError('service_csat_link_expired', { expiredAt: claims.expiresAt.toISOString() });
  return claims;
}

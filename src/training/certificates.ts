/**
 * Certificates: issued when a course that has one is completed, printed in the member's language with what
 * it was for, when, until when, and a verification code anyone can check (GET /v1/certificates/verify/{code})
 * without signing in. What is printed is kept as issued: renaming the member or the course later does not
 * change a certificate already handed out.
 */
import { randomInt } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { LojalError } from '../errors/index.js';
import { isLanguage, type Language } from '../i18n/index.js';
import { addMonthsUtc } from '../ledger/expiry.js';
import type { Program } from '../programs/programs.js';
import type { Course } from './courses.js';
import { isValidAt } from './certification.js';
import { tdb } from './tables.js';
import { textOr } from './texts.js';

/** Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper is not mistaken. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DAY_MS = 86_400_000;
/** Members are told this many days before a certificate expires. */
export const REMIND_DAYS = 30;

/** 15 random symbols (75 bits) in groups of five, e.g. `7KQ2M-XW9PD-4HRTC`. */
export function newVerificationCode(): string {
  const symbols = Array.from({ length: 15 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  return `${symbols.slice(0, 5)}-${symbols.slice(5, 10)}-${symbols.slice(10)}`;
}

/** As typed: case, spaces and a missing dash do not matter. */
export function normalizeCode(input: string): string {
  const s = input.toUpperCase().replace(/[^0-9A-Z]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return s.length === 15 ? `${s.slice(0, 5)}-${s.slice(5, 10)}-${s.slice(10)}` : s;
}

export interface Certificate {
  id: string;
  courseId: string;
  memberId: string;
  code: string;
  language: Language;
  memberName: string;
  courseTitle: string;
  issuedAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** Set when a renewal issued a newer certificate for the same course and member. */
  replacedBy: string | null;
  replacedAt: Date | null;
}

export type CertificateStatus = 'valid' | 'expired' | 'revoked' | 'replaced';

export const statusOf = (c: Certificate, now: Date): CertificateStatus =>
  c.revokedAt ? 'revoked' : c.replacedBy ? 'replaced' : isValidAt({ ...c, issuedAt: new Date(0) }, now) ? 'valid' : 'expired';

/**
 * A member may renew a certificate that expires within the reminder window or has expired, as long as it is
 * the current one (not replaced) and was not withdrawn: a revoked certificate is the program team's decision.
 */
export const renewable = (c: Certificate, now: Date): boolean =>
  !c.revokedAt && !c.replacedBy && c.expiresAt !== null && c.expiresAt.getTime() - now.getTime() <= REMIND_DAYS * DAY_MS;

export const expiresSoon = (c: Certificate, now: Date): boolean =>
  statusOf(c, now) === 'valid' && c.expiresAt !== null && c.expiresAt.getTime() - now.getTime() <= REMIND_DAYS * DAY_MS;

type Row = {
  id: string;
  course_id: string;
  member_id: string;
  code: string;
  language: string;
  member_name: string;
  course_title: string;
  issued_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  replaced_by: string | null;
  replaced_at: Date | null;
};

const toCertificate = (r: Row): Certificate => ({
  id: r.id,
  courseId: r.course_id,
  memberId: r.member_id,
  code: r.code,
  language: isLanguage(r.language) ? r.language : 'en',
  memberName: r.member_name,
  courseTitle: r.course_title,
  issuedAt: r.issued_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  replacedBy: r.replaced_by,
  replacedAt: r.replaced_at,
});

const columns = ['id', 'course_id', 'member_id', 'code', 'language', 'member_name', 'course_title', 'issued_at', 'expires_at', 'revoked_at', 'replaced_by', 'replaced_at'] as const;

export async function issueCertificate(
  trx: Db,
  program: Program,
  course: Course,
  member: { id: string; name: string; language: Language | null },
  at: Date,
  id: string = uuidv7(),
): Promise<Certificate> {
  const language = member.language ?? program.defaultLanguage;
  const validMonths = course.certificate?.validMonths ?? null;
  for (let attempt = 0; ; attempt++) {
    try {
      const row = await tdb(trx)
        .insertInto('certificates')
        .values({
          program_id: program.id,
          id,
          course_id: course.id,
          member_id: member.id,
          code: newVerificationCode(),
          language,
          member_name: member.name,
          course_title: textOr(course.title, language, program.defaultLanguage),
          issued_at: at,
          expires_at: validMonths === null ? null : addMonthsUtc(at, validMonths),
        })
        .returning(columns)
        .executeTakeFirstOrThrow();
      return toCertificate(row);
    } catch (err) {
      // 75 random bits make a clash all but impossible; should one happen, draw again.
      if (attempt < 3 && isUniqueViolation(err, 'certificates_program_id_code')) continue;
      throw err;
    }
  }
}

export async function listCertificates(db: Db, programId: string, f: { memberId?: string; courseId?: string; after?: string; limit?: number }): Promise<Certificate[]> {
  let q = tdb(db).selectFrom('certificates').select(columns).where('program_id', '=', programId);
  if (f.memberId) q = q.where('member_id', '=', f.memberId);
  if (f.courseId) q = q.where('course_id', '=', f.courseId);
  if (f.after) q = q.where('id', '>', f.after);
  return (await q.orderBy('id').limit(f.limit ?? 500).execute()).map(toCertificate);
}

export async function requireCertificate(db: Db, programId: string, id: string): Promise<Certificate> {
  const r = await tdb(db).selectFrom('certificates').select(columns).where('program_id', '=', programId).where('id', '=', id).executeTakeFirst();
  if (!r) throw new LojalError('not_found', { entity: 'certificate', id });
  return toCertificate(r);
}

/**
 * The one lookup across programs: by a verification code, which is random and printed on paper. It answers
 * only what the certificate itself says, and the program that issued it.
 */
export async function findByCode(db: Db, code: string): Promise<(Certificate & { programId: string; programName: string; timeZone: string }) | undefined> {
  const r = await tdb(db)
    .selectFrom('certificates as c')
    .innerJoin('programs as p', 'p.id', 'c.program_id')
    .select(columns.map((k) => `c.${k}` as const))
    .select(['p.id as program_id', 'p.name as program_name', 'p.time_zone'])
    .where('c.code', '=', normalizeCode(code))
    .executeTakeFirst();
  return r && { ...toCertificate(r), programId: r.program_id, programName: r.program_name, timeZone: r.time_zone };
}

/** The member's current certificate of a course (the newest, not replaced), if any. */
export async function currentCertificate(db: Db, programId: string, courseId: string, memberId: string, lock = false): Promise<Certificate | undefined> {
  let q = tdb(db).selectFrom('certificates').select(columns).where('program_id', '=', programId).where('course_id', '=', courseId).where('member_id', '=', memberId).where('replaced_by', 'is', null);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && toCertificate(r);
}

export async function revokeCertificate(db: Db, programId: string, id: string, now: Date): Promise<Certificate> {
  await tdb(db).updateTable('certificates').set({ revoked_at: now }).where('program_id', '=', programId).where('id', '=', id).where('revoked_at', 'is', null).execute();
  return requireCertificate(db, programId, id);
}

/** Every certificate a member (or, for an account, any of its members) holds, for the tier conditions. */
export async function heldCertificates(db: Db, programId: string, owner: { memberId?: string; accountId?: string }) {
  let q = tdb(db)
    .selectFrom('certificates as c')
    .select(['c.course_id', 'c.issued_at', 'c.expires_at', 'c.revoked_at'])
    .where('c.program_id', '=', programId);
  if (owner.memberId) q = q.where('c.member_id', '=', owner.memberId);
  else if (owner.accountId) {
    q = q.where('c.member_id', 'in', (s) => s.selectFrom('members').select('id').where('program_id', '=', programId).where('account_id', '=', owner.accountId!));
  } else return [];
  return (await q.execute()).map((r) => ({ courseId: r.course_id, issuedAt: r.issued_at, expiresAt: r.expires_at, revokedAt: r.revoked_at }));
}

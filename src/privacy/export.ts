/**
 * A member's data export (GDPR access and portability): everything the program holds about the person,
 * as one JSON document and one CSV file per kind of record, in one zip. Read-only: it reads the owning
 * modules' tables and changes nothing.
 */
import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import { ZipFile } from 'yazl';
import type { Db } from '../db/database.js';
import { LojalError } from '../errors/index.js';
import { consentHistory, currentConsents, listConsentTexts } from './consent.js';

type Row = Record<string, unknown>;

export interface MemberData {
  exportedAt: string;
  programId: string;
  memberId: string;
  /** Kind of record → rows; each becomes `<kind>.csv` in the zip. */
  sections: Record<string, Row[]>;
}

const rowsOf = async (db: Db, query: ReturnType<typeof sql<Row>>): Promise<Row[]> => (await query.execute(db)).rows;

export async function collectMemberData(db: Db, programId: string, memberId: string, now: Date): Promise<MemberData> {
  const profile = await rowsOf(
    db,
    sql<Row>`SELECT m.id, m.external_id, m.name, m.email, m.phone, m.role, m.language, m.tags, m.status, m.tier, m.attributes, m.mail_preferences,
                    m.created_at, m.updated_at, m.account_id, a.name AS account_name
             FROM members m JOIN accounts a ON a.program_id = m.program_id AND a.id = m.account_id
             WHERE m.program_id = ${programId} AND m.id = ${memberId}`,
  );
  if (profile.length === 0) throw new LojalError('not_found', { entity: 'member', id: memberId });
  const email = (profile[0]!.email as string | null) ?? null;
  const history = await consentHistory(db, programId, memberId);
  const versions = new Set(history.map((r) => `${r.purpose}/${r.textVersion}`));
  const texts = (await listConsentTexts(db, programId)).filter((t) => versions.has(`${t.purpose}/${t.version}`));
  const sections: Record<string, Row[]> = {
    profile,
    consents: history.map((r) => ({ ...r })),
    consent_state: currentConsents(history).map((s) => ({ ...s })),
    consent_texts: texts.map((t) => ({ ...t })),
    events: await rowsOf(
      db,
      sql<Row>`SELECT id, external_id, type, occurred_at, received_at, account_id, amount, attributes
               FROM events WHERE program_id = ${programId} AND member_id = ${memberId} ORDER BY occurred_at, id`,
    ),
    // The member's own wallet has the member's id.
    ledger_entries: await rowsOf(
      db,
      sql<Row>`SELECT e.journal_id, e.seq, j.kind, j.occurred_at, e.bucket, e.amount, j.reason_code, j.memo, j.event_id
               FROM entries e JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
               WHERE e.program_id = ${programId} AND e.wallet_id = ${memberId} ORDER BY j.occurred_at, e.journal_id, e.seq`,
    ),
    orders: await rowsOf(
      db,
      sql<Row>`SELECT o.id, o.reward_id, r.code AS reward_code, o.quantity, o.points, o.state, o.shipping_address, o.tracking, o.codes, o.note,
                      o.created_at, o.updated_at
               FROM reward_orders o JOIN rewards r ON r.program_id = o.program_id AND r.id = o.reward_id
               WHERE o.program_id = ${programId} AND o.member_id = ${memberId} ORDER BY o.created_at, o.id`,
    ),
    claims: await rowsOf(
      db,
      sql<Row>`SELECT id, sku, quantity, amount, sale_date, invoice_number, end_customer, state, points, rejection_code, rejection_note,
                      decided_at, created_at
               FROM sale_claims WHERE program_id = ${programId} AND member_id = ${memberId} ORDER BY created_at, id`,
    ),
    coop_claims: await rowsOf(
      db,
      sql<Row>`SELECT id, cost, ad_date, medium, description, state, approved_amount, rejection_code, rejection_note, decided_at, created_at
               FROM coop_claims WHERE program_id = ${programId} AND member_id = ${memberId} ORDER BY created_at, id`,
    ),
    requests: await rowsOf(
      db,
      sql<Row>`SELECT id, points, reason_code, memo, state, requested_at, decided_at, decision_reason
               FROM adjustment_requests WHERE program_id = ${programId} AND wallet_id = ${memberId} ORDER BY requested_at, id`,
    ),
    evidence_files: await rowsOf(
      db,
      sql<Row>`SELECT id, content_type, size_bytes, file_name, created_at FROM evidence_files
               WHERE program_id = ${programId} AND uploaded_by = ${`member:${memberId}`} ORDER BY created_at, id`,
    ),
    onboarding: await rowsOf(
      db,
      sql<Row>`SELECT step_code, completed_at FROM onboarding_completions WHERE program_id = ${programId} AND member_id = ${memberId} ORDER BY completed_at`,
    ),
    tier_history: await rowsOf(
      db,
      sql<Row>`SELECT from_level, to_level, reason, at FROM tier_history
               WHERE program_id = ${programId} AND owner_kind = 'member' AND owner_id = ${memberId} ORDER BY at, id`,
    ),
    mails: email
      ? await rowsOf(
          db,
          sql<Row>`SELECT id, template, to_address, language, subject, status, sent_at, created_at FROM mail_outbox
                   WHERE program_id = ${programId} AND lower(to_address) = lower(${email}) ORDER BY created_at, id`,
        )
      : [],
    // What the audit log recorded about the person (changes to their record, things they did in the portal).
    audit: await rowsOf(
      db,
      sql<Row>`SELECT seq, at, action, entity, entity_id, actor, before, after FROM audit_log
               WHERE program_id = ${programId} AND ((entity = 'member' AND entity_id = ${memberId}) OR actor = ${`member:${memberId}`})
               ORDER BY seq`,
    ),
  };
  return { exportedAt: now.toISOString(), programId, memberId, sections };
}

/** A cell: dates as ISO 8601, objects and arrays as JSON, null as empty. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function sectionCsv(rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return stringify(
    rows.map((r) => columns.map((c) => cell(r[c]))),
    { header: true, columns },
  );
}

/** The zip: `member.json` with every section, `<section>.csv` for each, and a README naming them. */
export async function memberDataZip(data: MemberData): Promise<Buffer> {
  const zip = new ZipFile();
  const mtime = new Date(data.exportedAt);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
  zip.addBuffer(Buffer.from(JSON.stringify(data, null, 2) + '\n'), 'member.json', { mtime });
  for (const [name, rows] of Object.entries(data.sections)) zip.addBuffer(Buffer.from(sectionCsv(rows)), `${name}.csv`, { mtime });
  const readme = [
    `Data export for member ${data.memberId}, made ${data.exportedAt}.`,
    'member.json holds everything; each CSV file holds one kind of record (UTF-8, comma-separated, header row).',
    ...Object.entries(data.sections).map(([name, rows]) => `${name}.csv: ${rows.length} rows`),
    '',
  ].join('\n');
  zip.addBuffer(Buffer.from(readme), 'README.txt', { mtime });
  zip.end();
  return done;
}

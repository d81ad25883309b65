/**
 * The keyed audit chain: whoever can write the database but does not hold LOJAL_AUDIT_KEY cannot rewrite,
 * re-date or cut the log without `audit verify` noticing (the cut through a checkpoint kept elsewhere).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCheckpoint, verifyChain } from '../../src/audit/index.js';
import { entryHash, genesisHash, type ChainedEntry } from '../../src/audit/chain.js';
import { auditKeyId, auditKeyringOf, useAuditKeyring } from '../../src/audit/keys.js';
import type { Db } from '../../src/db/database.js';
import { startTestApp, type TestApp } from '../support/app.js';

const keyA = 'a'.repeat(20) + '-first-audit-key-0123456789';
const keyB = 'b'.repeat(20) + '-second-audit-key-987654321';

let t: TestApp;
let db: Db;
beforeAll(async () => {
  t = await startTestApp({ LOJAL_AUDIT_KEY: keyA });
  db = t.database.db;
});
afterAll(async () => t.close());

/** A program with `n` audited actions (staff users created). */
async function programWithEntries(n: number) {
  const p = await t.newProgram();
  for (let i = 0; i < n; i++) {
    const res = await t.call('POST', '/v1/staff-users', { email: `s${i}@lojal.test`, name: `Staff ${i}`, role: 'viewer' }, p.key);
    expect(res.statusCode, res.body).toBe(201);
  }
  return p.programId;
}

/** What someone with write access to the database could do: the append-only trigger is theirs to switch off. */
async function behindItsBack(work: () => Promise<unknown>) {
  await sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`.execute(db);
  try {
    await work();
  } finally {
    await sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`.execute(db);
  }
}

const keyring = (current: string | undefined, previous: string[] = []) => auditKeyringOf({ auditKey: current, auditPreviousKeys: previous });

describe('the keyed audit chain', () => {
  it('signs new entries with the configured key and names it by its fingerprint', async () => {
    const programId = await programWithEntries(3);
    const rows = await db.selectFrom('audit_log').select(['seq', 'key_id']).where('program_id', '=', programId).orderBy('seq').execute();
    expect(rows.map((r) => r.key_id)).toEqual([auditKeyId(keyA), auditKeyId(keyA), auditKeyId(keyA)]);
    expect(auditKeyId(keyA)).not.toContain(keyA.slice(0, 8));
    expect(await verifyChain(db, programId)).toMatchObject({ checked: 3, unkeyed: 0, brokenAt: null });
  });

  it('an entry rewritten and re-hashed without the key is caught', async () => {
    const programId = await programWithEntries(3);
    const row = await db.selectFrom('audit_log').selectAll().where('program_id', '=', programId).where('seq', '=', 2).executeTakeFirstOrThrow();
    // The forger changes the entry and recomputes a plain hash, as the chain was before keys.
    const forged: ChainedEntry = {
      programId, seq: 2, id: row.id, at: new Date(row.at), actor: row.actor, actorLabel: row.actor_label, actorIp: row.actor_ip,
      action: row.action, entity: row.entity, entityId: row.entity_id, before: row.before, after: { ...(row.after as object), role: 'owner' },
    };
    await behindItsBack(() =>
      sql`UPDATE audit_log SET after = ${JSON.stringify(forged.after)}::jsonb, hash = ${entryHash(forged, row.prev_hash)} WHERE program_id = ${programId} AND seq = 2`.execute(db),
    );
    expect(await verifyChain(db, programId)).toMatchObject({ brokenAt: 2, reason: 'the entry does not match its keyed hash' });
  });

  it('a timestamp moved by one microsecond is caught', async () => {
    const programId = await programWithEntries(2);
    await behindItsBack(() => sql`UPDATE audit_log SET at = at + interval '1 microsecond' WHERE program_id = ${programId} AND seq = 1`.execute(db));
    expect(await verifyChain(db, programId)).toMatchObject({ brokenAt: 1 });
  });

  it('cutting the newest entries and rewinding the head passes without a checkpoint and is caught with one', async () => {
    const programId = await programWithEntries(5);
    const checkpoint = await auditCheckpoint(db, programId, t.clock());
    expect(checkpoint).toMatchObject({ programId, seq: 5 });
    const kept = await db.selectFrom('audit_log').select('hash').where('program_id', '=', programId).where('seq', '=', 3).executeTakeFirstOrThrow();
    await behindItsBack(async () => {
      await sql`DELETE FROM audit_log WHERE program_id = ${programId} AND seq > 3`.execute(db);
      await sql`UPDATE audit_heads SET seq = 3, hash = ${kept.hash} WHERE program_id = ${programId}`.execute(db);
    });
    expect(await verifyChain(db, programId)).toMatchObject({ checked: 3, brokenAt: null });
    const report = await verifyChain(db, programId, { checkpoints: [checkpoint] });
    expect(report.brokenAt).toBe(4);
    expect(report.reason).toMatch(/ends at entry 3, but the checkpoint taken at .* saw entry 5: entries were removed/);
  });

  it('an entry replaced under a checkpoint is caught even where the hashes still link', async () => {
    const programId = await programWithEntries(2);
    const checkpoint = await auditCheckpoint(db, programId, t.clock());
    expect(await verifyChain(db, programId, { checkpoints: [{ ...checkpoint, hash: genesisHash.replace(/0$/, '1') }] })).toMatchObject({
      brokenAt: 2,
      reason: expect.stringMatching(/differs from the checkpoint/),
    });
  });

  it('keys rotate: entries under the previous key verify while it is listed, and name it when it is not', async () => {
    const programId = await programWithEntries(2);
    try {
      useAuditKeyring(keyring(keyB, [keyA]));
      await t.call('POST', '/v1/staff-users', { email: 'late@lojal.test', name: 'Late', role: 'viewer' }, (await t.keyWith(['admin'], programId)));
      const ids = (await db.selectFrom('audit_log').select('key_id').where('program_id', '=', programId).orderBy('seq').execute()).map((r) => r.key_id);
      expect(ids.slice(-2)).toEqual([auditKeyId(keyA), auditKeyId(keyB)]);
      expect(await verifyChain(db, programId)).toMatchObject({ brokenAt: null });
      const report = await verifyChain(db, programId, { keyring: keyring(keyB) });
      expect(report.brokenAt).toBe(1);
      expect(report.reason).toContain(auditKeyId(keyA));
    } finally {
      useAuditKeyring(keyring(keyA));
    }
  });

  it('a plain entry after keyed ones is refused as written without the key', async () => {
    const programId = await programWithEntries(1);
    try {
      useAuditKeyring(keyring(undefined));
      await t.call('POST', '/v1/staff-users', { email: 'plain@lojal.test', name: 'Plain', role: 'viewer' }, (await t.keyWith(['admin'], programId)));
    } finally {
      useAuditKeyring(keyring(keyA));
    }
    const report = await verifyChain(db, programId);
    expect(report).toMatchObject({ brokenAt: 2 });
    expect(report.reason).toMatch(/unkeyed entry follows keyed entries/);
  });

  it('GET /v1/audit/checkpoint gives the head to keep elsewhere', async () => {
    const res = await t.call('GET', '/v1/audit/checkpoint');
    expect(res.statusCode, res.body).toBe(200);
    const head = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('program_id', '=', t.programId).executeTakeFirst();
    expect(res.json()).toMatchObject({ programId: t.programId, seq: head ? Number(head.seq) : 0, hash: head?.hash ?? genesisHash, at: new Date(t.clock()).toISOString() });
  });
});

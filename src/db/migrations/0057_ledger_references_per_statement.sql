-- Entries and lots are checked against their journal and wallet once per statement instead of once per row.
--
-- A foreign key checks every inserted row on its own: a query of its own per row, an index probe, and a share lock
-- on the row referred to. A batch of 1,000 purchases writes thousands of entries and 1,000 lots, and those checks
-- were half of the time of its ledger write (docs/benchmarks.md). Here each insert statement checks all its rows at
-- once, in one query per table referred to. (A journal keeps its foreign key to its program: one check per journal,
-- cheaper than a statement trigger for the single journal of a spend or an order.)
--
-- The lock is what a foreign key adds beyond the check: it keeps the row referred to from being deleted, or its key
-- changed, before the referring row commits. The rows referred to here never are: journals are append-only
-- (migration 0016), and wallets refuse deletion and a change of key below. So the check when the row is written
-- guarantees what the foreign key did. Entries cannot be changed at all (0016), nor a lot's journal or wallet
-- (0016), so inserts are the only writes to check.

ALTER TABLE entries
  DROP CONSTRAINT entries_program_id_journal_id_fkey,
  DROP CONSTRAINT entries_program_id_wallet_id_fkey;
ALTER TABLE lots
  DROP CONSTRAINT lots_program_id_journal_id_fkey,
  DROP CONSTRAINT lots_program_id_wallet_id_fkey;

-- The error a foreign key raises (SQLSTATE 23503), naming the first row that refers to nothing.
CREATE FUNCTION ledger_missing_reference(tbl text, what text, id uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'insert into % refers to a % that does not exist (%)', tbl, what, id
    USING ERRCODE = 'foreign_key_violation', TABLE = tbl;
END;
$$;

-- Entries and lots alike: each distinct journal and wallet of the statement's rows, looked up through its primary key.
CREATE FUNCTION ledger_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing uuid;
BEGIN
  SELECT n.journal_id INTO missing FROM (SELECT DISTINCT program_id, journal_id FROM new_rows) n
    LEFT JOIN LATERAL (SELECT true AS found FROM journals j WHERE j.program_id = n.program_id AND j.id = n.journal_id LIMIT 1) r ON true
   WHERE r.found IS NULL LIMIT 1;
  IF FOUND THEN PERFORM ledger_missing_reference(TG_TABLE_NAME, 'journal', missing); END IF;
  SELECT n.wallet_id INTO missing FROM (SELECT DISTINCT program_id, wallet_id FROM new_rows) n
    LEFT JOIN LATERAL (SELECT true AS found FROM wallets w WHERE w.program_id = n.program_id AND w.id = n.wallet_id LIMIT 1) r ON true
   WHERE r.found IS NULL LIMIT 1;
  IF FOUND THEN PERFORM ledger_missing_reference(TG_TABLE_NAME, 'wallet', missing); END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER entries_references AFTER INSERT ON entries
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_references();
CREATE TRIGGER lots_references AFTER INSERT ON lots
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_references();

-- What entries and lots refer to stays: a wallet is never deleted and keeps its key.
CREATE FUNCTION wallets_refuse_removal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'wallets are never removed or re-keyed: the ledger refers to them (% refused)', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER wallets_never_deleted BEFORE DELETE ON wallets
  FOR EACH ROW EXECUTE FUNCTION wallets_refuse_removal();
CREATE TRIGGER wallets_no_truncate BEFORE TRUNCATE ON wallets
  FOR EACH STATEMENT EXECUTE FUNCTION wallets_refuse_removal();
CREATE TRIGGER wallets_key_fixed BEFORE UPDATE OF program_id, id ON wallets
  FOR EACH ROW WHEN (OLD.program_id IS DISTINCT FROM NEW.program_id OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION wallets_refuse_removal();

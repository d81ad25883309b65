-- The ledger's history is append-only in the database itself, not only by the code's convention: a posted
-- journal or entry is never changed or removed (corrections are new journals). A lot changes in the two ways
-- the ledger writer changes it: its remaining points only go down (spent, reversed, expired) and its status
-- only goes from pending to available (released); everything else about it stays as posted.

CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER journals_append_only BEFORE UPDATE OR DELETE ON journals
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER journals_no_truncate BEFORE TRUNCATE ON journals
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER lots_no_delete BEFORE DELETE ON lots
  FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER lots_no_truncate BEFORE TRUNCATE ON lots
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

CREATE FUNCTION lots_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.program_id, NEW.id, NEW.wallet_id, NEW.journal_id, NEW.earned_at, NEW.available_at, NEW.expires_at, NEW.original)
       IS DISTINCT FROM
     (OLD.program_id, OLD.id, OLD.wallet_id, OLD.journal_id, OLD.earned_at, OLD.available_at, OLD.expires_at, OLD.original)
  THEN
    RAISE EXCEPTION 'lots are append-only: only remaining and status may change' USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.remaining > OLD.remaining THEN
    RAISE EXCEPTION 'lots are append-only: remaining may only go down (% to %)', OLD.remaining, NEW.remaining USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.status <> OLD.status AND NOT (OLD.status = 'pending' AND NEW.status = 'available') THEN
    RAISE EXCEPTION 'lots are append-only: status may only go from pending to available' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER lots_append_only BEFORE UPDATE ON lots
  FOR EACH ROW EXECUTE FUNCTION lots_refuse_rewrite();

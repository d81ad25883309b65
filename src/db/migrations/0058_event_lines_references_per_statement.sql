-- An event's lines are checked against their event once per insert statement, as the ledger's rows are since
-- migration 0057. A purchase has several lines (the Online Retail file eighteen on average) and the foreign key
-- checked each on its own: after 0057 it was the largest part left of a batch's ledger write.
--
-- Unlike journals, an event can be deleted (a refused event's row goes again in its own transaction, so that a
-- corrected resend is new), so what the foreign key did is kept whole:
-- - an insert of lines locks their events as the key did (KEY SHARE, once per event instead of once per line), so
--   none of them can be deleted before the lines commit; an event missing or deleted meanwhile fails the insert;
-- - a delete of events that still have lines fails, and events and lines keep their keys.
-- The error is the foreign key's (SQLSTATE 23503).

ALTER TABLE event_lines DROP CONSTRAINT event_lines_program_id_event_id_fkey;

CREATE FUNCTION event_lines_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing uuid;
BEGIN
  -- Each distinct event looked up through its primary key and locked (lateral: never a hash join, see 0057). The
  -- look-up runs for every event before the filter, so all are locked unless one is missing, which fails the insert.
  SELECT n.event_id INTO missing FROM (SELECT DISTINCT program_id, event_id FROM new_rows) n
    LEFT JOIN LATERAL (SELECT true AS found FROM events e WHERE e.program_id = n.program_id AND e.id = n.event_id FOR KEY SHARE) r ON true
   WHERE r.found IS NULL LIMIT 1;
  IF FOUND THEN PERFORM ledger_missing_reference('event_lines', 'event', missing); END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER event_lines_references AFTER INSERT ON event_lines
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION event_lines_check_references();

CREATE FUNCTION events_keep_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  kept uuid;
BEGIN
  SELECT o.id INTO kept FROM old_rows o
    CROSS JOIN LATERAL (SELECT 1 FROM event_lines l WHERE l.program_id = o.program_id AND l.event_id = o.id LIMIT 1) l
   LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'delete from events refused: event % still has lines', kept
      USING ERRCODE = 'foreign_key_violation', TABLE = 'events';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER events_keep_lines AFTER DELETE ON events
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION events_keep_lines();

CREATE FUNCTION event_keys_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% keep their keys: an event''s lines refer to it (% refused)', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER events_key_fixed BEFORE UPDATE OF program_id, id ON events
  FOR EACH ROW WHEN (OLD.program_id IS DISTINCT FROM NEW.program_id OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION event_keys_fixed();
CREATE TRIGGER event_lines_key_fixed BEFORE UPDATE OF program_id, event_id ON event_lines
  FOR EACH ROW WHEN (OLD.program_id IS DISTINCT FROM NEW.program_id OR OLD.event_id IS DISTINCT FROM NEW.event_id)
  EXECUTE FUNCTION event_keys_fixed();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION event_keys_fixed();

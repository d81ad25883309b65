-- Server processes keep rarely changing settings in memory (src/cache): the program row, API keys, staff users'
-- role and state, partners, rules and the tier ladder. Every change to them bumps the program's settings
-- version in the same transaction and notifies the other processes on commit, by trigger, so no writer (a
-- route, the CLI, an import, a hand-written UPDATE) can forget to. Writes read the version with their key
-- check and reload what is older; reads rely on the notification.
CREATE TABLE settings_versions (
  program_id uuid PRIMARY KEY,
  version    bigint NOT NULL
);

CREATE FUNCTION lojal_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed uuid := (to_jsonb(COALESCE(NEW, OLD)) ->> TG_ARGV[0])::uuid;
BEGIN
  INSERT INTO settings_versions (program_id, version) VALUES (changed, 1)
    ON CONFLICT (program_id) DO UPDATE SET version = settings_versions.version + 1;
  PERFORM pg_notify('lojal_settings', changed::text);
  RETURN NULL;
END $$;

CREATE TRIGGER programs_settings_changed AFTER UPDATE OR DELETE ON programs
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('id');
CREATE TRIGGER api_keys_settings_changed AFTER UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('program_id');
CREATE TRIGGER staff_users_settings_changed AFTER UPDATE OF role, active, name OR DELETE ON staff_users
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('program_id');
CREATE TRIGGER partners_settings_changed AFTER UPDATE OF code, name, active OR DELETE ON partners
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('program_id');
CREATE TRIGGER rules_settings_changed AFTER INSERT OR UPDATE OR DELETE ON rules
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('program_id');
CREATE TRIGGER tier_settings_settings_changed AFTER INSERT OR UPDATE OR DELETE ON tier_settings
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('program_id');
CREATE TRIGGER tier_levels_settings_changed AFTER INSERT OR UPDATE OR DELETE ON tier_levels
  FOR EACH ROW EXECUTE FUNCTION lojal_settings_changed('program_id');

-- A keyed audit chain: each entry names the key its HMAC was made with (a fingerprint, never the key).
-- Entries from before have none: they were chained with plain SHA-256 and still verify that way.
ALTER TABLE audit_log ADD COLUMN key_id text;

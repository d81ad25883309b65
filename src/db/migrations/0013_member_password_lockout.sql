-- Failed portal password sign-ins per e-mail address, kept by the address's SHA-256 (known addresses and
-- unknown ones alike, so a lock tells nobody whether an address has an account): after five in a row the
-- address is locked for a quarter of an hour, as staff sign-ins are.
CREATE TABLE member_password_failures (
  email_hash   text PRIMARY KEY,
  failures     integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

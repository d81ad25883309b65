-- Signing in: staff password links (reset and first password), member one-time codes, member passwords.

-- ---------------------------------------------------------------- program setting and member passwords
-- Members sign in with a one-time code by e-mail; a program may also let them keep a password.
ALTER TABLE programs ADD COLUMN member_passwords boolean NOT NULL DEFAULT false;
-- argon2id hash (PHC string); only used while the program allows member passwords.
ALTER TABLE members ADD COLUMN password_hash text;
-- Sign-in looks members up by address across programs (the index of 0001 starts with the program).
CREATE INDEX members_by_email_any_program ON members (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX staff_users_by_email_any_program ON staff_users (lower(email));

-- ---------------------------------------------------------------- staff password links
-- A link to set a password: 'reset' (asked for by the person) or 'invite' (sent when the user is created or an
-- admin sends it again). Only the token's SHA-256 is stored; a link works once and until it expires.
CREATE TABLE staff_password_resets (
  program_id    uuid NOT NULL,
  id            uuid NOT NULL,
  staff_user_id uuid NOT NULL,
  purpose       text NOT NULL CHECK (purpose IN ('reset', 'invite')),
  token_hash    text NOT NULL UNIQUE,
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, staff_user_id) REFERENCES staff_users (program_id, id)
);
CREATE INDEX staff_password_resets_by_user ON staff_password_resets (program_id, staff_user_id, created_at);

-- ---------------------------------------------------------------- member sign-in codes
-- One row per code asked for, whether or not the e-mail belongs to anybody (so that the rate limit, counted
-- on these rows, tells nothing about which addresses are known). The 6-digit code and the link token are
-- stored as SHA-256; wrong guesses count against the code until it is dead.
CREATE TABLE member_sign_in_codes (
  id              uuid PRIMARY KEY,
  email           text NOT NULL,
  code_hash       text NOT NULL,
  link_token_hash text NOT NULL UNIQUE,
  failed_attempts integer NOT NULL DEFAULT 0,
  expires_at      timestamptz NOT NULL,
  used_at         timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_sign_in_codes_by_email ON member_sign_in_codes (email, created_at);

-- ---------------------------------------------------------------- sessions
-- A member session started with a password may act only for the member rows whose password matched; a
-- session started with a code (which proves the e-mail) may act for every member row with that e-mail (null).
ALTER TABLE web_sessions ADD COLUMN member_ids uuid[];

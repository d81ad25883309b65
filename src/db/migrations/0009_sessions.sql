-- Browser sign-in: staff users with passwords, members by one-time codes, and the sessions both hold.

-- ---------------------------------------------------------------- staff passwords
-- argon2id hashes (PHC strings); null until the person sets one through a reset link.
ALTER TABLE staff_users ADD COLUMN password_hash text;
-- Failed sign-ins since the last success; at the limit the account is locked until `locked_until`.
ALTER TABLE staff_users ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0;
ALTER TABLE staff_users ADD COLUMN locked_until timestamptz;

-- ---------------------------------------------------------------- sessions
-- One row per signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a copy of
-- this table signs nobody in. `csrf_secret` backs the anti-forgery token the page sends with every write.
CREATE TABLE web_sessions (
  id            uuid PRIMARY KEY,
  token_hash    text NOT NULL UNIQUE,
  kind          text NOT NULL CHECK (kind IN ('staff', 'member')),
  -- Staff: the program and person. Member: the e-mail proven by the one-time code, then (once chosen among
  -- the member rows with that e-mail, possibly in several accounts or programs) the program and member.
  program_id    uuid REFERENCES programs (id),
  staff_user_id uuid,
  email         text,
  member_id     uuid,
  csrf_secret   text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  -- Idle expiry, pushed forward while the session is used; `absolute_expires_at` is never moved.
  expires_at    timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at    timestamptz,
  ip            text,
  user_agent    text,
  FOREIGN KEY (program_id, staff_user_id) REFERENCES staff_users (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  CHECK (kind <> 'staff' OR (program_id IS NOT NULL AND staff_user_id IS NOT NULL AND member_id IS NULL)),
  CHECK (kind <> 'member' OR (staff_user_id IS NULL AND email IS NOT NULL))
);
CREATE INDEX web_sessions_by_staff ON web_sessions (program_id, staff_user_id) WHERE staff_user_id IS NOT NULL;
CREATE INDEX web_sessions_by_member ON web_sessions (program_id, member_id) WHERE member_id IS NOT NULL;

-- An invitation link carries only its token; the page it opens finds the invitation by it, in whichever program.
CREATE INDEX invitations_by_token ON invitations (token_hash);

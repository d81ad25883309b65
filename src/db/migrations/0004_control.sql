-- Control: staff users (the people behind API keys), four-eyes adjustments, the hash-chained audit log,
-- and coalition partners. program_id leads every key, as in 0001.

-- ---------------------------------------------------------------- staff users
CREATE TABLE staff_users (
  program_id uuid NOT NULL REFERENCES programs (id),
  id         uuid NOT NULL,
  email      text NOT NULL,
  name       text NOT NULL,
  -- owner: everything; manager: everything but admin; support: read and day-to-day writes; viewer: read.
  role       text NOT NULL CHECK (role IN ('owner', 'manager', 'support', 'viewer')),
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);
-- E-mail addresses are compared case-insensitively: Anna@x.se and anna@x.se are one person.
CREATE UNIQUE INDEX staff_users_email ON staff_users (program_id, lower(email));

-- ---------------------------------------------------------------- partners
CREATE TABLE partners (
  program_id uuid NOT NULL REFERENCES programs (id),
  id         uuid NOT NULL,
  -- Short code, also the prefix of the partner's event ids and the `partner` attribute rules can match.
  code       text NOT NULL,
  name       text NOT NULL,
  -- bank | hotel | airline | retail | fuel | other: for reports, no behaviour hangs on it.
  kind       text NOT NULL,
  active     boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, code)
);

-- A key belongs to a person (staff user), to a partner, or to neither (an integration); never both.
ALTER TABLE api_keys ADD COLUMN staff_user_id uuid;
ALTER TABLE api_keys ADD COLUMN partner_id uuid;
ALTER TABLE api_keys ADD FOREIGN KEY (program_id, staff_user_id) REFERENCES staff_users (program_id, id);
ALTER TABLE api_keys ADD FOREIGN KEY (program_id, partner_id) REFERENCES partners (program_id, id);
ALTER TABLE api_keys ADD CHECK (staff_user_id IS NULL OR partner_id IS NULL);

-- Events a partner sent, and spends honoured at a partner. Null for everything else, so the hot path of
-- ordinary events writes the same rows as before.
ALTER TABLE events ADD COLUMN partner_id uuid;
ALTER TABLE journals ADD COLUMN partner_id uuid;
CREATE INDEX events_by_partner ON events (program_id, partner_id, occurred_at) WHERE partner_id IS NOT NULL;
CREATE INDEX journals_by_partner ON journals (program_id, partner_id, occurred_at) WHERE partner_id IS NOT NULL;

-- ---------------------------------------------------------------- four eyes
CREATE TABLE control_settings (
  program_id uuid PRIMARY KEY REFERENCES programs (id),
  -- |points| at or above which an adjustment waits for a second person's approval; null: never.
  approval_threshold bigint CHECK (approval_threshold IS NULL OR approval_threshold >= 1),
  -- Sum of |points| one actor may adjust per program-local day; null: no limit.
  daily_adjustment_limit bigint CHECK (daily_adjustment_limit IS NULL OR daily_adjustment_limit >= 1),
  -- [{"code": "goodwill", "labels": {"en": …, "sv": …, "nb": …, "pl": …, "de": …}}, …]
  reason_codes jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE adjustment_requests (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  idempotency_key text NOT NULL,
  request_hash    text NOT NULL,
  wallet_id       uuid NOT NULL,
  points          bigint NOT NULL CHECK (points <> 0),
  reason_code     text NOT NULL,
  memo            text,
  state           text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  requested_by    text NOT NULL,
  requested_at    timestamptz NOT NULL,
  decided_by      text,
  decided_at      timestamptz,
  decision_reason text,
  journal_id      uuid,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, idempotency_key),
  FOREIGN KEY (program_id, wallet_id) REFERENCES wallets (program_id, id),
  FOREIGN KEY (program_id, journal_id) REFERENCES journals (program_id, id),
  CHECK ((state = 'pending') = (decided_at IS NULL)),
  CHECK ((state = 'approved') = (journal_id IS NOT NULL))
);
CREATE INDEX adjustment_requests_by_state ON adjustment_requests (program_id, state, requested_at DESC, id DESC);

-- Points each actor adjusted (or asked to adjust) per program-local day, for the daily limit. Raised with a
-- conditional upsert in the adjustment's transaction, so two requests at once cannot both slip under it.
CREATE TABLE adjustment_usage (
  program_id uuid NOT NULL REFERENCES programs (id),
  actor      text NOT NULL,
  day        date NOT NULL,
  points     bigint NOT NULL CHECK (points >= 0),
  PRIMARY KEY (program_id, actor, day)
);

-- ---------------------------------------------------------------- audit log
-- Append-only, one hash chain per program: hash = sha256(canonical entry + prev_hash). The head row holds
-- the last seq and hash; an action locks it FOR UPDATE in its own transaction, so the chain stays linear.
CREATE TABLE audit_heads (
  program_id uuid PRIMARY KEY REFERENCES programs (id),
  seq        bigint NOT NULL,
  hash       text NOT NULL
);

CREATE TABLE audit_log (
  program_id  uuid NOT NULL REFERENCES programs (id),
  seq         bigint NOT NULL CHECK (seq >= 1),
  id          uuid NOT NULL,
  at          timestamptz NOT NULL,
  actor       text NOT NULL,
  actor_label text NOT NULL,
  actor_ip    text,
  action      text NOT NULL,
  entity      text NOT NULL,
  entity_id   text,
  before      jsonb,
  after       jsonb,
  prev_hash   text NOT NULL,
  hash        text NOT NULL,
  PRIMARY KEY (program_id, seq),
  UNIQUE (program_id, id)
);
CREATE INDEX audit_log_by_entity ON audit_log (program_id, entity, entity_id, seq);
CREATE INDEX audit_log_by_actor ON audit_log (program_id, actor, seq);
CREATE INDEX audit_log_by_time ON audit_log (program_id, at);

CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- Messages and privacy: consent kept as evidence, the texts consent was given to, and erasure of members
-- (on request or by the program's retention setting). program_id leads every key, as in 0001.

-- The wording a member is shown when asked for consent, one row per version: a consent record names the
-- version it was given to, so what the person agreed to can be shown later word for word.
CREATE TABLE consent_texts (
  program_id uuid NOT NULL REFERENCES programs (id),
  purpose    text NOT NULL CHECK (purpose IN ('marketing', 'newsletter', 'profiling')),
  version    integer NOT NULL CHECK (version >= 1),
  -- {"en": "…", "sv": "…", …}: the text in each language it was offered in.
  texts      jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, purpose, version)
);

-- Every consent given and every withdrawal: one row each, never changed (the current state is the latest
-- row per purpose and channel). The only change allowed is erasure blanking the IP address.
CREATE TABLE consent_records (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  member_id    uuid NOT NULL,
  purpose      text NOT NULL CHECK (purpose IN ('marketing', 'newsletter', 'profiling')),
  channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'inbox')),
  granted      boolean NOT NULL,
  -- The consent text version shown (null: a withdrawal, or consent recorded without a text, e.g. on paper).
  text_version integer,
  source       text NOT NULL CHECK (source IN ('portal', 'console', 'api', 'import', 'unsubscribe_link')),
  ip           text,
  recorded_by  text NOT NULL,
  recorded_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, purpose, text_version) REFERENCES consent_texts (program_id, purpose, version)
);
CREATE INDEX consent_records_by_member ON consent_records (program_id, member_id, recorded_at, id);

CREATE FUNCTION consent_records_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.ip IS NULL
     AND (NEW.program_id, NEW.id, NEW.member_id, NEW.purpose, NEW.channel, NEW.granted, NEW.text_version, NEW.source, NEW.recorded_by, NEW.recorded_at)
         IS NOT DISTINCT FROM
         (OLD.program_id, OLD.id, OLD.member_id, OLD.purpose, OLD.channel, OLD.granted, OLD.text_version, OLD.source, OLD.recorded_by, OLD.recorded_at)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'consent_records is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records
  FOR EACH ROW EXECUTE FUNCTION consent_records_refuse_change();

-- Per-program privacy settings: erase members closed this many months ago (null: never automatically).
CREATE TABLE privacy_settings (
  program_id       uuid PRIMARY KEY REFERENCES programs (id),
  retention_months integer CHECK (retention_months BETWEEN 1 AND 240),
  updated_at       timestamptz NOT NULL
);

-- One row per erased member: erasure happens once, and this is what is left to show it happened.
CREATE TABLE member_erasures (
  program_id   uuid NOT NULL REFERENCES programs (id),
  member_id    uuid NOT NULL,
  reason       text NOT NULL CHECK (reason IN ('request', 'retention')),
  requested_by text NOT NULL,
  erased_at    timestamptz NOT NULL,
  -- What was blanked, by kind (claims, orders, files, mails…): counts only, nothing personal.
  counts       jsonb NOT NULL,
  PRIMARY KEY (program_id, member_id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- Text messages waiting for the SMS provider, written in the transaction of what causes them. A message
-- due in the recipient's quiet hours waits (next_attempt_at) until the morning.
CREATE TABLE sms_outbox (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  idempotency_key text NOT NULL,
  member_id       uuid,
  to_number       text NOT NULL,
  body            text NOT NULL,
  encoding        text NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  segments        integer NOT NULL CHECK (segments >= 1),
  kind            text NOT NULL CHECK (kind IN ('transactional', 'marketing')),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
  held_until      timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  provider_id     text,
  cost            bigint,
  last_error      text,
  sent_at         timestamptz,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, idempotency_key),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX sms_outbox_due ON sms_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX sms_outbox_by_program ON sms_outbox (program_id, created_at DESC, id DESC);

-- The member's in-app inbox: messages shown in the portal, unread until opened.
CREATE TABLE inbox_messages (
  program_id uuid NOT NULL REFERENCES programs (id),
  id         uuid NOT NULL,
  member_id  uuid NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('transactional', 'marketing')),
  title      text NOT NULL,
  body       text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  read_at    timestamptz,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);
CREATE INDEX inbox_messages_by_member ON inbox_messages (program_id, member_id, created_at DESC, id DESC);

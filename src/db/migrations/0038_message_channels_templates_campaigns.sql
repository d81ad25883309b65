-- Messages that reach each person on their channel: channel defaults per role and each member's own choice,
-- templates per message kind × language, tips, sends to a segment (campaigns) with per-recipient tracking,
-- and onboarding sequences. program_id leads every key, as in 0001.

-- The channels a role gets transactional messages on unless the member chose otherwise. role '' is the
-- default for members whose role has no row of its own.
CREATE TABLE message_channel_defaults (
  program_id uuid NOT NULL REFERENCES programs (id),
  role       text NOT NULL,
  channels   text[] NOT NULL CHECK (channels <@ ARRAY['email', 'sms', 'inbox']::text[]),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, role)
);

-- A member's own choice of channels for transactional messages (marketing goes by consent per channel),
-- and the time zone their quiet hours are counted in (null: the program's).
CREATE TABLE member_message_preferences (
  program_id uuid NOT NULL REFERENCES programs (id),
  member_id  uuid NOT NULL,
  channels   text[] CHECK (channels <@ ARRAY['email', 'sms', 'inbox']::text[]),
  time_zone  text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- A program's own wording of a message kind in one language; without a row the built-in text is used.
CREATE TABLE message_templates (
  program_id uuid NOT NULL REFERENCES programs (id),
  kind       text NOT NULL,
  language   text NOT NULL CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  subject    text NOT NULL,
  body       text NOT NULL,
  sms        text,
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, kind, language)
);

-- "Did you know…" texts added to earn notices, per language and optionally only for one segment.
CREATE TABLE message_tips (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  language    text NOT NULL CHECK (language IN ('en', 'sv', 'nb', 'pl', 'de')),
  segment_key text,
  text        text NOT NULL,
  active      boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, id)
);
CREATE INDEX message_tips_by_language ON message_tips (program_id, language) WHERE active;

-- The tip a member was shown last, so the next notice shows another one.
CREATE TABLE member_last_tip (
  program_id uuid NOT NULL REFERENCES programs (id),
  member_id  uuid NOT NULL,
  tip_id     uuid NOT NULL,
  shown_at   timestamptz NOT NULL,
  PRIMARY KEY (program_id, member_id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- A message to an audience (newsletter, announcement): drafted, then sent now or at a time.
CREATE TABLE message_campaigns (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  name         text NOT NULL,
  channel      text NOT NULL CHECK (channel IN ('email', 'sms', 'inbox')),
  purpose      text NOT NULL CHECK (purpose IN ('marketing', 'newsletter')),
  -- A segment filter over members (src/segments/filter.ts).
  audience     jsonb NOT NULL,
  -- {"en": {"subject": …, "body": …}, "sv": …}: the message in each language offered.
  content      jsonb NOT NULL,
  status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'sent', 'cancelled')),
  scheduled_at timestamptz,
  sent_at      timestamptz,
  recipients   integer,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (program_id, id)
);
CREATE INDEX message_campaigns_due ON message_campaigns (scheduled_at) WHERE status = 'scheduled';

-- One row per member a campaign went to, pointing at the outbox row that carries it; opens and bounces
-- are recorded here.
CREATE TABLE message_campaign_recipients (
  program_id  uuid NOT NULL REFERENCES programs (id),
  campaign_id uuid NOT NULL,
  member_id   uuid NOT NULL,
  message_id  uuid NOT NULL,
  opened_at   timestamptz,
  bounced_at  timestamptz,
  PRIMARY KEY (program_id, campaign_id, member_id),
  UNIQUE (program_id, message_id),
  FOREIGN KEY (program_id, campaign_id) REFERENCES message_campaigns (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- Onboarding sequences: a program's steps, sent a number of days after a member joined unless the member
-- already did what the step asks.
CREATE TABLE message_sequence_steps (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  day          integer NOT NULL CHECK (day BETWEEN 0 AND 365),
  kind         text NOT NULL,
  stop_when    text NOT NULL CHECK (stop_when IN ('never', 'first_purchase', 'checklist_done', 'signed_in')),
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (program_id, id)
);

-- What became of each step for each member: sent once, or skipped because it was done already.
CREATE TABLE message_sequence_runs (
  program_id uuid NOT NULL REFERENCES programs (id),
  step_id    uuid NOT NULL,
  member_id  uuid NOT NULL,
  outcome    text NOT NULL CHECK (outcome IN ('sent', 'skipped')),
  at         timestamptz NOT NULL,
  PRIMARY KEY (program_id, step_id, member_id),
  FOREIGN KEY (program_id, step_id) REFERENCES message_sequence_steps (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id)
);

-- A campaign mail also goes as HTML (the same text) carrying the open-tracking image.
ALTER TABLE mail_outbox ADD COLUMN html text;

-- The console cancels a mail that has not gone yet.
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'cancelled'));

-- Per-program switches of the messages module.
CREATE TABLE message_settings (
  program_id   uuid PRIMARY KEY REFERENCES programs (id),
  -- Tell members by their channels when they earn points (with a tip).
  earn_notices boolean NOT NULL DEFAULT false,
  -- The key unsubscribe and open-tracking links are signed with (hex, made on first use).
  link_key     text,
  updated_at   timestamptz NOT NULL
);

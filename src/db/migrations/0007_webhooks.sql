-- Outgoing webhooks: an ERP or CRM subscribes to what happens in a program and is told by a signed POST.
-- Events are written in the transaction of the change they describe (an outbox), so an event exists if
-- and only if its change committed; a job delivers them afterwards, at least once, with retries.

CREATE TABLE webhook_subscriptions (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  url         text NOT NULL,
  -- Empty: every event type.
  event_types text[] NOT NULL DEFAULT '{}',
  active      boolean NOT NULL DEFAULT true,
  description text,
  -- Kept in clear: Lojal signs with it (an HMAC key, not a password to verify).
  secret      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id)
);

-- One row per event that had at least one subscriber; body is the exact JSON every receiver gets.
CREATE TABLE webhook_events (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  type        text NOT NULL,
  occurred_at timestamptz NOT NULL,
  body        text NOT NULL,
  PRIMARY KEY (program_id, id)
);

CREATE TABLE webhook_deliveries (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  subscription_id uuid NOT NULL,
  event_id        uuid NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  -- Attempts started; an attempt is claimed by raising this and pushing next_attempt_at past its lease.
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  last_status     integer,
  last_error      text,
  delivered_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, subscription_id, event_id),
  FOREIGN KEY (program_id, subscription_id) REFERENCES webhook_subscriptions (program_id, id) ON DELETE CASCADE,
  FOREIGN KEY (program_id, event_id) REFERENCES webhook_events (program_id, id)
);
CREATE INDEX webhook_deliveries_by_subscription ON webhook_deliveries (program_id, subscription_id, id DESC);
-- What the delivery job looks for, across programs.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';

CREATE TABLE webhook_attempts (
  program_id  uuid NOT NULL REFERENCES programs (id),
  delivery_id uuid NOT NULL,
  attempt     integer NOT NULL,
  at          timestamptz NOT NULL,
  -- The receiver's HTTP status, or null when there was no answer (timeout, refused connection).
  status      integer,
  error       text,
  PRIMARY KEY (program_id, delivery_id, attempt),
  FOREIGN KEY (program_id, delivery_id) REFERENCES webhook_deliveries (program_id, id) ON DELETE CASCADE
);

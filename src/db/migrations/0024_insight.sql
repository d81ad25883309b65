-- Insight (program analytics): summary tables the KPI queries read instead of the raw events and ledger, rebuilt
-- per program by a job (src/insight/summary.ts) when something changed, and a row per program saying how fresh
-- they are. Rows are written only by that job; the figures can always be recomputed from events and journals.

-- One row per account, day (in the program's time zone) and buyer role ('' when no member is named on the event).
CREATE TABLE insight_account_days (
  program_id uuid NOT NULL REFERENCES programs (id),
  account_id uuid NOT NULL,
  day        date NOT NULL,
  role       text NOT NULL DEFAULT '',
  -- Purchase events (invoices) and the gross value of their lines, in minor units.
  purchases  integer NOT NULL DEFAULT 0,
  revenue    bigint NOT NULL DEFAULT 0,
  -- Return events dated this day and the value of goods they took back (the matched return lines).
  returns    integer NOT NULL DEFAULT 0,
  returned   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, account_id, day, role)
);
CREATE INDEX insight_account_days_by_day ON insight_account_days (program_id, day);

-- Each buyer's first and second purchase days, per account over all roles (role '*') and per account and buyer
-- role: the running buyer and repeat-buyer counts without a window over every account-day at query time.
CREATE TABLE insight_account_firsts (
  program_id uuid NOT NULL REFERENCES programs (id),
  account_id uuid NOT NULL,
  role       text NOT NULL,
  first_day  date NOT NULL,
  second_day date,
  PRIMARY KEY (program_id, account_id, role)
);

-- Points moved on account and member wallets per day (program time zone), by what moved them.
CREATE TABLE insight_points_days (
  program_id uuid NOT NULL REFERENCES programs (id),
  day        date NOT NULL,
  issued     bigint NOT NULL DEFAULT 0,
  reversed   bigint NOT NULL DEFAULT 0,
  redeemed   bigint NOT NULL DEFAULT 0,
  expired    bigint NOT NULL DEFAULT 0,
  adjusted   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, day)
);

-- Item-to-item co-occurrence for recommendations: how many purchase invoices hold both products (sku_a = sku_b:
-- how many hold the product). Invoices of more than 100 lines (restocking orders) are left out: they pair
-- everything with everything and would drown the signal, and their pairs grow with the square of their size.
CREATE TABLE insight_product_pairs (
  program_id uuid NOT NULL REFERENCES programs (id),
  sku_a      text NOT NULL,
  sku_b      text NOT NULL,
  invoices   integer NOT NULL,
  PRIMARY KEY (program_id, sku_a, sku_b)
);

-- What each account has bought, per product: purchase invoices and net value (less returns).
CREATE TABLE insight_account_products (
  program_id uuid NOT NULL REFERENCES programs (id),
  account_id uuid NOT NULL,
  sku        text NOT NULL,
  invoices   integer NOT NULL,
  value      bigint NOT NULL,
  PRIMARY KEY (program_id, account_id, sku)
);

CREATE TABLE insight_refreshes (
  program_id    uuid PRIMARY KEY REFERENCES programs (id),
  refreshed_at  timestamptz NOT NULL,
  -- The newest event and journal the summaries include (ids are UUIDv7, so time-ordered): the next run skips
  -- the program when neither has moved.
  last_event_id   uuid,
  last_journal_id uuid,
  took_ms       integer NOT NULL,
  account_days  integer NOT NULL
);

-- The service desk, second part (issue 15): special-order quotes that become shop orders, staff teams as
-- assignees, and the service CSAT answers given before this migration copied into the program's CSAT figures.

-- ---------------------------------------------------------------- quotes
-- Staff answer a special order with a quote in points or in money (one of them), valid until a moment. The
-- member accepts (an order through the shop's ledger path) or declines it. A new quote withdraws the open one.
CREATE TABLE service_quotes (
  program_id    uuid NOT NULL REFERENCES programs (id),
  id            uuid NOT NULL,
  request_id    uuid NOT NULL,
  points        bigint CHECK (points > 0),
  amount_minor  bigint CHECK (amount_minor > 0),
  currency      char(3),
  quantity      integer NOT NULL DEFAULT 1 CHECK (quantity > 0),
  description   text NOT NULL,
  valid_until   timestamptz NOT NULL,
  status        text NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
  order_id      uuid,
  decided_by    text,
  decided_at    timestamptz,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  CHECK ((points IS NOT NULL) <> (amount_minor IS NOT NULL)),
  CHECK ((amount_minor IS NULL) = (currency IS NULL)),
  FOREIGN KEY (program_id, request_id) REFERENCES service_requests (program_id, id),
  FOREIGN KEY (program_id, order_id) REFERENCES reward_orders (program_id, id)
);
CREATE INDEX service_quotes_by_request ON service_quotes (program_id, request_id, created_at);
CREATE UNIQUE INDEX service_quotes_one_open ON service_quotes (program_id, request_id) WHERE status = 'open';

-- An accepted money quote is an order with no points: the amount is invoiced by the ERP, not paid from a wallet.
ALTER TABLE reward_orders ALTER COLUMN redeem_journal_id DROP NOT NULL;
ALTER TABLE reward_orders DROP CONSTRAINT reward_orders_points_check;
ALTER TABLE reward_orders ADD COLUMN invoice_amount_minor bigint CHECK (invoice_amount_minor > 0);
ALTER TABLE reward_orders ADD COLUMN invoice_currency char(3);
ALTER TABLE reward_orders ADD CONSTRAINT reward_orders_paid CHECK (
  (points > 0 AND redeem_journal_id IS NOT NULL AND invoice_amount_minor IS NULL)
  OR (points = 0 AND redeem_journal_id IS NULL AND invoice_amount_minor IS NOT NULL AND invoice_currency IS NOT NULL));

-- ---------------------------------------------------------------- teams
CREATE TABLE service_teams (
  program_id  uuid NOT NULL REFERENCES programs (id),
  id          uuid NOT NULL,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (program_id, id)
);
CREATE UNIQUE INDEX service_teams_name ON service_teams (program_id, lower(name));

CREATE TABLE service_team_members (
  program_id    uuid NOT NULL REFERENCES programs (id),
  team_id       uuid NOT NULL,
  staff_user_id uuid NOT NULL,
  PRIMARY KEY (program_id, team_id, staff_user_id),
  FOREIGN KEY (program_id, team_id) REFERENCES service_teams (program_id, id) ON DELETE CASCADE,
  FOREIGN KEY (program_id, staff_user_id) REFERENCES staff_users (program_id, id)
);
CREATE INDEX service_team_members_by_user ON service_team_members (program_id, staff_user_id);

ALTER TABLE service_requests ADD COLUMN team_id uuid;
ALTER TABLE service_requests ADD CONSTRAINT service_requests_team FOREIGN KEY (program_id, team_id) REFERENCES service_teams (program_id, id);
CREATE INDEX service_requests_by_team ON service_requests (program_id, team_id, created_at) WHERE team_id IS NOT NULL;
ALTER TABLE service_entries ADD COLUMN team_id uuid;

-- ---------------------------------------------------------------- CSAT into the program's figures
-- Answers given from now on are recorded as they are given (src/service/requests.ts calls recordCsat).
INSERT INTO csat_scores (program_id, id, source, source_ref, account_id, score, tier, segment, occurred_at)
SELECT c.program_id, gen_random_uuid(), 'service_desk', c.request_id::text, r.account_id, c.score, a.tier, a.segment, c.created_at
FROM service_csat c
JOIN service_requests r ON r.program_id = c.program_id AND r.id = c.request_id
JOIN accounts a ON a.program_id = r.program_id AND a.id = r.account_id
ON CONFLICT (program_id, source, source_ref) DO NOTHING;

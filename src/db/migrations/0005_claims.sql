-- Sales claims and the co-op marketing fund: evidence files (their bytes live in a file store, keyed by
-- program/account/sha256; here only what describes them), claims partner staff report with their
-- approval state, and per account a co-op fund in money kept as a ledger of its own. program_id leads
-- every key, as in 0001.

-- ---------------------------------------------------------------- evidence
CREATE TABLE evidence_files (
  program_id   uuid NOT NULL REFERENCES programs (id),
  id           uuid NOT NULL,
  -- The company whose staff uploaded it: only that account's claims may refer to it.
  account_id   uuid NOT NULL,
  sha256       char(64) NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp', 'image/heic')),
  size_bytes   bigint NOT NULL CHECK (size_bytes > 0),
  file_name    text,
  uploaded_by  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);
CREATE INDEX evidence_files_by_account ON evidence_files (program_id, account_id, id);

-- ---------------------------------------------------------------- sales claims
CREATE TABLE claim_settings (
  program_id              uuid PRIMARY KEY REFERENCES programs (id),
  -- Who approves: the program team (an API key), the claimant's account manager, or either.
  approver                text NOT NULL DEFAULT 'program' CHECK (approver IN ('program', 'manager', 'either')),
  -- Same account and same amount within this many days of sale date: flagged as a near duplicate.
  near_duplicate_days     integer NOT NULL DEFAULT 30 CHECK (near_duplicate_days BETWEEN 0 AND 366),
  -- Velocity limits (claims submitted in the last 24 hours / 7 days); null: no limit.
  member_daily_limit      integer CHECK (member_daily_limit >= 1),
  member_weekly_limit     integer CHECK (member_weekly_limit >= 1),
  account_daily_limit     integer CHECK (account_daily_limit >= 1),
  account_weekly_limit    integer CHECK (account_weekly_limit >= 1),
  updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sale_claims (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  account_id      uuid NOT NULL,
  member_id       uuid NOT NULL,
  sku             text NOT NULL,
  quantity        integer NOT NULL CHECK (quantity > 0),
  -- The sale's amount in minor units of the program currency.
  amount          bigint NOT NULL CHECK (amount >= 0),
  sale_date       date NOT NULL,
  -- As given, and two normal forms: trimmed (an exact duplicate) and without case, spaces and dashes (a near one).
  invoice_number  text NOT NULL,
  invoice_exact   text NOT NULL,
  invoice_loose   text NOT NULL,
  end_customer    text NOT NULL,
  state           text NOT NULL CHECK (state IN ('submitted', 'needs_review', 'approved', 'rejected')),
  -- [{ "code": "near_duplicate_invoice", "params": {...} }, ...]: why it needs review.
  flags           jsonb NOT NULL DEFAULT '[]',
  -- What the rules said at submission (points and each rule's share), shown while pending.
  proposed_points bigint NOT NULL DEFAULT 0,
  proposed        jsonb NOT NULL DEFAULT '[]',
  -- Set on approval: the event that posted the points, and what it posted.
  event_id        uuid,
  points          bigint,
  rejection_code  text,
  rejection_note  text,
  decided_by      text,
  decided_at      timestamptz,
  submitted_by    text NOT NULL,
  idempotency_key text,
  request_hash    text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, sku) REFERENCES products (program_id, sku)
);
-- The exact-duplicate rule lives here, so two concurrent submissions of one sale cannot both pass.
-- A rejected claim frees its invoice line: the dealer may send it again with better evidence.
CREATE UNIQUE INDEX sale_claims_exact_invoice ON sale_claims (program_id, invoice_exact, sku) WHERE state <> 'rejected';
CREATE UNIQUE INDEX sale_claims_idempotency ON sale_claims (program_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX sale_claims_loose_invoice ON sale_claims (program_id, invoice_loose);
CREATE INDEX sale_claims_by_account ON sale_claims (program_id, account_id, created_at);
CREATE INDEX sale_claims_by_member ON sale_claims (program_id, member_id, created_at);
CREATE INDEX sale_claims_list ON sale_claims (program_id, id DESC);

CREATE TABLE sale_claim_evidence (
  program_id  uuid NOT NULL,
  claim_id    uuid NOT NULL,
  evidence_id uuid NOT NULL,
  PRIMARY KEY (program_id, claim_id, evidence_id),
  FOREIGN KEY (program_id, claim_id) REFERENCES sale_claims (program_id, id),
  FOREIGN KEY (program_id, evidence_id) REFERENCES evidence_files (program_id, id)
);

-- ---------------------------------------------------------------- co-op marketing fund
CREATE TABLE coop_policies (
  program_id       uuid PRIMARY KEY REFERENCES programs (id),
  kind             text NOT NULL CHECK (kind IN ('percent_of_purchases', 'fixed_per_quarter')),
  -- percent_of_purchases: basis points of purchase amounts net of returns (200 = 2 %).
  basis_points     integer CHECK (basis_points BETWEEN 1 AND 10000),
  -- fixed_per_quarter: minor units per account per calendar quarter.
  quarterly_amount bigint CHECK (quarterly_amount > 0),
  -- Purchases before this moment do not accrue (a policy is not applied to history unless asked).
  accrue_from      timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'percent_of_purchases' AND basis_points IS NOT NULL) OR (kind = 'fixed_per_quarter' AND quarterly_amount IS NOT NULL))
);

-- The fund's balance; changed only in the transaction that writes its entry, never below zero.
CREATE TABLE coop_funds (
  program_id uuid NOT NULL,
  account_id uuid NOT NULL,
  balance    bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  accrued    bigint NOT NULL DEFAULT 0,
  reimbursed bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, account_id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id)
);

CREATE TABLE coop_entries (
  program_id      uuid NOT NULL,
  id              uuid NOT NULL,
  account_id      uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('accrual', 'reimbursement', 'adjustment')),
  -- Signed minor units. An accrual may be 0 (a purchase fully returned): it still records that the event was seen.
  amount          bigint NOT NULL CHECK (amount <> 0 OR kind = 'accrual'),
  -- accrual:<event id>, quarter:<account>:<2026-Q4>, claim:<coop claim id>, adjust:<client key>.
  idempotency_key text NOT NULL,
  event_id        uuid,
  claim_id        uuid,
  memo            text,
  actor           text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, idempotency_key),
  FOREIGN KEY (program_id, account_id) REFERENCES coop_funds (program_id, account_id)
);
CREATE INDEX coop_entries_by_account ON coop_entries (program_id, account_id, id DESC);
CREATE INDEX coop_entries_by_event ON coop_entries (program_id, event_id) WHERE event_id IS NOT NULL;

CREATE TABLE coop_claims (
  program_id        uuid NOT NULL REFERENCES programs (id),
  id                uuid NOT NULL,
  account_id        uuid NOT NULL,
  member_id         uuid,
  -- The ad: what it cost (minor units), when it ran, where, its proof, and how many other makers' brands it shows.
  cost              bigint NOT NULL CHECK (cost > 0),
  ad_date           date NOT NULL,
  medium            text NOT NULL,
  description       text,
  other_brands      integer NOT NULL CHECK (other_brands BETWEEN 0 AND 50),
  proof_evidence_id uuid NOT NULL,
  -- The share the rule gives before the fund's cap.
  share             bigint NOT NULL CHECK (share >= 0),
  state             text NOT NULL CHECK (state IN ('submitted', 'approved', 'rejected')),
  approved_amount   bigint,
  rejection_code    text,
  rejection_note    text,
  decided_by        text,
  decided_at        timestamptz,
  submitted_by      text NOT NULL,
  idempotency_key   text,
  request_hash      text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, member_id) REFERENCES members (program_id, id),
  FOREIGN KEY (program_id, proof_evidence_id) REFERENCES evidence_files (program_id, id)
);
CREATE UNIQUE INDEX coop_claims_idempotency ON coop_claims (program_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX coop_claims_list ON coop_claims (program_id, id DESC);

-- What the program owes a dealer for an approved co-op claim, until the ERP has taken it.
CREATE TABLE coop_export_batches (
  program_id      uuid NOT NULL REFERENCES programs (id),
  id              uuid NOT NULL,
  idempotency_key text NOT NULL,
  payouts         integer NOT NULL,
  total           bigint NOT NULL,
  actor           text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, idempotency_key)
);

CREATE TABLE coop_payouts (
  program_id      uuid NOT NULL,
  id              uuid NOT NULL,
  claim_id        uuid NOT NULL,
  account_id      uuid NOT NULL,
  amount          bigint NOT NULL CHECK (amount > 0),
  export_batch_id uuid,
  exported_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (program_id, id),
  UNIQUE (program_id, claim_id),
  FOREIGN KEY (program_id, claim_id) REFERENCES coop_claims (program_id, id),
  FOREIGN KEY (program_id, account_id) REFERENCES accounts (program_id, id),
  FOREIGN KEY (program_id, export_batch_id) REFERENCES coop_export_batches (program_id, id)
);
CREATE INDEX coop_payouts_unexported ON coop_payouts (program_id, id) WHERE export_batch_id IS NULL;

-- Insight at scale (issue 17, item 7): the KPI and cohort figures counted once per rebuild by the insight job, so a
-- KPI or cohort request reads a few hundred rows instead of aggregating every account-day. Rows are written only by
-- that job, in the transaction that rebuilds the other summaries, and can always be recomputed from them.

-- Per period length, way of splitting, period and segment value: the buyers and repeat buyers of the period, its
-- purchase invoices, their value, the returns and what they took back (as insight_account_days sums them), and how
-- many buyers made their first and their second purchase in it. The segment of an account is its segment, country
-- or tier as the rebuild saw them; the role is the buyer's role on the purchase.
CREATE TABLE insight_kpi_cells (
  program_id    uuid NOT NULL REFERENCES programs (id),
  period        text NOT NULL,
  segment_by    text NOT NULL,
  start         date NOT NULL,
  segment       text NOT NULL,
  buyers        integer NOT NULL DEFAULT 0,
  repeaters     integer NOT NULL DEFAULT 0,
  purchases     bigint NOT NULL DEFAULT 0,
  revenue       bigint NOT NULL DEFAULT 0,
  returns       bigint NOT NULL DEFAULT 0,
  returned      bigint NOT NULL DEFAULT 0,
  first_buyers  integer NOT NULL DEFAULT 0,
  second_buyers integer NOT NULL DEFAULT 0,
  PRIMARY KEY (program_id, period, segment_by, start, segment)
);

-- The monthly cohort table: accounts whose first purchase month is `cohort` that bought `month_offset` months after it.
CREATE TABLE insight_cohort_cells (
  program_id   uuid NOT NULL REFERENCES programs (id),
  cohort       date NOT NULL,
  month_offset integer NOT NULL,
  accounts     integer NOT NULL,
  PRIMARY KEY (program_id, cohort, month_offset)
);

-- The range totals of a KPI request count each account once over the range's days: an index the range's rows are
-- read from without the table.
CREATE INDEX insight_account_days_by_day_covering ON insight_account_days (program_id, day) INCLUDE (account_id, purchases) WHERE purchases > 0;

-- The ROI's campaign cost reads the entries of the program's budget wallets: found without reading every wallet.
CREATE INDEX wallets_budgets ON wallets (program_id, id) WHERE kind = 'budget';

-- The first and the latest month with purchases (the ROI's default range, the potential's window): read from the
-- index's ends instead of every account-month.
CREATE INDEX insight_account_months_by_month ON insight_account_months (program_id, month);

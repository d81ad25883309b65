-- Predicted customer lifetime value (issue 17, docs/insight.md#predicted-customer-lifetime-value): the BG/NBD and
-- Gamma-Gamma model the insight job fits on the program's own purchase history, with its holdout check, or why it
-- could not be fitted. One row per program, replaced at every rebuild of the summaries. An account's own prediction is
-- worked out on read from these parameters and its history, so nothing here names an account.
CREATE TABLE insight_clv_models (
  program_id uuid PRIMARY KEY REFERENCES programs (id),
  fitted_at  timestamptz NOT NULL,
  model      jsonb NOT NULL
);

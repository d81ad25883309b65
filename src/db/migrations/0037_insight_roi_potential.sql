-- Insight, part two: the program's return on investment and each account's potential against its peers.

-- The day an account joined the program; null: a customer that is not a member (imported or synced from the ERP for
-- comparison). Purchases dated before it count as "before joining" in the ROI. Accounts that exist already joined
-- when they were created; new ones too unless the API says otherwise.
ALTER TABLE accounts ADD COLUMN joined_on date;
UPDATE accounts SET joined_on = (created_at AT TIME ZONE 'UTC')::date;
ALTER TABLE accounts ALTER COLUMN joined_on SET DEFAULT CURRENT_DATE;

-- Net purchase value per account, calendar month (program time zone), category and margin class, from the purchase
-- lines less what returns took back of them. Rebuilt with the other summaries by the insight job.
CREATE TABLE insight_account_months (
  program_id    uuid NOT NULL REFERENCES programs (id),
  account_id    uuid NOT NULL,
  month         date NOT NULL,
  category_code text NOT NULL,
  margin_class  text NOT NULL,
  value         bigint NOT NULL,
  PRIMARY KEY (program_id, account_id, month, category_code, margin_class)
);

-- Each buyer's cluster of comparable companies: its segment (`cluster`, '' when none) and size band (quartile of the
-- program's buyers by net purchases over the last twelve months), and whether it counts as loyal in it (top tier,
-- or the top quarter of its cluster by RFM score). See docs/insight.md.
CREATE TABLE insight_account_clusters (
  program_id uuid NOT NULL REFERENCES programs (id),
  account_id uuid NOT NULL,
  cluster    text NOT NULL,
  size_band  smallint NOT NULL,
  value      bigint NOT NULL,
  recency    smallint NOT NULL,
  frequency  smallint NOT NULL,
  monetary   smallint NOT NULL,
  loyal      boolean NOT NULL,
  PRIMARY KEY (program_id, account_id)
);
CREATE INDEX insight_account_clusters_by_cluster ON insight_account_clusters (program_id, cluster, size_band) WHERE loyal;

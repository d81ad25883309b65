-- A balance read sums the wallet's lots that expire within the horizon, per day (src/ledger/queries.ts). It found them
-- by this index and then read each lot's row for `remaining`: in a wallet with a long history about fifty rows on as
-- many pages per read. With `remaining` carried in the index, the read is from the index alone wherever the table's
-- pages are all-visible (vacuumed, as autovacuum does), and debits, which walk the same index in expiry order, read it
-- as before (issue 12 item 4).
CREATE INDEX lots_spendable_remaining ON lots (program_id, wallet_id, expires_at, earned_at) INCLUDE (remaining) WHERE remaining > 0;
DROP INDEX lots_spendable;
ALTER INDEX lots_spendable_remaining RENAME TO lots_spendable;

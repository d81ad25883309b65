-- The balance answer shows the points a wallet has lost to expiry. It was summed from the wallet's whole
-- history on every read (every entry joined with its journal: seconds on a big program); now it is kept on
-- the wallet row next to lifetime_earned and lifetime_spent, changed by the ledger writer in the same
-- transaction as the posting, and filled here once from the history. Leavers' points that lapse are
-- 'expire' journals too, so they count, as they did.
ALTER TABLE wallets ADD COLUMN lifetime_expired bigint NOT NULL DEFAULT 0;

UPDATE wallets w SET lifetime_expired = x.points
FROM (
  SELECT e.program_id, e.wallet_id, -sum(e.amount) AS points
  FROM entries e JOIN journals j ON j.program_id = e.program_id AND j.id = e.journal_id
  WHERE j.kind = 'expire'
  GROUP BY e.program_id, e.wallet_id
) x
WHERE w.program_id = x.program_id AND w.id = x.wallet_id AND w.kind IN ('account', 'member');

-- The balance answer lists a wallet's pending points by release date; the only pending index is by program
-- (for the release job), so that list read every pending lot of the program. This one finds the wallet's.
CREATE INDEX lots_pending_by_wallet ON lots (program_id, wallet_id, available_at) WHERE status = 'pending' AND remaining > 0;

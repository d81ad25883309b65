-- Every wallet figure stays within ±(2^53 − 1), the largest integer JavaScript (and JSON readers) hold exactly: a
-- posting that would take a balance or a lifetime total past it is refused (answered as points_limit_exceeded)
-- instead of leaving a balance no client can read. NOT VALID: rows written before are not re-checked here, only
-- every later change of a wallet is.
ALTER TABLE wallets ADD CONSTRAINT wallets_points_limit CHECK (
  available BETWEEN -9007199254740991 AND 9007199254740991
  AND pending BETWEEN -9007199254740991 AND 9007199254740991
  AND lifetime_earned BETWEEN -9007199254740991 AND 9007199254740991
  AND lifetime_spent BETWEEN -9007199254740991 AND 9007199254740991
) NOT VALID;

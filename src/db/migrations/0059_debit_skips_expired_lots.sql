-- Points past their expiry date are not spent (issue found by an outside probe): a lot whose expiry has passed
-- stayed spendable until the expiry job next ran (hourly), and a backdated purchase could pay into a lot that had
-- expired before it was written and spend it at once. A debit now takes only lots that expire after the journal's
-- time (`p_occurred_at`, the request's clock, not the database's, so tests with an injected clock hold), apart from
-- the lot it names (a reversal of an event's own lot, the expiry of that lot). The rest of the function is
-- migration 0054's, unchanged.
CREATE OR REPLACE FUNCTION ledger_debit_to_system(
  p_program uuid, p_wallet uuid, p_to_wallet uuid, p_points bigint, p_prefer uuid,
  p_spent integer, p_unearned integer, p_expired integer, p_allow_shortfall boolean,
  p_journal uuid, p_key text, p_kind text, p_event uuid, p_rule uuid, p_rule_version integer, p_reverses uuid,
  p_reason_code text, p_explanation jsonb, p_memo text, p_actor text, p_basis_lines integer[], p_request_hash text,
  p_occurred_at timestamptz, p_partner uuid, p_strict boolean
) RETURNS TABLE (wallet_found boolean, journal_written boolean, points_taken bigint, wallet_available bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_available bigint;
  v_kind text;
  v_taken bigint;
BEGIN
  SELECT w.available, w.kind INTO v_available, v_kind
  FROM wallets w WHERE w.program_id = p_program AND w.id = p_wallet FOR UPDATE;
  IF NOT FOUND OR v_kind NOT IN ('account', 'member') THEN
    IF p_strict THEN
      RAISE EXCEPTION 'wallet not found' USING ERRCODE = 'LJ003';
    END IF;
    RETURN QUERY SELECT false, false, 0::bigint, 0::bigint;
    RETURN;
  END IF;

  INSERT INTO journals (program_id, id, idempotency_key, kind, event_id, rule_id, rule_version, reverses_id,
                        reason_code, explanation, memo, actor, basis_lines, request_hash, occurred_at, partner_id)
  VALUES (p_program, p_journal, p_key, p_kind, p_event, p_rule, p_rule_version, p_reverses,
          p_reason_code, p_explanation, p_memo, p_actor, p_basis_lines, p_request_hash, p_occurred_at, p_partner)
  ON CONFLICT (program_id, idempotency_key) DO NOTHING;
  IF NOT FOUND THEN
    IF p_strict THEN
      RAISE EXCEPTION 'idempotency key used' USING ERRCODE = 'LJ002';
    END IF;
    RETURN QUERY SELECT true, false, 0::bigint, v_available;
    RETURN;
  END IF;

  WITH ordered AS (
    SELECT l.id, l.status, l.remaining, sum(l.remaining) OVER w AS running, row_number() OVER w AS seq
    FROM lots l
    WHERE l.program_id = p_program AND l.wallet_id = p_wallet AND l.remaining > 0
      AND (l.id = p_prefer OR (l.status = 'available' AND (l.expires_at IS NULL OR l.expires_at > p_occurred_at)))
    WINDOW w AS (ORDER BY (l.id = p_prefer) IS TRUE DESC, l.expires_at ASC NULLS LAST, l.earned_at, l.id)
  ), chosen AS (
    SELECT o.id, o.status, o.seq, LEAST(o.remaining, p_points - (o.running - o.remaining)) AS take
    FROM ordered o WHERE o.running - o.remaining < p_points
  ), took AS (
    UPDATE lots l SET remaining = l.remaining - c.take FROM chosen c
    WHERE l.program_id = p_program AND l.id = c.id
    RETURNING c.id, c.status, c.seq, c.take
  ), total AS (
    SELECT coalesce(sum(t.take), 0)::bigint AS taken,
           coalesce(sum(t.take) FILTER (WHERE t.status = 'available'), 0)::bigint AS from_available,
           coalesce(sum(t.take) FILTER (WHERE t.status = 'pending'), 0)::bigint AS from_pending
    FROM took t
  ), posted AS (
    INSERT INTO entries (program_id, journal_id, seq, wallet_id, bucket, amount, lot_id)
    SELECT p_program, p_journal, t.seq, p_wallet, t.status, -t.take, t.id FROM took t
    UNION ALL
    SELECT p_program, p_journal, 0, p_to_wallet, 'available', total.taken, NULL FROM total WHERE total.taken > 0
  ), balance AS (
    UPDATE wallets w SET available = w.available - total.from_available, pending = w.pending - total.from_pending,
      lifetime_spent = w.lifetime_spent + p_spent * total.taken,
      lifetime_earned = w.lifetime_earned - p_unearned * total.taken,
      lifetime_expired = w.lifetime_expired + p_expired * total.taken
    FROM total WHERE w.program_id = p_program AND w.id = p_wallet AND total.taken > 0
  )
  SELECT total.taken INTO v_taken FROM total;

  IF v_taken < p_points AND NOT p_allow_shortfall THEN
    RAISE EXCEPTION 'insufficient_points' USING ERRCODE = 'LJ001', DETAIL = v_available::text;
  END IF;
  RETURN QUERY SELECT true, true, v_taken, v_available;
END;
$$;

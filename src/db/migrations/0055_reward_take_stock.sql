-- A reward order's take from its reward's stock, as the order's last statement before the commit (issue 12 item 5).
-- Every buyer of a reward with a stock locks its row, so the lock is taken last and the commit is sent right behind
-- it, in the same round trip; the order's own statement and its limit checks come before. An update that takes
-- nothing (the stock is short, or became so while this one waited for another order's lock) reads the row again, on
-- a snapshot of its own: a reward made unlimited meanwhile takes nothing and refuses nothing; a short one raises
-- SQLSTATE LJ004 with the stock left as its detail, which rolls back the order with the transaction.
CREATE FUNCTION reward_take_stock(p_program uuid, p_reward uuid, p_quantity integer) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_left integer;
BEGIN
  UPDATE rewards SET stock = stock - p_quantity
  WHERE program_id = p_program AND id = p_reward AND stock IS NOT NULL AND stock >= p_quantity;
  IF FOUND THEN
    RETURN;
  END IF;
  SELECT stock INTO v_left FROM rewards WHERE program_id = p_program AND id = p_reward;
  IF v_left IS NOT NULL THEN
    RAISE EXCEPTION 'out of stock' USING ERRCODE = 'LJ004', DETAIL = v_left::text;
  END IF;
END;
$$;

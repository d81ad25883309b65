-- SMS delivery reports (issue 18, item 4): 46elks posts to the `whendelivered` URL given at send time when
-- the carrier confirms a message delivered or failed. The outbox row keeps what the report said and when.
ALTER TABLE sms_outbox
  ADD COLUMN delivery     text CHECK (delivery IN ('delivered', 'failed')),
  ADD COLUMN delivered_at timestamptz,
  ADD COLUMN reported_at  timestamptz;

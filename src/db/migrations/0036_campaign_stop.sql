-- Campaigns can be stopped early (issue 16): the planned end stays as it was planned, and the moment a manager
-- stopped it is kept beside it, so the console can say "stopped" rather than pretend the plan was shorter.
-- Extending only moves ends_at later (the CHECK ends_at > starts_at still holds).
ALTER TABLE campaigns ADD COLUMN stopped_at timestamptz;

-- The satisfaction question in the close mail (issue 15, item 6): five one-click links per mail, each a token
-- signed with the program's service link key (HMAC-SHA256, kept here, never sent), and where an answer came from.
ALTER TABLE service_settings ADD COLUMN link_key text;
ALTER TABLE service_csat ADD COLUMN channel text NOT NULL DEFAULT 'portal' CHECK (channel IN ('portal', 'mail'));

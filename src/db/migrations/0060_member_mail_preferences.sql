-- A member's mail choices (the portal's switches for order, claim and service mails and the newsletter) move out of
-- the member's free `attributes` into a column of their own. In the attributes, any staff edit or CRM sync that
-- wrote the attributes replaced them, and so switched every mail the member had turned off back on; and a CRM could
-- set them for the member. Only the member (the portal) writes this column.
ALTER TABLE members ADD COLUMN mail_preferences jsonb NOT NULL DEFAULT '{}';
UPDATE members
SET mail_preferences = CASE WHEN jsonb_typeof(attributes -> 'communication') = 'object' THEN attributes -> 'communication' ELSE '{}'::jsonb END,
    attributes = attributes - 'communication'
WHERE attributes ? 'communication';

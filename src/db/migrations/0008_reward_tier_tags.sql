-- Rewards a tier level opens by its reward tags (a level's benefits: "access to rewards and content"):
-- a reward with tags may be ordered by buyers whose level carries one of them. Empty: no such condition.
ALTER TABLE rewards ADD COLUMN tier_tags text[] NOT NULL DEFAULT '{}';

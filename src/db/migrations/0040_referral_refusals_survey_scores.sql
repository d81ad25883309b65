-- Issue 16: refused referrals are kept with their reason, so the console can show what was turned away and why
-- (a refusal changes nothing else: the referral itself is never recorded). program_id leads every key.
CREATE TABLE referral_refusals (
  program_id          uuid NOT NULL REFERENCES programs (id),
  id                  uuid NOT NULL,
  code                text NOT NULL,
  -- The error code of the refusal (referral_self, referral_same_domain, referral_too_late…) and its figures.
  reason              text NOT NULL,
  params              jsonb NOT NULL DEFAULT '{}',
  referrer_member_id  uuid,
  referee_account_id  uuid NOT NULL,
  referee_member_id   uuid,
  -- Where the attempt came from: the API (staff, integrations) or the portal (a member's sign-up link).
  source              text NOT NULL CHECK (source IN ('api', 'portal')),
  refused_at          timestamptz NOT NULL,
  PRIMARY KEY (program_id, id),
  FOREIGN KEY (program_id, referee_account_id) REFERENCES accounts (program_id, id)
);
CREATE INDEX referral_refusals_by_time ON referral_refusals (program_id, refused_at DESC);

-- Segment filters on survey scores (NPS, CSAT) look up one account's or member's answers in a window: without
-- these, each subject would scan the program's answers.
CREATE INDEX survey_answers_by_account ON survey_answers (program_id, account_id, answered_on) WHERE account_id IS NOT NULL;
CREATE INDEX survey_answers_by_member ON survey_answers (program_id, member_id, answered_on) WHERE member_id IS NOT NULL;
CREATE INDEX csat_scores_by_account ON csat_scores (program_id, account_id, occurred_at) WHERE account_id IS NOT NULL;

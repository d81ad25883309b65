/**
 * One error type for every expected failure. `code` is stable and machine-readable (clients switch on it);
 * the HTTP status comes from the table below, the human message from the i18n catalogue (errors namespace).
 */
import type { CheckFailure } from './check-messages.js';
import type { FieldCode } from './field-codes.js';

export const errorStatus = {
  // the request itself
  malformed_json: 400,
  validation_failed: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  batch_too_large: 413,
  invalid_csv: 400,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  // input no database can hold: NUL or half a surrogate pair (src/errors/characters.ts), a broken form body
  invalid_characters: 400,
  malformed_multipart: 400,
  // a URL the router cannot read: bad percent-encoding, or a path parameter past its length
  malformed_url: 400,
  path_parameter_too_long: 414,
  // input the database refused although it passed validation (mapped from SQLSTATE in src/db/errors.ts)
  invalid_input: 400,
  value_out_of_range: 400,
  value_too_large: 400,
  concurrent_conflict: 409,
  // who is asking
  unauthenticated: 401,
  invalid_api_key: 401,
  insufficient_scope: 403,
  // browser sessions (console and portal)
  session_required: 401,
  csrf_token_invalid: 403,
  member_not_chosen: 409,
  // signing in (src/sessions: staff passwords, member codes, lock-out)
  invalid_credentials: 401,
  account_locked: 423,
  choose_program: 409,
  // creating programs while the server runs (src/programs/instance.ts)
  instance_admin_required: 403,
  password_too_weak: 422,
  reset_link_expired: 410,
  reset_link_used: 409,
  invalid_sign_in_code: 401,
  sign_in_code_expired: 410,
  too_many_attempts: 429,
  member_pending_approval: 403,
  member_passwords_disabled: 403,
  // the domain
  unknown_account: 422,
  unknown_member: 422,
  member_not_in_account: 422,
  unknown_sku: 422,
  unknown_category: 422,
  unknown_parent_account: 422,
  parent_cycle: 422,
  category_cycle: 422,
  unknown_original_event: 422,
  return_exceeds_purchase: 422,
  return_before_purchase: 422,
  occurred_in_future: 422,
  amount_out_of_range: 422,
  invalid_rule: 422,
  insufficient_points: 422,
  points_limit_exceeded: 422,
  account_not_active: 422,
  invalid_tier_ladder: 422,
  tiers_not_configured: 404,
  tier_scope_disabled: 409,
  duplicate_external_id: 409,
  event_conflict: 409,
  idempotency_conflict: 409,
  rule_version_conflict: 409,
  // the rewards shop
  unknown_reward: 422,
  unknown_reward_category: 422,
  duplicate_reward_code: 409,
  reward_not_available: 422,
  reward_expired: 422,
  not_eligible: 422,
  out_of_stock: 409,
  redemption_limit_reached: 422,
  invalid_order_transition: 409,
  order_not_cancellable: 409,
  company_wallet_not_allowed: 403,
  member_not_active: 422,
  // control: staff users, four-eyes adjustments, coalition partners (migration 0004)
  staff_email_taken: 409,
  unknown_staff_user: 422,
  scope_exceeds_role: 422,
  unknown_reason_code: 422,
  adjustment_limit_exceeded: 422,
  self_approval: 403,
  approval_not_allowed: 403,
  adjustment_request_closed: 409,
  unknown_partner: 422,
  partner_code_taken: 409,
  partner_return_needs_original: 422,
  // sales claims and co-op marketing fund (evidence, claims, fund)
  evidence_too_large: 413,
  evidence_type_not_allowed: 415,
  // a portal member's uploads in this clock hour (src/evidence/upload-limits.ts)
  upload_limit_exceeded: 429,
  unknown_evidence: 422,
  // the bytes are no longer stored: erased with their owner's personal data, or removed from the store by hand
  evidence_missing: 410,
  evidence_required: 422,
  duplicate_claim: 409,
  claim_state_conflict: 409,
  claim_approver_not_allowed: 403,
  claim_needs_program_review: 403,
  sale_date_in_future: 422,
  claim_settings_invalid: 422,
  coop_policy_missing: 404,
  coop_fund_empty: 422,
  coop_fund_insufficient: 422,
  // companies and their people (managers, invitations, registration, deactivation, onboarding, volume discounts)
  not_a_manager: 403,
  invitation_expired: 410,
  invitation_used: 409,
  unknown_join_code: 422,
  member_not_pending: 409,
  member_already_exists: 409,
  onboarding_not_configured: 404,
  invalid_onboarding: 422,
  volume_discounts_not_configured: 404,
  invalid_volume_discounts: 422,
  // trainings, certificates and members-only content (src/training)
  course_code_taken: 409,
  course_structure_locked: 409,
  course_archived: 409,
  course_state_conflict: 409,
  course_not_open: 409,
  module_locked: 409,
  module_needs_quiz: 409,
  unknown_training_file: 422,
  unknown_tier_level: 422,
  content_archived: 409,
  content_state_conflict: 409,
  // the service desk (src/service)
  service_transition_not_allowed: 409,
  service_reopen_window_passed: 409,
  service_request_closed: 409,
  unknown_service_type: 422,
  service_type_code_taken: 409,
  service_csat_not_open: 409,
  service_csat_given: 409,
  service_csat_link_invalid: 400,
  service_csat_link_expired: 410,
  service_quote_not_special_order: 409,
  service_quote_not_open: 409,
  service_quote_expired: 409,
  unknown_service_team: 422,
  service_team_name_taken: 409,
  service_team_required: 400,
  // outgoing webhooks
  invalid_webhook_url: 422,
  unknown_webhook_event_type: 422,
  webhook_delivery_not_failed: 409,
  // webhook targets in loopback / private networks (LOJAL_WEBHOOKS_ALLOW_PRIVATE)
  webhook_target_not_allowed: 422,
  // privacy and messages (consent records, erasure, SMS numbers)
  consent_text_missing: 422,
  consent_text_outdated: 409,
  member_erased: 410,
  phone_not_e164: 422,
  consent_missing: 422,
  event_stream_only: 406,
  // channels, templates, segment sends and the outbox (issue 18)
  template_variable_unknown: 422,
  channels_empty: 422,
  channel_role_duplicate: 422,
  channel_unreachable: 422,
  time_zone_unknown: 422,
  audience_without_consent: 422,
  message_campaign_not_editable: 409,
  message_campaign_schedule_past: 422,
  message_campaign_language_missing: 422,
  unsubscribe_token_invalid: 400,
  sms_report_token_invalid: 400,
  sms_report_mismatch: 409,
  outbox_mail_not_pending: 409,
  outbox_mail_not_resendable: 409,
  // console reports (dashboard)
  report_range_reversed: 422,
  report_range_too_long: 422,
  // surveys and quizzes (src/questions, src/surveys, src/quizzes)
  unknown_question: 422,
  answer_required: 422,
  answer_out_of_range: 422,
  answer_wrong_type: 422,
  unknown_option: 422,
  answer_too_long: 422,
  form_missing_default_language: 422,
  survey_closed: 409,
  survey_not_open: 409,
  survey_not_for_member: 403,
  survey_already_answered: 409,
  survey_anonymity_fixed: 409,
  question_kind_fixed: 409,
  quiz_closed: 409,
  quiz_not_open: 409,
  quiz_not_for_member: 403,
  quiz_attempts_exhausted: 409,
  quiz_cooldown: 429,
  quiz_attempt_submitted: 409,
  quiz_needs_correct_answers: 422,
  followup_closed: 409,
  survey_draft_outdated: 409,
  certificate_not_renewable: 409,
  // segments (issue 16): a filter's meaning, keys, static lists
  segment_field_unknown: 422,
  segment_operator_invalid: 422,
  segment_value_invalid: 422,
  segment_filter_too_complex: 422,
  segment_definition_required: 422,
  segment_static_has_no_filter: 422,
  segment_key_taken: 409,
  segment_system: 409,
  segment_not_dynamic: 409,
  segment_not_static: 409,
  segment_members_unknown: 422,
  // campaigns (issue 16)
  campaign_budget_negative: 422,
  campaign_dates_reversed: 422,
  campaign_segment_unknown: 422,
  campaign_end_not_later: 422,
  campaign_over: 409,
  // surprises, referrals, inactivity (issue 16)
  surprise_invalid: 422,
  birthday_invalid: 422,
  referral_code_unknown: 422,
  referral_self: 422,
  referral_same_company: 422,
  referral_same_domain: 422,
  referral_circular: 422,
  referral_code_reused: 409,
  referral_already_referred: 409,
  referral_too_late: 409,
  referrals_disabled: 409,
  inactivity_months_reversed: 422,
  // ours
  rate_limited: 429,
  figures_out_of_range: 409,
  // an import job whose server process stopped before it finished (reported on the job, never as an answer)
  import_interrupted: 500,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface FieldIssue {
  /** JSON pointer-ish path to the offending field, e.g. `events.3.lines.0.quantity`. */
  path: string;
  message: string;
  /** An error code whose localized message replaces `message` in the answer (see sendProblem). */
  code?: ErrorCode;
  /** The zod check that failed, so the answer can say it in the reader's language (never sent as is). */
  check?: CheckFailure;
  /** The field's machine code in the answer (when `code` is not set); derived from `check` when left out. */
  fieldCode?: FieldCode;
}

export class LojalError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Interpolation values for the localized message. */
  readonly params: Record<string, string | number>;
  readonly issues: FieldIssue[] | undefined;
  /** Data the client needs besides the message, added to the problem body (e.g. `programs` to choose from). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, issues?: FieldIssue[], extra?: Record<string, unknown>) {
    super(`${code}${Object.keys(params).length ? ' ' + JSON.stringify(params) : ''}`);
    this.name = 'LojalError';
    this.code = code;
    this.status = errorStatus[code];
    this.params = params;
    this.issues = issues;
    this.extra = extra;
  }
}

export const isLojalError = (e: unknown): e is LojalError => e instanceof LojalError;

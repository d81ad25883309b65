import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in migrations/. Keep in step with the SQL. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, string | T, string | T>;
/** A nullable reference added by a later migration: optional on insert. */
type OptionalRef = ColumnType<string | null, string | null | undefined, string | null>;

export interface ProgramsTable {
  id: string;
  name: string;
  default_language: string;
  currency: string;
  points_name: string;
  time_zone: string;
  pending_days: Generated<number>;
  expiry_policy: Json<ExpiryPolicyJson>;
  point_value_micros: Generated<number>;
  /** 0006: per account ('branch') or on the top parent ('chain') for tiers and account caps. */
  hierarchy_rollup: Generated<string>;
  /** 0006: a leaver's points go back to the company ('return') or expire ('expire'). */
  leaver_points: Generated<string>;
  /** 0006: the program has an onboarding checklist (kept by the onboarding module). */
  has_onboarding: Generated<boolean>;
  /** 0010: members may sign in with a password besides one-time codes. */
  member_passwords: Generated<boolean>;
  /** 0039: what one member may upload per clock hour. */
  member_upload_files_per_hour: Generated<number>;
  member_upload_bytes_per_hour: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type ExpiryPolicyJson =
  | { kind: 'never' }
  | { kind: 'rolling'; months: number }
  | { kind: 'end_of_year'; yearsAfter: number };

export interface ApiKeysTable {
  program_id: string;
  id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  created_at: Timestamp;
  revoked_at: Date | null;
  staff_user_id: OptionalRef;
  partner_id: OptionalRef;
}

export interface AccountsTable {
  program_id: string;
  id: string;
  external_id: string | null;
  name: string;
  legal_name: string | null;
  org_number: string | null;
  vat_number: string | null;
  country: string | null;
  segment: string | null;
  tags: string[];
  parent_id: string | null;
  status: string;
  key_account_manager: string | null;
  tier: string | null;
  attributes: Json;
  /** The day the company joined the program; null: not a member. */
  joined_on: ColumnType<Date | string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MembersTable {
  program_id: string;
  id: string;
  account_id: string;
  external_id: string | null;
  email: string | null;
  name: string;
  phone: string | null;
  role: string | null;
  language: string | null;
  tags: string[];
  status: string;
  tier: string | null;
  attributes: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0010: argon2id hash, used only where the program allows member passwords. */
  password_hash: Generated<string | null>;
  /** 0060: the member's own mail choices (src/people/preferences.ts), written only through the portal. */
  mail_preferences: Generated<Json>;
}

export interface CategoriesTable {
  program_id: string;
  code: string;
  name: string;
  parent_code: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProductsTable {
  program_id: string;
  sku: string;
  name: string;
  category_code: string | null;
  brand: string | null;
  margin_class: string | null;
  unit_price: number | null;
  active: Generated<boolean>;
  attributes: Json;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RulesTable {
  program_id: string;
  id: string;
  version: number;
  name: string;
  description: string | null;
  priority: number;
  active: boolean;
  effective_from: Date | string;
  definition: Json<unknown>;
  created_at: Timestamp;
}

export interface RuleUsageTable {
  program_id: string;
  cap_key: string;
  points: number;
  times: number;
}

export interface EventsTable {
  program_id: string;
  id: string;
  external_id: string;
  type: string;
  occurred_at: Date | string;
  received_at: Timestamp;
  account_id: string;
  member_id: string | null;
  original_event_id: string | null;
  amount: number;
  attributes: Json;
  body_hash: string;
  result: Json<unknown> | null;
  partner_id: OptionalRef;
}

export interface EventLinesTable {
  program_id: string;
  event_id: string;
  line_no: number;
  account_id: string;
  occurred_at: Date | string;
  is_purchase: boolean;
  sku: string;
  category_code: string | null;
  brand: string | null;
  margin_class: string | null;
  quantity: number;
  amount: number;
  returned_quantity: Generated<number>;
  returned_amount: Generated<number>;
}

export interface AccountCategoriesTable {
  program_id: string;
  account_id: string;
  category_code: string;
  first_event_id: string;
}

export type WalletKind = 'account' | 'member' | 'issuance' | 'redemption' | 'expiry' | 'adjustment' | 'budget';

export interface WalletsTable {
  program_id: string;
  id: string;
  kind: WalletKind;
  available: Generated<number>;
  pending: Generated<number>;
  lifetime_earned: Generated<number>;
  lifetime_spent: Generated<number>;
  /** Points lost to expiry (including a leaver's points that lapse), kept by the ledger writer. */
  lifetime_expired: Generated<number>;
  created_at: Timestamp;
}

export type JournalKind = 'earn' | 'reverse' | 'release' | 'expire' | 'adjust' | 'transfer' | 'spend' | 'redeem' | 'refund';

export interface JournalsTable {
  program_id: string;
  id: string;
  idempotency_key: string;
  kind: JournalKind;
  event_id: string | null;
  rule_id: string | null;
  rule_version: number | null;
  reverses_id: string | null;
  reason_code: string | null;
  explanation: Json<{ key: string; params: Record<string, string | number> }>;
  memo: string | null;
  actor: string | null;
  basis_lines: number[] | null;
  request_hash: string | null;
  occurred_at: Date | string;
  created_at: Timestamp;
  partner_id: OptionalRef;
}

export interface LotsTable {
  program_id: string;
  id: string;
  wallet_id: string;
  journal_id: string;
  status: 'pending' | 'available';
  earned_at: Date | string;
  available_at: Date | string;
  expires_at: Date | string | null;
  original: number;
  remaining: number;
}

export interface EntriesTable {
  program_id: string;
  journal_id: string;
  seq: number;
  wallet_id: string;
  bucket: 'available' | 'pending';
  amount: number;
  lot_id: string | null;
  rule_id: string | null;
  rule_version: number | null;
  explanation: Json<{ key: string; params: Record<string, string | number> }> | null;
  basis_lines: number[] | null;
}

export type TierOwnerKind = 'account' | 'member';

export interface TierSettingsTable {
  program_id: string;
  basis: 'points' | 'amount';
  window_kind: 'rolling' | 'calendar_year';
  window_months: number;
  scope: 'account' | 'member' | 'both';
  downgrade_max_levels: number;
  grace_days: number;
  updated_at: Timestamp;
}

export interface TierLevelsTable {
  program_id: string;
  code: string;
  rank: number;
  names: Json<Record<string, string>>;
  threshold: number;
  multiplier_hundredths: number;
  discount_basis_points: number;
  reward_tags: string[];
  benefits: Json<Record<string, string[]>>;
}

export interface TierStatusTable {
  program_id: string;
  owner_kind: TierOwnerKind;
  owner_id: string;
  level_code: string | null;
  since: Date | string;
  period_end: Date | string;
  frozen_until: Date | string | null;
  frozen_reason: string | null;
  updated_at: Timestamp;
}

export interface TierHistoryTable {
  program_id: string;
  id: string;
  owner_kind: TierOwnerKind;
  owner_id: string;
  from_level: string | null;
  to_level: string | null;
  reason: string;
  detail: Json<Record<string, unknown>>;
  at: Date | string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Timestamp;
}

// ---------------------------------------------------------------- control (migration 0004)
export type StaffRole = 'owner' | 'manager' | 'support' | 'viewer';

export interface StaffUsersTable {
  program_id: string;
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
  password_hash: string | null;
  failed_sign_ins: Generated<number>;
  locked_until: Date | null;
  /** May create programs (migration 0028). */
  instance_admin: Generated<boolean>;
}

export interface PartnersTable {
  program_id: string;
  id: string;
  code: string;
  name: string;
  kind: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ControlSettingsTable {
  program_id: string;
  approval_threshold: number | null;
  daily_adjustment_limit: number | null;
  reason_codes: Json<Array<{ code: string; labels: Record<string, string> }>>;
  updated_at: Timestamp;
}

export interface AdjustmentRequestsTable {
  program_id: string;
  id: string;
  idempotency_key: string;
  request_hash: string;
  wallet_id: string;
  points: number;
  reason_code: string;
  memo: string | null;
  state: 'pending' | 'approved' | 'rejected';
  requested_by: string;
  requested_at: Date | string;
  decided_by: string | null;
  decided_at: Date | string | null;
  decision_reason: string | null;
  journal_id: string | null;
}

export interface AdjustmentUsageTable {
  program_id: string;
  actor: string;
  day: string;
  points: number;
}

export interface AuditHeadsTable {
  program_id: string;
  seq: number;
  hash: string;
}

export interface AuditLogTable {
  program_id: string;
  seq: number;
  id: string;
  at: Date | string;
  actor: string;
  actor_label: string;
  actor_ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
  prev_hash: string;
  hash: string;
  /** The fingerprint of the key the entry's HMAC was made with; null: a plain SHA-256 (src/audit/chain.ts). */
  key_id: Generated<string | null>;
}

// ---------------------------------------------------------------- companies and their people (0006)
export interface AccountJoinCodesTable {
  program_id: string;
  code: string;
  account_id: string;
  created_at: Timestamp;
}

export interface InvitationsTable {
  program_id: string;
  id: string;
  member_id: string;
  token_hash: string;
  expires_at: Date | string;
  invited_by: string;
  accepted_at: Date | null;
  created_at: Timestamp;
}

export interface MailOutboxTable {
  program_id: string;
  id: string;
  template: string;
  to_address: string;
  language: string;
  subject: string;
  body: string;
  html: Generated<string | null>;
  status: Generated<'pending' | 'sent' | 'failed' | 'cancelled'>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Timestamp;
}

export interface OnboardingStepsTable {
  program_id: string;
  code: string;
  position: number;
  names: Json<Record<string, string>>;
  points: number;
  completion: Json<Record<string, unknown>>;
}

export interface OnboardingCompletionsTable {
  program_id: string;
  member_id: string;
  step_code: string;
  completed_at: Date | string;
  event_id: string | null;
  journal_id: string | null;
}

export interface VolumeDiscountSettingsTable {
  program_id: string;
  basis: 'amount' | 'quantity';
  period_kind: 'calendar_year' | 'quarter' | 'rolling';
  period_months: number;
  updated_at: Timestamp;
}

export interface VolumeDiscountLevelsTable {
  program_id: string;
  threshold: number;
  basis_points: number;
}

export interface SettingsVersionsTable {
  program_id: string;
  version: number;
}

/** 0039: a member's uploads in one clock hour. */
export interface MemberUploadUsageTable {
  program_id: string;
  member_id: string;
  hour_start: Timestamp;
  files: number;
  bytes: number;
}

export interface Schema {
  settings_versions: SettingsVersionsTable;
  member_upload_usage: MemberUploadUsageTable;
  programs: ProgramsTable;
  api_keys: ApiKeysTable;
  accounts: AccountsTable;
  members: MembersTable;
  categories: CategoriesTable;
  products: ProductsTable;
  rules: RulesTable;
  rule_usage: RuleUsageTable;
  events: EventsTable;
  event_lines: EventLinesTable;
  account_categories: AccountCategoriesTable;
  wallets: WalletsTable;
  journals: JournalsTable;
  lots: LotsTable;
  entries: EntriesTable;
  tier_settings: TierSettingsTable;
  tier_levels: TierLevelsTable;
  tier_status: TierStatusTable;
  tier_history: TierHistoryTable;
  reward_settings: RewardSettingsTable;
  reward_categories: RewardCategoriesTable;
  rewards: RewardsTable;
  reward_orders: RewardOrdersTable;
  reward_order_history: RewardOrderHistoryTable;
  reward_codes: RewardCodesTable;
  credit_notes: CreditNotesTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  schema_migrations: SchemaMigrationsTable;
  staff_users: StaffUsersTable;
  web_sessions: WebSessionsTable;
  staff_password_resets: StaffPasswordResetsTable;
  member_sign_in_codes: MemberSignInCodesTable;
  partners: PartnersTable;
  control_settings: ControlSettingsTable;
  adjustment_requests: AdjustmentRequestsTable;
  adjustment_usage: AdjustmentUsageTable;
  audit_heads: AuditHeadsTable;
  audit_log: AuditLogTable;
  account_join_codes: AccountJoinCodesTable;
  invitations: InvitationsTable;
  mail_outbox: MailOutboxTable;
  onboarding_steps: OnboardingStepsTable;
  onboarding_completions: OnboardingCompletionsTable;
  volume_discount_settings: VolumeDiscountSettingsTable;
  volume_discount_levels: VolumeDiscountLevelsTable;
  import_jobs: ImportJobsTable;
  member_password_failures: MemberPasswordFailuresTable;
}

export interface RewardSettingsTable {
  program_id: string;
  approval_threshold_points: number | null;
  updated_at: Timestamp;
}

export interface RewardCategoriesTable {
  program_id: string;
  code: string;
  names: Json<Record<string, string>>;
  position: Generated<number>;
}

export type RewardType = 'physical' | 'experience' | 'code' | 'charity' | 'cashback' | 'content';
export type LimitPeriod = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'lifetime';

export interface RewardsTable {
  program_id: string;
  id: string;
  code: string;
  type: RewardType;
  category_code: string | null;
  texts: Json<Record<string, { name: string; description: string }>>;
  images: Generated<string[]>;
  price_points: number;
  stock: number | null;
  active: Generated<boolean>;
  valid_from: Date | string | null;
  valid_until: Date | string | null;
  min_tier: string | null;
  tier_tags: Generated<string[]>;
  segments: Generated<string[]>;
  roles: Generated<string[]>;
  countries: Generated<string[]>;
  limit_per_member: number | null;
  limit_per_account: number | null;
  limit_period: Generated<LimitPeriod>;
  code_source: 'pool' | 'generated' | null;
  cash_value_minor: number | null;
  event_at: Date | string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type OrderState = 'pending_approval' | 'placed' | 'approved' | 'shipped' | 'delivered' | 'issued' | 'cancelled' | 'rejected';

export interface RewardOrdersTable {
  program_id: string;
  id: string;
  idempotency_key: string;
  request_hash: string;
  reward_id: string;
  quantity: number;
  member_id: string;
  account_id: string;
  wallet_id: string;
  points: number;
  state: OrderState;
  redeem_journal_id: string | null;
  refund_journal_id: string | null;
  invoice_amount_minor: Generated<number | null>;
  invoice_currency: Generated<string | null>;
  shipping_address: Json<Record<string, string>> | null;
  tracking: Json<Record<string, string>> | null;
  codes: Generated<string[]>;
  note: string | null;
  local_date: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RewardOrderHistoryTable {
  program_id: string;
  order_id: string;
  seq: number;
  from_state: OrderState | null;
  to_state: OrderState;
  actor: string;
  reason: string | null;
  at: Date | string;
}

export interface RewardCodesTable {
  program_id: string;
  reward_id: string;
  code: string;
  order_id: string | null;
  imported_at: Timestamp;
  issued_at: Date | string | null;
}

export interface CreditNotesTable {
  program_id: string;
  id: string;
  order_id: string;
  account_id: string;
  amount_minor: number;
  currency: string;
  exported_at: Date | string | null;
  export_batch: string | null;
  created_at: Timestamp;
}

export interface WebhookSubscriptionsTable {
  program_id: string;
  id: string;
  url: string;
  event_types: Generated<string[]>;
  active: Generated<boolean>;
  description: string | null;
  secret: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookEventsTable {
  program_id: string;
  id: string;
  type: string;
  occurred_at: Date | string;
  body: string;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDeliveriesTable {
  program_id: string;
  id: string;
  subscription_id: string;
  event_id: string;
  state: Generated<DeliveryState>;
  attempts: Generated<number>;
  next_attempt_at: Date | string | null;
  last_attempt_at: Date | string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_at: Date | string | null;
  created_at: Timestamp;
}

export interface WebhookAttemptsTable {
  program_id: string;
  delivery_id: string;
  attempt: number;
  at: Date | string;
  status: number | null;
  error: string | null;
}

// ---------------------------------------------------------------- sessions (migration 0009)
export interface WebSessionsTable {
  id: string;
  token_hash: string;
  kind: 'staff' | 'member';
  program_id: string | null;
  staff_user_id: string | null;
  email: string | null;
  member_id: string | null;
  csrf_secret: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
  /** 0010: the member rows a password session may act for; null = every member with the session's e-mail. */
  member_ids: Generated<string[] | null>;
}

// ---------------------------------------------------------------- sign-in (migration 0010)
export interface StaffPasswordResetsTable {
  program_id: string;
  id: string;
  staff_user_id: string;
  purpose: 'reset' | 'invite';
  token_hash: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Timestamp;
}

export interface MemberSignInCodesTable {
  id: string;
  email: string;
  code_hash: string;
  link_token_hash: string;
  failed_attempts: Generated<number>;
  expires_at: Date;
  used_at: Date | null;
  created_at: Timestamp;
}

// ---------------------------------------------------------------- console imports (migration 0011)
// ---------------------------------------------------------------- member password lock-out (migration 0013)
export interface MemberPasswordFailuresTable {
  email_hash: string;
  failures: number;
  locked_until: Date | null;
  updated_at: Date;
}

export interface ImportJobsTable {
  program_id: string;
  id: string;
  kind: 'accounts' | 'members' | 'events';
  file_name: string | null;
  state: Generated<'running' | 'finished' | 'failed'>;
  total_rows: Generated<number>;
  done_rows: Generated<number>;
  created: Generated<number>;
  updated: Generated<number>;
  replayed: Generated<number>;
  failed: Generated<number>;
  errors: Json<Array<{ line: number; code: string; message: string }>>;
  error_count: Generated<number>;
  failure_code: string | null;
  failure_params: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  started_by: string;
  created_at: Timestamp;
  finished_at: Date | null;
  heartbeat_at: Generated<Date>;
}

/**
 * Kysely's view of the tables this module owns (migration 0021), added to the shared schema with
 * `withTables`, so the module's queries are typed without the other modules seeing its tables.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { Db } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import type { LocalizedText } from './texts.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
export type Status = 'draft' | 'published' | 'archived';
export type ModuleKind = 'text' | 'video' | 'file' | 'quiz';
/** How an expiring certificate is renewed: the whole course again, or only its final quiz. */
export type RenewBy = 'course' | 'quiz';

export type TrainingTables = {
  training_files: {
    program_id: string;
    id: string;
    sha256: string;
    content_type: string;
    size_bytes: ColumnType<string | number, number, number>;
    file_name: string | null;
    uploaded_by: string;
    created_at: Timestamp;
  };
  courses: {
    program_id: string;
    id: string;
    code: string;
    title: Json<LocalizedText>;
    summary: Json<LocalizedText>;
    status: ColumnType<Status, Status | undefined, Status>;
    certificate: boolean;
    valid_months: number | null;
    renew_by: ColumnType<RenewBy, RenewBy | undefined, RenewBy>;
    published_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  course_modules: {
    program_id: string;
    id: string;
    course_id: string;
    position: number;
    kind: ModuleKind;
    title: Json<LocalizedText>;
    body: Json<LocalizedText>;
    video_url: string | null;
    file_id: string | null;
    quiz_id: string | null;
  };
  module_completions: {
    program_id: string;
    member_id: string;
    module_id: string;
    course_id: string;
    source: string;
    completed_at: Timestamp;
  };
  course_completions: {
    program_id: string;
    course_id: string;
    member_id: string;
    completed_at: Timestamp;
    event_id: string | null;
    points: ColumnType<string | number, number | undefined, number>;
  };
  certificates: {
    program_id: string;
    id: string;
    course_id: string;
    member_id: string;
    code: string;
    language: string;
    member_name: string;
    course_title: string;
    issued_at: Timestamp;
    expires_at: NullableTimestamp;
    revoked_at: NullableTimestamp;
    reminded_at: NullableTimestamp;
    replaced_by: string | null;
    replaced_at: NullableTimestamp;
  };
  course_renewals: {
    program_id: string;
    id: string;
    course_id: string;
    member_id: string;
    certificate_id: string;
    started_at: Timestamp;
    completed_at: NullableTimestamp;
    new_certificate_id: string | null;
  };
  tier_certification_requirements: {
    program_id: string;
    level_code: string;
    course_id: string;
  };
  content_items: {
    program_id: string;
    id: string;
    kind: 'article' | 'file';
    title: Json<LocalizedText>;
    summary: Json<LocalizedText>;
    body: Json<LocalizedText>;
    file_id: string | null;
    tiers: string[];
    roles: string[];
    segments: string[];
    tags: string[];
    early_access: Json<Record<string, number>>;
    available_at: NullableTimestamp;
    status: ColumnType<Status, Status | undefined, Status>;
    published_at: NullableTimestamp;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  content_reads: {
    program_id: string;
    content_id: string;
    member_id: string;
    account_id: string;
    first_read_at: Timestamp;
    last_read_at: Timestamp;
    reads: number;
  };
};

export type TDb = Kysely<Schema & TrainingTables>;

/** The shared database handle (or a transaction on it) with this module's tables typed. */
export const tdb = (db: Db): TDb => db.withTables<TrainingTables>();

export const json = (v: unknown): string => JSON.stringify(v);

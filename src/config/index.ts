import { isIP } from 'node:net';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/**
 * The one place that reads the environment. Everything else receives a validated Config,
 * so a typo in a variable stops the server at start instead of misbehaving later.
 */
/**
 * A whole number written in decimal digits: `z.coerce.number` also took an empty value (as 0: `PORT=` listened on a
 * random port) and hexadecimal (`0x1068`).
 */
const wholeNumber = () => z.string().regex(/^\d+$/, 'must be a whole number written in digits').transform(Number);

const envSchema = z.object({
  PORT: wholeNumber().pipe(z.number().min(0).max(65535)).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must start with postgres:// or postgresql://')
    .optional(),
  LOJAL_DATA_DIR: z.string().min(1).default('.lojal/data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOJAL_LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  LOJAL_BODY_LIMIT_BYTES: wholeNumber().pipe(z.number().min(1024).max(64 * 1024 * 1024)).default(4 * 1024 * 1024),
  LOJAL_FUTURE_TOLERANCE_SECONDS: wholeNumber().pipe(z.number().min(0).max(86_400)).default(300),
  LOJAL_JOBS: z.enum(['on', 'off']).default('on'),
  LOJAL_DB_POOL_SIZE: wholeNumber().pipe(z.number().min(1).max(200)).default(10),
  LOJAL_EVENT_WRITERS: wholeNumber().pipe(z.number().min(1).max(200)).default(2),
  LOJAL_BATCH_LANES: wholeNumber().pipe(z.number().min(1).max(16)).default(2),
  LOJAL_EVIDENCE_DIR: z.string().min(1).optional(),
  LOJAL_EVIDENCE_MAX_BYTES: wholeNumber().pipe(z.number().min(1024).max(1024 * 1024 * 1024)).default(10 * 1024 * 1024),
  LOJAL_EVIDENCE_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'LOJAL_EVIDENCE_S3_BUCKET must be an S3 bucket name').optional(),
  LOJAL_EVIDENCE_S3_ENDPOINT: z.url({ protocol: /^https?$/, message: 'LOJAL_EVIDENCE_S3_ENDPOINT must be an http(s) URL' }).optional(),
  LOJAL_EVIDENCE_S3_REGION: z.string().regex(/^[a-z0-9-]{1,40}$/, 'LOJAL_EVIDENCE_S3_REGION must be a region name like eu-north-1').default('us-east-1'),
  LOJAL_EVIDENCE_S3_PREFIX: z
    .string()
    .regex(/^(?!.*(^|\/)\.{1,2}(\/|$))[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'LOJAL_EVIDENCE_S3_PREFIX must be path segments of letters, digits, . _ - separated by /')
    .default('evidence'),
  LOJAL_EVIDENCE_S3_FORCE_PATH_STYLE: z.enum(['on', 'off']).default('off'),
  LOJAL_EVIDENCE_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  LOJAL_EVIDENCE_S3_SSE: z.enum(['AES256', 'aws:kms']).optional(),
  LOJAL_EVIDENCE_S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
  LOJAL_WEBHOOKS_ALLOW_PRIVATE: z.enum(['on', 'off']).default('off'),
  LOJAL_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/./, 'LOJAL_SMTP_URL must start with smtp:// or smtps://')
    .optional(),
  LOJAL_MAIL_FROM: z.string().min(3).default('Lojal <no-reply@lojal.localhost>'),
  // SMS through 46elks: both credentials set turns it on.
  LOJAL_SMS_46ELKS_USERNAME: z.string().min(1).optional(),
  LOJAL_SMS_46ELKS_PASSWORD: z.string().min(1).optional(),
  LOJAL_SMS_46ELKS_URL: z.url({ protocol: /^https?$/ }).default('https://api.46elks.com/a1/sms'),
  LOJAL_SMS_FROM: z
    .string()
    .regex(/^([A-Za-z][A-Za-z0-9]{2,10}|\+[1-9][0-9]{6,14})$/, 'LOJAL_SMS_FROM is a sender name of 3-11 letters and digits starting with a letter, or an E.164 number')
    .default('Lojal'),
  LOJAL_AUDIT_KEY: z.string().min(32, 'LOJAL_AUDIT_KEY must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  LOJAL_AUDIT_PREVIOUS_KEYS: z
    .string()
    .optional()
    .refine((v) => !v || v.split(',').every((k) => k.trim().length >= 32), 'LOJAL_AUDIT_PREVIOUS_KEYS is a comma-separated list of earlier LOJAL_AUDIT_KEY values, each at least 32 characters'),
  LOJAL_TRUST_PROXY: z
    .string()
    .trim()
    .default('off')
    .refine((v) => parseTrustProxy(v) !== undefined, 'LOJAL_TRUST_PROXY must be off, on/true, a number of proxy hops, or a comma-separated list of proxy addresses or CIDR ranges (or loopback, linklocal, uniquelocal)'),
  LOJAL_PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'LOJAL_PUBLIC_URL must be an http(s) URL' }).default('http://localhost:3000'),
})
  .refine((e) => !e.LOJAL_SMS_46ELKS_USERNAME === !e.LOJAL_SMS_46ELKS_PASSWORD, {
    path: ['LOJAL_SMS_46ELKS_USERNAME'],
    message: 'set both LOJAL_SMS_46ELKS_USERNAME and LOJAL_SMS_46ELKS_PASSWORD, or neither (messages then stay in the outbox)',
  })
  .refine((e) => !e.LOJAL_EVIDENCE_S3_ACCESS_KEY_ID === !e.LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY, {
    path: ['LOJAL_EVIDENCE_S3_ACCESS_KEY_ID'],
    message: 'set both LOJAL_EVIDENCE_S3_ACCESS_KEY_ID and LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY, or neither (the AWS SDK then finds credentials itself)',
  })
  .refine((e) => !e.LOJAL_EVIDENCE_S3_SSE_KMS_KEY_ID || e.LOJAL_EVIDENCE_S3_SSE === 'aws:kms', {
    path: ['LOJAL_EVIDENCE_S3_SSE_KMS_KEY_ID'],
    message: 'LOJAL_EVIDENCE_S3_SSE_KMS_KEY_ID needs LOJAL_EVIDENCE_S3_SSE=aws:kms',
  });

/** Claim evidence in an S3-compatible bucket instead of on disk. */
export interface EvidenceS3Config {
  bucket: string;
  /** Unset: AWS S3 itself; set for MinIO, Ceph, R2 and the like. */
  endpoint: string | undefined;
  region: string;
  /** Keys are `<prefix>/<programId>/<accountId>/<sha256>`. */
  prefix: string;
  forcePathStyle: boolean;
  /** Unset: the AWS SDK's own chain (AWS_ACCESS_KEY_ID…, profiles, instance roles). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  serverSideEncryption: 'AES256' | 'aws:kms' | undefined;
  kmsKeyId: string | undefined;
}

export interface Config {
  port: number;
  host: string;
  /** Set: a PostgreSQL server. Unset: the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** `auto`: short coloured lines when standard output is a terminal, JSON lines (one object each) otherwise. */
  logFormat: 'auto' | 'pretty' | 'json';
  bodyLimitBytes: number;
  /** How far in the future an event's `occurredAt` may lie (clock skew between systems). */
  futureToleranceSeconds: number;
  jobs: boolean;
  dbPoolSize: number;
  /**
   * Transactions writing single events (`POST /v1/events` with one event) open at once per program and process;
   * events arriving while they are all open are written together in the next one (src/events/gather.ts).
   */
  eventWriters: number;
  /**
   * How many transactions one large event batch may be written in at once on a database server, each for a share
   * of the batch's accounts (src/events/ingest.ts); the embedded database always writes a batch in one.
   */
  batchLanes: number;
  /** Where claim evidence files are stored (default: `evidence` under the data directory). */
  evidenceDir: string;
  /** The largest evidence file accepted. */
  evidenceMaxBytes: number;
  /** Set (LOJAL_EVIDENCE_S3_BUCKET): evidence goes to this bucket and `evidenceDir` is not used. */
  evidenceS3: EvidenceS3Config | undefined;
  /** Whether webhooks may target loopback and private networks (off: such targets are refused). */
  webhooksAllowPrivate: boolean;
  /** Set: mails in the outbox are delivered through this SMTP server. Unset: they stay in the outbox. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Set (both 46elks credentials): text messages in the SMS outbox are sent through 46elks. Unset: they wait. */
  sms: { username: string; password: string; url: string; from: string } | undefined;
  /** Where people open links from mails (invitations), without a trailing slash. */
  publicUrl: string;
  /** Fastify's trustProxy: whom to believe about the client's address and protocol. Off by default. */
  trustProxy: TrustProxy;
  /**
   * Session cookies are Secure (and named with the `__Host-` prefix) on every request when the public URL is
   * https; otherwise only on requests that arrived over https (directly, or through a trusted proxy).
   */
  secureCookies: boolean;
  /** Set: new audit entries are chained with HMAC-SHA256 under this key, which the database never sees. */
  auditKey: string | undefined;
  /** Earlier audit keys, still needed to verify the entries chained under them (key rotation). */
  auditPreviousKeys: string[];
}

/** Which proxies may say who the client is and whether it came over https (X-Forwarded-For/-Proto/-Host). */
export type TrustProxy = boolean | number | string[];

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** `off`/`false`, `on`/`true`, a hop count, or addresses and CIDR ranges separated by commas; undefined when none of these. */
export function parseTrustProxy(raw: string): TrustProxy | undefined {
  const v = raw.trim().toLowerCase();
  if (v === '' || v === 'off' || v === 'false') return false;
  if (v === 'on' || v === 'true') return true;
  if (/^\d{1,2}$/.test(v)) return Number(v);
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const valid = (s: string) => proxyNames.has(s) || ipaddr.isValidCIDR(s) || (isIP(s) !== 0 && ipaddr.isValid(s));
  return list.length > 0 && list.every(valid) ? list : undefined;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.LOJAL_DATA_DIR),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOJAL_LOG_FORMAT,
    bodyLimitBytes: e.LOJAL_BODY_LIMIT_BYTES,
    futureToleranceSeconds: e.LOJAL_FUTURE_TOLERANCE_SECONDS,
    jobs: e.LOJAL_JOBS === 'on',
    dbPoolSize: e.LOJAL_DB_POOL_SIZE,
    eventWriters: e.LOJAL_EVENT_WRITERS,
    batchLanes: e.LOJAL_BATCH_LANES,
    evidenceDir: path.resolve(e.LOJAL_EVIDENCE_DIR ?? path.join(e.LOJAL_DATA_DIR, 'evidence')),
    evidenceMaxBytes: e.LOJAL_EVIDENCE_MAX_BYTES,
    evidenceS3: e.LOJAL_EVIDENCE_S3_BUCKET
      ? {
          bucket: e.LOJAL_EVIDENCE_S3_BUCKET,
          endpoint: e.LOJAL_EVIDENCE_S3_ENDPOINT,
          region: e.LOJAL_EVIDENCE_S3_REGION,
          prefix: e.LOJAL_EVIDENCE_S3_PREFIX,
          forcePathStyle: e.LOJAL_EVIDENCE_S3_FORCE_PATH_STYLE === 'on',
          credentials:
            e.LOJAL_EVIDENCE_S3_ACCESS_KEY_ID && e.LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY
              ? { accessKeyId: e.LOJAL_EVIDENCE_S3_ACCESS_KEY_ID, secretAccessKey: e.LOJAL_EVIDENCE_S3_SECRET_ACCESS_KEY }
              : undefined,
          serverSideEncryption: e.LOJAL_EVIDENCE_S3_SSE,
          kmsKeyId: e.LOJAL_EVIDENCE_S3_SSE_KMS_KEY_ID,
        }
      : undefined,
    webhooksAllowPrivate: e.LOJAL_WEBHOOKS_ALLOW_PRIVATE === 'on',
    smtpUrl: e.LOJAL_SMTP_URL,
    mailFrom: e.LOJAL_MAIL_FROM,
    sms:
      e.LOJAL_SMS_46ELKS_USERNAME && e.LOJAL_SMS_46ELKS_PASSWORD
        ? { username: e.LOJAL_SMS_46ELKS_USERNAME, password: e.LOJAL_SMS_46ELKS_PASSWORD, url: e.LOJAL_SMS_46ELKS_URL, from: e.LOJAL_SMS_FROM }
        : undefined,
    publicUrl: e.LOJAL_PUBLIC_URL.replace(/\/+$/, ''),
    trustProxy: parseTrustProxy(e.LOJAL_TRUST_PROXY)!,
    secureCookies: new URL(e.LOJAL_PUBLIC_URL).protocol === 'https:',
    auditKey: e.LOJAL_AUDIT_KEY,
    auditPreviousKeys: (e.LOJAL_AUDIT_PREVIOUS_KEYS ?? '').split(',').map((k) => k.trim()).filter((k) => k !== ''),
  };
}

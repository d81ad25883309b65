import { z } from 'zod';

/**
 * Field types that several modules validate the same way, so a tag or a country accepted by one
 * endpoint is accepted by all of them.
 */

// ISO 3166-1 alpha-2, officially assigned codes, plus XK (Kosovo), which ERPs and the EU use.
const countryCodes = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW ' +
    'BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI ' +
    'FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN ' +
    'IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME ' +
    'MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF ' +
    'PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV ' +
    'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK ' +
    'YE YT ZA ZM ZW'
  ).split(' '),
);

const noControlChars = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

/**
 * A check of our own with its English message and the catalogue key (`errors:field.<key>`) under which the
 * answer finds it in the reader's language.
 */
export const fieldCheck = (key: string, message: string) => ({ message, params: { field: key } });

/** A required, trimmed, single-line text of at most `max` characters. */
export const text = (max: number) =>
  z.string().trim().min(1).max(max).refine(noControlChars, fieldCheck('control_chars', 'must not contain control characters or line breaks'));

/** A search text; empty means no search, so a UI may always send its search box. */
export const searchText = z.string().trim().max(200);

/** The id a record has in the customer's own system (ERP customer number, CRM id…). */
export const externalId = text(100);

/** A client's key for a write it may retry: a repeat with the same key answers as the first call did. */
export const idempotencyKey = z.string().trim().min(8, 'use a unique key of at least 8 characters, e.g. a UUID').max(200);

/** Accepts `se` as well as `SE`; stores upper case. */
export const country = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => countryCodes.has(c), fieldCheck('country', 'must be an ISO 3166-1 alpha-2 country code such as SE'));

/** Lower-case identifiers chosen by the program (role, margin class); input is lower-cased first. */
export const slug = z
  .string()
  .trim()
  .toLowerCase()
  .refine((s) => /^[a-z][a-z0-9_-]{0,39}$/.test(s), fieldCheck('slug', 'must be a letter followed by letters, digits, _ or - (at most 40 characters)'));

// Tags are matched exactly by rules and filters, and `|` and `;` separate them in CSV files.
export const tag = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .refine((s) => /^[^|;,\u0000-\u001f\u007f]+$/.test(s), fieldCheck('tag', 'must not contain | ; , or control characters'));

export const tags = z
  .array(tag)
  .max(50)
  .transform((list) => [...new Set(list)]);

export const maxAttributeKeys = 50;
const maxAttributesBytes = 16 * 1024;

/** Free key/value data the program wants to keep (and rules may read); bounded so rows stay small. */
export const attributes = z
  .record(z.string().min(1).max(100), z.unknown())
  .refine((a) => Object.keys(a).length <= maxAttributeKeys, `must have at most ${maxAttributeKeys} keys`)
  .refine((a) => JSON.stringify(a).length <= maxAttributesBytes, `must be at most ${maxAttributesBytes} bytes as JSON`);

export const lifecycleStatuses = ['invited', 'active', 'suspended', 'closed'] as const;
export const lifecycleStatus = z.enum(lifecycleStatuses);
export type LifecycleStatus = (typeof lifecycleStatuses)[number];

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, ResponseSerializationError } from 'fastify-type-provider-zod';
import { clientErrorOfDatabase } from '../db/errors.js';
import { checkFailureOf, checkMessage } from '../errors/check-messages.js';
import { fieldCodeOf, valueAt } from '../errors/field-codes.js';
import { LojalError, type FieldIssue } from '../errors/index.js';
import { negotiateLanguage, translator, type Language } from '../i18n/index.js';

/** RFC 9457 problem details, with our stable `code` and the request id. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  instance: string;
  errors?: AnsweredFieldIssue[];
  /** Error-specific data (LojalError.extra), e.g. `programs` with choose_program, `minutes` with account_locked. */
  [extra: string]: unknown;
}

/** The router's limit on one path segment's parameter (fastify's maxParamLength): ids and external ids fit well inside. */
export const maxPathParameterLength = 200;

const problemType = (code: string) => `urn:lojal:problem:${code}`;

/** One field's problem as the answer carries it: `code` is the field code (field-codes.ts) or an error code. */
export interface AnsweredFieldIssue {
  path: string;
  message: string;
  code: string;
}

/** `input`: the request's parts by validation context (body, querystring, params, headers), to tell missing fields. */
export function toLojalError(err: unknown, bodyLimit: number, input?: Record<string, unknown>): LojalError {
  if (err instanceof LojalError) return err;
  if (err instanceof ResponseSerializationError && onlyNumbersOutOfRange(err.cause)) return new LojalError('figures_out_of_range');
  const e = err as FastifyError & { validation?: unknown };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const context = e.validationContext;
    const issues = e.validation.flatMap((v): FieldIssue[] => {
      const parts = v.instancePath.split('/').filter(Boolean);
      const check = checkFailureOf({ code: v.keyword, ...v.params });
      const message = v.message ?? 'invalid';
      const path = (more: string[]) => [context, ...parts, ...more].filter(Boolean).join('.');
      // zod reports unknown keys on the parent object; name each key itself so the client knows what to drop.
      const keys = v.params?.keys;
      if (v.keyword === 'unrecognized_keys' && Array.isArray(keys) && keys.length) {
        return keys.map((key) => ({ path: path([String(key)]), message, check, fieldCode: 'unknown_field' }));
      }
      const missing = input && context && context in input ? valueAt(input[context], parts) === undefined : undefined;
      return [{ path: path([]), message, check, fieldCode: fieldCodeOf(check, message, missing) }];
    });
    return new LojalError('validation_failed', {}, issues);
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new LojalError('malformed_json', { detail: e.message });
    case 'FST_ERR_BAD_URL':
      return new LojalError('malformed_url');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new LojalError('path_parameter_too_long', { limit: maxPathParameterLength });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new LojalError('payload_too_large', { limit: bodyLimit });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new LojalError('unsupported_media_type', { type: e.message });
  }
  if (e instanceof SyntaxError && e.statusCode === 400) return new LojalError('malformed_json', { detail: e.message });
  if (e.statusCode === 405) return new LojalError('method_not_allowed');
  if (e.statusCode === 413) return new LojalError('payload_too_large', { limit: bodyLimit });
  if (e.statusCode === 415) return new LojalError('unsupported_media_type', { type: String(e.message) });
  // The database refused what the request sent: a 4xx with its own code. Anything else is ours, and its text
  // (which may quote SQL) goes to the log only.
  return clientErrorOfDatabase(err) ?? new LojalError('internal_error');
}

export function requestLanguage(req: FastifyRequest, fallback: Language = 'en'): Language {
  return negotiateLanguage(req.headers['accept-language'], fallback);
}

/**
 * The language of an API answer (messages, explanations, reasons): the one the request's Accept-Language asks for,
 * else English. Not the program's language: that is its members' (mails, the portal), while API answers are read
 * by whoever builds the integration. The console sends its own choice with every request.
 */
export function apiLanguage(req: FastifyRequest): Language {
  return requestLanguage(req, 'en');
}

/** Field issues as the answer carries them: each message in the reader's language where we have it in theirs. */
export function localizedIssues(issues: FieldIssue[], lng: Language, params: Record<string, unknown> = {}): AnsweredFieldIssue[] {
  const t = translator(lng);
  return issues.map((i) =>
    i.code
      ? { path: i.path, message: t(`errors:${i.code}`, params), code: i.code }
      : { path: i.path, message: checkMessage(i.check, i.message, lng), code: i.fieldCode ?? fieldCodeOf(i.check, i.message) },
  );
}

export function sendProblem(req: FastifyRequest, reply: FastifyReply, err: LojalError): FastifyReply {
  // A portal request answers in the member's own language, whatever the browser asks for.
  const lng = req.member?.language ?? apiLanguage(req);
  const t = translator(lng);
  const params = { ...err.params, requestId: req.id };
  const body: Problem = {
    // First, so that the standard members below always win over a same-named extra.
    ...err.extra,
    type: problemType(err.code),
    title: err.code.replace(/_/g, ' '),
    status: err.status,
    // A member in the portal reads what to do in their words where the API's text speaks to an integrator.
    detail: t(req.member ? [`errors-member:${err.code}`, `errors:${err.code}`] : `errors:${err.code}`, params),
    code: err.code,
    requestId: req.id,
    instance: req.url,
  };
  if (err.issues) body.errors = localizedIssues(err.issues, lng, params);
  if (typeof err.params.retryAfterSeconds === 'number') reply.header('retry-after', String(err.params.retryAfterSeconds));
  // An upload refused part way (too large, the wrong type, over the hour's allowance): the rest of its body is
  // not read either; the connection closes after this answer.
  if ((err.status === 413 || err.status === 415 || err.status === 429) && req.raw.complete === false) reply.header('connection', 'close');
  return reply.status(err.status).type('application/problem+json').send(body);
}

/**
 * An answer that could not be written only because some of its figures lie past ±(2^53 − 1), where JSON readers
 * stop holding integers exactly (a program's totals after absurd amounts were sent): 409 with its own code, not 500.
 */
function onlyNumbersOutOfRange(cause: unknown): boolean {
  const issues = (cause as { issues?: Array<{ code?: string; origin?: string }> } | undefined)?.issues;
  return Array.isArray(issues) && issues.length > 0 && issues.every((i) => (i.code === 'too_big' || i.code === 'too_small') && (i.origin === 'int' || i.origin === 'number'));
}

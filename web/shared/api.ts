/**
 * The one way pages talk to Lojal: JSON over fetch with the session cookie, the anti-forgery token on every
 * write, and the server's problem+json turned into an ApiError whose `detail` is already in the user's language.
 */
import i18n from 'i18next';

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldIssue[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ApiError';
  }

  /** The server's message for one form field (`path` as the server names it, e.g. `body.email`), if any. */
  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.path === field || e.path.endsWith(`.${field}`))?.message;
  }
}

let csrfToken: string | undefined;

/** Sign-in and session answers carry the token; pages never handle it themselves. */
export function rememberCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when the server says the session is gone, so the app can show its sign-in page. */
let onSessionLost: (() => void) | undefined;
export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': i18n.language || 'en' };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network_error', i18n.t('web:errors.network'));
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!res.ok) {
    const code = typeof json.code === 'string' ? json.code : 'http_error';
    if (res.status === 401 && code === 'session_required') onSessionLost?.();
    const detail = typeof json.detail === 'string' ? json.detail : i18n.t('web:errors.unexpected', { status: res.status });
    throw new ApiError(res.status, code, detail, Array.isArray(json.errors) ? (json.errors as FieldIssue[]) : [], json);
  }
  return json as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, body ?? {}),
  del: <T>(path: string) => request<T>('DELETE', path),
  /** multipart (files from the phone's camera, CSV imports) */
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, form),
};

/** Query strings from an object, leaving out empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A fresh idempotency key for a write the user may retry (orders, allocations). */
export const newIdempotencyKey = (): string => crypto.randomUUID();

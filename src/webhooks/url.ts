/**
 * Where Lojal may send a program's events: https anywhere, plain http only to this machine (tests, an
 * ERP connector on the same host), never with credentials in the URL (they would show in every listing).
 */
export type UrlProblem = 'unparsable' | 'scheme' | 'insecure' | 'credentials';

const loopbackHost = (host: string) =>
  host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';

export function urlProblem(raw: string): UrlProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'unparsable';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'scheme';
  if (url.protocol === 'http:' && !loopbackHost(url.hostname.toLowerCase())) return 'insecure';
  if (url.username || url.password) return 'credentials';
  return null;
}

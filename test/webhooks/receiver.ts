import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; programId: string; occurredAt: string; data: Record<string, unknown> };
}

/**
 * A webhook receiver on 127.0.0.1 (a free port), the way an ERP connector would be written: it checks
 * each signature with node:crypto itself, not with Lojal's code. Answers 200 unless told otherwise.
 */
export async function startReceiver() {
  const received: Received[] = [];
  const statuses = new Map<string, number[]>();
  let hang = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) });
      if (hang) return; // never answers: the sender's timeout has to end the attempt
      res.statusCode = statuses.get(req.url ?? '')?.shift() ?? 200;
      res.end(res.statusCode >= 300 ? 'receiver says no' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    /** The statuses of the next answers on `path`, in order; 200 after them. */
    answer: (path: string, ...s: number[]) => statuses.set(path, [...(statuses.get(path) ?? []), ...s]),
    hang: (on: boolean) => void (hang = on),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** What a receiver does with the headers: HMAC-SHA256 of `${timestamp}.${body}`, hex, after `v1=`. */
export function verify(secret: string, r: Received): boolean {
  const timestamp = String(r.headers['lojal-timestamp']);
  const given = String(r.headers['lojal-signature']);
  const expected = 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex');
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

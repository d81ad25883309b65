import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './app.js';

export type Part = { name: string; value: string } | { name: string; fileName: string; bytes: Buffer; contentType?: string };

/** A multipart/form-data body built by hand, so tests control every byte (and can send what a browser would not). */
export function multipartBody(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----lojal-test-${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('bytes' in p) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.fileName}"\r\nContent-Type: ${p.contentType ?? 'application/octet-stream'}\r\n\r\n`));
      chunks.push(p.bytes, Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function postMultipart(t: TestApp, url: string, parts: Part[], key: string = t.key, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const { body, contentType } = multipartBody(parts);
  return t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${key}`, 'content-type': contentType, ...headers }, payload: body });
}

/**
 * Serves the built console (/admin/) and member portal (/) from dist/web, on the API's own port. Asset files
 * carry a content hash in their name and are cached for good; the HTML pages are never cached, so a new build
 * reaches everybody on their next visit. Any other page address under /admin/ or / answers the page's HTML and
 * lets the page's router show it (deep links, reloads, links from mails).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

export const webRoot = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Addresses that belong to the API and never fall back to a page. */
const apiPrefixes = ['/v1/', '/auth/', '/portal/v1/', '/docs', '/openapi.json', '/health', '/metrics'];

const pageHeaders = {
  'cache-control': 'no-cache',
  // The console must not be framed by another site (clickjacking), and reset links must not leak as referrers.
  'x-frame-options': 'DENY',
  'referrer-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

export function webBuilt(root = webRoot): boolean {
  return fs.existsSync(`${root}index.html`) && fs.existsSync(`${root}admin/index.html`);
}

export async function registerWeb(app: FastifyInstance, root = webRoot): Promise<void> {
  if (!webBuilt(root)) {
    app.log.warn(`The console and portal are not built (no ${root}index.html): run \`npm run build:web\``);
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    wildcard: true,
    setHeaders(res, filePath) {
      if (filePath.includes(`${root}assets/`)) res.header('cache-control', 'public, max-age=31536000, immutable');
      else for (const [k, v] of Object.entries(pageHeaders)) res.header(k, v);
    },
  });
  // The pages' own addresses are directories, which the file server refuses to list; answer them directly.
  const pages = { '/': 'index.html', '/admin': 'admin/index.html', '/admin/': 'admin/index.html' };
  for (const [url, page] of Object.entries(pages)) app.get(url, { schema: { hide: true } }, (_req, reply) => sendPage(reply, page));
}

/** For the not-found handler: the page that should answer a browser's GET of an unknown address, if any. */
export function pageFor(req: FastifyRequest): 'admin/index.html' | 'index.html' | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const url = req.url.split('?')[0]!;
  if (apiPrefixes.some((p) => url === p.replace(/\/$/, '') || url.startsWith(p))) return undefined;
  if (url.startsWith('/assets/')) return undefined;
  if (!(req.headers.accept ?? '').includes('text/html')) return undefined;
  return url === '/admin' || url.startsWith('/admin/') ? 'admin/index.html' : 'index.html';
}

export function sendPage(reply: FastifyReply, page: string): FastifyReply {
  for (const [k, v] of Object.entries(pageHeaders)) reply.header(k, v);
  return reply.sendFile(page);
}

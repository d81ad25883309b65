import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const web = fileURLToPath(new URL('./web/', import.meta.url));

/**
 * Two pages from one build: the member portal (web/index.html, served at /) and the admin console
 * (web/admin/index.html, served at /admin/). Lojal serves dist/web itself; `npm run dev:web` proxies the API.
 */
export default defineConfig({
  root: web,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/web/', import.meta.url)),
    emptyOutDir: true,
    // The budget that matters is the portal's first page (checked by bench/web-size.ts), not Vite's per-chunk hint.
    chunkSizeWarningLimit: 1500,
    // The import graph, for measuring what each page's first load costs (test/http/web-budget.test.ts).
    manifest: true,
    rollupOptions: {
      input: { portal: `${web}index.html`, admin: `${web}admin/index.html` },
    },
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/auth', '/portal/v1', '/docs', '/health'].map((p) => [p, 'http://127.0.0.1:3000'])),
  },
});

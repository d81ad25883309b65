import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { webBuilt, webRoot } from '../../src/http/web.js';
import { consoleFirstPage, portalFirstPage } from '../../src/http/web-weight.js';

/**
 * The budget: the portal's first page under 250 KB of JavaScript, gzipped; the console is split so
 * that none of it reaches the portal. Sizes of a build are deterministic, so this is a plain assertion.
 */
const built = webBuilt() && fs.existsSync(`${webRoot}.vite/manifest.json`);

describe.skipIf(!built)('what the pages weigh', () => {
  it('the portal first page (shell, home, translations) stays under 250 KB of gzipped JavaScript in every language', () => {
    for (const lng of ['en', 'sv', 'nb', 'pl', 'de']) {
      const w = portalFirstPage(webRoot, lng);
      expect(w.jsGzipBytes, `${lng}: ${w.files.join(', ')}`).toBeLessThan(250 * 1024);
    }
  });

  it('no console code is part of the portal first page', () => {
    const portal = portalFirstPage(webRoot);
    const consoleOnly = consoleFirstPage(webRoot).files.filter((f) => !portal.files.includes(f));
    expect(consoleOnly.length).toBeGreaterThan(0);
    expect(portal.files.some((f) => /admin|Dashboard|console/.test(f))).toBe(false);
  });
});

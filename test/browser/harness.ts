/**
 * Browser tests: Lojal listening on loopback with the built console and portal, driven by Debian's chromium
 * through playwright-core. Browser tests run in the embedded-database pass only: they test the pages, and the
 * API beneath them is tested on both databases by the API tests.
 *
 * Without chromium the tests are skipped with one line saying so, unless LOJAL_REQUIRE_BROWSER=1 (CI).
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { describe } from 'vitest';
import { webBuilt } from '../../src/http/web.js';
import { chooseSessionMember, createSession } from '../../src/sessions/store.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { onPostgres } from '../support/db.js';

export const chromiumPath = process.env.LOJAL_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

function browserSkipReason(): string | undefined {
  if (onPostgres) return 'browser tests run in the embedded-database pass';
  if (!chromiumPath) return 'no chromium (apt-get install chromium, or set LOJAL_CHROMIUM)';
  if (!webBuilt()) return 'the console and portal are not built (npm run build:web)';
  return undefined;
}

const skipReason = browserSkipReason();
if (skipReason && !onPostgres) {
  if (process.env.LOJAL_REQUIRE_BROWSER === '1') throw new Error(`Browser tests cannot run: ${skipReason}; LOJAL_REQUIRE_BROWSER=1`);
  console.log(`Browser tests skipped: ${skipReason}.`);
}

/** `describe` for a browser test file: skipped (with the reason printed once) where a browser run is impossible. */
export const describeInBrowser = skipReason ? describe.skip : describe;

export const phone = { width: 390, height: 844 };
export const desktop = { width: 1366, height: 900 };

export interface BrowserApp extends TestApp {
  base: string;
  browser: Browser;
  /** A new browser context (its own cookies) and page of the given size. */
  newPage(viewport?: { width: number; height: number }, locale?: string): Promise<{ context: BrowserContext; page: Page }>;
  /** Signs a staff user in by giving the context a session cookie (the sign-in form has its own tests). */
  signInStaff(context: BrowserContext, staffUserId: string, programId?: string): Promise<void>;
  /** Signs a member in (e-mail proven, member chosen) by a session cookie. */
  signInMember(context: BrowserContext, memberId: string, email: string, programId?: string): Promise<void>;
}

export async function startBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  const test = await startTestApp({ LOJAL_PUBLIC_URL: 'http://127.0.0.1', ...env });
  await test.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = test.app.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({
    executablePath: chromiumPath!,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const contexts: BrowserContext[] = [];
  const cookie = async (context: BrowserContext, name: string, value: string) =>
    context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Lax' }]);
  return {
    ...test,
    base,
    browser,
    async newPage(viewport = desktop, locale = 'en-GB') {
      const context = await browser.newContext({ viewport, locale, baseURL: base });
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async signInStaff(context, staffUserId, programId = test.programId) {
      const { token } = await createSession(test.database.db, { kind: 'staff', programId, staffUserId });
      await cookie(context, 'lojal_staff', token);
    },
    async signInMember(context, memberId, email, programId = test.programId) {
      const { token, session } = await createSession(test.database.db, { kind: 'member', email });
      await chooseSessionMember(test.database.db, session.id, programId, memberId);
      await cookie(context, 'lojal_member', token);
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await test.close();
    },
  };
}

/** Serious and critical accessibility violations on the page as it is now (axe-core), as readable lines. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => `${n.html.slice(0, 120)} ${n.failureSummary ?? ''}`).join('; ')})`);
}

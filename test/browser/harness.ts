/**
 * Browser tests: Lojal listening on loopback with the built console and portal, driven by Debian's chromium
 * through playwright-core. Browser tests run in one pass only (test/support/env.ts, inSinglePass: the
 * PostgreSQL pass in CI, else the embedded one): they test the pages, and the API beneath them is tested on both
 * databases by the API tests.
 *
 * Without chromium the tests are skipped with one line saying so, unless LOJAL_REQUIRE_BROWSER=1 (CI).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { describe } from 'vitest';
import { webBuilt } from '../../src/http/web.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { inSinglePass, singlePassDatabase } from '../support/env.js';
import { chromiumPath, launchChromium, signInMemberByCookie, signInStaffByCookie } from '../../scripts/chromium.js';



function browserSkipReason(): string | undefined {
  if (!inSinglePass()) return `browser tests run in the ${singlePassDatabase() === 'postgres' ? 'PostgreSQL' : 'embedded-database'} pass`;
  if (!chromiumPath) return 'no chromium (apt-get install chromium, or set LOJAL_CHROMIUM)';
  if (!webBuilt()) return 'the console and portal are not built (npm run build:web)';
  return undefined;
}

const skipReason = browserSkipReason();
if (skipReason && inSinglePass()) {
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
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    ...test,
    base,
    browser,
    async newPage(viewport = desktop, locale = 'en-GB') {
      const context = await browser.newContext({ viewport, locale, baseURL: base });
      // Playwright's 30-second default for actions and waits is a speed assertion on a loaded machine; this only
      // catches a hang, as vitest's limits do.
      context.setDefaultTimeout(10 * 60_000);
      contexts.push(context);
      const page = await context.newPage();
      await recordLayoutShifts(page);
      return { context, page };
    },
    async signInStaff(context, staffUserId, programId = test.programId) {
      await signInStaffByCookie(test.database.db, context, base, { programId, staffUserId }, test.clock());
    },
    async signInMember(context, memberId, email, programId = test.programId) {
      await signInMemberByCookie(test.database.db, context, base, { email, programId, memberId }, test.clock());
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await test.close();
    },
  };
}

/** Cumulative layout shift above which a page counts as jumping (Web Vitals calls up to 0.1 "good"; we want none). */
export const layoutShiftLimit = 0.01;

/**
 * What is wrong with the page as it is now, as readable lines: serious and critical accessibility violations
 * (axe-core), and content that moved on its own since the document loaded (pages from `newPage` record shifts).
 */
export async function pageProblems(page: Page): Promise<string[]> {
  let problems = await accessibilityProblems(page);
  // A problem must still be there once the page is at rest again: a notice that closes itself can start fading out
  // while axe reads it (on a loaded machine a scan takes seconds), and half faded its text has no contrast. Such a
  // frame is not the page; a real fault is found by both scans (compared by rule). Only a scan that found something is repeated.
  if (problems.length) {
    const rule = (p: string) => p.slice(0, p.indexOf(':'));
    const again = new Set((await accessibilityProblems(page)).map(rule));
    problems = problems.filter((p) => again.has(rule(p)));
  }
  const shift = await layoutShift(page);
  if (shift.total > layoutShiftLimit) problems.push(`layout shift ${shift.total.toFixed(3)}: ${shift.shifts.join('; ')}`);
  return problems;
}

/** Serious and critical axe findings, judged once the page's animations have ended. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  // Judged at rest: a modal or menu fading in has, for a few frames, text the colour of its background, and on a
  // loaded machine axe can catch those frames (the contrast of a button half way through its transition).
  // A spinner turns for ever and is not waited for.
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
  // Only the violations are read, so axe is told to build only those in full: with every passing check's nodes too,
  // the analysis and its trip back from the browser took about three times as long (a page of the console: 16 s
  // against 6 s at a load of 20).
  const result = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => `${n.html.slice(0, 120)} ${n.failureSummary ?? ''}`).join('; ')})`);
}

/**
 * Starts recording layout shifts (the browser's own `layout-shift` entries, which Web Vitals' CLS adds up) on
 * every document the page loads from now on, up to the first tap, key press or picked file: what moves while a page loads
 * is the page's fault; a panel that opens because somebody uploaded a file is the answer they asked for.
 */
export async function recordLayoutShifts(page: Page): Promise<void> {
  await page.addInitScript(() => {
    type Shift = { value: number; at: number; sources: string[] };
    const w = window as unknown as { lojalShifts: Shift[]; lojalFirstInput: number };
    w.lojalShifts = [];
    w.lojalFirstInput = Infinity;
    const input = () => (w.lojalFirstInput = Math.min(w.lojalFirstInput, performance.now()));
    // A file picked by a test (setInputFiles) fires no pointer or key event, only `change`.
    for (const type of ['pointerdown', 'keydown', 'change']) window.addEventListener(type, input, { capture: true, once: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as unknown as Array<{ value: number; startTime: number; hadRecentInput: boolean; sources?: Array<{ node?: Node | null }> }>) {
        if (entry.hadRecentInput) continue;
        const sources = (entry.sources ?? []).map((s) => {
          const el = s.node as Element | null | undefined;
          return el?.nodeName ? `${el.nodeName.toLowerCase()}${el.id ? `#${el.id}` : ''} "${(el.textContent ?? '').slice(0, 40)}"` : '?';
        });
        w.lojalShifts.push({ value: entry.value, at: entry.startTime, sources });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** The layout shift of the current document while it loaded: its sum, and each shift with what moved. */
export async function layoutShift(page: Page): Promise<{ total: number; shifts: string[] }> {
  const shifts = await page.evaluate(() => {
    const w = window as unknown as { lojalShifts?: Array<{ value: number; at: number; sources: string[] }>; lojalFirstInput?: number };
    return (w.lojalShifts ?? []).filter((s) => s.at < (w.lojalFirstInput ?? Infinity));
  });
  return {
    total: shifts.reduce((sum, s) => sum + s.value, 0),
    shifts: shifts.map((s) => `${s.value.toFixed(4)} ${s.sources.join(', ')}`),
  };
}

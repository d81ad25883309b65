/**
 * `npm run screenshots`: the main pages of the portal (phone, 390×844) and the console (desktop, 1366×900, and
 * one phone view) with the demo program, written to docs/screenshots/ for the README. Runs Lojal on a fresh
 * embedded database in a temporary directory, seeds the demo, signs a demo member and a demo staff user in by
 * session cookies, and drives Debian's chromium.
 *
 *   npm run screenshots                 (LOJAL_CHROMIUM=/path/to/chromium to use another browser)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { loadConfig } from '../src/config/index.js';
import { openConfiguredDatabase } from '../src/db/open.js';
import { ensureDemoProgram } from '../src/demo/index.js';
import { DiskEvidenceStore } from '../src/evidence/store.js';
import { buildApp } from '../src/app.js';
import { webBuilt } from '../src/http/web.js';
import { addSessionCookie, launchChromium, signInMemberByCookie, signInStaffByCookie } from './chromium.js';

const outDir = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

const phone = { width: 390, height: 844 };
const desktop = { width: 1366, height: 900 };

/** name, address, size; the portal's pages at phone size first, then the console's. */
const portalShots: Array<[string, string]> = [
  ['portal-home', '/'],
  ['portal-shop', '/shop'],
  ['portal-claims', '/claims'],
  ['portal-team', '/team'],
  ['portal-profile', '/profile'],
];
const consoleShots: Array<[string, string]> = [
  ['console-dashboard', '/admin/'],
  ['console-accounts', '/admin/accounts'],
  ['console-rules', '/admin/rules'],
  ['console-rewards', '/admin/rewards'],
  ['console-orders', '/admin/orders'],
  ['console-claims', '/admin/claims'],
  ['console-approvals', '/admin/approvals'],
  ['console-audit', '/admin/audit'],
];

async function main() {
  if (!webBuilt()) throw new Error('Build the pages first: npm run build:web');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'lojal-screenshots-'));
  const config = loadConfig({ LOG_LEVEL: 'warn', LOJAL_JOBS: 'off', LOJAL_DATA_DIR: dataDir });
  const { database } = await openConfiguredDatabase(config);
  const db = database.db;
  console.log('Seeding the demo program (about a minute)…');
  await ensureDemoProgram(db, async () => {}, async () => undefined, new Date(), new DiskEvidenceStore(config.evidenceDir));
  const app = await buildApp(database, config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const browser = await launchChromium();
  try {
    const owner = await db.selectFrom('staff_users').select(['program_id', 'id']).where('role', '=', 'owner').orderBy('created_at').executeTakeFirstOrThrow();
    // A manager with a mail address and the most points: the portal shows its team pages and a full shop.
    const manager = await db
      .selectFrom('members as m')
      .innerJoin('lots as l', (j) => j.onRef('l.program_id', '=', 'm.program_id').onRef('l.wallet_id', '=', 'm.id'))
      .select(['m.program_id', 'm.id', 'm.email'])
      .select((eb) => eb.fn.sum<number>('l.remaining').as('points'))
      .where('m.role', 'in', ['manager', 'owner'])
      .where('m.email', 'is not', null)
      .where('m.status', '=', 'active')
      .groupBy(['m.program_id', 'm.id', 'm.email'])
      .orderBy('points', 'desc')
      .executeTakeFirstOrThrow();

    const shoot = async (context: BrowserContext, name: string, url: string) => {
      const page = await context.newPage();
      await page.goto(base + url);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(300); // charts animate in
      await page.screenshot({ path: `${outDir}${name}.png` });
      await page.close();
      console.log(`  ${name}.png  ${url}`);
    };
    await fs.mkdir(outDir, { recursive: true });

    const memberContext = await browser.newContext({ viewport: phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'sv-SE' });
    await signInMemberByCookie(db, memberContext, base, { email: manager.email!, programId: manager.program_id, memberId: manager.id }, new Date());
    for (const [name, url] of portalShots) await shoot(memberContext, name, url);

    const staffContext = await browser.newContext({ viewport: desktop, locale: 'en-GB' });
    const staffToken = await signInStaffByCookie(db, staffContext, base, { programId: owner.program_id, staffUserId: owner.id }, new Date());
    for (const [name, url] of consoleShots) await shoot(staffContext, name, url);

    const staffPhone = await browser.newContext({ viewport: phone, deviceScaleFactor: 2, isMobile: true, locale: 'en-GB' });
    await addSessionCookie(staffPhone, base, 'lojal_staff', staffToken);
    await shoot(staffPhone, 'console-dashboard-phone', '/admin/');
  } finally {
    await browser.close();
    await app.close();
    await database.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();

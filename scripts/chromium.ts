/**
 * Driving Debian's chromium for the browser tests and the screenshots: where the browser is, how it is started
 * (headless, no sandbox in containers, nothing that reaches the network), and signing a browser context in by
 * giving it a session cookie, as the sign-in forms would (those have tests of their own).
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import type { Db } from '../src/db/database.js';
import { chooseSessionMember, createSession } from '../src/sessions/store.js';

export const chromiumPath: string | undefined =
  process.env.LOJAL_CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no chromium (apt-get install chromium, or set LOJAL_CHROMIUM)');
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

const addCookie = (context: BrowserContext, base: string, name: string, value: string) =>
  context.addCookies([{ name, value, url: base, httpOnly: true, sameSite: 'Lax' }]);

/** A staff session for the console, as the cookie `lojal_staff`; answers the token for other contexts. */
export async function signInStaffByCookie(db: Db, context: BrowserContext, base: string, who: { programId: string; staffUserId: string }, now: Date): Promise<string> {
  const { token } = await createSession(db, { kind: 'staff', programId: who.programId, staffUserId: who.staffUserId }, now);
  await addCookie(context, base, 'lojal_staff', token);
  return token;
}

/** A member session for the portal (e-mail proven, member chosen), as the cookie `lojal_member`. */
export async function signInMemberByCookie(db: Db, context: BrowserContext, base: string, who: { email: string; programId: string; memberId: string }, now: Date): Promise<void> {
  const { token, session } = await createSession(db, { kind: 'member', email: who.email }, now);
  await chooseSessionMember(db, session.id, who.programId, who.memberId);
  await addCookie(context, base, 'lojal_member', token);
}

export { addCookie as addSessionCookie };

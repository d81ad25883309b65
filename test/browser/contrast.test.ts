/**
 * The colours badges, buttons and notices are drawn in pass WCAG AA (4.5:1 for normal text) in every Mantine colour,
 * in the console and in the portal: white on a filled one, and a "light" one's text on its pale background. Mantine's
 * own shades do not in several (a "Paid" badge in teal, "Near breach" in orange, white on orange's "Waiting for
 * customer"); the pages choose colours by name, so the check is on every name rather than on the pages that use
 * them today.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser, startBrowserApp, type BrowserApp } from './harness.js';

const colours = ['dark', 'gray', 'red', 'pink', 'grape', 'violet', 'indigo', 'blue', 'cyan', 'teal', 'green', 'lime', 'yellow', 'orange'];

describeInBrowser('colour contrast of the theme', () => {
  let b: BrowserApp;
  beforeAll(async () => {
    b = await startBrowserApp();
  });
  afterAll(() => b?.close());

  for (const [app, path] of [
    ['portal', '/'],
    ['console', '/admin'],
  ] as const) {
    it(`${app}: every colour's filled and light variants read at 4.5:1 or more`, async () => {
      const { page } = await b.newPage();
      await page.goto(path);
      // The sign-in page is enough: the theme's variables are the same on every page of an app.
      await page.getByRole('heading', { level: 1 }).waitFor();
      const ratios = await page.evaluate((names) => {
        const probe = document.createElement('span');
        document.body.append(probe);
        const rgb = (v: string) => {
          probe.style.color = v;
          return getComputedStyle(probe).color.match(/[\d.]+/g)!.slice(0, 3).map(Number);
        };
        const lum = (v: string) => {
          const [r, g, b] = rgb(v).map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        const ratio = (a: string, b: string) => {
          const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
          return (hi! + 0.05) / (lo! + 0.05);
        };
        const out: Record<string, number> = {};
        for (const n of names) {
          out[`white on ${n} filled`] = ratio('var(--mantine-color-white)', `var(--mantine-color-${n}-filled)`);
          out[`white on ${n} filled-hover`] = ratio('var(--mantine-color-white)', `var(--mantine-color-${n}-filled-hover)`);
          out[`${n} light-color on ${n} light`] = ratio(`var(--mantine-color-${n}-light-color)`, `var(--mantine-color-${n}-light)`);
          out[`${n} outline on white`] = ratio(`var(--mantine-color-${n}-outline)`, 'var(--mantine-color-white)');
        }
        probe.remove();
        return out;
      }, colours);
      const below = Object.entries(ratios).filter(([, r]) => r < 4.5).map(([what, r]) => `${what}: ${r.toFixed(2)}`);
      expect(below).toEqual([]);
    });
  }
});

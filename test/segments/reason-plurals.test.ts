import { describe, expect, it } from 'vitest';
import { translator } from '../../src/i18n/index.js';

/** The loyalty types' reasons name counts: each in the form its number takes, in every language. */
describe('loyalty reasons in the form their numbers take', () => {
  const reason = (lng: 'en' | 'pl' | 'de', key: string, params: Record<string, number>) => translator(lng)(`console-segments:reason.${key}`, params);

  it('says one purchase over one month, and more of each', () => {
    expect(reason('en', 'noPattern', { purchases: 1, months: 1 })).toBe('1 purchase over 1 month, no clear pattern');
    expect(reason('en', 'noPattern', { purchases: 3, months: 2 })).toBe('3 purchases over 2 months, no clear pattern');
    expect(reason('de', 'fewMonths', { months: 1 })).toBe('Nur in 1 Monat aktiv');
    expect(reason('en', 'referrals', { count: 1 })).toBe('Referred 1 new customer');
  });

  it('uses all of Polish plural forms', () => {
    expect([1, 3, 5].map((n) => reason('pl', 'noPattern', { purchases: n, months: 2 }).split(' w ')[0])).toEqual(['1 zakup', '3 zakupy', '5 zakupów']);
    expect([1, 3, 5].map((n) => reason('pl', 'lowEngagement', { engagements: n }))).toEqual(['Tylko 1 inna interakcja', 'Tylko 3 inne interakcje', 'Tylko 5 innych interakcji']);
  });
});

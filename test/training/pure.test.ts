/** The pure cores of trainings and content, table-driven: progress, certification conditions, gating, texts. */
import { describe, expect, it } from 'vitest';
import { decide, type TierSettings } from '../../src/tiers/evaluate.js';
import { gate, type Audience, type Reader } from '../../src/training/audience.js';
import { normalizeCode, newVerificationCode, renewable, statusOf } from '../../src/training/certificates.js';
import { blockedLevels, capByCertification, isValidAt, missingCertifications, type HeldCertificate } from '../../src/training/certification.js';
import { completionRefusal, courseProgress } from '../../src/training/progress.js';
import { missingLanguages, pickText } from '../../src/training/texts.js';

const D = (s: string) => new Date(s);

describe('course progress: modules in order', () => {
  const ids = ['a', 'b', 'c'];
  it.each([
    { done: [], states: ['open', 'locked', 'locked'], next: 0, complete: false },
    { done: ['a'], states: ['done', 'open', 'locked'], next: 1, complete: false },
    { done: ['a', 'b'], states: ['done', 'done', 'open'], next: 2, complete: false },
    { done: ['a', 'b', 'c'], states: ['done', 'done', 'done'], next: null, complete: true },
    // A module done out of order (recorded by staff before the order rule) counts, the gap stays open.
    { done: ['b'], states: ['open', 'done', 'locked'], next: 0, complete: false },
  ])('done $done → $states', ({ done, states, next, complete }) => {
    const p = courseProgress(ids, new Set(done));
    expect(p).toMatchObject({ states, next, complete, done: done.length, total: 3 });
  });

  it.each([
    { done: [], module: 'a', refusal: null },
    { done: [], module: 'b', refusal: 'locked' },
    { done: ['a'], module: 'b', refusal: null },
    { done: ['a'], module: 'c', refusal: 'locked' },
    { done: ['a', 'b'], module: 'c', refusal: null },
    { done: [], module: 'x', refusal: 'unknown' },
  ])('completing $module after $done → $refusal', ({ done, module, refusal }) => {
    expect(completionRefusal(ids, new Set(done), module)).toBe(refusal);
  });

  it('an empty course is never complete', () => expect(courseProgress([], new Set()).complete).toBe(false));
});

const cert = (courseId: string, issued: string, expires: string | null, revoked: string | null = null): HeldCertificate => ({
  courseId,
  issuedAt: D(issued),
  expiresAt: expires ? D(expires) : null,
  revokedAt: revoked ? D(revoked) : null,
});

describe('certifications as a tier condition', () => {
  const now = D('2026-11-25T12:00:00Z');
  it.each([
    { c: cert('x', '2026-01-01', null), valid: true },
    { c: cert('x', '2026-01-01', '2027-01-01'), valid: true },
    { c: cert('x', '2025-01-01', '2026-11-25T12:00:00Z'), valid: false }, // expires at that instant
    { c: cert('x', '2026-01-01', '2027-01-01', '2026-06-01'), valid: false },
    { c: cert('x', '2026-12-01', null), valid: false }, // not issued yet at now
  ])('valid: $valid', ({ c, valid }) => expect(isValidAt(c, now)).toBe(valid));

  const requirements = new Map([
    ['gold', ['installer']],
    ['platinum', ['installer', 'designer']],
  ]);
  it.each([
    { held: [], blocked: ['gold', 'platinum'], missingPlat: ['installer', 'designer'] },
    { held: [cert('installer', '2026-01-01', '2027-01-01')], blocked: ['platinum'], missingPlat: ['designer'] },
    { held: [cert('installer', '2026-01-01', '2026-06-01')], blocked: ['gold', 'platinum'], missingPlat: ['installer', 'designer'] },
    { held: [cert('installer', '2026-01-01', null), cert('designer', '2026-02-01', null)], blocked: [], missingPlat: [] },
  ])('held $held.length → blocked $blocked', ({ held, blocked, missingPlat }) => {
    expect([...blockedLevels(requirements, held, now)].sort()).toEqual(blocked.sort());
    expect(missingCertifications(requirements, 'platinum', held, now)).toEqual(missingPlat);
    expect(missingCertifications(requirements, 'silver', held, now)).toEqual([]);
  });

  const ladder = [{ code: 'silver' }, { code: 'gold' }, { code: 'platinum' }];
  it.each([
    { qualified: 'platinum', blocked: [], level: 'platinum' },
    { qualified: 'platinum', blocked: ['platinum'], level: 'gold' },
    { qualified: 'platinum', blocked: ['gold', 'platinum'], level: 'silver' },
    { qualified: 'gold', blocked: ['platinum'], level: 'gold' },
    { qualified: 'silver', blocked: ['silver'], level: null },
    { qualified: null, blocked: [], level: null },
  ])('qualified $qualified, blocked $blocked → $level', ({ qualified, blocked, level }) => {
    expect(capByCertification(ladder, qualified, new Set(blocked))).toBe(level);
  });

  // The tier decision itself leaves blocked levels out of the ladder.
  const settings: TierSettings = { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'member', downgradeMaxLevels: 1, graceDays: 0 };
  const levels = [
    { code: 'silver', rank: 1, threshold: 0 },
    { code: 'gold', rank: 2, threshold: 100 },
    { code: 'platinum', rank: 3, threshold: 1000 },
  ];
  const state = (level: string | null) => ({ level, periodEnd: D('2027-06-01'), frozenUntil: null });
  it.each([
    { total: 500, state: null, blocked: [], level: 'gold', change: 'upgrade', reason: 'threshold_reached' },
    { total: 500, state: null, blocked: ['gold'], level: 'silver', change: 'upgrade', reason: 'threshold_reached' },
    { total: 5000, state: state('silver'), blocked: ['platinum'], level: 'gold', change: 'upgrade', reason: 'threshold_reached' },
    { total: 500, state: state('gold'), blocked: ['gold'], level: 'silver', change: 'downgrade', reason: 'certification_missing' },
    { total: 500, state: state('gold'), blocked: [], level: 'gold', change: 'keep', reason: 'unchanged' },
  ])('total $total from $state.level, blocked $blocked → $level ($reason)', ({ total, state: s, blocked, level, change, reason }) => {
    const d = decide({ levels, settings, totals: { current: total }, state: s, now, timeZone: 'Europe/Stockholm', blocked: new Set(blocked) });
    expect(d).toMatchObject({ level, change, reason });
  });
});

describe('members-only content: who sees it, and when', () => {
  const published = D('2026-11-20T08:00:00Z');
  const base: Audience = { tiers: [], roles: [], segments: [], tags: [], earlyAccess: {}, availableAt: null, publishedAt: published, status: 'published' };
  const reader = (r: Partial<Reader> = {}): Reader => ({ tiers: [], role: 'installer', segment: 'electrical', tags: [], ...r });
  const now = D('2026-11-25T12:00:00Z');
  // Seed 003: Platinum sees it 7 days before Silver; Gold 3 days.
  const launch: Audience = { ...base, earlyAccess: { platinum: 7, gold: 3 }, availableAt: D('2026-11-30T08:00:00Z') };

  it.each([
    { name: 'everyone', a: base, r: reader(), open: true },
    { name: 'a draft', a: { ...base, status: 'draft' as const, publishedAt: null }, r: reader(), open: false, reason: 'not_published' },
    { name: 'tier listed, held', a: { ...base, tiers: ['gold', 'platinum'] }, r: reader({ tiers: ['gold'] }), open: true },
    { name: 'tier listed, company holds it', a: { ...base, tiers: ['gold'] }, r: reader({ tiers: ['silver', 'gold'] }), open: true },
    { name: 'tier listed, not held', a: { ...base, tiers: ['gold'] }, r: reader({ tiers: ['silver'] }), open: false, reason: 'tier' },
    { name: 'tier listed, no tier', a: { ...base, tiers: ['gold'] }, r: reader(), open: false, reason: 'tier' },
    { name: 'role', a: { ...base, roles: ['owner'] }, r: reader(), open: false, reason: 'role' },
    { name: 'role without one', a: { ...base, roles: ['owner'] }, r: reader({ role: null }), open: false, reason: 'role' },
    { name: 'segment', a: { ...base, segments: ['electrical'] }, r: reader(), open: true },
    { name: 'other segment', a: { ...base, segments: ['plumbing'] }, r: reader(), open: false, reason: 'segment' },
    { name: 'tag', a: { ...base, tags: ['pro'] }, r: reader({ tags: ['pro', 'north'] }), open: true },
    { name: 'no tag', a: { ...base, tags: ['pro'] }, r: reader(), open: false, reason: 'tags' },
    { name: 'platinum 5 days before launch', a: launch, r: reader({ tiers: ['platinum'] }), open: true, early: true },
    { name: 'gold 5 days before launch', a: launch, r: reader({ tiers: ['gold'] }), open: false, reason: 'not_yet', opensAt: '2026-11-27T08:00:00.000Z' },
    { name: 'silver 5 days before launch', a: launch, r: reader({ tiers: ['silver'] }), open: false, reason: 'not_yet', opensAt: '2026-11-30T08:00:00.000Z' },
    { name: 'best tier of member and company', a: launch, r: reader({ tiers: ['silver', 'platinum'] }), open: true, early: true },
    { name: 'available in the past', a: { ...launch, availableAt: D('2026-11-01') }, r: reader({ tiers: ['silver'] }), open: true, early: false },
  ])('$name', ({ a, r, open, reason, opensAt, early }) => {
    const g = gate(a, r, now);
    expect(g.open).toBe(open);
    if (!g.open) expect(g.reason).toBe(reason);
    if (!g.open && opensAt) expect((g as { opensAt: Date }).opensAt.toISOString()).toBe(opensAt);
    if (g.open && early !== undefined) expect(g.early).toBe(early);
  });
});

describe('texts in five languages with fallback', () => {
  it.each([
    { texts: { en: 'Hello', sv: 'Hej' }, wanted: 'sv', def: 'en', text: 'Hej', language: 'sv', fallback: false },
    { texts: { en: 'Hello', sv: 'Hej' }, wanted: 'pl', def: 'sv', text: 'Hej', language: 'sv', fallback: true },
    { texts: { de: 'Hallo' }, wanted: 'pl', def: 'sv', text: 'Hallo', language: 'de', fallback: true },
  ] as const)('$wanted of $texts (default $def) → $text', ({ texts, wanted, def, text, language, fallback }) => {
    expect(pickText(texts, wanted, def)).toEqual({ text, language, fallback });
  });
  it('nothing written → null; the missing languages are listed', () => {
    expect(pickText({}, 'en', 'en')).toBeNull();
    expect(missingLanguages({ en: 'x', pl: 'y' })).toEqual(['sv', 'nb', 'de']);
  });
});

describe('verification codes', () => {
  it('are 15 symbols of Crockford base 32 in three groups, and read back however typed', () => {
    const code = newVerificationCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(normalizeCode(code.toLowerCase().replace(/-/g, ' '))).toBe(code);
    expect(normalizeCode('o1l2i-ABCDE-FGHJK')).toBe('0112' + '1-ABCDE-FGHJK');
  });
  it('status: valid, expired at its instant, revoked, replaced by a renewal', () => {
    const c = { id: '', courseId: '', memberId: '', code: '', language: 'en' as const, memberName: '', courseTitle: '', issuedAt: D('2026-01-01'), expiresAt: D('2027-01-01'), revokedAt: null, replacedBy: null, replacedAt: null };
    expect(statusOf(c, D('2026-12-31T23:59:59Z'))).toBe('valid');
    expect(statusOf(c, D('2027-01-01'))).toBe('expired');
    expect(statusOf({ ...c, revokedAt: D('2026-02-01') }, D('2026-03-01'))).toBe('revoked');
    expect(statusOf({ ...c, replacedBy: 'x', replacedAt: D('2026-12-20') }, D('2026-12-21'))).toBe('replaced');
    expect(statusOf({ ...c, replacedBy: 'x', replacedAt: D('2026-12-20'), revokedAt: D('2026-12-22') }, D('2026-12-23'))).toBe('revoked');
  });
  it.each([
    ['31 days before expiry', '2026-12-01', {}, false],
    ['30 days before expiry', '2026-12-02', {}, true],
    ['expired', '2027-06-01', {}, true],
    ['revoked', '2026-12-20', { revokedAt: D('2026-06-01') }, false],
    ['already replaced', '2026-12-20', { replacedBy: 'x', replacedAt: D('2026-12-10') }, false],
    ['never expires', '2030-01-01', { expiresAt: null }, false],
  ] as const)('renewable: %s', (_name, at, change, want) => {
    const c = { id: '', courseId: '', memberId: '', code: '', language: 'en' as const, memberName: '', courseTitle: '', issuedAt: D('2026-01-01'), expiresAt: D('2027-01-01'), revokedAt: null, replacedBy: null, replacedAt: null };
    expect(renewable({ ...c, ...change }, D(at))).toBe(want);
  });
});

/**
 * The demo program: a Nordic building-materials wholesaler with 200 customer companies (installers,
 * builders, resellers; some chains with branches), 600 people, 300 products in 12 categories, the
 * earning rules such a program starts with, and a year of purchases, returns, app logins and feedback.
 * Generated from a fixed seed, so every fresh start shows the same program.
 */
import { upsertAccounts } from '../accounts/index.js';
import { upsertMembers } from '../accounts/index.js';
import { upsertCategories, upsertProducts } from '../catalog/index.js';
import type { Db } from '../db/database.js';
import type { EvidenceStore } from '../evidence/store.js';
import { seedClaimsDemo } from './claims.js';
import { ingestEvents } from '../events/ingest.js';
import type { Program } from '../programs/programs.js';
import { createRule } from '../rules/store.js';
import { evaluateTiers } from '../tiers/job.js';
import { seedPeople } from './people.js';
import { replaceTierConfig, tierConfigSchema } from '../tiers/store.js';
import { seedRewards } from './rewards.js';
import { seedControlDemo } from './control.js';
import { seedWebhooks } from './webhooks.js';
import { seedSurveysDemo } from './surveys.js';
import { seedTrainingDemo } from './training.js';
import { seedServiceDemo } from './service.js';
import { seedRelevanceAfter, seedRelevanceBefore } from './relevance.js';
import { seedRecognition } from './recognition.js';

/** A small deterministic generator (mulberry32): the same demo on every machine. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
  };
}

const categories = [
  ['timber', 'Timber & boards'], ['insulation', 'Insulation'], ['roofing', 'Roofing'], ['plumbing', 'Plumbing'],
  ['electrical', 'Electrical'], ['tools', 'Tools'], ['fasteners', 'Fasteners'], ['paint', 'Paint & coatings'],
  ['tiles', 'Tiles & flooring'], ['doors-windows', 'Doors & windows'], ['concrete', 'Concrete & mortar'], ['safety', 'Safety & workwear'],
] as const;
const nouns: Record<string, string[]> = {
  timber: ['Planed pine 45x95', 'Plywood 12 mm', 'OSB board 15 mm', 'Glulam beam', 'Decking 28x120'],
  insulation: ['Mineral wool 145 mm', 'EPS board 100 mm', 'Vapour barrier', 'Insulation batt 95 mm', 'PIR board 50 mm'],
  roofing: ['Roof tile', 'Bitumen felt', 'Roof sheet', 'Gutter 3 m', 'Ridge cap'],
  plumbing: ['PEX pipe 16 mm', 'Mixer tap', 'Floor drain', 'Shower set', 'Valve 15 mm'],
  electrical: ['Cable 3G1.5', 'Socket outlet', 'LED downlight', 'Junction box', 'Circuit breaker'],
  tools: ['Cordless drill 18 V', 'Circular saw', 'Laser level', 'Multi-tool', 'Impact driver'],
  fasteners: ['Wood screws 4x40', 'Anchor bolts', 'Nails 75 mm', 'Joist hanger', 'Plasterboard screws'],
  paint: ['Exterior paint 10 l', 'Primer 3 l', 'Wood stain 5 l', 'Ceiling paint 10 l', 'Masking tape'],
  tiles: ['Floor tile 60x60', 'Wall tile 20x40', 'Tile adhesive', 'Grout', 'Vinyl plank'],
  'doors-windows': ['Interior door', 'Triple-glazed window', 'Door handle set', 'Roof window', 'Patio door'],
  concrete: ['Concrete 25 kg', 'Mortar 20 kg', 'Levelling compound', 'Rebar 10 mm', 'Formwork board'],
  safety: ['Safety boots', 'Work trousers', 'Hard hat', 'Hearing protection', 'Safety glasses'],
};
const brands = ['Nordform', 'Fjällbygg', 'Skog & Sten', 'Polarix', 'Bauwerk', 'Kraftig'];
const towns = ['Stockholm', 'Göteborg', 'Malmö', 'Uppsala', 'Oslo', 'Bergen', 'Trondheim', 'Västerås', 'Örebro', 'Linköping', 'Stavanger', 'Umeå'];
const firstNames = ['Anna', 'Erik', 'Maria', 'Lars', 'Karin', 'Johan', 'Ingrid', 'Ole', 'Sofia', 'Magnus', 'Kari', 'Nils', 'Eva', 'Per', 'Liv', 'Jonas'];
const lastNames = ['Andersson', 'Johansson', 'Hansen', 'Nilsson', 'Larsen', 'Berg', 'Lind', 'Olsen', 'Eriksson', 'Dahl', 'Holm', 'Strand'];

/**
 * Each demo company has its own e-mail domain (its name and code under the reserved `.example`), as real
 * companies do: referral checks that compare domains then tell companies apart.
 */
export function mailDomainOf(a: Record<string, unknown>): string {
  const name = String(a.name).toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/ø/g, 'o').replace(/æ/g, 'ae').replace(/&/g, 'och');
  const slugged = name.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `${slugged}-${String(a.externalId).toLowerCase()}.example`;
}

/** What seeding is doing, for whoever shows progress: a step starts, or (for the year of events) so many are done. */
export interface SeedProgress {
  step(label: string): void;
  count(done: number, total: number): void;
}

const silent: SeedProgress = { step: () => {}, count: () => {} };

export async function seedDemo(db: Db, program: Program, now: Date, evidence?: EvidenceStore, progress: SeedProgress = silent): Promise<{ events: number }> {
  const rnd = random(20261123);
  const pid = program.id;
  progress.step('300 products, 200 companies, 600 people');
  await upsertCategories(db, pid, categories.map(([code, name]) => ({ code, name })), now);

  const products = categories.flatMap(([code]) =>
    Array.from({ length: 25 }, (_, i) => {
      const noun = nouns[code]![i % 5]!;
      const margin = i % 4 === 0 ? 'high' : i % 4 === 3 ? 'low' : 'standard';
      return { sku: `${code.slice(0, 3).toUpperCase()}-${String(1000 + i)}`, name: `${noun} ${['Basic', 'Pro', 'Plus', 'Eco', 'XL'][Math.floor(i / 5)]}`, categoryCode: code, brand: brands[i % brands.length], marginClass: margin, unitPrice: rnd.int(30, 4000) * 100 };
    }),
  );
  await upsertProducts(db, pid, products, now);

  // 200 accounts: 16 chains with 3 branches each (64), and 136 independent companies. The chains joined the program
  // before the year of history; three in four independents joined during it (spread over months 2 to 10, so the ROI
  // page has members with history before and after joining) and the rest are customers who never joined (the
  // comparison group). Joined dates take no draws from `rnd`, so the rest of the seeded data is as it was.
  const day0 = now.getTime() - 365 * 86_400_000;
  const joinedOn = (days: number) => new Date(day0 + days * 86_400_000).toISOString().slice(0, 10);
  const accounts: Array<Record<string, unknown>> = [];
  for (let c = 0; c < 16; c++) {
    const name = `${rnd.pick(['Bygg', 'Hus', 'Tak', 'VVS', 'El'])}kedjan ${String.fromCharCode(65 + c)}`;
    accounts.push({ externalId: `K${1000 + c}`, name, segment: c % 3 === 0 ? 'reseller' : 'builder', country: c % 4 === 0 ? 'NO' : 'SE', tags: ['chain'], joinedOn: joinedOn(-35) });
    for (let b = 0; b < 3; b++) {
      accounts.push({ externalId: `K${1000 + c}-${b + 1}`, name: `${name} ${rnd.pick(towns)}`, segment: c % 3 === 0 ? 'reseller' : 'builder', country: c % 4 === 0 ? 'NO' : 'SE', tags: ['branch'], parentExternalId: `K${1000 + c}`, joinedOn: joinedOn(-35) });
    }
  }
  for (let i = 0; i < 136; i++) {
    const segment = i % 5 < 3 ? 'installer' : i % 5 === 3 ? 'builder' : 'reseller';
    accounts.push({ externalId: `K${2000 + i}`, name: `${rnd.pick(lastNames)}s ${segment === 'installer' ? rnd.pick(['VVS', 'El', 'Montage', 'Snickeri']) : 'Bygg'} ${rnd.pick(['AB', 'AS', 'HB'])}`, segment, country: i % 4 === 0 ? 'NO' : 'SE', tags: i % 7 === 0 ? ['key-account'] : [], joinedOn: i % 4 === 1 ? null : joinedOn(60 + ((i * 37) % 240)) });
  }
  await upsertAccounts(db, pid, accounts, now);

  const roles = ['owner', 'manager', 'buyer', 'foreman', 'sales_rep', 'engineer'];
  const members = accounts.flatMap((a, ai) =>
    Array.from({ length: 3 }, (_, k) => {
      const first = rnd.pick(firstNames);
      const last = rnd.pick(lastNames);
      return { externalId: `P${10000 + ai * 3 + k}`, accountExternalId: a.externalId, name: `${first} ${last}`, email: `${first}.${last}.${ai * 3 + k}@${mailDomainOf(a)}`.toLowerCase(), role: k === 0 ? 'owner' : rnd.pick(roles), language: a.country === 'NO' ? 'nb' : 'sv' };
    }),
  );
  await upsertMembers(db, pid, members, now);

  const since = new Date(now.getTime() - 400 * 86_400_000).toISOString();
  const rules = [
    { name: 'Poäng per krona', priority: 100, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'perAmount', points: 1, per: 1000 }, recipient: { type: 'split', accountPercent: 70 } } },
    { name: 'Högmarginalbonus', priority: 90, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'upsell', points: 5, per: 10000 }, recipient: { type: 'member' } } },
    { name: 'Ny kategori', priority: 80, definition: { conditions: { eventTypes: ['purchase'] }, effect: { type: 'crossSell', points: 200 }, recipient: { type: 'account' } } },
    { name: 'Inloggning i appen', priority: 50, definition: { conditions: { eventTypes: ['app.login'] }, effect: { type: 'fixed', points: 5 }, recipient: { type: 'member' }, caps: [{ scope: 'member', period: 'day', maxTimes: 1 }] } },
    { name: 'Feedback', priority: 50, definition: { conditions: { eventTypes: ['feedback.given'] }, effect: { type: 'fixed', points: 50 }, recipient: { type: 'member' }, caps: [{ scope: 'member', period: 'month', maxPoints: 100 }] } },
  ];
  progress.step('earning rules');
  for (const r of rules) await createRule(db, pid, { ...r, effectiveFrom: since }, now);

  progress.step('segments and a campaign');
  await seedRelevanceBefore(db, program, now);

  // A year of activity, in time order: purchases with 1–5 lines, a few returns, logins and feedback.
  const events: Array<Record<string, unknown>> = [];
  const start = now.getTime() - 365 * 86_400_000;
  for (let day = 0; day < 365; day++) {
    const at = (h: number) => new Date(start + day * 86_400_000 + h * 3_600_000 + rnd.int(0, 3_599_999)).toISOString();
    const weekday = new Date(start + day * 86_400_000).getUTCDay();
    const purchases = weekday === 0 || weekday === 6 ? rnd.int(0, 3) : rnd.int(10, 22);
    for (let i = 0; i < purchases; i++) {
      const ai = Math.floor(Math.pow(rnd.next(), 1.6) * accounts.length); // a few big customers, many small
      const a = accounts[ai]!;
      const lines = Array.from({ length: rnd.int(1, 5) }, () => rnd.pick(products));
      const uniq = [...new Map(lines.map((p) => [p.sku, p])).values()];
      const id = `INV-${day}-${i}`;
      events.push({
        id,
        type: 'purchase',
        occurredAt: at(rnd.int(6, 16)),
        account: a.externalId,
        member: `P${10000 + ai * 3 + rnd.int(0, 2)}`,
        lines: uniq.map((p) => {
          const quantity = rnd.int(1, 20);
          return { sku: p.sku, quantity, amount: quantity * (p.unitPrice as number) };
        }),
      });
      if (rnd.next() < 0.03) events.push({ id: `RET-${day}-${i}`, type: 'return', occurredAt: at(17), account: a.externalId, originalId: id, lines: [{ sku: uniq[0]!.sku, quantity: 1 }] });
    }
    for (let l = 0; l < rnd.int(3, 12); l++) {
      const mi = rnd.int(0, members.length - 1);
      const m = members[mi]!;
      events.push({ id: `APP-${day}-${l}`, type: 'app.login', occurredAt: at(7), account: m.accountExternalId, member: m.externalId });
    }
    if (rnd.next() < 0.8) {
      const m = rnd.pick(members);
      // Surveys pay through their own rules (src/surveys), so the history's feedback is all `feedback.given`; the
      // draw that once chose between the two stays, so the rest of the seeded history is as it was.
      rnd.next();
      events.push({ id: `FB-${day}`, type: 'feedback.given', occurredAt: at(12), account: m.accountExternalId, member: m.externalId, attributes: { score: rnd.int(5, 10) } });
    }
  }
  events.sort((x, y) => String(x.occurredAt).localeCompare(String(y.occurredAt)));
  progress.step(`a year of activity (${events.length} events)`);
  for (let i = 0; i < events.length; i += 1000) {
    await ingestEvents(db, program, events.slice(i, i + 1000), { now, futureToleranceSeconds: 300 });
    progress.count(Math.min(i + 1000, events.length), events.length);
  }

  // Four company tiers on points earned over a rolling year; set after the history, then evaluated once.
  const level = (code: string, rank: number, threshold: number, multiplierHundredths: number, discountBasisPoints: number, n: Record<string, string>, benefit: Record<string, string[]>) => ({
    code, rank, threshold, multiplierHundredths, discountBasisPoints, rewardTags: rank >= 3 ? ['premium'] : [],
    names: { en: n.en!, sv: n.sv!, nb: n.nb!, pl: n.pl!, de: n.de! },
    benefits: { en: benefit.en!, sv: benefit.sv!, nb: benefit.nb!, pl: benefit.pl!, de: benefit.de! },
  });
  progress.step('tiers');
  await replaceTierConfig(db, pid, tierConfigSchema.parse({
    settings: { basis: 'points', windowKind: 'rolling', windowMonths: 12, scope: 'account', downgradeMaxLevels: 1, graceDays: 30 },
    levels: [
      level('bronze', 1, 20_000, 100, 0, { en: 'Bronze', sv: 'Brons', nb: 'Bronse', pl: 'Brąz', de: 'Bronze' },
        { en: ['Member prices'], sv: ['Medlemspriser'], nb: ['Medlemspriser'], pl: ['Ceny członkowskie'], de: ['Mitgliederpreise'] }),
      level('silver', 2, 100_000, 105, 100, { en: 'Silver', sv: 'Silver', nb: 'Sølv', pl: 'Srebro', de: 'Silber' },
        { en: ['1 % discount', '5 % more points'], sv: ['1 % rabatt', '5 % fler poäng'], nb: ['1 % rabatt', '5 % flere poeng'], pl: ['1 % rabatu', '5 % więcej punktów'], de: ['1 % Rabatt', '5 % mehr Punkte'] }),
      level('gold', 3, 250_000, 110, 200, { en: 'Gold', sv: 'Guld', nb: 'Gull', pl: 'Złoto', de: 'Gold' },
        { en: ['2 % discount', '10 % more points', 'Priority delivery'], sv: ['2 % rabatt', '10 % fler poäng', 'Förtur på leveranser'], nb: ['2 % rabatt', '10 % flere poeng', 'Prioritert levering'], pl: ['2 % rabatu', '10 % więcej punktów', 'Priorytetowa dostawa'], de: ['2 % Rabatt', '10 % mehr Punkte', 'Bevorzugte Lieferung'] }),
      level('platinum', 4, 600_000, 120, 300, { en: 'Platinum', sv: 'Platina', nb: 'Platina', pl: 'Platyna', de: 'Platin' },
        { en: ['3 % discount', '20 % more points', 'Personal key account manager'], sv: ['3 % rabatt', '20 % fler poäng', 'Egen kundansvarig'], nb: ['3 % rabatt', '20 % flere poeng', 'Egen kundeansvarlig'], pl: ['3 % rabatu', '20 % więcej punktów', 'Osobisty opiekun klienta'], de: ['3 % Rabatt', '20 % mehr Punkte', 'Persönlicher Key-Account-Manager'] }),
    ],
  }));
  await evaluateTiers(db, pid, now);
  progress.step('scores and segments');
  await seedRelevanceAfter(db, program, now);
  progress.step('surprises and referrals');
  await seedRecognition(db, program, now);
  progress.step('rewards');
  await seedRewards(db, program, now);
  progress.step('program team, approvals and partners');
  await seedControlDemo(db, program, now);
  if (evidence) {
    progress.step('sales and co-op claims');
    await seedClaimsDemo(db, program, evidence, now);
  }
  progress.step('staff, onboarding and webhooks');
  await seedPeople(db, program, now);
  await seedWebhooks(db, program, now);
  progress.step('surveys and quizzes');
  await seedSurveysDemo(db, program, now);
  progress.step('trainings and members-only content');
  await seedTrainingDemo(db, program, now, evidence);
  progress.step('service desk: a month of requests');
  await seedServiceDemo(db, program, evidence, now);
  return { events: events.length };
}

/**
 * The demo program's rewards shop: what a builder, installer or reseller in Sweden and Norway can spend
 * points on, in five languages. Data only; the rewards feature's demo seeding reads it.
 *
 * Price scale (customers earn about 1 point per SEK): cash-like rewards are worth about 1 öre per point
 * (gift cards and donations 100 points per krona, credit notes slightly less generous at 110, so that
 * the company keeps an incentive to pick something else than cash); goods are priced at about 60 points
 * per retail krona because the wholesaler buys them at trade prices; events and trips are partly paid
 * by suppliers, so they cost fewer points than their retail value.
 *
 * The texts and prices are in data/reward-catalogue.json; this file gives them their shape and checks them.
 */
import fs from 'node:fs';
import { z } from 'zod';

export type DemoLang = 'en' | 'sv' | 'nb' | 'pl' | 'de';
export interface DemoText { name: string; description: string }
export interface DemoRewardCategory { code: string; names: Record<DemoLang, string> }
export interface DemoReward {
  code: string;                 // lowercase slug, unique, e.g. 'drill-driver-18v'
  category: string;             // one of the six category codes
  type: 'physical' | 'experience' | 'code' | 'charity' | 'cashback' | 'content';
  pricePoints: number;          // integer points per unit
  stock: number | null;         // null = unlimited; counted stock for physical goods and event seats
  texts: Record<DemoLang, DemoText>;
  minTier?: 'bronze' | 'silver' | 'gold' | 'platinum';
  roles?: string[];             // only these member roles may order (rarely used)
  countries?: Array<'SE' | 'NO'>;
  segments?: Array<'builder' | 'installer' | 'reseller'>;
  limitPerMember?: number;      // per period below
  limitPerAccount?: number;
  limitPeriod?: 'month' | 'quarter' | 'year' | 'lifetime';
  codeSource?: 'pool' | 'generated';   // only for type 'code'
  cashValueMinor?: number;      // type 'cashback': the credit note in SEK öre per unit; type 'charity': the donation in öre per unit
  validFrom?: string;           // ISO date, optional
  validUntil?: string;          // ISO date, optional
  eventDate?: string;           // experiences: ISO date-time of the event
}

const text = z.object({ name: z.string().min(1), description: z.string().min(1) }).strict();
const inEveryLanguage = <T extends z.ZodType>(value: T) => z.object({ en: value, sv: value, nb: value, pl: value, de: value }).strict();

const catalogueSchema = z
  .object({
    categories: z.array(z.object({ code: z.string(), names: inEveryLanguage(z.string().min(1)) }).strict()),
    rewards: z.array(
      z
        .object({
          code: z.string().regex(/^[a-z0-9-]+$/),
          category: z.string(),
          type: z.enum(['physical', 'experience', 'code', 'charity', 'cashback', 'content']),
          pricePoints: z.number().int().positive(),
          stock: z.number().int().min(0).nullable(),
          texts: inEveryLanguage(text),
          minTier: z.enum(['bronze', 'silver', 'gold', 'platinum']).optional(),
          roles: z.array(z.string()).optional(),
          countries: z.array(z.enum(['SE', 'NO'])).optional(),
          segments: z.array(z.enum(['builder', 'installer', 'reseller'])).optional(),
          limitPerMember: z.number().int().positive().optional(),
          limitPerAccount: z.number().int().positive().optional(),
          limitPeriod: z.enum(['month', 'quarter', 'year', 'lifetime']).optional(),
          codeSource: z.enum(['pool', 'generated']).optional(),
          cashValueMinor: z.number().int().positive().optional(),
          validFrom: z.string().optional(),
          validUntil: z.string().optional(),
          eventDate: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict();

const catalogue = catalogueSchema.parse(JSON.parse(fs.readFileSync(new URL('./data/reward-catalogue.json', import.meta.url), 'utf8')));

export const demoRewardCategories: DemoRewardCategory[] = catalogue.categories;
export const demoRewards: DemoReward[] = catalogue.rewards;

/**
 * Onboarding checklist steps and what completes them, pure: an event of a type (optionally with an
 * attribute equal to a value), or a profile whose fields are all filled in.
 */
import { z } from 'zod';
import { languages, type Language } from '../i18n/index.js';

export const profileFields = ['email', 'phone', 'language', 'role'] as const;
export type ProfileField = (typeof profileFields)[number];

const localized = z.object(Object.fromEntries(languages.map((l) => [l, z.string().trim().min(1).max(200)])) as Record<Language, z.ZodString>).strict();

export const completionSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('event'),
        eventType: z.string().trim().min(1).max(100).describe('The event type that completes the step, e.g. purchase'),
        /** Only events whose attribute has this value (or, without `equals`, has the attribute at all). */
        attribute: z.string().trim().min(1).max(100).optional().describe('Only events with this attribute set (or equal to `equals`)'),
        equals: z.union([z.string(), z.number(), z.boolean()]).optional().describe('The value the attribute must have; needs `attribute`'),
      })
      .strict(),
    z
      .object({
        kind: z.literal('profile'),
        fields: z.array(z.enum(profileFields)).min(1).max(profileFields.length).describe('Profile fields that must all be filled in'),
      })
      .strict(),
  ])
  .meta({ id: 'OnboardingCompletion', description: "What completes a step: an event of a type (optionally with an attribute's value), or a filled-in profile." });

export const stepSchema = z
  .object({
    code: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'a lowercase code such as first_order').describe('Unique code of the step, e.g. first_order'),
    names: localized.describe('The step as members see it, in every language of the program'),
    points: z.number().int().min(0).max(1_000_000).describe('Points the member earns once for the step'),
    completion: completionSchema,
  })
  .strict();

export const checklistSchema = z
  .object({ steps: z.array(stepSchema).max(30).describe('At most 30 steps, in the order members see them; an empty list turns onboarding off') })
  .strict();

export type Step = z.output<typeof stepSchema>;
export type Completion = Step['completion'];

export interface EventFacts {
  type: string;
  attributes: Record<string, unknown>;
}

export function eventCompletes(c: Completion, ev: EventFacts): boolean {
  if (c.kind !== 'event' || c.eventType !== ev.type) return false;
  if (c.attribute === undefined) return true;
  const value = ev.attributes[c.attribute];
  return c.equals === undefined ? value !== undefined && value !== null && value !== false && value !== '' : value === c.equals;
}

export function profileCompletes(c: Completion, member: Partial<Record<ProfileField, string | null>>): boolean {
  return c.kind === 'profile' && c.fields.every((f) => typeof member[f] === 'string' && member[f] !== '');
}

/** Codes unique; an event step's attribute value needs its attribute. */
export function checklistProblem(steps: readonly Step[]): string | null {
  const seen = new Set<string>();
  for (const s of steps) {
    if (seen.has(s.code)) return `step code ${s.code} is used twice`;
    seen.add(s.code);
    if (s.completion.kind === 'event' && s.completion.equals !== undefined && s.completion.attribute === undefined) {
      return `step ${s.code}: equals needs an attribute`;
    }
  }
  return null;
}

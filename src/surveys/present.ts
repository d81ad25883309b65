/** Surveys as the API shows them: the console's full view, the member's view in their language. */
import { z } from 'zod';
import type { Language } from '../i18n/index.js';
import { languages } from '../i18n/index.js';
import { localize, publicQuestion, translationGaps } from '../questions/index.js';
import type { Question } from '../questions/index.js';
import type { Survey } from './store.js';

const loose = z.record(z.string(), z.unknown());

export const surveyOut = z.object({
  id: z.string(),
  title: loose,
  intro: loose,
  questions: z.array(loose),
  status: z.string(),
  version: z.number().nullable(),
  anonymous: z.boolean(),
  oncePer: z.string(),
  audience: loose,
  opensAt: z.string().nullable(),
  closesAt: z.string().nullable(),
  points: z.number(),
  ruleId: z.string().nullable(),
  followUp: z.boolean(),
  answers: z.number(),
  /** Per language, how many texts would fall back to the default language. */
  missingTexts: z.record(z.string(), z.number()),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentSurvey(s: Survey, answers: number) {
  return {
    id: s.id,
    title: s.title,
    intro: s.intro,
    questions: s.questions as unknown as Array<Record<string, unknown>>,
    status: s.status,
    version: s.version,
    anonymous: s.anonymous,
    oncePer: s.oncePer,
    audience: s.audience,
    opensAt: iso(s.opensAt),
    closesAt: iso(s.closesAt),
    points: s.points,
    ruleId: s.ruleId,
    followUp: s.followUp,
    answers,
    missingTexts: translationGaps(s.questions, s.title),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    publishedAt: iso(s.publishedAt),
  };
}

export const publicQuestionOut = z.object({
  id: z.string(),
  kind: z.string(),
  text: z.string(),
  fallback: z.boolean(),
  required: z.boolean(),
  options: z.array(z.object({ id: z.string(), text: z.string() })).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  maxLength: z.number().optional(),
  multiple: z.boolean().optional(),
});

export const memberSurveyOut = z.object({
  id: z.string(),
  kind: z.literal('survey'),
  title: z.string(),
  intro: z.string(),
  anonymous: z.boolean(),
  points: z.number(),
  closesAt: z.string().nullable(),
  version: z.number(),
  answered: z.boolean(),
  questions: z.array(publicQuestionOut),
});

/** The survey in the member's language; for a preview, any language and the draft questions. */
export function memberSurvey(s: Survey, questions: Question[], lang: Language, dflt: Language, answered: boolean) {
  return {
    id: s.id,
    kind: 'survey' as const,
    title: localize(s.title, lang, dflt).text,
    intro: localize(s.intro, lang, dflt).text,
    anonymous: s.anonymous,
    points: s.points,
    closesAt: iso(s.closesAt),
    version: s.version ?? 0,
    answered,
    questions: questions.map((q) => publicQuestion(q, lang, dflt)),
  };
}

export const languageParam = z.enum(languages);

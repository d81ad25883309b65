/** Surveys as the API shows them: the console's full view, the member's view in their language. */
import { z } from 'zod';
import type { Language } from '../i18n/index.js';
import { languages } from '../i18n/index.js';
import { localize, localizedTextOut, publicQuestion, questionSchema, translationGaps } from '../questions/index.js';
import type { Question } from '../questions/index.js';
import { audienceSchema } from './audience.js';
import { surveyStatuses, type Survey } from './store.js';

/** Per language, how many texts of the form would fall back to the program's default language. */
export const missingTextsOut = z
  .object(Object.fromEntries(languages.map((l) => [l, z.number().int()])) as Record<Language, z.ZodNumber>)
  .describe('Per language (en, sv, nb, pl, de), how many texts are not written in it and fall back to the program\'s default language');

export const surveyOut = z
  .object({
    id: z.uuid(),
    title: localizedTextOut,
    intro: localizedTextOut,
    questions: z.array(questionSchema).describe('The current questions (the draft; once published, the latest form version)'),
    status: z.enum(surveyStatuses).describe('`draft` (not shown to members), `published` (taking answers while open) or `closed`'),
    version: z.number().int().nullable().describe('The published form version; null while a draft'),
    anonymous: z.boolean().describe('Answers are kept without member, account or time of day'),
    oncePer: z.enum(['member', 'account']).describe('One answer per member, or one per account (the first of its people to answer)'),
    audience: audienceSchema,
    opensAt: z.iso.datetime().nullable(),
    closesAt: z.iso.datetime().nullable(),
    points: z.number().int().describe('Points paid once per member for answering (0: none)'),
    ruleId: z.uuid().nullable().describe('The earning rule that pays the points, once published with points'),
    followUp: z.boolean().describe('A detractor\'s answer (NPS 0–6) opens a follow-up for the key-account manager'),
    answers: z.number().int().describe('Answers received so far'),
    missingTexts: missingTextsOut,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    publishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Survey', description: 'A survey as the program team authors it: texts by language, questions, audience, window, points and its answer count.' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function presentSurvey(s: Survey, answers: number) {
  return {
    id: s.id,
    title: s.title,
    intro: s.intro,
    questions: s.questions,
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

export const publicQuestionOut = z
  .object({
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
  })
  .meta({ id: 'PublicQuestion', description: 'A question as a member sees it, in one language and without correct answers; `fallback` marks a text shown in the default language.' });

export const memberSurveyOut = z
  .object({
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
  })
  .meta({ id: 'MemberSurvey', description: 'A survey as a member reading one language sees it: texts in that language, questions without internals, and whether they answered.' });

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

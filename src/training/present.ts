/** What the API answers about courses, certificates and content: zod schemas (the OpenAPI document) and mappers. */
import { z } from 'zod';
import { languages, type Language } from '../i18n/index.js';
import type { Certificate } from './certificates.js';
import { statusOf, expiresSoon } from './certificates.js';
import type { ContentItem } from './content.js';
import type { Course } from './courses.js';
import { missingLanguages } from './texts.js';

export const texts = z.partialRecord(z.enum(languages), z.string()).describe('the text by language; a missing language falls back to the program default');
const status = z.enum(['draft', 'published', 'archived']);

export const moduleOut = z
  .object({
  id: z.uuid(),
  position: z.number().int(),
  kind: z.enum(['text', 'video', 'file', 'quiz']),
  title: texts,
  body: texts,
  url: z.string().nullable(),
  fileId: z.uuid().nullable(),
  quizId: z.uuid().nullable(),
  missingLanguages: z.array(z.enum(languages)).describe('languages its title has not been written in (they fall back)'),
  completions: z.number().int().describe('members who completed this module'),
  })
  .meta({ id: 'CourseModule', description: 'One step of a course: a text, a video link, a file or a quiz to pass, in the course\'s order.' });

export const courseOut = z
  .object({
  id: z.uuid(),
  code: z.string(),
  title: texts,
  summary: texts,
  status,
  certificate: z.object({ validMonths: z.number().int().nullable(), renewBy: z.enum(['course', 'quiz']).describe('how an expiring certificate is renewed') }).nullable(),
  publishedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  missingLanguages: z.array(z.enum(languages)),
  modules: z.array(moduleOut),
  figures: z.object({ started: z.number().int(), completed: z.number().int() }).describe('members who completed at least one module; members who completed the course'),
  })
  .meta({ id: 'Course', description: 'A course as the program team writes it: texts by language, its ordered modules, whether it issues a certificate, and completion figures.' });

type Figures = { started: Map<string, number>; completed: Map<string, number>; perModule: Map<string, number> };

export const presentCourse = (c: Course, f: Figures): z.infer<typeof courseOut> => ({
  id: c.id,
  code: c.code,
  title: c.title,
  summary: c.summary,
  status: c.status,
  certificate: c.certificate,
  publishedAt: c.publishedAt,
  createdAt: c.createdAt,
  updatedAt: c.updatedAt,
  missingLanguages: missingLanguages(c.title),
  modules: c.modules.map((m) => ({ ...m, missingLanguages: missingLanguages(m.title), completions: f.perModule.get(m.id) ?? 0 })),
  figures: { started: f.started.get(c.id) ?? 0, completed: f.completed.get(c.id) ?? 0 },
});

export const certificateOut = z
  .object({
  id: z.uuid(),
  courseId: z.uuid(),
  memberId: z.uuid(),
  code: z.string().describe('the verification code printed on it'),
  language: z.enum(languages),
  memberName: z.string(),
  courseTitle: z.string(),
  issuedAt: z.date(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  replacedBy: z.uuid().nullable().describe('the newer certificate a renewal issued in its place'),
  replacedAt: z.date().nullable(),
  status: z.enum(['valid', 'expired', 'revoked', 'replaced']).describe('`replaced`: renewed, see `replacedBy`'),
  expiresSoon: z.boolean().describe('valid, and expires within 30 days'),
  pdfUrl: z.string().describe('where the PDF is served (console or portal path)'),
  })
  .meta({ id: 'Certificate', description: 'A certificate a member earned by completing a course, with the code anyone can verify at GET /v1/certificates/verify/{code}.' });

export const presentCertificate = (c: Certificate, now: Date, pdfUrl: string): z.infer<typeof certificateOut> => ({
  ...c,
  status: statusOf(c, now),
  expiresSoon: expiresSoon(c, now),
  pdfUrl,
});

export const contentOut = z
  .object({
  id: z.uuid(),
  kind: z.enum(['article', 'file']),
  title: texts,
  summary: texts,
  body: texts,
  fileId: z.uuid().nullable(),
  audience: z.object({ tiers: z.array(z.string()), roles: z.array(z.string()), segments: z.array(z.string()), tags: z.array(z.string()) }),
  earlyAccess: z.record(z.string(), z.number().int()),
  availableAt: z.date().nullable(),
  status,
  publishedAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
  missingLanguages: z.array(z.enum(languages)),
  figures: z.object({
    readers: z.number().int(),
    reads: z.number().int(),
    accounts: z.number().int(),
    audience: z.number().int().describe('active members it is open to now'),
  }),
  })
  .meta({ id: 'ContentItem', description: 'A members-only article or file with who may see it (tier, role, segment, tags), early access by tier, and its read figures.' });

export const presentContent = (
  c: ContentItem,
  figures: { reads: Map<string, { readers: number; reads: number; accounts: number }>; audience: Map<string, number> },
): z.infer<typeof contentOut> => ({
  ...c,
  missingLanguages: missingLanguages(c.title),
  figures: { ...(figures.reads.get(c.id) ?? { readers: 0, reads: 0, accounts: 0 }), audience: figures.audience.get(c.id) ?? 0 },
});

export type { Language };

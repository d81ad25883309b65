/**
 * The member's side under /portal/v1: the courses they can take (with the points each pays and where they
 * stand), the course player's completions, their certificates, and the members-only content open to them
 * now. Texts come in the member's language, else the program's, each saying which it is.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { evidenceTypes } from '../evidence/files.js';
import { EvidenceMissingError } from '../evidence/store.js';
import { simulateEvent } from '../events/simulate.js';
import type { AppContext } from '../http/context.js';
import { sendNoContent } from '../http/no-content.js';
import { languages, type Language } from '../i18n/index.js';
import { me, programOf } from '../portal/context.js';
import type { Program } from '../programs/programs.js';
import { gate } from './audience.js';
import { currentCertificate, listCertificates, renewable, requireCertificate } from './certificates.js';
import { openRenewal, startRenewal } from './renewals.js';
import { completedModules, completeModule, trainingEvent } from './complete.js';
import { audienceOf, findContent, readerOf, readIds, recordRead, visibleContent } from './content.js';
import { findCourse, listCourses, type Course } from './courses.js';
import { describeFiles, openTrainingFile } from './files.js';
import { renderCertificatePdf } from './pdf.js';
import { certificateOut, presentCertificate } from './present.js';
import { courseProgress } from './progress.js';
import { verifyPath } from './routes.js';
import { tdb } from './tables.js';
import { pickText, textOr, type LocalizedText } from './texts.js';

const tags = ['portal'];
const courseParams = z.object({ id: z.uuid().describe('the course id') });
const certificateParams = z.object({ id: z.uuid().describe('the certificate id') });
const contentParams = z.object({ id: z.uuid().describe('the content item id') });
const fileParams = z.object({ id: z.uuid().describe('the training file id, from a module\'s or content item\'s `file`') });
const picked = z.object({ text: z.string(), language: z.enum(languages), fallback: z.boolean().describe("the member's language was missing; another is shown") });
const fileInfo = z.object({ id: z.uuid(), url: z.string(), contentType: z.string(), sizeBytes: z.number().int(), fileName: z.string().nullable() });

const courseCard = z.object({
  id: z.uuid(),
  title: picked,
  summary: z.string(),
  modules: z.number().int(),
  done: z.number().int(),
  complete: z.boolean(),
  points: z.number().int().describe('what completing it pays (the rules as they stand), or paid'),
  certificate: z.object({ validMonths: z.number().int().nullable(), renewBy: z.enum(['course', 'quiz']) }).nullable(),
});

const renewalOut = z
  .object({
    state: z.enum(['available', 'started']).describe('`available`: my certificate expires within 30 days or has expired and may be renewed; `started`: I am taking it again'),
    certificateId: z.uuid().describe('the certificate being renewed'),
    renewBy: z.enum(['course', 'quiz']).describe('what is taken again: every module, or the last quiz module'),
  })
  .describe('Renewing my certificate of the course; null when there is nothing to renew');

const moduleOut = z.object({
  id: z.uuid(),
  kind: z.enum(['text', 'video', 'file', 'quiz']),
  state: z.enum(['done', 'open', 'locked']),
  title: picked,
  body: picked.nullable(),
  url: z.string().nullable(),
  file: fileInfo.nullable(),
  quizId: z.uuid().nullable(),
});

const contentCard = z.object({
  id: z.uuid(),
  kind: z.enum(['article', 'file']),
  title: picked,
  summary: z.string(),
  opensAt: z.date(),
  early: z.boolean().describe('open to the member before everyone else (early access of their tier)'),
  read: z.boolean(),
});

const fileUrl = (id: string) => `/portal/v1/training/files/${id}`;

export async function trainingPortalRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx.database;
  const pick = (t: LocalizedText, lng: Language, program: Program) =>
    pickText(t, lng, program.defaultLanguage) ?? { text: '', language: program.defaultLanguage, fallback: true };

  async function coursePoints(program: Program, course: Course, member: { memberId: string; accountId: string }): Promise<number> {
    const paid = await tdb(db).selectFrom('course_completions').select('points').where('program_id', '=', program.id).where('course_id', '=', course.id).where('member_id', '=', member.memberId).executeTakeFirst();
    if (paid) return Number(paid.points);
    const judged = await simulateEvent(db, program, trainingEvent(course, { id: member.memberId, accountId: member.accountId }, ctx.clock()));
    return judged.postings.reduce((s, p) => s + (p.recipient === 'member' ? p.points : 0), 0);
  }

  async function openCourse(programId: string, id: string): Promise<Course> {
    const c = await findCourse(db, programId, id);
    if (!c || c.status !== 'published') throw new LojalError('not_found', { entity: 'course', id });
    return c;
  }

  app.get(
    '/portal/v1/courses',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListCourses',
        tags,
        summary: 'The courses I can take, my progress and the points each pays',
        description: 'Published courses in the member\'s language; not yet started first, completed last. The points are what the earning rules would pay now, or what was paid. Not paginated.',
        response: { 200: z.object({ data: z.array(courseCard) }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const courses = await listCourses(db, program.id, { status: ['published'] });
      const data = [];
      for (const c of courses) {
        const done = await completedModules(db, program.id, m.memberId, c.id);
        const p = courseProgress(c.modules.map((x) => x.id), new Set(done.keys()));
        data.push({
          id: c.id,
          title: pick(c.title, m.language, program),
          summary: textOr(c.summary, m.language, program.defaultLanguage),
          modules: p.total,
          done: p.done,
          complete: p.complete,
          points: await coursePoints(program, c, m),
          certificate: c.certificate,
        });
      }
      return { data: data.sort((a, b) => Number(a.complete) - Number(b.complete)) };
    },
  );

  app.get(
    '/portal/v1/courses/:id',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetCourse',
        tags,
        summary: 'A course to take',
        description: 'Its modules in order, each done, open or locked. Modules open one after another; `next` is the one to take now. A course not published is 404.',
        params: courseParams,
        response: { 200: courseCard.extend({ modules: z.array(moduleOut), next: z.uuid().nullable(), certificateId: z.uuid().nullable(), renewal: renewalOut.nullable() }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const c = await openCourse(program.id, req.params.id);
      const done = await completedModules(db, program.id, m.memberId, c.id);
      const p = courseProgress(c.modules.map((x) => x.id), new Set(done.keys()));
      const files = await describeFiles(db, program.id, c.modules.flatMap((x) => (x.fileId ? [x.fileId] : [])));
      const cert = await currentCertificate(db, program.id, c.id, m.memberId);
      const renewing = await openRenewal(db, program.id, c.id, m.memberId);
      const renewal =
        c.certificate && renewing
          ? { state: 'started' as const, certificateId: renewing.certificate_id, renewBy: c.certificate.renewBy }
          : c.certificate && cert && renewable(cert, ctx.clock())
            ? { state: 'available' as const, certificateId: cert.id, renewBy: c.certificate.renewBy }
            : null;
      return {
        id: c.id,
        title: pick(c.title, m.language, program),
        summary: textOr(c.summary, m.language, program.defaultLanguage),
        done: p.done,
        complete: p.complete,
        points: await coursePoints(program, c, m),
        certificate: c.certificate,
        certificateId: cert?.id ?? null,
        renewal,
        next: p.next === null ? null : c.modules[p.next]!.id,
        modules: c.modules.map((x, i) => {
          const f = x.fileId ? files.get(x.fileId) : undefined;
          return {
            id: x.id,
            kind: x.kind,
            state: p.states[i]!,
            title: pick(x.title, m.language, program),
            body: pickText(x.body, m.language, program.defaultLanguage),
            url: x.url,
            file: f ? { id: f.id, url: fileUrl(f.id), contentType: f.contentType, sizeBytes: f.sizeBytes, fileName: f.fileName } : null,
            quizId: x.quizId,
          };
        }),
      };
    },
  );

  app.post(
    '/portal/v1/courses/:id/modules/:moduleId/complete',
    {
      schema: {
        operationId: 'portalCompleteModule',
        tags,
        summary: 'Mark a module done',
        description:
          'Read, watched or downloaded. In order (409 `module_locked`); a quiz module is completed by passing its quiz (409 `module_needs_quiz`). Completing the last module ' +
          'completes the course: the earning rules pay its points (a `training.completed` event) and the certificate, if the course gives one, is ' +
          'issued. Again: answers the same, pays nothing more.',
        params: z.object({ id: z.uuid().describe('the course id'), moduleId: z.uuid().describe('the module id') }),
        response: {
          200: z.object({
            recorded: z.boolean(),
            progress: z.object({ done: z.number().int(), total: z.number().int() }),
            course: z.object({ completedAt: z.date(), points: z.number().int(), certificate: certificateOut.nullable() }).nullable().describe('set when this completed the course'),
          }),
        },
      },
      config: { member: true, errors: ['module_locked', 'module_needs_quiz', 'course_not_open', 'member_not_active'] },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const c = await openCourse(program.id, req.params.id);
      const mod = c.modules.find((x) => x.id === req.params.moduleId);
      if (!mod) throw new LojalError('not_found', { entity: 'course module', id: req.params.moduleId });
      if (mod.kind === 'quiz') throw new LojalError('module_needs_quiz', { module: mod.id });
      const r = await completeModule(db, program, { memberId: m.memberId, moduleId: mod.id, source: 'member', now: ctx.clock() });
      return {
        recorded: r.recorded,
        progress: r.progress,
        course: r.course && {
          completedAt: r.course.completedAt,
          points: r.course.points,
          certificate: r.course.certificate && presentCertificate(r.course.certificate, ctx.clock(), `/portal/v1/certificates/${r.course.certificate.id}/pdf`),
        },
      };
    },
  );

  app.post(
    '/portal/v1/courses/:id/renewal',
    {
      schema: {
        operationId: 'portalRenewCertificate',
        tags,
        summary: 'Start renewing my certificate of a course',
        description:
          'For a certificate that expires within 30 days or has expired (not withdrawn, not already replaced). Reopens what the course says is taken ' +
          'again — every module, or only the last quiz module — and finishing it issues a new certificate with a new verification code; the old one ' +
          'verifies as `replaced` from then on. Pays no points (the course paid once). Asking again while a renewal is under way answers the same ' +
          'renewal. 409 `certificate_not_renewable` otherwise.',
        params: courseParams,
        response: {
          201: z.object({
            id: z.uuid(),
            certificateId: z.uuid().describe('the certificate being renewed'),
            startedAt: z.date(),
            moduleIds: z.array(z.uuid()).describe('the modules to take again'),
          }),
        },
      },
      config: { member: true, errors: ['certificate_not_renewable', 'course_not_open'] },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await programOf(db, req);
      const c = await openCourse(program.id, req.params.id);
      const r = await startRenewal(db, program, c.id, m.memberId, ctx.clock());
      reply.status(201);
      return { id: r.id, certificateId: r.certificateId, startedAt: r.startedAt, moduleIds: r.moduleIds };
    },
  );

  app.get(
    '/portal/v1/certificates',
    {
      config: { member: true },
      schema: {
        operationId: 'portalListCertificates',
        tags,
        summary: 'My certificates, with those expiring within 30 days marked',
        description: 'In issue order, each with the link to its PDF. Not paginated.',
        response: { 200: z.object({ data: z.array(certificateOut) }) },
      },
    },
    async (req) => {
      const m = me(req);
      const rows = await listCertificates(db, m.programId, { memberId: m.memberId });
      return { data: rows.map((c) => presentCertificate(c, ctx.clock(), `/portal/v1/certificates/${c.id}/pdf`)) };
    },
  );

  app.get(
    '/portal/v1/certificates/:id/pdf',
    {
      config: { member: true, produces: ['application/pdf'] },
      schema: {
        operationId: 'portalGetCertificatePdf',
        tags,
        summary: 'One of my certificates as PDF',
        description: 'Rendered on request (application/pdf), with a link and code anyone can verify it by. Another member\'s certificate is 404.',
        params: certificateParams,
      },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await programOf(db, req);
      const c = await requireCertificate(db, program.id, req.params.id);
      if (c.memberId !== m.memberId) throw new LojalError('not_found', { entity: 'certificate', id: req.params.id });
      const pdf = await renderCertificatePdf({ certificate: c, programName: program.name, timeZone: program.timeZone, verifyUrl: ctx.config.publicUrl + verifyPath(c.code) });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="certificate-${c.code}.pdf"`).send(pdf);
    },
  );

  app.get(
    '/portal/v1/content',
    {
      config: { member: true, errors: ['unknown_member'] },
      schema: {
        operationId: 'portalListContent',
        tags,
        summary: 'Members-only articles and files open to me now',
        description: 'Published items whose audience (tier, role, segment, tags) includes the member and that are open now, newest first; early access of their tier shown. Not paginated.',
        response: { 200: z.object({ data: z.array(contentCard) }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const reader = await readerOf(db, program.id, m.memberId);
      if (!reader) throw new LojalError('unknown_member', { member: m.memberId });
      const items = await visibleContent(db, program.id, reader, ctx.clock());
      const read = await readIds(db, program.id, m.memberId);
      return {
        data: items.map(({ item, gate: g }) => ({
          id: item.id,
          kind: item.kind,
          title: pick(item.title, m.language, program),
          summary: textOr(item.summary, m.language, program.defaultLanguage),
          opensAt: g.opensAt,
          early: g.early,
          read: read.has(item.id),
        })),
      };
    },
  );

  /** The item if it is open to the member now; otherwise as if it did not exist. */
  async function openItem(programId: string, memberId: string, id: string) {
    const item = await findContent(db, programId, id);
    const reader = await readerOf(db, programId, memberId);
    const g = item && reader ? gate(audienceOf(item), reader, ctx.clock()) : null;
    if (!item || !reader || !g?.open) throw new LojalError('not_found', { entity: 'content', id });
    return { item, reader, gate: g };
  }

  app.get(
    '/portal/v1/content/:id',
    {
      config: { member: true },
      schema: {
        operationId: 'portalGetContent',
        tags,
        summary: 'A members-only article or file',
        description: 'The article\'s body in the member\'s language, or the file\'s link. Not open to me (tier, role, segment, tags, not yet): 404. Reading it records nothing; POST …/read does.',
        params: contentParams,
        response: { 200: contentCard.extend({ body: picked.nullable(), file: fileInfo.nullable() }) },
      },
    },
    async (req) => {
      const m = me(req);
      const program = await programOf(db, req);
      const { item, gate: g } = await openItem(program.id, m.memberId, req.params.id);
      const f = item.fileId ? (await describeFiles(db, program.id, [item.fileId])).get(item.fileId) : undefined;
      return {
        id: item.id,
        kind: item.kind,
        title: pick(item.title, m.language, program),
        summary: textOr(item.summary, m.language, program.defaultLanguage),
        body: pickText(item.body, m.language, program.defaultLanguage),
        file: f ? { id: f.id, url: fileUrl(f.id), contentType: f.contentType, sizeBytes: f.sizeBytes, fileName: f.fileName } : null,
        opensAt: g.opensAt,
        early: g.early,
        read: (await readIds(db, program.id, m.memberId)).has(item.id),
      };
    },
  );

  app.post(
    '/portal/v1/content/:id/read',
    {
      config: { member: true },
      schema: {
        operationId: 'portalMarkContentRead',
        tags,
        summary: 'Leave a read receipt',
        description: 'The article was shown or the file opened. Counts every read; the first is kept. Not open to me: 404.',
        params: contentParams,
        response: { 204: z.null().describe('no body') },
      },
    },
    async (req, reply) => {
      const m = me(req);
      const { reader } = await openItem(m.programId, m.memberId, req.params.id);
      await recordRead(db, m.programId, req.params.id, { memberId: m.memberId, accountId: reader.accountId }, ctx.clock());
      return sendNoContent(reply);
    },
  );

  app.get(
    '/portal/v1/training/files/:id',
    {
      config: { member: true, produces: evidenceTypes, errors: ['evidence_missing'] },
      schema: {
        operationId: 'portalGetTrainingFile',
        tags,
        summary: 'A file of a published course or of content open to me',
        description: 'The bytes, streamed with their type (PDF or an image). Anything else: 404; a file whose bytes are gone from the store: 410 `evidence_missing`.',
        params: fileParams,
      },
    },
    async (req, reply) => {
      const m = me(req);
      const program = await programOf(db, req);
      const inCourse = await tdb(db)
        .selectFrom('course_modules as x')
        .innerJoin('courses as c', (j) => j.onRef('c.program_id', '=', 'x.program_id').onRef('c.id', '=', 'x.course_id'))
        .select('x.id')
        .where('x.program_id', '=', program.id)
        .where('x.file_id', '=', req.params.id)
        .where('c.status', '=', 'published')
        .executeTakeFirst();
      if (!inCourse) {
        const items = await tdb(db).selectFrom('content_items').select('id').where('program_id', '=', program.id).where('file_id', '=', req.params.id).execute();
        let open = false;
        for (const it of items) {
          try {
            await openItem(program.id, m.memberId, it.id);
            open = true;
            break;
          } catch {
            /* not this one */
          }
        }
        if (!open) throw new LojalError('not_found', { entity: 'file', id: req.params.id });
      }
      const { file, stream } = await openTrainingFile(db, ctx.evidence, program.id, req.params.id).catch((err: unknown) => {
        throw err instanceof EvidenceMissingError ? new LojalError('evidence_missing', { id: req.params.id }) : err;
      });
      reply.type(file.contentType).header('content-length', String(file.sizeBytes)).header('x-content-type-options', 'nosniff');
      return reply.send(stream);
    },
  );
}

/**
 * The program team's API for trainings and members-only content: courses and their modules, files,
 * completions recorded by staff, certificates (with the public verification), the certifications tier
 * levels require, and content with its read figures.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LojalError } from '../errors/index.js';
import { evidenceTypes } from '../evidence/files.js';
import { readMultipart } from '../evidence/multipart.js';
import { EvidenceMissingError } from '../evidence/store.js';
import { actor, caller, type AppContext } from '../http/context.js';
import { decodeCursor, encodeCursor, pageQuery } from '../http/pagination.js';
import { apiLanguage } from '../http/problem.js';
import { isLanguage, languages, translator } from '../i18n/index.js';
import { actorRef } from '../programs/actor.js';
import { getProgram, type Program } from '../programs/programs.js';
import { findByCode, listCertificates, requireCertificate, revokeCertificate, statusOf } from './certificates.js';
import { completeModule } from './complete.js';
import { contentFigures, contentInputSchema, createContent, listContent, requireContent, setContentStatus, updateContent } from './content.js';
import { courseFigures, courseInputSchema, createCourse, listCourses, requireCourse, setCourseStatus, updateCourse } from './courses.js';
import { openTrainingFile, storeTrainingFiles } from './files.js';
import { renderCertificatePdf } from './pdf.js';
import { notFoundPage, verificationPage } from './verify-page.js';
import { certificateOut, contentOut, courseOut, presentCertificate, presentContent, presentCourse } from './present.js';
import { getRequirements, putRequirements, requirementsSchema } from './requirements.js';
import { tdb } from './tables.js';

const tags = ['training'];
const idOf = (what: string) => z.object({ id: z.uuid().describe(`The ${what}'s id (a UUID)`) });
const courseParams = idOf('course');
const contentParams = idOf('content item');
const certificateParams = idOf('certificate');
const WRITE = 'training:write' as const;
const passThrough = () => (data: unknown) => ({ value: data });
const fileOut = z
  .object({
    id: z.uuid(),
    contentType: z.string().describe('judged from the bytes: application/pdf, image/jpeg, image/png, image/webp or image/heic'),
    sizeBytes: z.number().int(),
    fileName: z.string().nullable().describe('the name it was uploaded with'),
    createdAt: z.date(),
    url: z.string().describe('where the bytes are served'),
  })
  .meta({ id: 'TrainingFile', description: 'A file (PDF or image) uploaded for course modules and members-only content.' });
const statusQuery = z.enum(['draft', 'published', 'archived']).optional().describe('Only items in this state: `draft`, `published` or `archived`; default all');
const paged = pageQuery.extend({
  limit: pageQuery.shape.limit.describe('Items per page, 1–500; default 50'),
  cursor: pageQuery.shape.cursor.describe('Cursor from the previous page\'s `nextCursor`; left out: the first page'),
});

export const verifyPath = (code: string) => `/v1/certificates/verify/${encodeURIComponent(code)}`;
/** The page a person opens from the certificate's printed link: short, so it is easy to type from paper. */
export const verifyPagePath = (code: string) => `/verify/${encodeURIComponent(code)}`;

export async function trainingRoutes(fastify: FastifyInstance, ctx: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = ctx.database;
  const programOf = async (req: FastifyRequest): Promise<Program> => (await getProgram(db, caller(req).programId))!;
  const now = () => ctx.clock();

  const courseAnswer = async (programId: string, id: string) => {
    const c = await requireCourse(db, programId, id);
    return presentCourse(c, await courseFigures(db, programId, [c.id]));
  };
  const contentAnswer = async (programId: string, id: string) => {
    const c = await requireContent(db, programId, id);
    return presentContent(c, await contentFigures(db, programId, [c], now()));
  };

  // ------------------------------------------------------------------ files
  app.post(
    '/v1/training/files',
    {
      config: { scope: WRITE, errors: ['evidence_type_not_allowed', 'evidence_too_large', 'malformed_multipart'] },
      validatorCompiler: passThrough,
      schema: {
        operationId: 'uploadTrainingFiles',
        tags,
        summary: 'Upload training files',
        description:
          `PDFs or images for course modules and members-only content: multipart/form-data with one or more file parts. The type is judged by the content ` +
          `(PDF, JPEG, PNG, WebP, HEIC; otherwise 415 \`evidence_type_not_allowed\`), at most ${ctx.config.evidenceMaxBytes} bytes each (413 \`evidence_too_large\`). ` +
          'A module or content item then names the file by its id.',
        consumes: ['multipart/form-data'],
        body: z.object({ file: z.array(z.file()).min(1).describe('One or more file parts (any part name): PDF, JPEG, PNG, WebP or HEIC') }),
        response: { 201: z.object({ data: z.array(fileOut) }) },
      },
    },
    async (req, reply) => {
      const { programId } = caller(req);
      const body = await readMultipart(req, ctx, ctx.config.evidenceMaxBytes);
      const files = await storeTrainingFiles(db, ctx.evidence, programId, body.files, actorRef(actor(req)));
      reply.status(201);
      return { data: files.map((f) => ({ ...f, url: `/v1/training/files/${f.id}/content` })) };
    },
  );

  app.get(
    '/v1/training/files/:id/content',
    {
      config: { scope: 'read', errors: ['evidence_missing'], produces: [...evidenceTypes] },
      schema: {
        operationId: 'getTrainingFileContent',
        tags,
        summary: 'Download a training file',
        description: 'The bytes, served with the content type judged at upload. 410 `evidence_missing` when the stored bytes are gone.',
        params: idOf('file'),
      },
    },
    async (req, reply) => {
      const { file, stream } = await openTrainingFile(db, ctx.evidence, caller(req).programId, req.params.id).catch((err: unknown) => {
        throw err instanceof EvidenceMissingError ? new LojalError('evidence_missing', { id: req.params.id }) : err;
      });
      reply.type(file.contentType).header('content-length', String(file.sizeBytes)).header('x-content-type-options', 'nosniff');
      return reply.send(stream);
    },
  );

  // ------------------------------------------------------------------ courses
  app.get(
    '/v1/courses',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listCourses',
        tags,
        summary: 'List courses',
        description: 'Courses with their modules and completion figures, oldest first, paged by cursor (`nextCursor` is null on the last page); `status` filters.',
        querystring: paged.extend({ status: statusQuery }).strict(),
        response: { 200: z.object({ data: z.array(courseOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]))?.[0];
      const rows = await listCourses(db, programId, { status: req.query.status ? [req.query.status] : [], after, limit: req.query.limit + 1 });
      const shown = rows.slice(0, req.query.limit);
      const figures = await courseFigures(db, programId, shown.map((c) => c.id));
      return { data: shown.map((c) => presentCourse(c, figures)), nextCursor: rows.length > req.query.limit ? encodeCursor([shown.at(-1)!.id]) : null };
    },
  );

  app.post(
    '/v1/courses',
    {
      config: { scope: WRITE, errors: ['unknown_training_file', 'course_code_taken'] },
      schema: {
        operationId: 'createCourse',
        tags,
        summary: 'Create a course as a draft',
        description:
          'With its ordered modules: text, video (an https link), file (uploaded with POST /v1/training/files, else 422 `unknown_training_file`) or quiz ' +
          '(a quiz whose pass completes the module). Texts in any of en, sv, nb, pl, de. The code is unique in the program (409 `course_code_taken`). Members see it once published.',
        body: courseInputSchema,
        response: { 201: courseOut },
      },
    },
    async (req, reply) => {
      const c = await createCourse(db, caller(req).programId, req.body, now());
      reply.status(201);
      return courseAnswer(caller(req).programId, c.id);
    },
  );

  app.get(
    '/v1/courses/:id',
    {
      config: { scope: 'read' },
      schema: { operationId: 'getCourse', tags, summary: 'Get a course', description: 'The course with its modules and completion figures, in all languages, with those missing marked.', params: courseParams, response: { 200: courseOut } },
    },
    async (req) => courseAnswer(caller(req).programId, req.params.id),
  );

  app.put(
    '/v1/courses/:id',
    {
      config: { scope: WRITE, errors: ['course_archived', 'course_structure_locked', 'unknown_training_file', 'course_code_taken'] },
      schema: {
        operationId: 'updateCourse',
        tags,
        summary: 'Replace a course',
        description:
          'Replaces its code, texts, certificate and modules. A draft changes freely; a published course only its texts, so members keep their progress ' +
          '(409 `course_structure_locked` otherwise); an archived course not at all (409 `course_archived`).',
        params: courseParams,
        body: courseInputSchema,
        response: { 200: courseOut },
      },
    },
    async (req) => {
      await updateCourse(db, caller(req).programId, req.params.id, req.body, now());
      return courseAnswer(caller(req).programId, req.params.id);
    },
  );

  for (const [action, to] of [['publish', 'published'], ['archive', 'archived']] as const) {
    app.post(
      `/v1/courses/:id/${action}`,
      {
        config: { scope: WRITE, errors: action === 'publish' ? ['course_state_conflict'] : [] },
        schema: {
          operationId: action === 'publish' ? 'publishCourse' : 'archiveCourse',
          tags,
          summary: action === 'publish' ? 'Publish a course' : 'Archive a course',
          description:
            action === 'publish'
              ? 'Members in the program can take it from now on. Only a draft can be published (409 `course_state_conflict` for an archived one); publishing a published course changes nothing.'
              : 'No longer listed and no new starts; certificates already issued stay valid. Archiving an archived course changes nothing.',
          params: courseParams,
          response: { 200: courseOut },
        },
      },
      async (req) => {
        await setCourseStatus(db, caller(req).programId, req.params.id, to, now());
        return courseAnswer(caller(req).programId, req.params.id);
      },
    );
  }

  app.get(
    '/v1/courses/:id/completions',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listCourseCompletions',
        tags,
        summary: 'List a course\'s completions',
        description: 'Who completed the course, when, and the points it paid: newest first, at most 500 (no paging).',
        params: courseParams,
        response: { 200: z.object({ data: z.array(z.object({ memberId: z.uuid(), memberName: z.string(), accountId: z.uuid(), completedAt: z.date(), points: z.number().int() })) }) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      await requireCourse(db, programId, req.params.id);
      const rows = await tdb(db)
        .selectFrom('course_completions as c')
        .innerJoin('members as m', (j) => j.onRef('m.program_id', '=', 'c.program_id').onRef('m.id', '=', 'c.member_id'))
        .select(['c.member_id', 'm.name', 'm.account_id', 'c.completed_at', 'c.points'])
        .where('c.program_id', '=', programId)
        .where('c.course_id', '=', req.params.id)
        .orderBy('c.completed_at', 'desc')
        .limit(500)
        .execute();
      return { data: rows.map((r) => ({ memberId: r.member_id, memberName: r.name, accountId: r.account_id, completedAt: r.completed_at, points: Number(r.points) })) };
    },
  );

  app.post(
    '/v1/courses/:id/completions',
    {
      config: { scope: WRITE, errors: ['course_not_open', 'unknown_member', 'member_not_active', 'module_locked', 'account_not_active'] },
      schema: {
        operationId: 'recordModuleCompletion',
        tags,
        summary: 'Record a member\'s completed module',
        description:
          'For learning done elsewhere (a classroom day, an external LMS), with the same rules as in the portal: a published course (409 `course_not_open`), ' +
          'modules in order (409 `module_locked`), once per member (a repeat answers `recorded: false`). Completing the last module completes the course, ' +
          'pays its points through a `training.completed` event and issues the certificate.',
        params: courseParams,
        body: z.object({ memberId: z.uuid().describe('The member who completed it'), moduleId: z.uuid().describe('A module of this course') }).strict(),
        response: {
          200: z.object({
            recorded: z.boolean(),
            progress: z.object({ done: z.number().int(), total: z.number().int() }),
            course: z.object({ completedAt: z.date(), points: z.number().int(), certificate: certificateOut.nullable() }).nullable(),
          }),
        },
      },
    },
    async (req) => {
      const program = await programOf(req);
      const course = await requireCourse(db, program.id, req.params.id);
      if (!course.modules.some((m) => m.id === req.body.moduleId)) throw new LojalError('not_found', { entity: 'course module', id: req.body.moduleId });
      const r = await completeModule(db, program, { memberId: req.body.memberId, moduleId: req.body.moduleId, source: 'staff', now: now() });
      return {
        recorded: r.recorded,
        progress: r.progress,
        course: r.course && {
          completedAt: r.course.completedAt,
          points: r.course.points,
          certificate: r.course.certificate && presentCertificate(r.course.certificate, now(), `/v1/certificates/${r.course.certificate.id}/pdf`),
        },
      };
    },
  );

  // ------------------------------------------------------------------ certificates
  app.get(
    '/v1/certificates',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listCertificates',
        tags,
        summary: 'List certificates',
        description: 'Certificates issued, in issue order, paged by cursor (`nextCursor` is null on the last page); filter by member or course.',
        querystring: paged.extend({ memberId: z.uuid().optional().describe('Only this member\'s certificates'), courseId: z.uuid().optional().describe('Only this course\'s certificates') }).strict(),
        response: { 200: z.object({ data: z.array(certificateOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const q = req.query;
      const after = decodeCursor(q.cursor, z.tuple([z.uuid()]))?.[0];
      const rows = await listCertificates(db, caller(req).programId, { memberId: q.memberId, courseId: q.courseId, after, limit: q.limit + 1 });
      const shown = rows.slice(0, q.limit);
      return {
        data: shown.map((c) => presentCertificate(c, now(), `/v1/certificates/${c.id}/pdf`)),
        nextCursor: rows.length > q.limit ? encodeCursor([shown.at(-1)!.id]) : null,
      };
    },
  );

  app.get(
    '/v1/certificates/:id/pdf',
    {
      config: { scope: 'read', produces: ['application/pdf'] },
      schema: {
        operationId: 'getCertificatePdf',
        tags,
        summary: 'Download a certificate as PDF',
        description: 'The certificate in the member\'s language, with its verification code and a link to the public verification page.',
        params: certificateParams,
      },
    },
    async (req, reply) => {
      const program = await programOf(req);
      const c = await requireCertificate(db, program.id, req.params.id);
      const pdf = await renderCertificatePdf({ certificate: c, programName: program.name, timeZone: program.timeZone, verifyUrl: ctx.config.publicUrl + verifyPagePath(c.code) });
      return reply.type('application/pdf').header('content-disposition', `inline; filename="certificate-${c.code}.pdf"`).send(pdf);
    },
  );

  app.post(
    '/v1/certificates/:id/revoke',
    {
      config: { scope: WRITE },
      schema: {
        operationId: 'revokeCertificate',
        tags,
        summary: 'Withdraw a certificate',
        description: 'Verification answers `revoked` from then on, and a tier level that requires it is lost at the next evaluation. Withdrawing it again changes nothing.',
        params: certificateParams,
        response: { 200: certificateOut },
      },
    },
    async (req) => {
      const c = await revokeCertificate(db, caller(req).programId, req.params.id, now());
      return presentCertificate(c, now(), `/v1/certificates/${c.id}/pdf`);
    },
  );

  app.get(
    '/v1/certificates/verify/:code',
    {
      schema: {
        operationId: 'verifyCertificate',
        tags,
        summary: 'Verify a certificate by its code',
        description:
          'Public, no sign-in: answers whether the certificate is valid, expired or withdrawn, who holds it and for which course, with a message in the ' +
          'reader\'s language (Accept-Language). Case, spaces and dashes in the code do not matter.',
        params: z.object({ code: z.string().trim().min(1).max(40).describe('The verification code printed on the certificate') }),
        response: {
          200: z.object({
            status: z.enum(['valid', 'expired', 'revoked', 'replaced']).describe('`replaced`: renewed; a newer certificate with another code replaces it'),
            message: z.string(),
            memberName: z.string(),
            courseTitle: z.string(),
            programName: z.string(),
            issuedAt: z.date(),
            expiresAt: z.date().nullable(),
          }),
        },
      },
    },
    async (req) => {
      const c = await findByCode(db, req.params.code);
      if (!c) throw new LojalError('not_found', { entity: 'certificate', id: req.params.code });
      const status = statusOf(c, now());
      return {
        status,
        message: translator(apiLanguage(req))(`training:verification.${status}`),
        memberName: c.memberName,
        courseTitle: c.courseTitle,
        programName: c.programName,
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
      };
    },
  );

  app.get(
    '/verify/:code',
    {
      config: { produces: ['text/html'], errors: ['not_found'] },
      schema: {
        operationId: 'verifyCertificatePage',
        tags,
        summary: 'The verification page a person opens',
        description:
          'Public, no sign-in: the page the certificate\'s printed link leads to, in the reader\'s language (`lang`, else Accept-Language). It shows ' +
          'whether the certificate is valid, expired, withdrawn or replaced by a renewal, the holder\'s name, the course, the program, and the issue and ' +
          'expiry dates — what GET /v1/certificates/verify/{code} answers as data. An unknown code is 404 (a page for a browser).',
        params: z.object({ code: z.string().trim().min(1).max(40).describe('The verification code printed on the certificate') }),
        querystring: z.object({ lang: z.enum(languages).optional().describe('The page\'s language; left out: from Accept-Language') }).strict(),
      },
    },
    async (req, reply) => {
      const language = req.query.lang && isLanguage(req.query.lang) ? req.query.lang : apiLanguage(req);
      const c = await findByCode(db, req.params.code);
      reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      if (!c) {
        if (!(req.headers.accept ?? '').includes('text/html')) throw new LojalError('not_found', { entity: 'certificate', id: req.params.code });
        return reply.status(404).type('text/html; charset=utf-8').send(notFoundPage(language));
      }
      const html = verificationPage({ ...c, status: statusOf(c, now()) }, language, verifyPath(c.code));
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  // ------------------------------------------------------------------ tier requirements
  app.get(
    '/v1/training/tier-requirements',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'getTierCertificationRequirements',
        tags,
        summary: 'Get the certifications tier levels require',
        description: 'Per tier level code, the courses whose valid certificate a member needs to hold that level.',
        response: { 200: requirementsSchema },
      },
    },
    async (req) => getRequirements(db, caller(req).programId),
  );

  app.put(
    '/v1/training/tier-requirements',
    {
      config: { scope: WRITE, errors: ['unknown_tier_level', 'not_found'] },
      schema: {
        operationId: 'putTierCertificationRequirements',
        tags,
        summary: 'Set the certifications tier levels require',
        description:
          'Replaces them all, e.g. gold requires the installer course. A member holds such a level only with a valid certificate of each listed course; ' +
          'an account when one of its members does. A level not in the tier ladder is 422 `unknown_tier_level`; a course that issues no certificate is 404.',
        body: requirementsSchema,
        response: { 200: requirementsSchema },
      },
    },
    async (req) => putRequirements(db, caller(req).programId, req.body),
  );

  // ------------------------------------------------------------------ content
  app.get(
    '/v1/content',
    {
      config: { scope: 'read' },
      schema: {
        operationId: 'listContent',
        tags,
        summary: 'List members-only content',
        description: 'Articles and files with their audience and read figures, newest first, paged by cursor (`nextCursor` is null on the last page); `status` filters.',
        querystring: paged.extend({ status: statusQuery }).strict(),
        response: { 200: z.object({ data: z.array(contentOut), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => {
      const { programId } = caller(req);
      const after = decodeCursor(req.query.cursor, z.tuple([z.uuid()]))?.[0];
      const rows = await listContent(db, programId, { status: req.query.status ? [req.query.status] : [], after, limit: req.query.limit + 1 });
      const shown = rows.slice(0, req.query.limit);
      const figures = await contentFigures(db, programId, shown, now());
      return { data: shown.map((c) => presentContent(c, figures)), nextCursor: rows.length > req.query.limit ? encodeCursor([shown.at(-1)!.id]) : null };
    },
  );

  app.post(
    '/v1/content',
    {
      config: { scope: WRITE, errors: ['unknown_training_file', 'unknown_tier_level'] },
      schema: {
        operationId: 'createContent',
        tags,
        summary: 'Create a members-only article or file as a draft',
        description:
          'Gated by tier, role, segment and tags; `earlyAccess` opens it sooner for some tiers. A file item names a file uploaded with POST /v1/training/files ' +
          '(422 `unknown_training_file`); tier codes must be levels of the tier ladder (422 `unknown_tier_level`). Members see it once published.',
        body: contentInputSchema,
        response: { 201: contentOut },
      },
    },
    async (req, reply) => {
      const c = await createContent(db, caller(req).programId, req.body, now());
      reply.status(201);
      return contentAnswer(caller(req).programId, c.id);
    },
  );

  app.get(
    '/v1/content/:id',
    {
      config: { scope: 'read' },
      schema: { operationId: 'getContent', tags, summary: 'Get a content item', description: 'The item in all languages with its audience and read figures.', params: contentParams, response: { 200: contentOut } },
    },
    async (req) => contentAnswer(caller(req).programId, req.params.id),
  );

  app.put(
    '/v1/content/:id',
    {
      config: { scope: WRITE, errors: ['content_archived', 'unknown_training_file', 'unknown_tier_level'] },
      schema: {
        operationId: 'updateContent',
        tags,
        summary: 'Replace a content item',
        description: 'Drafts and published items alike; an archived one is 409 `content_archived`. Read figures stay.',
        params: contentParams,
        body: contentInputSchema,
        response: { 200: contentOut },
      },
    },
    async (req) => {
      await updateContent(db, caller(req).programId, req.params.id, req.body, now());
      return contentAnswer(caller(req).programId, req.params.id);
    },
  );

  for (const [action, to] of [['publish', 'published'], ['archive', 'archived']] as const) {
    app.post(
      `/v1/content/:id/${action}`,
      {
        config: { scope: WRITE, errors: action === 'publish' ? ['content_state_conflict'] : [] },
        schema: {
          operationId: action === 'publish' ? 'publishContent' : 'archiveContent',
          tags,
          summary: action === 'publish' ? 'Publish a content item' : 'Archive a content item',
          description:
            action === 'publish'
              ? 'Members in its audience see it from `availableAt` (earlier with early access). Only a draft can be published (409 `content_state_conflict`); publishing a published item changes nothing.'
              : 'Members no longer see it; its read figures stay. Archiving an archived item changes nothing.',
          params: contentParams,
          response: { 200: contentOut },
        },
      },
      async (req) => {
        await setContentStatus(db, caller(req).programId, req.params.id, to, now());
        return contentAnswer(caller(req).programId, req.params.id);
      },
    );
  }
}

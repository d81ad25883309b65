import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/index.js';
import { decodeCursor, pageOf, pageQuery } from '../http/pagination.js';
import { auditContext, caller } from '../http/context.js';
import type { AppContext } from '../http/context.js';
import { LojalError } from '../errors/index.js';
import { sendStaffPasswordLink } from '../sessions/staff-password-links.js';
import { revokeStaffSessions } from '../sessions/store.js';
import { createStaffUser, getStaffUser, listStaffUsers, staffRoles, staffUserCreateSchema, staffUserPatchSchema, updateStaffUser } from './staff-users.js';

const tags = ['staff'];
const staffUserOut = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(staffRoles),
    active: z.boolean().describe('false: deactivated, their keys and sessions do not work'),
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .meta({ id: 'StaffUser', description: 'A person of the program team, who signs in to the console and may hold API keys.' });
const idParams = z.object({ id: z.uuid().describe("The staff user's id") });

export async function staffUserRoutes(fastify: FastifyInstance, { database, settings, config, clock }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/staff-users',
    {
      config: { scope: 'admin', errors: ['staff_email_taken'] },
      schema: {
        operationId: 'createStaffUser',
        tags,
        summary: 'Add a person to the program team',
        description:
          'Adds an owner, manager, support or viewer; they get a mail with a link to set their password for the ' +
          'console. Issue API keys to them with POST /v1/api-keys. An address already in the team is refused ' +
          '(staff_email_taken). Recorded in the audit log.',
        body: staffUserCreateSchema,
        response: { 201: staffUserOut },
      },
    },
    async (req, reply) => {
      const user = await db.transaction().execute(async (trx) => {
        const created = await createStaffUser(trx, caller(req).programId, req.body, req.clock());
        await recordAudit(trx, { ...auditContext(req), action: 'staff_user.create', entity: 'staff_user', entityId: created.id, after: created });
        await sendStaffPasswordLink(trx, caller(req).programId, created.id, 'invite', config.publicUrl, clock());
        return created;
      });
      return reply.status(201).send(user);
    },
  );

  app.get(
    '/v1/staff-users',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'listStaffUsers',
        tags,
        summary: 'List the program team',
        description: 'Staff users sorted by e-mail address, deactivated ones included. Cursor-paginated.',
        querystring: pageQuery.strict(),
        response: { 200: pageOf(staffUserOut) },
      },
    },
    async (req) =>
      listStaffUsers(db, caller(req).programId, { ...req.query, after: decodeCursor(req.query.cursor, z.tuple([z.string(), z.uuid()])) }),
  );

  app.get(
    '/v1/staff-users/:id',
    {
      config: { scope: 'admin' },
      schema: { operationId: 'getStaffUser', tags, summary: 'Get a staff user', description: 'One person of the program team.', params: idParams, response: { 200: staffUserOut } },
    },
    async (req) => getStaffUser(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/staff-users/:id',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'updateStaffUser',
        tags,
        summary: 'Change a staff user',
        description:
          'Renames, changes the role of, or deactivates a person. Their API keys follow at once; a deactivated ' +
          "person's console sessions end too. Recorded in the audit log.",
        params: idParams,
        body: staffUserPatchSchema,
        response: { 200: staffUserOut },
      },
    },
    async (req) => {
      const user = await db.transaction().execute(async (trx) => {
        const before = await getStaffUser(trx, caller(req).programId, req.params.id, true);
        const after = await updateStaffUser(trx, caller(req).programId, req.params.id, req.body, req.clock());
        await recordAudit(trx, { ...auditContext(req), action: 'staff_user.update', entity: 'staff_user', entityId: after.id, before, after });
        // A deactivated person's browser sessions end with their keys.
        if (!after.active) await revokeStaffSessions(trx, caller(req).programId, after.id, undefined, clock());
        return after;
      });
      // Keys carry the role and the active flag: forget the verified ones so the change applies now.
      settings.invalidate(caller(req).programId);
      return user;
    },
  );

  app.post(
    '/v1/staff-users/:id/password-reset',
    {
      config: { scope: 'admin' },
      schema: {
        operationId: 'sendStaffUserPasswordLink',
        tags,
        summary: 'Mail a staff user a password link',
        description:
          'Mails the person a new link to set their password (a first one if they have none yet); earlier links stay ' +
          'valid until used or expired. A deactivated person is answered 404. Recorded in the audit log.',
        params: idParams,
        response: { 202: z.object({ status: z.literal('accepted').describe('The mail is queued') }) },
      },
    },
    async (req, reply) => {
      await db.transaction().execute(async (trx) => {
        const user = await trx
          .selectFrom('staff_users')
          .select(['id', 'active', 'password_hash'])
          .where('program_id', '=', caller(req).programId)
          .where('id', '=', req.params.id)
          .executeTakeFirst();
        if (!user) throw new LojalError('not_found', { entity: 'staff user', id: req.params.id });
        if (!user.active) throw new LojalError('not_found', { entity: 'active staff user', id: req.params.id });
        const purpose = user.password_hash ? 'reset' : 'invite';
        await sendStaffPasswordLink(trx, caller(req).programId, user.id, purpose, config.publicUrl, clock());
        await recordAudit(trx, { ...auditContext(req), action: 'staff_user.password_link', entity: 'staff_user', entityId: user.id, after: { purpose } });
      });
      return reply.status(202).send({ status: 'accepted' as const });
    },
  );
}

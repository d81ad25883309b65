import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { recordAudit } from '../audit/index.js';
import { decodeCursor, pageOf, pageQuery } from '../http/pagination.js';
import { auditContext, caller } from '../http/routes.js';
import type { AppContext } from '../http/server.js';
import { createStaffUser, getStaffUser, listStaffUsers, staffRoles, staffUserCreateSchema, staffUserPatchSchema, updateStaffUser } from './staff-users.js';

const tags = ['staff'];
const staffUserOut = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(staffRoles),
  active: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const idParams = z.object({ id: z.uuid() });

export async function staffUserRoutes(fastify: FastifyInstance, { database, keyCache }: AppContext) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { db } = database;

  app.post(
    '/v1/staff-users',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Add a person of the program team (owner, manager, support or viewer); issue keys to them with POST /v1/api-keys',
        body: staffUserCreateSchema,
        response: { 201: staffUserOut },
      },
    },
    async (req, reply) => {
      const user = await db.transaction().execute(async (trx) => {
        const created = await createStaffUser(trx, caller(req).programId, req.body);
        await recordAudit(trx, { ...auditContext(req), action: 'staff_user.create', entity: 'staff_user', entityId: created.id, after: created });
        return created;
      });
      return reply.status(201).send(user);
    },
  );

  app.get(
    '/v1/staff-users',
    {
      config: { scope: 'admin' },
      schema: { tags, summary: 'The program team, by e-mail address', querystring: pageQuery.strict(), response: { 200: pageOf(staffUserOut) } },
    },
    async (req) =>
      listStaffUsers(db, caller(req).programId, { ...req.query, after: decodeCursor(req.query.cursor, z.tuple([z.string(), z.uuid()])) }),
  );

  app.get(
    '/v1/staff-users/:id',
    { config: { scope: 'admin' }, schema: { tags, summary: 'A staff user', params: idParams, response: { 200: staffUserOut } } },
    async (req) => getStaffUser(db, caller(req).programId, req.params.id),
  );

  app.patch(
    '/v1/staff-users/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Rename, change the role of, or deactivate a staff user (their keys follow at once)',
        params: idParams,
        body: staffUserPatchSchema,
        response: { 200: staffUserOut },
      },
    },
    async (req) => {
      const user = await db.transaction().execute(async (trx) => {
        const before = await getStaffUser(trx, caller(req).programId, req.params.id, true);
        const after = await updateStaffUser(trx, caller(req).programId, req.params.id, req.body);
        await recordAudit(trx, { ...auditContext(req), action: 'staff_user.update', entity: 'staff_user', entityId: after.id, before, after });
        return after;
      });
      // Keys carry the role and the active flag: forget the verified ones so the change applies now.
      keyCache.clear();
      return user;
    },
  );
}

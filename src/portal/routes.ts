/**
 * The member portal's API under /portal/v1: every route needs a member session that has chosen its member
 * (`config: { member: true }`) and acts only for that member. Writes need the session's `x-csrf-token`.
 * The domain work is the same the /v1 API does; these routes only fix who it is for.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../http/context.js';
import { portalClaimRoutes } from './claims.js';
import { portalMeRoutes } from './me.js';
import { portalPointRoutes } from './points.js';
import { portalShopRoutes } from './shop.js';
import { portalTeamRoutes } from './team.js';

export async function portalRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  for (const plugin of [portalMeRoutes, portalPointRoutes, portalShopRoutes, portalClaimRoutes, portalTeamRoutes]) await plugin(app, ctx);
}

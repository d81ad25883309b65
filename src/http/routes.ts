import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../programs/api-keys.js';
import { actorOfAuth, type Actor } from '../programs/actor.js';
import type { AuditContext } from '../audit/index.js';
import { accountRoutes, memberRoutes } from '../accounts/routes.js';
import { acceptExternalRefs } from '../accounts/external-ref.js';
import { catalogRoutes } from '../catalog/routes.js';
import { eventRoutes } from '../events/routes.js';
import { evidenceRoutes } from '../evidence/routes.js';
import { claimRoutes } from '../claims/routes.js';
import { coopRoutes } from '../coop/routes.js';
import { ledgerRoutes } from '../ledger/routes.js';
import { mailRoutes } from '../mail/routes.js';
import { onboardingRoutes } from '../onboarding/routes.js';
import { peopleRoutes } from '../people/routes.js';
import { programRoutes } from '../programs/routes.js';
import { ruleRoutes } from '../rules/routes.js';
import { tierRoutes } from '../tiers/routes.js';
import { rewardOrderRoutes } from '../rewards/order-routes.js';
import { rewardRoutes } from '../rewards/routes.js';
import { staffUserRoutes } from '../programs/staff-routes.js';
import { controlRoutes } from '../control/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { partnerRoutes } from '../partners/routes.js';
import { portalRoutes } from '../portal/routes.js';
import { volumeRoutes } from '../volume/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import { authRoutes } from '../sessions/routes.js';
import { importRoutes } from '../imports/routes.js';
import { invitationLinkRoutes } from '../people/invitation-links.js';
import { reportRoutes } from '../reports/routes.js';
import type { AppContext } from './server.js';

/** The authenticated caller; only routes with a `scope` reach their handler with one. */
export function caller(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new Error('route has no scope but asks for the caller');
  return req.auth;
}

/** Who is acting, for journals and the audit log (a staff user, or an integration's API key). */
export function actor(req: FastifyRequest): Actor {
  return actorOfAuth(caller(req));
}

/** The actor and where the request came from: what an audit entry records besides the change. */
export function auditContext(req: FastifyRequest): AuditContext {
  return { programId: caller(req).programId, actor: actor(req), ip: req.ip };
}

export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

const plugins: RoutePlugin[] = [
  programRoutes, accountRoutes, memberRoutes, catalogRoutes, ruleRoutes, eventRoutes, ledgerRoutes, tierRoutes,
  rewardRoutes, rewardOrderRoutes, staffUserRoutes, controlRoutes, auditRoutes, partnerRoutes, evidenceRoutes, claimRoutes, coopRoutes,
  peopleRoutes, mailRoutes, volumeRoutes, onboardingRoutes, webhookRoutes, authRoutes,
  invitationLinkRoutes, portalRoutes, reportRoutes, importRoutes,
];

export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  acceptExternalRefs(app, ctx.database.db);
  for (const plugin of plugins) await plugin(app, ctx);
}

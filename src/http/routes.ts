import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../programs/api-keys.js';
import { accountRoutes, memberRoutes } from '../accounts/routes.js';
import { catalogRoutes } from '../catalog/routes.js';
import { eventRoutes } from '../events/routes.js';
import { ledgerRoutes } from '../ledger/routes.js';
import { programRoutes } from '../programs/routes.js';
import { ruleRoutes } from '../rules/routes.js';
import { tierRoutes } from '../tiers/routes.js';
import { rewardOrderRoutes } from '../rewards/order-routes.js';
import { rewardRoutes } from '../rewards/routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import type { AppContext } from './server.js';

/** The authenticated caller; only routes with a `scope` reach their handler with one. */
export function caller(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new Error('route has no scope but asks for the caller');
  return req.auth;
}

export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

const plugins: RoutePlugin[] = [programRoutes, accountRoutes, memberRoutes, catalogRoutes, ruleRoutes, eventRoutes, ledgerRoutes, tierRoutes, rewardRoutes, rewardOrderRoutes, webhookRoutes];

export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  for (const plugin of plugins) await plugin(app, ctx);
}

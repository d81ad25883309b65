import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext } from '../programs/api-keys.js';
import { accountRoutes, memberRoutes } from '../accounts/routes.js';
import { catalogRoutes } from '../catalog/routes.js';
import { eventRoutes } from '../events/routes.js';
import { ledgerRoutes } from '../ledger/routes.js';
import { mailRoutes } from '../mail/routes.js';
import { onboardingRoutes } from '../onboarding/routes.js';
import { peopleRoutes } from '../people/routes.js';
import { programRoutes } from '../programs/routes.js';
import { ruleRoutes } from '../rules/routes.js';
import { tierRoutes } from '../tiers/routes.js';
import { volumeRoutes } from '../volume/routes.js';
import type { AppContext } from './server.js';

/** The authenticated caller; only routes with a `scope` reach their handler with one. */
export function caller(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new Error('route has no scope but asks for the caller');
  return req.auth;
}

export type RoutePlugin = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

const plugins: RoutePlugin[] = [programRoutes, accountRoutes, memberRoutes, catalogRoutes, ruleRoutes, eventRoutes, ledgerRoutes, tierRoutes, peopleRoutes, mailRoutes, volumeRoutes, onboardingRoutes];

export async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  for (const plugin of plugins) await plugin(app, ctx);
}

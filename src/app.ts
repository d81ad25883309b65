/**
 * The application, composed: the server with every module's routes. This file sits at the top of the import
 * graph; modules import only src/http/context.ts, so none imports the file that registers it.
 */
import type { FastifyInstance } from 'fastify';
import { accountRoutes, memberRoutes } from './accounts/routes.js';
import { acceptExternalRefs } from './accounts/external-ref.js';
import { catalogRoutes } from './catalog/routes.js';
import { eventRoutes } from './events/routes.js';
import { evidenceRoutes } from './evidence/routes.js';
import { claimRoutes } from './claims/routes.js';
import { coopRoutes } from './coop/routes.js';
import { ledgerRoutes } from './ledger/routes.js';
import { mailRoutes } from './mail/routes.js';
import { onboardingRoutes } from './onboarding/routes.js';
import { peopleRoutes } from './people/routes.js';
import { programRoutes } from './programs/routes.js';
import { ruleRoutes } from './rules/routes.js';
import { tierRoutes } from './tiers/routes.js';
import { rewardOrderRoutes } from './rewards/order-routes.js';
import { rewardRoutes } from './rewards/routes.js';
import { staffUserRoutes } from './programs/staff-routes.js';
import { controlRoutes } from './control/routes.js';
import { auditRoutes } from './audit/routes.js';
import { partnerRoutes } from './partners/routes.js';
import { portalRoutes } from './portal/routes.js';
import { volumeRoutes } from './volume/routes.js';
import { webhookRoutes } from './webhooks/routes.js';
import { authRoutes } from './sessions/routes.js';
import { importRoutes } from './imports/routes.js';
import { invitationLinkRoutes } from './people/invitation-links.js';
import { reportRoutes } from './reports/routes.js';
import { surveyRoutes } from './surveys/routes.js';
import { portalSurveyRoutes } from './surveys/portal.js';
import { quizRoutes } from './quizzes/routes.js';
import { trainingRoutes } from './training/routes.js';
import { trainingPortalRoutes } from './training/portal-routes.js';
import { serviceRoutes } from './service/routes.js';
import { portalServiceRoutes } from './service/portal-routes.js';
import { privacyRoutes } from './privacy/routes.js';
import { messageRoutes } from './messages/routes.js';
import { messageProgramRoutes } from './messages/program-routes.js';
import { segmentRoutes } from './segments/routes.js';
import { campaignRoutes } from './campaigns/routes.js';
import { insightRoutes } from './insight/routes.js';
import { surpriseRoutes } from './surprises/routes.js';
import { referralRoutes } from './referrals/routes.js';
import { retentionRoutes } from './retention/routes.js';
import type { AppContext, RoutePlugin } from './http/context.js';
import { buildServer, type ServerOptions } from './http/server.js';
import type { Config } from './config/index.js';
import type { Database } from './db/database.js';

const plugins: RoutePlugin[] = [
  programRoutes, accountRoutes, memberRoutes, catalogRoutes, ruleRoutes, eventRoutes, ledgerRoutes, tierRoutes,
  rewardRoutes, rewardOrderRoutes, staffUserRoutes, controlRoutes, auditRoutes, partnerRoutes, evidenceRoutes, claimRoutes, coopRoutes,
  peopleRoutes, mailRoutes, volumeRoutes, onboardingRoutes, webhookRoutes, authRoutes,
  invitationLinkRoutes, portalRoutes, reportRoutes, importRoutes,
  trainingRoutes, trainingPortalRoutes,
  serviceRoutes, portalServiceRoutes,
  privacyRoutes, messageRoutes, messageProgramRoutes,
  surveyRoutes, portalSurveyRoutes, quizRoutes,
  segmentRoutes, campaignRoutes,
  surpriseRoutes, referralRoutes, retentionRoutes,
  insightRoutes,
];

async function registerRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  acceptExternalRefs(app, ctx.database.db);
  for (const plugin of plugins) await plugin(app, ctx);
}

/** The HTTP application on a database: what `lojal serve`, the tests and the benchmarks run. */
export function buildApp(database: Database, config: Config, options: Omit<ServerOptions, 'registerRoutes'> = {}): Promise<FastifyInstance> {
  return buildServer(database, config, { ...options, registerRoutes });
}

/**
 * The console's areas: one entry per menu item, each loaded as its own chunk when first opened (so the
 * console's charts and editors never weigh on the portal or on each other). Add an area here and nowhere else.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { IconAdjustments, IconBook, IconBuildingCommunity, IconBuildingStore, IconChartBar, IconChartDots3, IconChecklist, IconCoin, IconConfetti, IconDashboard, IconDiscount, IconFileImport, IconGift, IconHeadset, IconHeartHandshake, IconHistory, IconListCheck, IconMail, IconMessageCircleQuestion, IconPlugConnected, IconReceipt, IconShieldLock, IconSpeakerphone, IconStairsUp, IconTargetArrow, IconTruckDelivery, IconUserShare, IconUsersGroup } from '@tabler/icons-react';
import type { StaffRole } from './session';

export interface ConsoleArea {
  /** Path under /admin; the area's own routes live below it. */
  path: string;
  /** Key in the `console` namespace. */
  label: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Roles that see the area (default: everybody). */
  roles?: StaffRole[];
  /** Only for instance administrators (who may create programs). */
  instanceAdmin?: boolean;
  component: LazyExoticComponent<ComponentType>;
}

export const consoleAreas: ConsoleArea[] = [
  { path: '/', label: 'nav.dashboard', icon: IconDashboard, component: lazy(() => import('./pages/Dashboard')) },
  { path: '/kpis', label: 'console-kpis:nav.kpis', icon: IconChartBar, component: lazy(() => import('./pages/kpis/Kpis')) },
  { path: '/roi', label: 'console-roi:nav.roi', icon: IconCoin, component: lazy(() => import('./pages/kpis/Roi')) },
  { path: '/potential', label: 'console-roi:nav.potential', icon: IconTargetArrow, component: lazy(() => import('./pages/kpis/Potential')) },
  { path: '/accounts', label: 'console-people:nav.accounts', icon: IconBuildingStore, component: lazy(() => import('./pages/people/People')) },
  { path: '/segments', label: 'console-segments:nav.segments', icon: IconChartDots3, component: lazy(() => import('./pages/segments')) },
  { path: '/loyalty-types', label: 'console-relevance:nav.loyalty', icon: IconHeartHandshake, component: lazy(() => import('./pages/relevance/LoyaltyTypes')) },
  { path: '/campaigns', label: 'console-campaigns:nav', icon: IconDiscount, component: lazy(() => import('./pages/campaigns')) },
  { path: '/messages', label: 'console-messages:nav', icon: IconMail, component: lazy(() => import('./pages/messages')) },
  { path: '/surprises', label: 'console-relevance:nav.surprises', icon: IconConfetti, component: lazy(() => import('./pages/relevance/Surprises')) },
  { path: '/referrals', label: 'console-relevance:nav.referrals', icon: IconUserShare, component: lazy(() => import('./pages/relevance/Referrals')) },
  { path: '/rules', label: 'console-rules:nav.rules', icon: IconListCheck, component: lazy(() => import('./pages/rules')) },
  { path: '/tiers', label: 'console-rules:nav.tiers', icon: IconStairsUp, component: lazy(() => import('./pages/tiers')) },
  { path: '/rewards', label: 'console-shop:nav.rewards', icon: IconGift, component: lazy(() => import('./pages/shop/Rewards')) },
  { path: '/orders', label: 'console-shop:nav.orders', icon: IconTruckDelivery, component: lazy(() => import('./pages/shop/Orders')) },
  { path: '/claims', label: 'console-shop:nav.claims', icon: IconReceipt, component: lazy(() => import('./pages/shop/Claims')) },
  { path: '/service', label: 'console-service:nav', icon: IconHeadset, component: lazy(() => import('./pages/service/Service')) },
  { path: '/coop', label: 'console-shop:nav.coop', icon: IconSpeakerphone, component: lazy(() => import('./pages/shop/Coop')) },
  { path: '/listen', label: 'console-listen:nav', icon: IconMessageCircleQuestion, component: lazy(() => import('./pages/listen/Listen')) },
  { path: '/training', label: 'console-training:nav.training', icon: IconBook, component: lazy(() => import('./pages/training')) },
  { path: '/approvals', label: 'console-insight:nav.approvals', icon: IconChecklist, component: lazy(() => import('./pages/insight/Approvals')) },
  { path: '/audit', label: 'console-insight:nav.audit', icon: IconHistory, component: lazy(() => import('./pages/insight/AuditLog')) },
  { path: '/imports', label: 'console-people:nav.imports', icon: IconFileImport, roles: ['owner', 'manager', 'support'], component: lazy(() => import('./pages/people/Imports')) },
  { path: '/staff', label: 'console-people:nav.staff', icon: IconUsersGroup, roles: ['owner'], component: lazy(() => import('./pages/people/Staff')) },
  { path: '/integrations', label: 'console-insight:nav.integrations', icon: IconPlugConnected, roles: ['owner'], component: lazy(() => import('./pages/insight/Integrations')) },
  { path: '/privacy', label: 'console-privacy:nav.privacy', icon: IconShieldLock, component: lazy(() => import('./pages/privacy/Privacy')) },
  { path: '/programs', label: 'nav.programs', icon: IconBuildingCommunity, instanceAdmin: true, component: lazy(() => import('./pages/programs/Programs')) },
  { path: '/settings', label: 'console-people:nav.settings', icon: IconAdjustments, component: lazy(() => import('./pages/people/Settings')) },
];

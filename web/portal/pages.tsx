/**
 * The portal's pages and its navigation. Each page is its own chunk, so the first page a member opens loads
 * only what it shows. `nav` pages appear in the bottom bar (phones, at most five) or the side bar (wider
 * screens); History and Orders are reached from Home and Me.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { IconGift, IconHome, IconReceipt, IconUser, IconUsersGroup } from '@tabler/icons-react';

export interface PortalPage {
  path: string;
  /** Key in the `portal` namespace for the navigation label. */
  label: string;
  icon?: ComponentType<{ size?: number; stroke?: number }>;
  nav?: boolean;
  /** Shown only to managers of their company. */
  managers?: boolean;
  component: LazyExoticComponent<ComponentType>;
}

export const portalPages: PortalPage[] = [
  { path: '/', label: 'nav.home', icon: IconHome, nav: true, component: lazy(() => import('./pages/Home')) },
  { path: '/shop', label: 'nav.shop', icon: IconGift, nav: true, component: lazy(() => import('./pages/Shop')) },
  { path: '/claims', label: 'nav.claims', icon: IconReceipt, nav: true, component: lazy(() => import('./pages/Claims')) },
  { path: '/team', label: 'nav.team', icon: IconUsersGroup, nav: true, managers: true, component: lazy(() => import('./pages/Team')) },
  { path: '/profile', label: 'nav.profile', icon: IconUser, nav: true, component: lazy(() => import('./pages/Profile')) },
  { path: '/history', label: 'nav.history', component: lazy(() => import('./pages/History')) },
  { path: '/orders', label: 'nav.orders', component: lazy(() => import('./pages/Orders')) },
  { path: '/offers', label: 'portal-offers:nav', nav: false, component: lazy(() => import('./pages/Offers')) },
  { path: '/learn', label: 'portal-learn:nav', component: lazy(() => import('./pages/Learn')) },
  { path: '/courses', label: 'portal-training:nav.courses', nav: false, component: lazy(() => import('./pages/Courses')) },
  { path: '/content', label: 'portal-training:nav.content', nav: false, component: lazy(() => import('./pages/Content')) },
  { path: '/requests', label: 'portal-service:title', nav: false, component: lazy(() => import('./pages/Requests')) },
  { path: '/inbox', label: 'nav.inbox', nav: false, component: lazy(() => import('./pages/Inbox')) },
  { path: '/channels', label: 'nav.channels', nav: false, component: lazy(() => import('./pages/Channels')) },
  { path: '/privacy', label: 'nav.privacy', nav: false, component: lazy(() => import('./pages/Privacy')) },
  { path: '/referrals', label: 'portal-referrals:nav', nav: false, component: lazy(() => import('./pages/Referrals')) },
];

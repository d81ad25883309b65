/**
 * The portal's pages and its navigation. Each page is its own chunk, so the first page a member opens loads
 * only what it shows. `nav` pages appear in the bottom bar (phones) or the side bar (wider screens).
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { IconHome, IconUser } from '@tabler/icons-react';

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
  { path: '/profile', label: 'nav.profile', icon: IconUser, nav: true, component: lazy(() => import('./pages/Profile')) },
];

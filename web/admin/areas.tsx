/**
 * The console's areas: one entry per menu item, each loaded as its own chunk when first opened (so the
 * console's charts and editors never weigh on the portal or on each other). Add an area here and nowhere else.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { IconChecklist, IconDashboard, IconGift, IconHistory, IconListCheck, IconPlugConnected, IconReceipt, IconSpeakerphone, IconStairsUp, IconTruckDelivery } from '@tabler/icons-react';
import type { StaffRole } from './session';

export interface ConsoleArea {
  /** Path under /admin; the area's own routes live below it. */
  path: string;
  /** Key in the `console` namespace. */
  label: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Roles that see the area (default: everybody). */
  roles?: StaffRole[];
  component: LazyExoticComponent<ComponentType>;
}

export const consoleAreas: ConsoleArea[] = [
  { path: '/', label: 'nav.dashboard', icon: IconDashboard, component: lazy(() => import('./pages/Dashboard')) },
import { IconChecklist, IconDashboard, IconGift, IconHistory, IconListCheck, IconPlugConnected, IconReceipt, IconSpeakerphone, IconStairsUp, IconTruckDelivery } from '@tabler/icons-react';
];

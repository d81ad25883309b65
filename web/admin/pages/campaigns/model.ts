/** Campaigns as the console reads them from the API, and the day-based dates the planning form works in. */
export type Effect =
  | { type: 'multiplier'; factor: number }
  | { type: 'lineBonus'; category?: string; brand?: string; points: number; per: number }
  | { type: 'fixed'; points: number };

export interface GroupStats { n: number; mean: number; variance: number; purchases: number }

export interface Report {
  status: 'planned' | 'running' | 'finished' | 'stopped';
  budget: { planned: number; spent: number; available: number; exhausted: boolean };
  payouts: { count: number };
  groups: { treatment: GroupStats; control: GroupStats };
  uplift: { difference: number; relative: number | null; low: number; high: number; significant: boolean } | null;
  window: { from: string; to: string };
}

export interface Campaign {
  id: string;
  name: string;
  description: string | null;
  segmentKeys: string[];
  startsAt: string;
  endsAt: string;
  stoppedAt: string | null;
  effects: Effect[];
  budgetPoints: number;
  controlPercent: number;
  report: Report;
}

export const statusColour: Record<Report['status'], string> = { planned: 'blue.9', running: 'teal.9', finished: 'gray.9', stopped: 'orange.9' };

/**
 * The form speaks in whole days in the browser's time zone: a campaign runs from the start of its first day to the
 * end of its last, so the API's exclusive end is midnight after the last day.
 */
export function startOfDay(day: string): string {
  return new Date(`${day}T00:00:00`).toISOString();
}
export function endAfterDay(day: string): string {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}
/** The last day a campaign pays on (its exclusive end, minus a moment), as a date input's value. */
export function lastDayOf(endsAt: string): string {
  const d = new Date(new Date(endsAt).getTime() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

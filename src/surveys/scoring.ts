/**
 * The survey figures, pure: Net Promoter Score with its 95 % confidence interval, CSAT as the share of 4–5,
 * and the same figures per group (period, tier, role, segment).
 *
 * NPS confidence interval: each answer is a promoter (9–10, +1), passive (7–8, 0) or detractor (0–6, −1), so
 * the NPS is 100 × the mean of those values. With p the promoter share and d the detractor share of n answers,
 * the variance of one answer's value is p + d − (p − d)², and the variance of the NPS (as a fraction) is that
 * over n: the variance of a difference of two proportions from one multinomial sample. The interval is
 * NPS ± 1.96 × 100 × √variance (the normal approximation), cut to −100…100. It is wide for few answers and
 * is not given for fewer than two.
 */

export const Z95 = 1.959963984540054;

export interface NpsFigure {
  n: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** −100…100, one decimal; null without answers. */
  nps: number | null;
  /** The 95 % interval's ends and half-width, in NPS points; null for fewer than two answers. */
  low: number | null;
  high: number | null;
  margin: number | null;
}

export interface CsatFigure {
  n: number;
  /** Answers of 4 or 5. */
  satisfied: number;
  /** Share satisfied in percent, one decimal; null without answers. */
  share: number | null;
  /** Mean score, two decimals; null without answers. */
  mean: number | null;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export const npsClass = (score: number): 'promoter' | 'passive' | 'detractor' => (score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor');

export function nps(scores: readonly number[]): NpsFigure {
  let promoters = 0;
  let detractors = 0;
  for (const s of scores) {
    if (!Number.isInteger(s) || s < 0 || s > 10) throw new RangeError(`an NPS score is 0–10, got ${s}`);
    if (s >= 9) promoters++;
    else if (s <= 6) detractors++;
  }
  const n = scores.length;
  const passives = n - promoters - detractors;
  if (n === 0) return { n, promoters, passives, detractors, nps: null, low: null, high: null, margin: null };
  const p = promoters / n;
  const d = detractors / n;
  const value = (p - d) * 100;
  if (n < 2) return { n, promoters, passives, detractors, nps: round(value, 1), low: null, high: null, margin: null };
  const variance = (p + d - (p - d) ** 2) / n;
  const margin = Z95 * 100 * Math.sqrt(variance);
  return {
    n,
    promoters,
    passives,
    detractors,
    nps: round(value, 1),
    low: round(Math.max(-100, value - margin), 1),
    high: round(Math.min(100, value + margin), 1),
    margin: round(margin, 1),
  };
}

export function csat(scores: readonly number[]): CsatFigure {
  let satisfied = 0;
  let sum = 0;
  for (const s of scores) {
    if (!Number.isInteger(s) || s < 1 || s > 5) throw new RangeError(`a CSAT score is 1–5, got ${s}`);
    if (s >= 4) satisfied++;
    sum += s;
  }
  const n = scores.length;
  return { n, satisfied, share: n ? round((satisfied / n) * 100, 1) : null, mean: n ? round(sum / n, 2) : null };
}

export type Period = 'week' | 'month' | 'quarter' | 'year';

/** The period a calendar day (`YYYY-MM-DD`) falls in: `2026-W05`, `2026-01`, `2026-Q1`, `2026`. Weeks are ISO weeks. */
export function periodOf(day: string, period: Period): string {
  const [y, m] = [Number(day.slice(0, 4)), Number(day.slice(5, 7))];
  if (period === 'year') return String(y);
  if (period === 'month') return day.slice(0, 7);
  if (period === 'quarter') return `${y}-Q${Math.ceil(m / 3)}`;
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0
  const thursday = new Date(d.getTime() + (3 - weekday) * 86_400_000);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.floor((thursday.getTime() - yearStart) / 86_400_000 / 7) + 1;
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export interface ScoredRow {
  day: string;
  nps: number | null;
  csat: number | null;
  tier: string | null;
  role: string | null;
  segment: string | null;
  /** Where the score came from (`survey`, `service_desk`, …); set on the program's figures only. */
  source?: string | null;
}

export interface GroupFigure {
  key: string | null;
  answers: number;
  nps: NpsFigure;
  csat: CsatFigure;
  /** Too few answers to show for an anonymous survey (figures left out so no one is singled out). */
  suppressed: boolean;
}

export type GroupBy = 'period' | 'tier' | 'role' | 'segment' | 'source';

/**
 * Figures per group, ordered by key (periods in time order). `minGroup`: groups with fewer answers are
 * reported as suppressed, without scores — what an anonymous survey needs so a small tier or role cannot be
 * read as one person's answer.
 */
export function figuresBy(rows: readonly ScoredRow[], by: GroupBy, opts: { period?: Period; minGroup?: number } = {}): GroupFigure[] {
  const groups = new Map<string | null, ScoredRow[]>();
  for (const r of rows) {
    const key = by === 'period' ? periodOf(r.day, opts.period ?? 'month') : (r[by] ?? null);
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  const min = opts.minGroup ?? 1;
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([key, list]) => {
      const suppressed = list.length < min;
      const npsScores = suppressed ? [] : list.flatMap((r) => (r.nps === null ? [] : [r.nps]));
      const csatScores = suppressed ? [] : list.flatMap((r) => (r.csat === null ? [] : [r.csat]));
      return { key, answers: list.length, nps: nps(npsScores), csat: csat(csatScores), suppressed };
    });
}

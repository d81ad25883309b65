/**
 * Predicted customer lifetime value, pure: the BG/NBD model of purchase frequency (Fader, Hardie & Lee, "Counting your
 * customers the easy way", Marketing Science 2005) and the Gamma-Gamma model of the value per purchase (Fader, Hardie &
 * Lee 2005, after Colombo & Jiang 1999). docs/insight.md#predicted-customer-lifetime-value gives the formulas.
 *
 * A customer is summarised by x (repeat purchases after the first), tx (time of the last purchase, counted from the
 * first) and T (time from the first purchase to the end of observation), in weeks, and for Gamma-Gamma by the mean
 * value of the repeat purchases. The likelihoods are the model and live here; the search for their maximum is
 * numeric.js's quasi-Newton minimiser (uncmin), run on the logarithms of the parameters so they stay positive.
 */
import jstat from 'jstat';
import numeric from 'numeric';

export interface Customer {
  /** Repeat purchases (purchase days after the first). */
  x: number;
  /** Weeks from the first purchase to the last. */
  tx: number;
  /** Weeks from the first purchase to the end of the observation. */
  T: number;
  /** How many customers share these figures (default 1): identical rows are fitted once. */
  n?: number;
}

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface Fit<P> {
  params: P;
  logLikelihood: number;
  iterations: number;
}

const lgamma = (v: number) => jstat.gammaln(v);
const { log, exp } = Math;

/** log(e^u + e^v) without overflow. */
function logSumExp(u: number, v: number): number {
  const m = Math.max(u, v);
  return m + log(exp(u - m) + exp(v - m));
}

/** BG/NBD log-likelihood of the customers (FHL 2005, eq. 6). */
export function bgnbdLogLikelihood({ r, alpha, a, b }: BgNbdParams, customers: readonly Customer[]): number {
  // The gamma-function terms depend on x alone: computed once per distinct x.
  const byX = new Map<number, number>();
  const fixed = -lgamma(r) + r * log(alpha) + lgamma(a + b) - lgamma(b);
  let ll = 0;
  for (const c of customers) {
    let k = byX.get(c.x);
    if (k === undefined) {
      k = fixed + lgamma(r + c.x) + lgamma(b + c.x) - lgamma(a + b + c.x);
      byX.set(c.x, k);
    }
    const stays = -(r + c.x) * log(alpha + c.T);
    const term = c.x > 0 ? logSumExp(stays, log(a) - log(b + c.x - 1) - (r + c.x) * log(alpha + c.tx)) : stays;
    ll += (c.n ?? 1) * (k + term);
  }
  return ll;
}

/** Gamma-Gamma log-likelihood of the mean repeat values (customers with x ≥ 1 and a positive mean only). */
export function gammaGammaLogLikelihood({ p, q, gamma }: GammaGammaParams, customers: ReadonlyArray<{ x: number; mean: number }>): number {
  // As in the BG/NBD: the gamma-function terms depend on x alone, computed once per distinct x.
  const byX = new Map<number, number>();
  const fixed = -lgamma(q) + q * log(gamma);
  let ll = 0;
  for (const { x, mean } of customers) {
    const px = p * x;
    let k = byX.get(x);
    if (k === undefined) {
      k = fixed + lgamma(px + q) - lgamma(px) + px * log(x);
      byX.set(x, k);
    }
    ll += k + (px - 1) * log(mean) - (px + q) * log(gamma + mean * x);
  }
  return ll;
}

/**
 * Maximises a log-likelihood over positive parameters: minimises −LL ÷ weight over their logarithms from several
 * starting points (the surface is flat in places, a single start can stop early) and keeps the best.
 */
function maximise(ll: (theta: number[]) => number, weight: number, starts: number[][]): { theta: number[]; ll: number; iterations: number } {
  // A non-finite value (a parameter run off to 0 or ∞) is a very bad point, not a crash.
  const f = (logs: number[]) => {
    const v = -ll(logs.map(exp)) / weight;
    return Number.isFinite(v) ? v : 1e12;
  };
  let best: { theta: number[]; ll: number; iterations: number } | null = null;
  for (const start of starts) {
    const r = numeric.uncmin(f, start.map(log), 1e-10, undefined, 2000);
    const theta = r.solution.map(exp);
    const value = ll(theta);
    if (Number.isFinite(value) && (best === null || value > best.ll)) best = { theta, ll: value, iterations: r.iterations };
  }
  if (best === null) throw new Error('the likelihood could not be evaluated at any starting point');
  return best;
}

export function fitBgNbd(customers: readonly Customer[]): Fit<BgNbdParams> {
  const weight = customers.reduce((s, c) => s + (c.n ?? 1), 0);
  if (weight === 0) throw new Error('no customers to fit');
  const meanT = customers.reduce((s, c) => s + (c.n ?? 1) * c.T, 0) / weight;
  const toParams = ([r, alpha, a, b]: number[]): BgNbdParams => ({ r: r!, alpha: alpha!, a: a!, b: b! });
  const best = maximise((t) => bgnbdLogLikelihood(toParams(t), customers), weight, [
    [1, 1, 1, 1],
    [0.5, Math.max(meanT / 4, 0.1), 0.8, 2.5],
  ]);
  return { params: toParams(best.theta), logLikelihood: best.ll, iterations: best.iterations };
}

export function fitGammaGamma(customers: ReadonlyArray<{ x: number; mean: number }>): Fit<GammaGammaParams> {
  if (customers.length === 0) throw new Error('no repeat customers to fit');
  const grand = customers.reduce((s, c) => s + c.mean, 0) / customers.length;
  const toParams = ([p, q, gamma]: number[]): GammaGammaParams => ({ p: p!, q: q!, gamma: gamma! });
  const best = maximise((t) => gammaGammaLogLikelihood(toParams(t), customers), customers.length, [
    [1, 1, 1],
    [5, 4, grand],
  ]);
  return { params: toParams(best.theta), logLikelihood: best.ll, iterations: best.iterations };
}

/**
 * Gauss's hypergeometric function 2F1(a, b; c; z) for 0 ≤ z < 1 by its power series, which converges there; the
 * BG/NBD's conditional expectation needs it with z = t ÷ (α + T + t).
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`2F1 is summed for 0 ≤ z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let j = 0; j < 100_000; j++) {
    term *= ((a + j) * (b + j) * z) / ((c + j) * (j + 1));
    sum += term;
    if (Math.abs(term) <= 1e-13 * Math.abs(sum)) return sum;
  }
  return sum;
}

/** Probability that a customer with this history has not dropped out (FHL 2005, eq. 9 rearranged). */
export function probabilityAlive({ r, alpha, a, b }: BgNbdParams, c: Customer): number {
  if (c.x === 0) return 1;
  return 1 / (1 + (a / (b + c.x - 1)) * ((alpha + c.T) / (alpha + c.tx)) ** (r + c.x));
}

/** Expected purchases in the next t weeks for a customer with this history (FHL 2005, eq. 10). */
export function expectedPurchases({ r, alpha, a, b }: BgNbdParams, c: Customer, t: number): number {
  if (t <= 0) return 0;
  const z = t / (alpha + c.T + t);
  const head = (a + b + c.x - 1) / (a - 1);
  const tail = 1 - ((alpha + c.T) / (alpha + c.T + t)) ** (r + c.x) * hyp2f1(r + c.x, b + c.x, a + b + c.x - 1, z);
  const dropped = c.x > 0 ? (a / (b + c.x - 1)) * ((alpha + c.T) / (alpha + c.tx)) ** (r + c.x) : 0;
  return (head * tail) / (1 + dropped);
}

/** The population's mean value per purchase, γp ÷ (q − 1); null when q ≤ 1 (the mean does not exist). */
export const populationMeanValue = ({ p, q, gamma }: GammaGammaParams): number | null => (q > 1 ? (gamma * p) / (q - 1) : null);

/**
 * Expected value per purchase for a customer with x repeat purchases of mean value `mean` (FHL 2005b, eq. 5): a
 * weighted mean of the population's mean and the customer's own, the weight moving to the customer's as x grows.
 */
export function expectedValue({ p, q, gamma }: GammaGammaParams, x: number, mean: number | null): number | null {
  if (q <= 1) return null;
  if (x === 0 || mean === null) return (gamma * p) / (q - 1);
  return ((gamma + mean * x) * p) / (p * x + q - 1);
}

export interface HoldoutError {
  customers: number;
  /** Repeat purchases the calibration customers made in the holdout period. */
  actual: number;
  /** What the model fitted on the calibration period expected of them. */
  predicted: number;
  /** Mean over customers of |predicted − actual| purchases. */
  meanAbsoluteError: number;
  /** (predicted − actual) ÷ actual over all of them; null when nobody bought. */
  aggregateError: number | null;
}

/** Compares the calibration fit's expectation for the holdout period with what each customer did in it. */
export function holdoutError(params: BgNbdParams, customers: ReadonlyArray<Customer & { holdout: number }>, t: number): HoldoutError {
  let actual = 0;
  let predicted = 0;
  let absolute = 0;
  let count = 0;
  for (const c of customers) {
    const n = c.n ?? 1;
    const e = expectedPurchases(params, c, t);
    actual += n * c.holdout;
    predicted += n * e;
    absolute += n * Math.abs(e - c.holdout);
    count += n;
  }
  return {
    customers: count,
    actual,
    predicted,
    meanAbsoluteError: count ? absolute / count : 0,
    aggregateError: actual > 0 ? (predicted - actual) / actual : null,
  };
}

/**
 * The predicted-CLV model (src/insight/clv-model.ts) on its own: the likelihoods on customers small enough to work
 * out by hand, and the fit on the CDNOW sample against the parameters Fader, Hardie and Lee published for it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bgnbdLogLikelihood, expectedPurchases, expectedValue, fitBgNbd, fitGammaGamma, gammaGammaLogLikelihood, holdoutError, hyp2f1,
  populationMeanValue, probabilityAlive, type Customer,
} from '../../src/insight/clv-model.js';
import { finiteThroughout } from '../../src/insight/clv.js';

const ones = { r: 1, alpha: 1, a: 1, b: 1 };

describe('BG/NBD likelihood by hand', () => {
  it.each([
    // x = 0: (α ÷ (α + T))^r, the chance of no purchase in T weeks; with r = α = 1 and T = 1 that is ½.
    { c: { x: 0, tx: 0, T: 1 }, ll: Math.log(1 / 2) },
    { c: { x: 0, tx: 0, T: 3 }, ll: Math.log(1 / 4) },
    // x = 1, tx = 1, T = 2, every parameter 1: B(1,2)/B(1,1) · Γ(2)/Γ(1) · [3^−2 + 1/1 · 2^−2] = ½ · 13/36.
    { c: { x: 1, tx: 1, T: 2 }, ll: Math.log(13 / 72) },
  ])('$c', ({ c, ll }) => {
    expect(bgnbdLogLikelihood(ones, [c])).toBeCloseTo(ll, 12);
  });

  it('counts a row of n customers n times', () => {
    const c = { x: 1, tx: 1, T: 2 };
    expect(bgnbdLogLikelihood(ones, [{ ...c, n: 3 }])).toBeCloseTo(3 * bgnbdLogLikelihood(ones, [c]), 12);
  });
});

describe('the pieces of the prediction', () => {
  it('2F1(1, 1; 2; z) is −ln(1 − z) ÷ z', () => {
    for (const z of [0, 0.1, 0.5, 0.9]) expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log(1 - z) / z, 10);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });

  it('a customer who has not bought again is alive; one long silent after a burst probably is not', () => {
    const p = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    expect(probabilityAlive(p, { x: 0, tx: 0, T: 30 })).toBe(1);
    const recent = probabilityAlive(p, { x: 5, tx: 29, T: 30 });
    const silent = probabilityAlive(p, { x: 5, tx: 5, T: 30 });
    expect(recent).toBeGreaterThan(0.8);
    expect(silent).toBeLessThan(0.2);
    expect(expectedPurchases(p, { x: 5, tx: 29, T: 30 }, 52)).toBeGreaterThan(expectedPurchases(p, { x: 5, tx: 5, T: 30 }, 52));
    expect(expectedPurchases(p, { x: 5, tx: 29, T: 30 }, 0)).toBe(0);
  });

  it("Gamma-Gamma's expected value moves from the population mean to the customer's own as purchases add up", () => {
    const gg = { p: 6, q: 4, gamma: 15 };
    expect(populationMeanValue(gg)).toBe(30);
    expect(expectedValue(gg, 0, null)).toBe(30);
    // (γ + m·x)·p ÷ (p·x + q − 1) with m = 60: x = 1 → 75·6/9 = 50; x = 10 → 615·6/63 = 58.57…
    expect(expectedValue(gg, 1, 60)).toBeCloseTo(50, 12);
    expect(expectedValue(gg, 10, 60)).toBeCloseTo(3690 / 63, 12);
    expect(populationMeanValue({ p: 1, q: 0.5, gamma: 1 })).toBeNull();
  });

  it('Gamma-Gamma likelihood of one customer by hand', () => {
    // p = q = γ = 1, x = 1, mean 1: Γ(2)/(Γ(1)Γ(1)) · 1 · 1 / (1 + 1)^2 = ¼.
    expect(gammaGammaLogLikelihood({ p: 1, q: 1, gamma: 1 }, [{ x: 1, mean: 1 }])).toBeCloseTo(Math.log(1 / 4), 12);
  });

  it('holdout error: mean absolute error per customer and the aggregate against the actual purchases', () => {
    const p = { r: 1, alpha: 1, a: 2, b: 1 };
    const a = { x: 0, tx: 0, T: 1, holdout: 0 };
    const b = { x: 1, tx: 1, T: 1, holdout: 3 };
    const ea = expectedPurchases(p, a, 2);
    const eb = expectedPurchases(p, b, 2);
    const h = holdoutError(p, [a, { ...b, n: 2 }], 2);
    expect(h.customers).toBe(3);
    expect(h.actual).toBe(6);
    expect(h.predicted).toBeCloseTo(ea + 2 * eb, 12);
    expect(h.meanAbsoluteError).toBeCloseTo((ea + 2 * Math.abs(eb - 3)) / 3, 12);
    expect(h.aggregateError).toBeCloseTo((ea + 2 * eb - 6) / 6, 12);
    expect(holdoutError(p, [a], 2).aggregateError).toBeNull();
  });
});

describe('the CDNOW sample (Fader, Hardie & Lee 2005)', () => {
  const rows = readFileSync(new URL('./fixtures/cdnow-calibration.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(',').map(Number));
  const customers: Array<Customer & { mean: number }> = rows.map((r) =>
    r.length === 1 ? { x: 0, tx: 0, T: r[0]!, mean: 0 } : { x: r[0]!, tx: r[1]!, T: r[2]!, mean: r[3]! },
  );

  it('holds the 2,357 customers and 2,457 repeat purchases of the paper', () => {
    expect(customers).toHaveLength(2357);
    expect(customers.reduce((s, c) => s + c.x, 0)).toBe(2457);
    expect(customers.filter((c) => c.x > 0)).toHaveLength(946);
  });

  it('gives the published log-likelihood at the published parameters', () => {
    expect(bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, customers)).toBeCloseTo(-9582.4, 0);
  });

  it('fits to the published r = 0.243, α = 4.414, a = 0.793, b = 2.426', () => {
    const { params, logLikelihood } = fitBgNbd(customers);
    expect(params.r).toBeCloseTo(0.243, 2);
    expect(params.alpha).toBeCloseTo(4.414, 1);
    expect(params.a).toBeCloseTo(0.793, 2);
    expect(params.b).toBeCloseTo(2.426, 1);
    expect(logLikelihood).toBeGreaterThanOrEqual(-9582.43);
  });

  it("predicts the paper's 1.226 purchases in the next 39 weeks for customer 1 (x = 2, tx = 30.43, T = 38.86)", () => {
    expect(expectedPurchases({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { x: 2, tx: 30.43, T: 38.86 }, 39)).toBeCloseTo(1.226, 3);
  });

  it('fits Gamma-Gamma to the published p = 6.25, q = 3.74, γ = 15.44 on the 946 repeat buyers', () => {
    const { params } = fitGammaGamma(customers.filter((c) => c.x > 0));
    expect(params.p).toBeCloseTo(6.25, 1);
    expect(params.q).toBeCloseTo(3.74, 1);
    expect(params.gamma).toBeCloseTo(15.44, 0);
  });
});

describe('a fitted model is kept only when every figure in it is a finite number', () => {
  it('finds NaN and infinities at any depth, and lets nulls, strings and finite numbers pass', () => {
    const model = { r: 0.24, holdout: { predicted: 12.5, aggregateError: null, calibrationThrough: '2026-06-30' }, monetary: null, list: [1, 2] };
    expect(finiteThroughout(model)).toBe(true);
    expect(finiteThroughout({ ...model, holdout: { ...model.holdout, predicted: Number.NaN } })).toBe(false);
    expect(finiteThroughout({ ...model, list: [1, Number.POSITIVE_INFINITY] })).toBe(false);
    expect(finiteThroughout({ ...model, r: Number.NEGATIVE_INFINITY })).toBe(false);
  });
});

/**
 * How long the predicted-CLV fit (src/insight/clv-model.ts) takes as a program grows, next to the same fit on the
 * CDNOW sample's size (2,357 customers) measured in the same run, and whether it finds the parameters the customers
 * were drawn from. Customers are simulated from the BG/NBD and Gamma-Gamma models with the CDNOW sample's published
 * parameters (seeded, so every run draws the same), observed for 27 to 39 weeks after their first purchase. The
 * insight job runs this fit twice per rebuild (calibration and whole history) after its SQL; this times the Node part.
 * Prints a table; asserts nothing.
 *
 *   npx tsx bench/clv-fit.ts
 */
import jstat from 'jstat';
import { fitBgNbd, fitGammaGamma, type Customer } from '../src/insight/clv-model.js';

const truth = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44 };

/** mulberry32: a small seeded generator, so the simulated program is the same in every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulate(n: number, rand: () => number): Array<Customer & { mean: number }> {
  const out: Array<Customer & { mean: number }> = [];
  for (let i = 0; i < n; i++) {
    // Days, as the job sees them: whole days ÷ 7.
    const T = Math.round(189 + rand() * 84) / 7;
    const lambda = jstat.gamma.sample(truth.r, 1 / truth.alpha);
    const drop = jstat.beta.sample(truth.a, truth.b);
    const nu = jstat.gamma.sample(truth.q, 1 / truth.gamma);
    let t = 0;
    let x = 0;
    let tx = 0;
    let spent = 0;
    // Active from the first purchase; after each repeat purchase it may drop out (the model's shifted geometric).
    for (;;) {
      t += -Math.log(1 - rand()) / lambda;
      if (t > T) break;
      x++;
      tx = Math.round(t * 7) / 7;
      spent += jstat.gamma.sample(truth.p, 1 / nu);
      if (rand() < drop) break;
    }
    out.push({ x, tx, T, mean: x > 0 ? spent / x : 0 });
  }
  return out;
}

function grouped(cs: readonly Customer[]): Customer[] {
  const by = new Map<string, Customer & { n: number }>();
  for (const c of cs) {
    const key = `${c.x}|${c.tx}|${c.T}`;
    const g = by.get(key);
    if (g) g.n++;
    else by.set(key, { x: c.x, tx: c.tx, T: c.T, n: 1 });
  }
  return [...by.values()];
}

const rand = seeded(17);
jstat.setRandom(rand);
const rows: string[][] = [];
let baseline = 0;
for (const n of [2_357, 10_000, 100_000, 300_000]) {
  const cs = simulate(n, rand);
  const t0 = performance.now();
  const groups = grouped(cs);
  const f = fitBgNbd(groups);
  const t1 = performance.now();
  const g = fitGammaGamma(cs.filter((c) => c.x > 0 && c.mean > 0));
  const t2 = performance.now();
  if (baseline === 0) baseline = t2 - t0;
  const p = f.params;
  rows.push([
    n.toLocaleString('en'), groups.length.toLocaleString('en'), (t1 - t0).toFixed(0), (t2 - t1).toFixed(0), ((t2 - t0) / baseline).toFixed(1),
    `${p.r.toFixed(3)} ${p.alpha.toFixed(2)} ${p.a.toFixed(3)} ${p.b.toFixed(2)}`, `${g.params.p.toFixed(2)} ${g.params.q.toFixed(2)} ${g.params.gamma.toFixed(1)}`,
  ]);
}
const head = ['customers', 'distinct (x, tx, T)', 'BG/NBD ms', 'Gamma-Gamma ms', '× CDNOW size', 'r α a b found', 'p q γ found'];
console.log(`drawn from r ${truth.r}, α ${truth.alpha}, a ${truth.a}, b ${truth.b}; p ${truth.p}, q ${truth.q}, γ ${truth.gamma}`);
console.log(`| ${head.join(' | ')} |\n|${head.map((_, i) => (i < 5 ? '---:' : '---')).join('|')}|`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

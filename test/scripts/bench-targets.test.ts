import { describe, expect, it } from 'vitest';
import { verdicts, verdictTable, type RunFigures } from '../../bench/targets.js';

const good: RunFigures = {
  ingest: { postgres: { rate: 13_000, ceilingShare: 0.3 }, pglite: { rate: 6_500, ceilingShare: 0.2 } },
  balance: [{ entries: 10_000, rate: 3_200, p99: 8 }, { entries: 1_000_000, rate: 3_100, p99: 9.5 }],
  orders: { clients: 8, spendRate: 1_600, spendP99: 20, orderRate: 900, orderP99: 30 },
  earn: { bareRate: 2_000, byProcesses: [{ processes: 1, rate: 900, p99: 45 }, { processes: 2, rate: 1_500, p99: 40 }] },
};

describe("issue 12's targets judged against a bench run", () => {
  it('meets every target the figures reach', () => {
    const list = verdicts(good);
    expect(list.map((v) => v.item)).toEqual([1, 2, 2, 4, 4, 5, 5, 6]);
    expect(list.every((v) => v.met === true)).toBe(true);
  });

  it('misses a target by one bound of it, whichever', () => {
    const byItem = (f: RunFigures, item: number) => verdicts(f).filter((v) => v.item === item).map((v) => v.met);
    expect(byItem({ ...good, earn: { bareRate: 2_000, byProcesses: [{ processes: 1, rate: 900, p99: 50 }] } }, 1)).toEqual([false]);
    expect(byItem({ ...good, earn: { bareRate: 2_000, byProcesses: [{ processes: 1, rate: 799, p99: 10 }] } }, 1)).toEqual([false]);
    expect(byItem({ ...good, ingest: { postgres: { rate: 12_500, ceilingShare: 0.2 } } }, 2)).toEqual([false, undefined]);
    expect(byItem({ ...good, balance: [{ entries: 1_000_000, rate: 5_000, p99: 12 }] }, 4)).toEqual([false]);
    expect(byItem({ ...good, orders: { ...good.orders!, orderRate: 790 } }, 5)).toEqual([true, false]);
    expect(byItem({ ...good, earn: { bareRate: 2_000, byProcesses: [{ processes: 1, rate: 900, p99: 45 }, { processes: 2, rate: 1_400, p99: 40 }] } }, 6)).toEqual([false]);
  });

  it('says what a run did not measure instead of judging it', () => {
    const list = verdicts({ ingest: {}, balance: [] });
    expect(list.every((v) => v.met === undefined && v.measured === 'not measured')).toBe(true);
    const table = verdictTable(list, 2);
    expect(table).toContain('| 1 | single earn');
    expect(table).not.toContain('| met |');
    expect(verdictTable(verdicts(good), 2)).toContain('| 13,000/s, 30.0 % | met |');
  });
});

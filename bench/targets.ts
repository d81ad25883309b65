/**
 * Issue 12's targets, judged against the figures of one `npm run bench` run: the tables above the verdicts say
 * how each figure was measured, this says which targets the run met on this machine. Pure, so that it is tested
 * (test/scripts/bench-targets.test.ts); the bench never fails on a verdict.
 */

export interface RunFigures {
  /** Batched ingest: the best Lojal rate of the run, events/s, and its share of the same database's ceiling. */
  ingest: Partial<Record<'postgres' | 'pglite', { rate: number; ceilingShare: number }>>;
  /** Balance reads over HTTP on PostgreSQL, per size of the program's history. */
  balance: Array<{ entries: number; rate: number; p99: number }>;
  /** Plain spends and reward orders over a catalogue, on PostgreSQL. */
  orders?: { clients: number; spendRate: number; spendP99: number; orderRate: number; orderP99: number };
  /** Single earns over HTTP on PostgreSQL, per number of server processes, with the bare baseline's rate. */
  earn?: { bareRate: number; byProcesses: Array<{ processes: number; rate: number; p99: number }> };
}

export interface Verdict {
  item: number;
  target: string;
  measured: string;
  /** `undefined`: the run did not measure it. */
  met: boolean | undefined;
}

const rate = (x: number) => `${Math.round(x).toLocaleString('en')}/s`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const share = (x: number) => `${(x * 100).toFixed(1)} %`;

export function verdicts(f: RunFigures): Verdict[] {
  const out: Verdict[] = [];
  const oneProcess = f.earn?.byProcesses.find((r) => r.processes === 1);
  if (f.earn && oneProcess) {
    const s = oneProcess.rate / f.earn.bareRate;
    out.push({ item: 1, target: 'single earn ≥ 40 % of the bare baseline, p99 < 50 ms (32 connections)', measured: `${share(s)}, p99 ${ms(oneProcess.p99)}`, met: s >= 0.4 && oneProcess.p99 < 50 });
  } else out.push({ item: 1, target: 'single earn ≥ 40 % of the bare baseline, p99 < 50 ms (32 connections)', measured: 'not measured', met: undefined });

  const pg = f.ingest.postgres;
  out.push({
    item: 2,
    target: 'batched ingest ≥ 12,000 events/s and ≥ 25 % of the ceiling on PostgreSQL',
    measured: pg ? `${rate(pg.rate)}, ${share(pg.ceilingShare)}` : 'not measured',
    met: pg ? pg.rate >= 12_000 && pg.ceilingShare >= 0.25 : undefined,
  });
  const lite = f.ingest.pglite;
  out.push({ item: 2, target: 'batched ingest ≥ 6,000 events/s on PGlite', measured: lite ? rate(lite.rate) : 'not measured', met: lite ? lite.rate >= 6_000 : undefined });

  if (f.balance.length === 0) out.push({ item: 4, target: 'balance read ≥ 3,000 req/s, p99 < 10 ms (32 connections)', measured: 'not measured', met: undefined });
  for (const b of f.balance) {
    out.push({
      item: 4,
      target: `balance read ≥ 3,000 req/s, p99 < 10 ms, ${b.entries.toLocaleString('en')} entries in the program`,
      measured: `${rate(b.rate)}, p99 ${ms(b.p99)}`,
      met: b.rate >= 3_000 && b.p99 < 10,
    });
  }

  const o = f.orders;
  out.push({ item: 5, target: 'debit ≥ 1,500/s, p99 < 50 ms (8 connections)', measured: o ? `${rate(o.spendRate)}, p99 ${ms(o.spendP99)}` : 'not measured', met: o ? o.spendRate >= 1_500 && o.spendP99 < 50 : undefined });
  out.push({
    item: 5,
    target: 'reward order ≥ 50 % of debit, p99 < 50 ms',
    measured: o ? `${share(o.orderRate / o.spendRate)}, p99 ${ms(o.orderP99)}` : 'not measured',
    met: o ? o.orderRate / o.spendRate >= 0.5 && o.orderP99 < 50 : undefined,
  });

  const two = f.earn?.byProcesses.find((r) => r.processes === 2);
  out.push({
    item: 6,
    target: 'two server processes ≥ 1.6× one (single earns)',
    measured: oneProcess && two ? `${(two.rate / oneProcess.rate).toFixed(2)}×` : 'not measured',
    met: oneProcess && two ? two.rate / oneProcess.rate >= 1.6 : undefined,
  });
  return out;
}

/** The verdicts as a Markdown table, with the items measured by commands of their own. */
export function verdictTable(list: Verdict[], cores: number): string {
  const mark = (m: boolean | undefined) => (m === undefined ? '–' : m ? 'met' : 'not met');
  return [
    `Issue 12's targets in this run (${cores} cores; rates move with the machine's load, read them with the tables above)`,
    '',
    '| item | target | measured | verdict |',
    '|---:|---|---|---|',
    ...list.map((v) => `| ${v.item} | ${v.target} | ${v.measured} | ${mark(v.met)} |`),
    '',
    'Measured by commands of their own: item 3 (`lojal import online-retail`, which prints its time), item 7',
    '(`npm run bench -- --scale`), item 8 (`npx tsx bench/soak.ts`), the portal home page (`npx tsx bench/portal-home.ts`).',
  ].join('\n');
}

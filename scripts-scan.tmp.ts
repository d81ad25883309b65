import { readRetailFile, readRetailRows, matchManualCredits, usualPrice } from '/work/wt-real-data/src/imports/online-retail.js';
const t0 = performance.now();
const d = await readRetailFile(readRetailRows('/work/shared/data/online-retail.csv.gz'));
const m = matchManualCredits(d.invoices);
console.log(d.counts, d.customers.size, d.products.size, ((performance.now()-t0)/1000).toFixed(1), process.memoryUsage().rss/1e6);
const k = (kind: string) => { const x = m.filter(y => y.kind === kind); return [x.length, x.reduce((s, y) => s + y.credit.manualCredit, 0)]; };
console.log(m.length, k('purchase'), k('line'), k('unmatched'));
console.log(d.invoices.filter(i => i.invoiceNo === '542806').map(i => [i.lines.length, i.occurredAt]));

/**
 * How much of the API the test suite's contract check saw: run the suite with LOJAL_CONTRACT_SEEN=DIR, then
 * `npx tsx scripts/contract-coverage.ts DIR` prints the operations answered with a success, with an error, and never.
 */
import fs from 'node:fs';
import path from 'node:path';
import { serverDocument } from './openapi-document.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: contract-coverage.ts DIR (the LOJAL_CONTRACT_SEEN directory of a test run)');
const seen = new Set(fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)));
const doc = (await serverDocument(process.env)) as { paths: Record<string, Record<string, unknown>> };
const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) =>
  Object.keys(item).filter((m) => ['get', 'put', 'post', 'patch', 'delete'].includes(m)).map((m) => `${m} ${p}`),
);
const statuses = (op: string) => [...seen].filter((s) => s.startsWith(`${op} `)).map((s) => Number(s.slice(op.length + 1)));
const success = operations.filter((op) => statuses(op).some((s) => s < 400));
const error = operations.filter((op) => statuses(op).some((s) => s >= 400));
const never = operations.filter((op) => statuses(op).length === 0);
console.log(`operations: ${operations.length}; answered by the tests with a success: ${success.length}, with an error: ${error.length}, never: ${never.length}`);
for (const op of never) console.log(`  never called: ${op}`);

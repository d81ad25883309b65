/** Lists what the OpenAPI document's operations still lack (scripts/openapi-gaps.ts); `-- /v1/claims` filters by path. */
import { execFileSync } from 'node:child_process';
import { documentGaps } from './openapi-gaps.js';

const doc = JSON.parse(execFileSync('npx', ['tsx', new URL('./openapi.ts', import.meta.url).pathname], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const filter = process.argv[2];
const gaps = documentGaps(doc).filter((g) => !filter || g.includes(filter));
for (const g of gaps) console.log(g);
console.log(`${gaps.length} gaps`);
process.exit(gaps.length ? 1 : 0);

/** Lists what the OpenAPI document's operations still lack (scripts/openapi-gaps.ts); `-- /v1/claims` filters by path. */
import { documentGaps } from './openapi-gaps.js';
import { serverDocument } from './openapi-document.js';

const doc = (await serverDocument(process.env)) as never;
const filter = process.argv[2];
const gaps = documentGaps(doc).filter((g) => !filter || g.includes(filter));
for (const g of gaps) console.log(g);
console.log(`${gaps.length} gaps`);
process.exit(gaps.length ? 1 : 0);

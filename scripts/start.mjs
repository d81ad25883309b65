/**
 * `npm start`: build the web pages and the server if their sources changed, then `lojal serve --demo` from the
 * server's build, in this process. No heap limit: on the embedded database a query's rows are held in V8's heap
 * whole, and the demo is for trying things out (a server on PostgreSQL gets one, docs/operations.md#memory).
 * Plain JavaScript run by Node.js itself: no TypeScript loader stays resident in the server. Arguments after
 * `npm start --` go to `serve`.
 */
import { buildServerIfNeeded } from './server-build.mjs';
import { buildWebIfNeeded } from './build-web.mjs';

await buildWebIfNeeded();
await buildServerIfNeeded();
process.argv.splice(2, 0, 'serve', '--demo');
await import('../build/cli/main.js');

/**
 * `npm start`: build the web pages and the server if their sources changed, then `lojal serve --demo` from the
 * server's build, in this process (package.json starts it with the server's heap limit; docs/operations.md#memory).
 * Plain JavaScript run by Node.js itself: no TypeScript loader stays resident in the server. Arguments after
 * `npm start --` go to `serve`.
 */
import { buildServerIfNeeded } from './server-build.mjs';
import { buildWebIfNeeded } from './build-web.mjs';

await buildWebIfNeeded();
await buildServerIfNeeded();
process.argv.splice(2, 0, 'serve', '--demo');
await import('../build/cli/main.js');

/**
 * `npm start`: build the web pages if their sources changed, then `lojal serve --demo`, in one process (each extra
 * tsx start costs seconds on a small machine). Arguments after `npm start --` go to `serve`.
 */
import { buildWebIfNeeded } from './build-web.js';

await buildWebIfNeeded();
process.argv.splice(2, 0, 'serve', '--demo');
await import('../src/cli/main.js');

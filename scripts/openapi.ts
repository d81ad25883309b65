/**
 * Prints the API's OpenAPI document (the one `/openapi.json` serves) without a running server: the client
 * generator and the lint read it from here. `--out FILE` writes it instead.
 */
import fs from 'node:fs/promises';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/index.js';
import { openMemory } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';

const out = process.argv.indexOf('--out');
const database = await openMemory();
await migrate(database);
const app = await buildApp(database, loadConfig({ LOG_LEVEL: 'silent', LOJAL_JOBS: 'off', ...process.env }), {});
await app.ready();
const text = JSON.stringify(app.swagger(), null, 2) + '\n';
await app.close();
await database.close();
if (out > 0) await fs.writeFile(process.argv[out + 1]!, text);
else process.stdout.write(text);

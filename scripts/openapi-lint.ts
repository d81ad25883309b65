/**
 * `npm run openapi:lint`: Redocly's linter (redocly.yaml: the recommended rules) on the document the server serves.
 * Exits non-zero on any error or warning.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lojal-openapi-')), 'openapi.json');
execFileSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/openapi.ts'), '--out', file], { stdio: 'inherit' });
const lint = spawnSync(process.execPath, [path.join(root, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--config', path.join(root, 'redocly.yaml'), '--max-problems', '1000', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
fs.rmSync(path.dirname(file), { recursive: true, force: true });
process.exit(lint.status ?? 1);

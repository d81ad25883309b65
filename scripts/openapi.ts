/**
 * Prints the API's OpenAPI document (the one `/openapi.json` serves) without a running server: the client
 * generator and the lint read it from here. `--out FILE` writes it instead.
 */
import fs from 'node:fs/promises';
import { serverDocument } from './openapi-document.js';

const out = process.argv.indexOf('--out');
const text = JSON.stringify(await serverDocument(process.env), null, 2) + '\n';
if (out > 0) await fs.writeFile(process.argv[out + 1]!, text);
else process.stdout.write(text);

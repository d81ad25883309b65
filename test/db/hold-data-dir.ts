/**
 * A second process for the data directory lock tests: takes the lock of the directory given as the embedded
 * database does when it opens (without starting PGlite, which is slow and not what is tested), says `ready`
 * and holds it until killed, or says `refused: <message>` and exits with 3.
 */
import { DataDirLockedError, lockDataDir } from '../../src/db/data-dir-lock.js';

const dir = process.argv[2]!;
try {
  await lockDataDir(dir);
  process.stdout.write('ready\n');
  // Held until the test kills this process.
  setInterval(() => {}, 1 << 30);
} catch (err) {
  if (!(err instanceof DataDirLockedError)) throw err;
  process.stdout.write(`refused: ${err.message}\n`);
  process.exit(3);
}

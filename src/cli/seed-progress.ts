import { Presets, SingleBar } from 'cli-progress';
import type { SeedProgress } from '../demo/seed.js';

/**
 * Shows the demo seeding (tens of seconds on a small machine) as it goes: a short line per step, and on a terminal a
 * bar for the year of events; without a terminal (a log file, CI) the events are reported every quarter instead.
 */
export function seedProgress(out: NodeJS.WriteStream = process.stdout): SeedProgress & { end(): void } {
  const started = performance.now();
  const tty = out.isTTY === true;
  let bar: SingleBar | undefined;
  let reported = 0;
  const closeBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    step(label) {
      closeBar();
      out.write(`  seeding ${label}\n`);
    },
    count(done, total) {
      if (tty) {
        if (!bar) {
          bar = new SingleBar({ format: '  {bar} {value}/{total} events', hideCursor: true, stream: out }, Presets.shades_classic);
          bar.start(total, 0);
        }
        bar.update(done);
      } else if (done === total || done - reported >= total / 4) {
        reported = done;
        out.write(`  … ${done}/${total} events\n`);
      }
    },
    end() {
      closeBar();
      out.write(`Demo program seeded in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
    },
  };
}

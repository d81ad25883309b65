/**
 * What time it is, as the application sees it. The server takes one at start (the system clock in production);
 * tests hand it a fixed or movable clock so that nothing they check depends on the day or the machine they run on.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock that stands still at `start` until it is set or advanced: for tests and simulations. */
export interface ManualClock extends Clock {
  set(at: Date | string): void;
  advance(milliseconds: number): void;
}

export function manualClock(start: Date | string): ManualClock {
  let current = new Date(start).getTime();
  if (Number.isNaN(current)) throw new Error(`manualClock: not a time: ${String(start)}`);
  const clock = (() => new Date(current)) as ManualClock;
  clock.set = (at) => {
    const next = new Date(at).getTime();
    if (Number.isNaN(next)) throw new Error(`manualClock: not a time: ${String(at)}`);
    current = next;
  };
  clock.advance = (milliseconds) => {
    current += milliseconds;
  };
  return clock;
}

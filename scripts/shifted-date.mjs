/**
 * Preload for `npm run test:dates` (node --import): moves this process's calendar clock by
 * LOJAL_DATE_OFFSET_MS, so `new Date()`, `Date()` and `Date.now()` tell the shifted time and it runs on from
 * there. The offset is fixed once by the parent script and inherited through NODE_OPTIONS, so the vitest
 * workers, the CLI processes tests spawn and the embedded database (PGlite's now() reads Date.now) all agree
 * on the time. Monotonic time (performance.now, timers) is left alone: it measures durations, not dates.
 * Plain JavaScript because it loads before any TypeScript loader.
 *
 * Node's own modules keep the real Date (they hold it from before this runs), and one of them tells the calendar
 * to other processes: the HTTP server's `Date` response header. A test's in-process server (s3rver) judges
 * requests by the shifted clock but would stamp its answers with the real one; the S3 SDK sets its clock by that
 * header, then signs with the real time and is refused as RequestTimeTooSkewed. So the header is set here too.
 */
import http from 'node:http';

const offset = Number(process.env.LOJAL_DATE_OFFSET_MS);
if (Number.isFinite(offset) && offset !== 0 && !globalThis.__lojalShiftedDate) {
  const RealDate = Date;
  const shiftedNow = () => RealDate.now() + offset;
  // A proxy rather than a subclass: `Date()` called without `new` must still answer a string, and
  // `instanceof Date`, Date.UTC, Date.parse and the prototype stay the real ones.
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      return Reflect.construct(target, args.length === 0 ? [shiftedNow()] : args, newTarget === globalThis.Date ? target : newTarget);
    },
    apply() {
      return new RealDate(shiftedNow()).toString();
    },
    get(target, property, receiver) {
      if (property === 'now') return shiftedNow;
      return Reflect.get(target, property, receiver);
    },
  });
  const writeHead = http.ServerResponse.prototype.writeHead;
  http.ServerResponse.prototype.writeHead = function (...args) {
    // Only what Node would add by itself: a Date the handler set, or headers already sent, are left alone.
    if (this.sendDate && !this.headersSent && !this.hasHeader('date')) this.setHeader('date', new Date().toUTCString());
    return Reflect.apply(writeHead, this, args);
  };
  globalThis.__lojalShiftedDate = true;
}

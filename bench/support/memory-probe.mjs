// Loaded into the server by bench/soak.ts (node --import): answers the bench's questions over the IPC channel
// with the process's own view of its memory, which /proc cannot split (V8 heap used and reserved, memory held
// by Buffers and ArrayBuffers outside the heap). Plain JavaScript so it runs before tsx's loader is registered.
import v8 from 'node:v8';

if (process.send) {
  process.channel?.unref();
  process.on('message', (message) => {
    if (message === 'memory') {
      const m = process.memoryUsage();
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size]));
      process.send?.({ memory: { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, newSpace: spaces.new_space ?? 0 } });
    } else if (typeof message === 'object' && message && 'snapshot' in message) {
      // Only with BENCH_SOAK_SNAPSHOTS: a heap snapshot of the server at that moment, for Chrome's memory tab.
      process.send?.({ snapshot: v8.writeHeapSnapshot(String(message.snapshot)) });
    }
  });
}

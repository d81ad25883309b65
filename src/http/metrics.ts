import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server, so tests that start several servers do not share counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lojal_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'lojal_http_request_duration_seconds',
      help: 'HTTP request duration by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventsIngested: new Counter({
      name: 'lojal_events_ingested_total',
      help: 'Events accepted, by outcome (processed, replayed, rejected)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    eventsGathered: new Histogram({
      name: 'lojal_events_per_transaction',
      help: 'Single events (POST /v1/events with one event) per transaction started: more than one when they arrived while the writers were busy',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    }),
    pointsPosted: new Counter({
      name: 'lojal_points_posted_total',
      help: 'Points posted to member and account wallets, by journal kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

import type { Database } from '../db/database.js';
import { SETTINGS_CHANNEL, type SettingsCache } from './settings.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface SettingsListener {
  /** Resolves once notifications flow (the first connection); a server answers reads from the cache only then. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keeps `cache` current with the settings notifications. When the listening connection drops, the cache is
 * emptied and distrusted at once, and the listener connects again (after 0.1 s, doubling up to 5 s while the
 * server stays away); the cache is trusted again only once LISTEN has succeeded.
 */
export function listenForSettings(database: Database, cache: SettingsCache, log: (message: string) => void): SettingsListener {
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const onNotify = (payload: string) => {
    if (UUID.test(payload)) cache.invalidate(payload);
    else cache.clear();
  };
  const onLost = (err: Error) => {
    cache.stopTrusting();
    unlisten = undefined;
    if (stopped) return;
    log(`settings notifications lost (${err.message}); caches emptied, listening again`);
    schedule();
  };
  const schedule = () => {
    retry = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 5000);
  };
  const connect = async () => {
    try {
      const stop = await database.listen(SETTINGS_CHANNEL, onNotify, onLost);
      if (stopped) return void (await stop());
      unlisten = stop;
      delay = 100;
      cache.startTrusting();
      markReady();
    } catch (err) {
      if (stopped) return;
      log(`settings notifications unavailable (${(err as Error).message}); trying again`);
      schedule();
    }
  };
  void connect();
  return {
    ready,
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      cache.stopTrusting();
      await unlisten?.();
    },
  };
}

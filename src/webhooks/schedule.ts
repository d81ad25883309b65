/**
 * When a delivery is tried again. A receiver that is down for a deploy gets the event a minute later;
 * one that is down for a day still gets it; after the sixth failed attempt the delivery is failed and
 * waits for someone to retry it by hand.
 */
export const retryDelaysSeconds = [60, 5 * 60, 30 * 60, 2 * 3600, 12 * 3600] as const;

/** After `attempts` failed attempts: when to try next, or null when the delivery has failed for good. */
export function nextAttemptAfter(attempts: number, now: Date): Date | null {
  const delay = retryDelaysSeconds[attempts - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay * 1000);
}

/** 2xx only: a redirect is not followed (the receiver should give its final URL), anything else is a failure. */
export const isDelivered = (status: number) => status >= 200 && status < 300;

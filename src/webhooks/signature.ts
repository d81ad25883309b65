/**
 * The signature a receiver checks: HMAC-SHA256 over `${timestamp}.${body}` with the subscription's
 * secret, hex, as `v1=<hex>`. The timestamp inside the signed text lets the receiver refuse old replays;
 * the version prefix leaves room for another scheme without breaking receivers of this one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const signatureOf = (secret: string, timestamp: string, body: string): string =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export function signatureMatches(secret: string, timestamp: string, body: string, header: string): boolean {
  const expected = Buffer.from(signatureOf(secret, timestamp, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** 256 random bits; the prefix tells a person what the string is when they find it in a config file. */
export const newSecret = () => `whsec_${randomBytes(32).toString('hex')}`;

/**
 * Where a webhook may not go unless the server allows it (LOJAL_WEBHOOKS_ALLOW_PRIVATE=on): this machine,
 * private and link-local networks (a cloud's metadata service at 169.254.169.254 among them), multicast
 * and reserved ranges. A program admin configures the URL, and the server, not the admin, would be the one
 * reaching into its own network. Checked when the URL is configured (names that are addresses, localhost)
 * and again for every address a name resolves to, as the connection is made, so a name that resolves to
 * a public address today and a private one tomorrow is caught when it matters.
 */
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const notPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT, shared address space
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // network benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback and the old IPv4-compatible form (::10.0.0.1)
  ['64:ff9b:1::', 48], // NAT64 for local use
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
] as const) notPublic.addSubnet(net, prefix, 'ipv6');
// IPv4-mapped IPv6 (::ffff:10.0.0.1) is matched against the IPv4 ranges by BlockList itself.

/** Whether an IP address (v4 or v6, without brackets) is one webhooks may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return notPublic.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** A URL's host as a name or a bare address (IPv6 without its brackets). */
export const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');

const localName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/**
 * The host of a URL, when the URL already says that it is not public: an address in the ranges above,
 * or a localhost name (loopback by definition, RFC 6761). Null for other names.
 */
export function privateHostOf(url: URL): string | null {
  const host = hostOf(url);
  return localName(host) || isPrivateAddress(host) ? host : null;
}

/** A connection refused because the name resolved to an address webhooks may not reach. */
export class TargetNotAllowedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(host === address ? `${address} is not a public address` : `${host} resolves to ${address}, which is not a public address`);
    this.name = 'TargetNotAllowedError';
  }
}

/**
 * A DNS lookup for outgoing connections that fails when any address of the name is not public: the
 * check and the connection use the same answer, so DNS cannot change between them.
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(new TargetNotAllowedError(hostname, bad.address) as NodeJS.ErrnoException, '', 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};

/**
 * Where a webhook may not go unless the server allows it (LOJAL_WEBHOOKS_ALLOW_PRIVATE=on): this machine,
 * private and link-local networks (a cloud's metadata service at 169.254.169.254 among them), multicast
 * and reserved ranges. A program admin configures the URL, and the server, not the admin, would be the one
 * reaching into its own network. Checked when the URL is configured (names that are addresses, localhost)
 * and again for every address a name resolves to, as the connection is made, so a name that resolves to
 * a public address today and a private one tomorrow is caught when it matters.
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * The special-purpose ranges are ipaddr.js's (kept to the IANA special-purpose registries): an IPv4 address
 * is public only in its plain `unicast` range. An IPv6 address that carries an IPv4 address (IPv4-mapped and
 * -translated, the NAT64 well-known prefix, 6to4, the old IPv4-compatible form) is judged by that IPv4
 * address, since a translator or relay on the way would deliver to it; any other IPv6 address is public only
 * as plain global unicast (2000::/3).
 */
const globalUnicast = ipaddr.IPv6.parseCIDR('2000::/3');

function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return v4(p[6]!, p[7]!);
    case 'rfc6052': // 64:ff9b::a.b.c.d (the /96 well-known prefix; the local-use /48 is not decoded)
      return p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 ? v4(p[6]!, p[7]!) : undefined;
    case '6to4': // 2002:aabb:ccdd::/48 routes to a.b.c.d
      return v4(p[1]!, p[2]!);
    default:
      // ::a.b.c.d, deprecated "IPv4-compatible" (:: and ::1 land here too, as 0.0.0.0 and 0.0.0.1).
      return p.slice(0, 6).every((x) => x === 0) ? v4(p[6]!, p[7]!) : undefined;
  }
}

function isPublicIPv6(address: ipaddr.IPv6): boolean {
  const v4 = embeddedIPv4(address);
  if (v4) return v4.range() === 'unicast';
  return address.range() === 'unicast' && address.match(globalUnicast);
}

/** Whether an IP address (v4 or v6, without brackets) is one webhooks may not reach by default. */
export function isPrivateAddress(address: string): boolean {
  // node's parser decides what is an address at all (ipaddr.js would also take forms like "0x7f.1").
  const family = isIP(address);
  if (family === 0) return false;
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv4' ? parsed.range() !== 'unicast' : !isPublicIPv6(parsed as ipaddr.IPv6);
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

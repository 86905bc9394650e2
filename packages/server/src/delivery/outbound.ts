/**
 * The HTTP client every outbound call goes through (API destinations, OAuth token endpoints, JWKS is
 * inbound's own): an undici Agent whose DNS lookup refuses addresses a target must never reach, so a
 * user who can create an API destination cannot make the server call its cloud's metadata service.
 * Checked at connect time, on the address actually dialled, so a name that resolves differently later
 * (DNS rebinding) is caught too.
 *
 * Refused by default: link-local (169.254.0.0/16, fe80::/10, where the cloud metadata services live),
 * the AWS IPv6 metadata address (fd00:ec2::254), "this network" (0.0.0.0/8) and multicast. Loopback and
 * private ranges stay allowed: local development calls 127.0.0.1 and on-premises targets sit in 10/8.
 * `outboundAllowCidrs` lifts the refusal for the ranges it names.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, fetch as undiciFetch, type Dispatcher } from 'undici';

/** A GET in the shape jose's JWKS client calls its fetch with (inbound JWT authentication). */
export interface OutboundGet {
  method: string;
  headers: Headers;
  redirect: 'manual';
  signal: AbortSignal;
}

const DENIED_V4: ReadonlyArray<[string, number]> = [
  ['169.254.0.0', 16],
  ['0.0.0.0', 8],
  ['224.0.0.0', 4],
];
const DENIED_V6: ReadonlyArray<[string, number]> = [
  ['fe80::', 10],
  ['fd00:ec2::254', 128],
  ['ff00::', 8],
];

export class OutboundAddressRefusedError extends Error {
  readonly code = 'BUSWAY_OUTBOUND_REFUSED';
  constructor(host: string, address: string) {
    super(
      `Refusing to connect to ${host} (${address}): link-local, metadata and multicast addresses are ` +
        'blocked for outbound calls; allow the range with --outbound-allow-cidrs if this is intended.',
    );
    this.name = 'OutboundAddressRefusedError';
  }
}

export interface OutboundPolicy {
  /** CIDRs allowed even where the default list refuses them (`169.254.10.0/24`). */
  allowCidrs: readonly string[];
}

/** Whether an IP address may be dialled under `policy`. */
export function createAddressCheck(policy: OutboundPolicy): (address: string) => boolean {
  const denied = new BlockList();
  for (const [net, prefix] of DENIED_V4) denied.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of DENIED_V6) denied.addSubnet(net, prefix, 'ipv6');
  const allowed = new BlockList();
  for (const cidr of policy.allowCidrs) {
    const [net, bits] = cidr.split('/');
    const family = isIP(net ?? '');
    if (family === 0) throw new Error(`Not a CIDR: ${cidr}`);
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    allowed.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return (address) => {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    // IPv4-mapped IPv6 (::ffff:169.254.169.254) is judged as the IPv4 address it carries.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped !== null) return !denied.check(mapped[1]!, 'ipv4') || allowed.check(mapped[1]!, 'ipv4');
    return !denied.check(address, family) || allowed.check(address, family);
  };
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * An undici dispatcher for outbound calls under `policy`. IP-literal hosts are checked by
 * `checkUrl` before the call (a socket given an IP never runs the lookup).
 */
export function createOutboundDispatcher(
  policy: OutboundPolicy,
  options: { connectTimeoutMs?: number } = {},
): {
  dispatcher: Dispatcher;
  checkUrl(url: URL): void;
  /** A fetch under the same policy; a refused address fails as fetch fails on a network error. */
  fetch(url: string, init: OutboundGet): Promise<Response>;
  close(): Promise<void>;
} {
  const isAllowed = createAddressCheck(policy);
  const lookup = (hostname: string, lookupOptions: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error !== null) return callback(error, []);
      const list = addresses;
      const refused = list.find((entry) => !isAllowed(entry.address));
      if (refused !== undefined)
        return callback(new OutboundAddressRefusedError(hostname, refused.address), []);
      const wantsAll = (lookupOptions as { all?: boolean }).all === true;
      if (wantsAll) return callback(null, list);
      const first = list[0];
      if (first === undefined)
        return callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      return callback(null, first.address, first.family);
    });
  };
  const agent = new Agent({
    connect: { lookup, ...(options.connectTimeoutMs !== undefined && { timeout: options.connectTimeoutMs }) },
    // Deliveries to one destination reuse connections; idle ones close after 4 s, before most servers do.
    keepAliveTimeout: 4000,
  });
  const checkUrl = (url: URL): void => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) !== 0 && !isAllowed(host)) throw new OutboundAddressRefusedError(url.hostname, host);
  };
  return {
    dispatcher: agent,
    checkUrl,
    fetch(url, init) {
      const target = new URL(url);
      try {
        checkUrl(target);
      } catch (refused) {
        // As fetch reports a network failure (a refused name inside undici surfaces the same way).
        return Promise.reject(new TypeError('fetch failed', { cause: refused }));
      }
      // undici's own fetch, for its `dispatcher` option (its types differ from the global ones by name).
      return undiciFetch(target, {
        method: init.method,
        headers: Object.fromEntries(init.headers),
        redirect: init.redirect,
        signal: init.signal,
        dispatcher: agent,
      }) as unknown as Promise<Response>;
    },
    close: () => agent.close(),
  };
}

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { isPrivateAddress } from '@switchyard/types';
import { Agent, buildConnector } from 'undici';

export interface OutboundAgentOptions {
  /** Allow loopback, private and link-local destinations (refused by default: the gateway must not be an SSRF proxy). */
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Extra trusted CAs (PEM). */
  caPem?: string | null;
}

/** A connection refused because its destination is not public. */
export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATE';

  constructor(readonly host: string) {
    super(`${host} is a private, loopback or link-local address`);
    this.name = 'PrivateAddressError';
  }
}

/** True when `err` (or an error it wraps) is the agent's refusal of a private destination. */
export function isPrivateAddressError(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === 'EPRIVATE') return true;
  }
  return false;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A DNS lookup that fails when any address of the name is private: what is checked is what is connected to. */
function guardedLookup(hostname: string, opts: object, cb: LookupCallback): void {
  dnsLookup(hostname, { ...opts, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return cb(err, []);
    if (addresses.some((a) => isPrivateAddress(a.address))) return cb(new PrivateAddressError(hostname), []);
    if ((opts as { all?: boolean }).all) return cb(null, addresses);
    cb(null, addresses[0]!.address, addresses[0]!.family);
  });
}

/**
 * The one outbound HTTP agent for URLs that tenants or requests choose (images, webhooks, later OTel
 * export and log sinks): an undici dispatcher whose every connection checks its destination after DNS
 * resolution, inside the connection's own lookup (no second lookup to rebind), and refuses private,
 * loopback and link-local addresses unless `allowPrivate`. IP literals, which skip DNS, are checked too.
 * A refusal fails the request with a `PrivateAddressError` (code `EPRIVATE`) before anything is sent.
 */
export function createOutboundAgent(options: OutboundAgentOptions): Agent {
  const connect = buildConnector({
    ...(options.connectTimeoutMs ? { timeout: options.connectTimeoutMs } : {}),
    ...(options.caPem ? { ca: options.caPem } : {}),
    ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
  });
  const guarded: buildConnector.connector = (opts, cb) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(host) && isPrivateAddress(host)) return cb(new PrivateAddressError(host), null);
    connect(opts, cb);
  };
  return new Agent({
    connect: guarded,
    ...(options.headersTimeoutMs ? { headersTimeout: options.headersTimeoutMs } : {}),
    ...(options.bodyTimeoutMs ? { bodyTimeout: options.bodyTimeoutMs } : {}),
  });
}

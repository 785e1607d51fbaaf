import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from '@switchyard/types';

export type OutboundUrlProblem = 'invalid' | 'scheme' | 'credentials' | 'unresolvable' | 'private';

/** An outbound URL refused before any connection; callers word it for their own field. */
export class OutboundUrlError extends Error {
  constructor(
    readonly problem: OutboundUrlProblem,
    message: string,
  ) {
    super(message);
    this.name = 'OutboundUrlError';
  }
}

/** An http(s) URL without credentials, or an OutboundUrlError. */
export function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('invalid', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundUrlError('scheme', `unsupported URL scheme '${url.protocol}'`);
  if (url.username || url.password) throw new OutboundUrlError('credentials', 'the URL contains credentials');
  return url;
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;
const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Checks a URL before it is stored (a webhook URL on job creation): syntax, scheme, and every address
 * its host resolves to, unless `allowPrivate`. Connections still go through the outbound agent, which
 * checks again after its own DNS lookup. Returns the checked addresses.
 */
export async function checkOutboundUrl(raw: string, options: { allowPrivate: boolean; resolve?: Resolver }): Promise<LookupAddress[]> {
  const host = parseOutboundUrl(raw).hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[] = [];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else addresses = await (options.resolve ?? systemResolver)(host).catch(() => []);
  if (!addresses.length) throw new OutboundUrlError('unresolvable', `host '${host}' does not resolve`);
  if (!options.allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) {
    throw new OutboundUrlError('private', `host '${host}' is a private, loopback or link-local address`);
  }
  return addresses;
}

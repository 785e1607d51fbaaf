import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { isPrivateAddress } from '@switchyard/types';
import { DocumentError } from '../pipeline/document.exception';

/** Syntax and scheme of an outbound URL. */
export function parseOutboundUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DocumentError('webhook_url_forbidden', 'webhook_url is not a valid URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DocumentError('webhook_url_forbidden', 'webhook_url must be http or https.');
  if (url.username || url.password) throw new DocumentError('webhook_url_forbidden', 'webhook_url must not contain credentials.');
  return url;
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;
const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Resolves the URL's host and refuses it when any address is private, loopback or link-local
 * (unless allowed). Returns the checked addresses: connect to one of these, not to a fresh lookup.
 */
export async function checkOutboundUrl(raw: string, allowPrivate: boolean, resolve: Resolver = systemResolver): Promise<LookupAddress[]> {
  const url = parseOutboundUrl(raw);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: LookupAddress[];
  if (ipaddr.isValid(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new DocumentError('webhook_url_forbidden', `webhook_url host '${host}' does not resolve.`, false);
    }
  }
  if (!addresses.length) throw new DocumentError('webhook_url_forbidden', `webhook_url host '${host}' does not resolve.`, false);
  if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) {
    throw new DocumentError(
      'webhook_url_forbidden',
      'webhook_url points to a private, loopback or link-local address; set DOCUMENTS_ALLOW_PRIVATE_URLS=true to allow it.',
    );
  }
  return addresses;
}

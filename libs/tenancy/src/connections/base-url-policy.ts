import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AdminScope } from '@switchyard/auth';
import { invalidRequest, isPrivateAddress } from '@switchyard/types';

export type HostResolver = (host: string) => Promise<string[]>;
const systemResolver: HostResolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Who may point a connection where: the operator (the admin token) anywhere, loopback included
 * (self-hosted vLLM and Ollama live there); an organization's admin key only at public addresses,
 * unless the operator allows private ones (`CONNECTIONS_ALLOW_PRIVATE_BASE_URLS`). Checked here on
 * save, and again by the router after DNS resolution on every upstream connection (a name that
 * resolves elsewhere later does not get through). A host that does not resolve now is left to that check.
 */
export async function requireAllowedBaseUrl(scope: AdminScope, baseUrl: string | null | undefined, allowPrivate: boolean, resolve = systemResolver): Promise<void> {
  if (!baseUrl || scope.kind === 'root' || allowPrivate) return;
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await resolve(host).catch(() => []);
  if (addresses.some((a) => isPrivateAddress(a))) {
    throw invalidRequest(
      `base_url must not point at a private, loopback or link-local address (${host}): only the operator (admin token) may, unless CONNECTIONS_ALLOW_PRIVATE_BASE_URLS allows it for organizations.`,
      'base_url',
      'private_base_url',
    );
  }
}

/** Whether a base URL saved by `scope` may be private when the router connects (the operator's may). */
export const baseUrlTrustedFor = (scope: AdminScope): boolean => scope.kind === 'root';

import type { LookupAddress } from 'node:dns';
import { checkOutboundUrl as checkUrl, OutboundUrlError, type OutboundUrlProblem, type Resolver } from '@switchyard/http';
import { DocumentError } from '../pipeline/document.exception';

const MESSAGES: Record<OutboundUrlProblem, (host: string) => string> = {
  invalid: () => 'webhook_url is not a valid URL.',
  scheme: () => 'webhook_url must be http or https.',
  credentials: () => 'webhook_url must not contain credentials.',
  unresolvable: (host) => `webhook_url host '${host}' does not resolve.`,
  private: () => 'webhook_url points to a private, loopback or link-local address; set DOCUMENTS_ALLOW_PRIVATE_URLS=true to allow it.',
};

/**
 * Checks a webhook URL when a job is created (the outbound agent checks again on every delivery):
 * the shared outbound URL check, worded for `webhook_url`. A host that does not resolve may be
 * temporary, so that refusal is marked retryable.
 */
export async function checkOutboundUrl(raw: string, allowPrivate: boolean, resolve?: Resolver): Promise<LookupAddress[]> {
  try {
    return await checkUrl(raw, { allowPrivate, ...(resolve ? { resolve } : {}) });
  } catch (err) {
    if (!(err instanceof OutboundUrlError)) throw err;
    const host = URL.canParse(raw) ? new URL(raw).hostname.replace(/^\[|\]$/g, '') : '';
    throw new DocumentError('webhook_url_forbidden', MESSAGES[err.problem](host), err.problem !== 'unresolvable');
  }
}

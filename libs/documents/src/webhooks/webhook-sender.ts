import type { LookupAddress } from 'node:dns';
import { Agent, request } from 'undici';
import { checkOutboundUrl } from './url-guard';
import { signWebhook } from './webhook-signature';

export interface DeliveryOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  ok: boolean;
}

/**
 * POSTs a signed webhook. The host is resolved and checked first, and the connection goes to the
 * checked address (a pinned lookup), so DNS rebinding cannot slip a private address in between.
 */
export async function deliverWebhook(input: {
  url: string;
  payload: Record<string, unknown>;
  secret: string;
  allowPrivate: boolean;
  timeoutMs: number;
}): Promise<DeliveryOutcome> {
  const started = Date.now();
  const body = JSON.stringify(input.payload);
  let addresses: LookupAddress[];
  try {
    addresses = await checkOutboundUrl(input.url, input.allowPrivate);
  } catch (err) {
    return { statusCode: null, error: (err as Error).message, durationMs: Date.now() - started, ok: false };
  }
  const pinned = addresses[0] as LookupAddress;
  const agent = new Agent({
    connect: {
      lookup: (_host, options, cb) => {
        const all = (options as { all?: boolean }).all;
        if (all) (cb as (e: null, a: LookupAddress[]) => void)(null, [pinned]);
        else (cb as (e: null, a: string, f: number) => void)(null, pinned.address, pinned.family);
      },
    },
    headersTimeout: input.timeoutMs,
    bodyTimeout: input.timeoutMs,
  });
  try {
    const res = await request(input.url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'switchyard-documents-webhook/1',
        'x-gateway-signature': signWebhook(input.secret, body),
      },
      body,
      maxRedirections: 0,
    } as Parameters<typeof request>[1]);
    await res.body.dump();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { statusCode: res.statusCode, error: ok ? null : `receiver answered ${res.statusCode}`, durationMs: Date.now() - started, ok };
  } catch (err) {
    return { statusCode: null, error: (err as Error).message, durationMs: Date.now() - started, ok: false };
  } finally {
    await agent.close().catch(() => undefined);
  }
}

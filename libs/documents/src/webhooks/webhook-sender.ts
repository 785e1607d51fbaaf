import { createOutboundAgent, isPrivateAddressError, parseOutboundUrl } from '@switchyard/http';
import { request } from 'undici';
import { signWebhook } from './webhook-signature';

export interface DeliveryOutcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  ok: boolean;
}

/**
 * POSTs a signed webhook through the outbound agent, which checks the receiver's address after its
 * own DNS lookup (so DNS rebinding cannot slip a private address in) unless private URLs are allowed.
 */
export async function deliverWebhook(input: {
  url: string;
  payload: Record<string, unknown>;
  secret: string;
  allowPrivate: boolean;
  timeoutMs: number;
}): Promise<DeliveryOutcome> {
  const started = Date.now();
  const failed = (error: string): DeliveryOutcome => ({ statusCode: null, error, durationMs: Date.now() - started, ok: false });
  const body = JSON.stringify(input.payload);
  let url: URL;
  try {
    url = parseOutboundUrl(input.url);
  } catch (err) {
    return failed(`webhook_url refused: ${(err as Error).message}`);
  }
  const agent = createOutboundAgent({ allowPrivate: input.allowPrivate, headersTimeoutMs: input.timeoutMs, bodyTimeoutMs: input.timeoutMs });
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'switchyard-documents-webhook/1',
        'x-gateway-signature': signWebhook(input.secret, body),
      },
      body,
    });
    await res.body.dump();
    const ok = res.statusCode >= 200 && res.statusCode < 300;
    return { statusCode: res.statusCode, error: ok ? null : `receiver answered ${res.statusCode}`, durationMs: Date.now() - started, ok };
  } catch (err) {
    return failed(isPrivateAddressError(err) ? `webhook_url refused: ${(err as Error).message}` : (err as Error).message);
  } finally {
    await agent.close().catch(() => undefined);
  }
}

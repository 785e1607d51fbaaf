import { type GatewayClient } from '@switchyard/routing';
import { GatewayError } from '@switchyard/types';
import { ChatCallError, type ChatCaller, type ChatCompletion, type ChatContext } from '@switchyard/documents';

/**
 * Model calls of the worker go through the gateway in-process: resolved, retried and failed over like
 * any router request, with the tenant's own connections. Gateway errors become ChatCallErrors whose
 * `retryable` tells the page job whether another attempt can help.
 */
export class GatewayChatCaller implements ChatCaller {
  constructor(private readonly gateway: GatewayClient) {}

  async chat(ctx: ChatContext, body: Record<string, unknown>, opts: { signal?: AbortSignal } = {}): Promise<ChatCompletion> {
    try {
      return (await this.gateway.chat(ctx, body, opts)) as unknown as ChatCompletion;
    } catch (err) {
      if (err instanceof GatewayError) throw new ChatCallError(err.message, err.status, err.status === 429 || err.status >= 500);
      throw err;
    }
  }
}

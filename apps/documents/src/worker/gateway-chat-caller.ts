import type { TenantDirectory } from '@switchyard/auth';
import { type ChatCaller, ChatCallError } from '@switchyard/documents';
import { Cancellation, parseChatRequest, parseRequestControls, type GatewayClient } from '@switchyard/routing';
import { GatewayError, type CallContext, type ChatCompletion, type ChatRequest } from '@switchyard/types';

/**
 * Model calls of the worker go through the request pipeline in-process: resolved, retried, failed over and
 * priced like any router request, with the tenant's own connections. This is their edge: the job's project
 * is resolved once and the body parsed once (no headers, so only its body extensions are controls). The
 * answer's `usage.cost` is the pipeline's price of the call (left out when the model has none). Gateway
 * errors become ChatCallErrors whose `retryable` tells the page job whether another attempt can help.
 */
export class GatewayChatCaller implements ChatCaller {
  constructor(
    private readonly gateway: Pick<GatewayClient, 'execute'>,
    private readonly directory: Pick<TenantDirectory, 'projectById'>,
  ) {}

  async chat(ctx: CallContext, body: ChatRequest, opts: { signal?: AbortSignal } = {}): Promise<ChatCompletion> {
    try {
      const project = await this.directory.projectById(ctx.organizationId, ctx.projectId);
      const { request, extensions } = parseChatRequest({ ...body, stream: false });
      const controls = parseRequestControls({}, extensions);
      const result = await Cancellation.following(opts.signal, (cancel) => this.gateway.execute(ctx, project, request, controls, cancel));
      if (result.kind !== 'completion') throw new Error('unexpected stream');
      const completion = result.completion;
      const cost = result.usage?.cost;
      return cost === null || cost === undefined ? completion : { ...completion, usage: completion.usage && { ...completion.usage, cost } };
    } catch (err) {
      if (err instanceof GatewayError) throw new ChatCallError(err.message, err.status, err.status === 429 || err.status >= 500);
      throw err;
    }
  }
}

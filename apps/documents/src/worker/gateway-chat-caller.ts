import type { TenantDirectory } from '@switchyard/auth';
import { type ChatCaller, ChatCallError } from '@switchyard/documents';
import { Cancellation, parseChatRequest, parseRequestControls, callCost, type ExecutionResult, type GatewayClient, type RequestLogger } from '@switchyard/routing';
import { GatewayError, newId, type CallContext, type ChatCompletion, type ChatRequest } from '@switchyard/types';
import { loggedRequest } from './logged-request';

/**
 * Model calls of the worker go through the request pipeline in-process: resolved, retried, failed over and
 * priced like any router request, with the tenant's own connections. This is their edge: the job's project
 * is resolved once and the body parsed once (no headers, so only its body extensions are controls). The
 * answer's `usage.cost` is the pipeline's price of the call (left out when the model has none). Each call is
 * accounted like a router request: one log record (tagged with the document job's id; its request body without the
 * inline page images, see logged-request.ts), the metrics. Gateway
 * errors become ChatCallErrors whose `retryable` tells the page job whether another attempt can help.
 */
/** The path a document job's calls are recorded under (they enter the pipeline in process, not over HTTP). */
const DOCUMENTS_PATH = '/v1/chat/completions';

export class GatewayChatCaller implements ChatCaller {
  constructor(
    private readonly gateway: Pick<GatewayClient, 'execute'>,
    private readonly directory: Pick<TenantDirectory, 'projectById'>,
    private readonly logger: Pick<RequestLogger, 'begin'>,
  ) {}

  async chat(ctx: CallContext, body: ChatRequest, opts: { signal?: AbortSignal } = {}): Promise<ChatCompletion> {
    try {
      const project = await this.directory.projectById(ctx.organizationId, ctx.projectId);
      const { request, extensions } = parseChatRequest({ ...body, stream: false });
      const controls = parseRequestControls({}, extensions);
      if (ctx.trace) controls.trace = ctx.trace;
      const origin = { requestId: newId(), path: DOCUMENTS_PATH, requestType: 'chat.completions', documentJobId: ctx.documentJobId ?? null };
      const log = this.logger.begin(origin, ctx, project, request, controls, loggedRequest(request));
      let result: ExecutionResult;
      try {
        result = await Cancellation.following(opts.signal, (cancel) => this.gateway.execute(ctx, project, request, controls, cancel, log.attempts));
      } catch (err) {
        log.failed(err);
        throw err;
      }
      if (result.kind !== 'completion') throw new Error('unexpected stream');
      const completion = result.completion;
      log.end({ statusCode: 200, errorCode: null, result, responseText: JSON.stringify(completion) });
      const cost = callCost(result.usage, controls);
      return cost === null ? completion : { ...completion, usage: completion.usage && { ...completion.usage, cost } };
    } catch (err) {
      if (err instanceof GatewayError) throw new ChatCallError(err.message, err.status, err.status === 429 || err.status >= 500);
      throw err;
    }
  }
}

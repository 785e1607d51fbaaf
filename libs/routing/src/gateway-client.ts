import type { TenantDirectory } from '@switchyard/auth';
import type { AppConfig } from '@switchyard/config';
import { chatRequestSchema, GATEWAY_BODY_EXTENSIONS, invalidRequest, zodToGatewayError, type CallContext, type ChatRequest, type ChatRequestBody } from '@switchyard/types';
import type { ModelCatalog } from './catalog/catalog';
import type { Cancellation } from './cancellation';
import { executionPolicy } from './execution-policy';
import type { ExecutionResult, Executor } from './executor';
import { resolveModel, type RouteTarget } from './resolve-model';

export type RequestHeaders = Record<string, string | string[] | undefined>;

export interface PreparedCall {
  request: ChatRequest;
  targets: RouteTarget[];
  /** Whether the client asked for usage in the stream (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/**
 * The one in-process entry to the gateway: validates, resolves the model and its fallbacks, applies the
 * project's retry policy and runs the executor. The router's controller and the documents worker both
 * call it, so every LLM call is routed, retried and accounted for the same way.
 */
export class GatewayClient {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly catalog: ModelCatalog,
    private readonly executor: Executor,
    private readonly config: Pick<AppConfig, 'router'>,
  ) {}

  /** Runs a chat completion call; `cancel` is aborted when the caller goes away (a client disconnect, a cancelled job). */
  async execute(ctx: CallContext, body: unknown, headers: RequestHeaders, cancel: Cancellation): Promise<ExecutionResult & { includeUsage: boolean }> {
    const project = await this.directory.projectById(ctx.organizationId, ctx.projectId);
    const prepared = await this.prepare(ctx, body);
    const parsed = body as ChatRequestBody;
    const policy = executionPolicy(project.settings, headers, this.config.router, parsed.retry_params);
    const result = await this.executor.execute(prepared.request, prepared.targets, policy, cancel);
    return { ...result, includeUsage: prepared.includeUsage };
  }

  async prepare(ctx: CallContext, body: unknown): Promise<PreparedCall> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidRequest('The request body must be a JSON object.');
    const parsed = chatRequestSchema.safeParse(body);
    if (!parsed.success) throw zodToGatewayError(parsed.error);
    const input = parsed.data;
    const connections = await this.directory.connectionsOf(ctx.organizationId);
    const targets = resolveModel(input.model, connections, this.catalog);
    for (const fallback of input.fallback_models ?? []) {
      try {
        targets.push(...resolveModel(fallback, connections, this.catalog));
      } catch (err) {
        throw Object.assign(err as Error, { param: 'fallback_models' });
      }
    }
    // Forward the body as sent (unknown fields included), minus the gateway's own extensions.
    const request = { ...(body as Record<string, unknown>) } as ChatRequest;
    for (const key of GATEWAY_BODY_EXTENSIONS) delete request[key];
    return { request, targets, includeUsage: input.stream_options?.include_usage === true };
  }
}

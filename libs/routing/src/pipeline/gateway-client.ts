import type { ProjectSnapshot, TenantDirectory } from '@switchyard/auth';
import type { AppConfig } from '@switchyard/config';
import type { LogAttempt } from '@switchyard/metering';
import { GatewayError, type CallContext, type ChatRequest, type EndpointRequest } from '@switchyard/types';
import type { ModelCatalog } from '../catalog/catalog';
import type { Cancellation } from '../cancellation';
import { executionPolicy } from '../execution-policy';
import { endpointNotOffered, type EndpointResult, type ExecutionResult, type Executor } from '../executor';
import { resolveModel, type RouteTarget } from '../resolve-model';
import { admit, type AdmissionStage } from './admission';
import type { RequestControls } from './request-controls';

/** Who a call is made for: the caller's organization and key (null: an in-process call, e.g. a document job); the project is passed apart. */
export type Caller = Pick<CallContext, 'organizationId' | 'keyId'>;

/**
 * The request pipeline, after the edge has authenticated the caller, resolved the project and parsed the
 * request and its controls: resolve the targets, admit, execute (retries, fallbacks, held stream head) and
 * account (the executor hands each call's usage to the accounting stage: the result carries `usage`, with
 * the cost). The router's endpoints and the documents worker both call it, so every LLM call is routed,
 * retried and priced the same way. Failures are GatewayErrors mapped by `toGatewayError`.
 */
export class GatewayClient {
  constructor(
    private readonly directory: TenantDirectory,
    private readonly catalog: ModelCatalog,
    private readonly executor: Executor,
    private readonly config: Pick<AppConfig, 'router'>,
    private readonly admission: readonly AdmissionStage[] = [],
  ) {}

  /**
   * Runs a chat completion call; `cancel` is aborted when the caller goes away (a client disconnect, a cancelled
   * job); `attempts` (the request log's, when it records them) receives each upstream attempt.
   */
  async execute(
    call: Caller,
    project: ProjectSnapshot,
    request: ChatRequest,
    controls: RequestControls,
    cancel: Cancellation,
    attempts?: LogAttempt[],
  ): Promise<ExecutionResult> {
    const targets = await this.resolve(call, request.model, controls.fallbackModels);
    if (this.admission.length) await admit(this.admission, { call, project, operation: 'chat', request, controls, targets });
    const policy = executionPolicy(project.settings, controls, this.config.router);
    return this.executor.execute(request, targets, policy, cancel, attempts);
  }

  /**
   * Runs a call of another endpoint (embeddings, completions, images, speech, transcription) through the same
   * stages. Targets whose provider does not offer the endpoint are left out at resolve time (so a fallback to one
   * that does still serves); when none is left, a 400 names the providers.
   */
  async executeEndpoint(
    call: Caller,
    project: ProjectSnapshot,
    request: EndpointRequest,
    controls: RequestControls,
    cancel: Cancellation,
    attempts?: LogAttempt[],
  ): Promise<EndpointResult> {
    const resolved = await this.resolve(call, request.body.model, controls.fallbackModels);
    const targets = resolved.filter((t) => this.executor.offers(t.connection.provider, request.operation));
    if (!targets.length) {
      const providers = [...new Set(resolved.map((t) => t.connection.provider))].join(', ');
      throw new GatewayError(400, 'invalid_request_error', 'endpoint_not_supported', endpointNotOffered(request.operation, providers), { param: 'model' });
    }
    if (this.admission.length) await admit(this.admission, { call, project, operation: request.operation, request: request.body, controls, targets });
    const policy = executionPolicy(project.settings, controls, this.config.router);
    return this.executor.executeEndpoint(request, targets, policy, cancel, attempts);
  }

  /** Stage 3, resolve: the model's targets in order, then each fallback model's. */
  private async resolve(call: Caller, model: string, fallbackModels: readonly string[]): Promise<RouteTarget[]> {
    const connections = await this.directory.connectionsOf(call.organizationId);
    const targets = resolveModel(model, connections, this.catalog);
    for (const fallback of fallbackModels) {
      try {
        targets.push(...resolveModel(fallback, connections, this.catalog));
      } catch (err) {
        throw Object.assign(err as Error, { param: 'fallback_models' });
      }
    }
    return targets;
  }
}

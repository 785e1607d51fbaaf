import type { ProjectSnapshot } from '@switchyard/auth';
import type { ChatRequest, EndpointOperation, EndpointRequest } from '@switchyard/types';
import type { RouteTarget } from '../resolve-model';
import type { Caller } from './gateway-client';
import type { RequestControls } from './request-controls';

/** What an admission stage sees of one call, its targets resolved. */
export interface AdmissionContext {
  call: Caller;
  project: ProjectSnapshot;
  /** What is asked: a chat completion, or another endpoint's operation (embeddings, images…). */
  operation: 'chat' | EndpointOperation;
  request: ChatRequest | EndpointRequest['body'];
  controls: RequestControls;
  targets: RouteTarget[];
}

/**
 * Stage 4, admit: decides whether a call may go upstream, before any attempt. It throws a GatewayError to
 * refuse (429 with Retry-After over a rate limit, budget or quota; 400 for a DLP block) and may narrow
 * `targets` (a breaker that is open). None is configured yet; rate limits, budgets, the cache lookup and
 * DLP come as stages here, at most one Redis round trip in all, none when the project configures none.
 */
export interface AdmissionStage {
  readonly name: string;
  admit(ctx: AdmissionContext): void | Promise<void>;
}

/** Runs the stages in order. */
export async function admit(stages: readonly AdmissionStage[], ctx: AdmissionContext): Promise<void> {
  for (const stage of stages) await stage.admit(ctx);
}

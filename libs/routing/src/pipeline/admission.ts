import type { ProjectSnapshot } from '@switchyard/auth';
import type { UsageRecord } from '@switchyard/metering';
import type { NativeProtocol } from '@switchyard/providers';
import type { ChatRequest, EndpointOperation, EndpointRequest, GatewayError } from '@switchyard/types';
import type { RouteTarget } from '../resolve-model';
import type { Caller } from './gateway-client';
import type { RequestControls } from './request-controls';

/** What an admission stage sees of one call, its targets resolved. */
export interface AdmissionContext {
  call: Caller;
  project: ProjectSnapshot;
  /**
   * What is asked: a chat completion, another endpoint's operation (embeddings, images…), a passed-through Responses
   * or Messages body, or a call on a provider's own path (`provider`).
   */
  operation: 'chat' | EndpointOperation | NativeProtocol | 'provider';
  request: ChatRequest | EndpointRequest['body'];
  controls: RequestControls;
  targets: RouteTarget[];
}

/**
 * What a stage that reserved something hands back: response headers for the call (e.g. `x-ratelimit-*`), and
 * the second step after the call, off the response path: `settle` with the call's usage once it is known (a
 * completion at once, a stream when it ends), or `release` when the call failed or the client left.
 */
export interface AdmissionTicket {
  readonly headers: Readonly<Record<string, string>>;
  settle(usage: UsageRecord | null): void;
  release(): void;
  /** What the executor asks before each target it tries (connections' own rate limits); absent: nothing to ask. */
  readonly gate?: TargetGate;
}

/**
 * Asked by the executor before it tries a target: the target to try (itself, or moved to another connection of
 * the same provider), or null when it is to be skipped (`refusal` then holds the 429 the call ends with if no
 * later target answers). Synchronous when there is nothing to reserve; a Redis round trip only when there is.
 */
export interface TargetGate {
  enter(target: RouteTarget): RouteTarget | null | Promise<RouteTarget | null>;
  readonly refusal: GatewayError | null;
}

/**
 * Stage 4, admit: decides whether a call may go upstream, before any attempt. It throws a GatewayError to
 * refuse (429 with Retry-After over a rate limit, budget or quota; 400 for a DLP block) and may narrow
 * `targets` (a breaker that is open). A stage that reserves (limits, budgets) returns a ticket. At most one
 * Redis round trip in all, none when the project configures none (a ticket's gate may make one more later, when
 * the executor moves to a target on a limited connection the call has not used).
 */
export interface AdmissionStage {
  readonly name: string;
  admit(ctx: AdmissionContext): void | AdmissionTicket | Promise<void | AdmissionTicket>;
}

/** Runs the stages in order; the tickets of the stages that reserved. A refusal releases what earlier stages reserved. */
export async function admit(stages: readonly AdmissionStage[], ctx: AdmissionContext): Promise<AdmissionTicket[]> {
  const tickets: AdmissionTicket[] = [];
  try {
    for (const stage of stages) {
      const ticket = await stage.admit(ctx);
      if (ticket) tickets.push(ticket);
    }
  } catch (err) {
    for (const t of tickets) t.release();
    throw err;
  }
  return tickets;
}

import type { CallContext, ChatCompletion, ChatRequest } from '@switchyard/types';

/** A chat completion with, set by the caller (not the wire), the provider and its own model id that answered (for pricing). */
export type ServedCompletion = ChatCompletion & { served?: { provider: string; model: string } };

/** The in-process model call, made for a tenant (metered and logged against it): the worker binds it to `GatewayClient` (see gateway-chat-caller.ts). */
export interface ChatCaller {
  chat(ctx: CallContext, body: ChatRequest, opts?: { signal?: AbortSignal }): Promise<ServedCompletion>;
}

export const CHAT_CALLER = Symbol('CHAT_CALLER');

/** Failure of a model call; `retryable` for provider errors worth another attempt (429, 5xx, network). */
export class ChatCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'ChatCallError';
  }
}

import type { CallContext, ChatCompletion, ChatRequest } from '@switchyard/types';

/** The in-process model call, made for a tenant (metered and logged against it): the worker binds it to `GatewayClient` (see gateway-chat-caller.ts). */
export interface ChatCaller {
  chat(ctx: CallContext, body: ChatRequest, opts?: { signal?: AbortSignal }): Promise<ChatCompletion>;
}

export const CHAT_CALLER = Symbol('CHAT_CALLER');

/** Parameters a job sets on each request to its model (a page's transcription, an extraction attempt). */
export type ModelParams = Pick<ChatRequest, 'temperature' | 'max_tokens' | 'reasoning_effort'>;

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

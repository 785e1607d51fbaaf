/** Who a model call is made for: metered and logged against this tenant. */
export interface ChatContext {
  organizationId: string;
  projectId: string;
  keyId: string | null;
}

/** The OpenAI chat.completions response, as much of it as the pipeline reads. */
export interface ChatCompletion {
  id?: string;
  model?: string;
  choices: { index?: number; message: { role: string; content: string | null }; finish_reason?: string | null }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    total_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
    cost?: number;
  };
  [key: string]: unknown;
}

/** The in-process model call: the worker binds it to `GatewayClient` (see gateway-chat-caller.ts). */
export interface ChatCaller {
  chat(ctx: ChatContext, body: Record<string, unknown>, opts?: { signal?: AbortSignal }): Promise<ChatCompletion>;
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

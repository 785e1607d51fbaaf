import { request } from 'undici';

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
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; cost?: number };
  [key: string]: unknown;
}

/**
 * The in-process model call. Exactly the signature of `GatewayClient.chat` from `@switchyard/routing`
 * (router core): once that lands, bind CHAT_CALLER to the GatewayClient instance (see worker.module.ts).
 */
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

/**
 * A ChatCaller over HTTP to an OpenAI-compatible `/chat/completions` (DOCUMENTS_VISION_BASE_URL).
 * The stopgap until GatewayClient is available, and what tests use against the loopback mock server.
 */
export class HttpChatCaller implements ChatCaller {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | null,
    private readonly timeoutMs = 120_000,
  ) {}

  async chat(_ctx: ChatContext, body: Record<string, unknown>, opts: { signal?: AbortSignal } = {}): Promise<ChatCompletion> {
    let res;
    try {
      res = await request(`${this.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: opts.signal,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw new ChatCallError(`model endpoint unreachable: ${(err as Error).message}`, null, true);
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      const retryable = res.statusCode === 408 || res.statusCode === 429 || res.statusCode >= 500;
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        // not JSON
      }
      throw new ChatCallError(`model returned ${res.statusCode}: ${message}`, res.statusCode, retryable);
    }
    try {
      return JSON.parse(text) as ChatCompletion;
    } catch {
      throw new ChatCallError('model returned a body that is not JSON', res.statusCode, true);
    }
  }
}

/** Bound when no model route exists in this process: every call fails with a clear, permanent error. */
export class UnavailableChatCaller implements ChatCaller {
  chat(_ctx: ChatContext, body: Record<string, unknown>): Promise<ChatCompletion> {
    return Promise.reject(
      new ChatCallError(
        `Model '${String(body['model'])}' cannot be called: no model gateway is configured for the documents worker. ` +
          `Use model 'local-ocr/tesseract' for OCR, or set DOCUMENTS_VISION_BASE_URL.`,
        null,
        false,
      ),
    );
  }
}

import { tokenUsageOf, type UsageRecord } from '@switchyard/metering';
import type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatRequest, Usage } from '@switchyard/types';
import type { ExecutionMeta, ExecutionResult } from '../executor';
import type { RouteTarget } from '../resolve-model';

/** The provider named in the answer's headers and the log when the model did not resolve to a connection. */
export const MOCK_PROVIDER = 'mock';

/**
 * The answer to a request with `mock_response` (LiteLLM's body extension): the given text as a completion,
 * or as a stream chunked like a real one (role, one chunk per word, finish, usage), without any provider call.
 * `target` is the first target the model resolved to (named in the meta and the log), when it resolved.
 * Usage is estimated (about 4 characters a token) and costs 0.
 */
export function mockResult(request: ChatRequest, text: string, target: RouteTarget | undefined): ExecutionResult {
  const meta: ExecutionMeta = {
    provider: target?.connection.provider ?? MOCK_PROVIDER,
    model: target?.upstreamModel ?? request.model,
    connectionId: target?.connection.id ?? '',
    step: 0,
    attempts: 0,
    firstByteMs: 0,
  };
  const usage = mockUsage(request.messages, text);
  const record: UsageRecord = { provider: meta.provider, model: meta.model, tokens: tokenUsageOf(usage), cost: 0 };
  const id = `chatcmpl-mock-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  if (request.stream !== true) {
    const completion: ChatCompletion = {
      id,
      object: 'chat.completion',
      created,
      model: meta.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage,
    };
    return { kind: 'completion', completion, meta, usage: record };
  }
  const chunks = mockChunks(id, created, meta.model, text, usage);
  // Held like a real stream: up to and including the first content (the role chunk and the first word).
  const head = chunks.splice(0, 2);
  return { kind: 'stream', head, tail: batches(chunks), meta, usage: record };
}

/** The chunks of a mocked stream: the role, one chunk per word (with its trailing space), the finish, the usage. */
export function mockChunks(id: string, created: number, model: string, text: string, usage: Usage): ChatCompletionChunk[] {
  const chunk = (delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | null = null): ChatCompletionChunk => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const words = text.match(/\s*\S+\s*/g) ?? [];
  return [
    chunk({ role: 'assistant', content: '' }),
    ...words.map((w) => chunk({ content: w })),
    chunk({}, 'stop'),
    { id, object: 'chat.completion.chunk', created, model, choices: [], usage },
  ];
}

/** Estimated usage: about 4 characters a token, at least 1 for any text. */
export function mockUsage(messages: readonly ChatMessage[], text: string): Usage {
  let chars = 0;
  for (const m of messages) {
    if (typeof m.content === 'string') chars += m.content.length;
    else if (Array.isArray(m.content)) for (const p of m.content) if (p.type === 'text' && typeof p['text'] === 'string') chars += p['text'].length;
  }
  const tokens = (n: number) => Math.ceil(n / 4);
  const prompt = tokens(chars);
  const completion = tokens(text.length);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

async function* batches(chunks: ChatCompletionChunk[]): AsyncGenerator<ChatCompletionChunk[], void, undefined> {
  for (const chunk of chunks) yield [chunk];
}

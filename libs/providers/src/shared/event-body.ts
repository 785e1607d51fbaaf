/**
 * The final answer of a passed-through event stream, assembled (never changed) from the provider's own events for
 * the request log's response body, as a translated stream's completion is: Anthropic's Message from its events
 * (Anthropic, Vertex and Bedrock Claude alike), the Response of the terminal Responses event.
 */
export interface SseBodyAssembler {
  push(event: { event?: string; data: string }): void;
  /** The answer so far (null before the stream said anything usable). */
  body(): unknown;
}

const parsed = (data: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(data);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

type Block = Record<string, unknown> & { type?: string };

/** Anthropic's `message_start`, `content_block_*`, `message_delta` events into the `Message` they describe. */
export function anthropicMessageAssembler(): SseBodyAssembler {
  let message: (Record<string, unknown> & { content: Block[]; usage?: Record<string, unknown> }) | null = null;
  const partialJson = new Map<number, string>();
  const append = (block: Block | undefined, key: string, piece: unknown) => {
    if (block && typeof piece === 'string') block[key] = String(block[key] ?? '') + piece;
  };
  return {
    push({ data }) {
      const e = parsed(data);
      if (!e) return;
      const index = typeof e['index'] === 'number' ? e['index'] : -1;
      const block = message?.content[index];
      switch (e['type']) {
        case 'message_start':
          message = { ...(e['message'] as Record<string, unknown>), content: [] };
          break;
        case 'content_block_start':
          if (message && index >= 0) message.content[index] = { ...(e['content_block'] as Block) };
          break;
        case 'content_block_delta': {
          const delta = (e['delta'] ?? {}) as Record<string, unknown>;
          if (delta['type'] === 'text_delta') append(block, 'text', delta['text']);
          else if (delta['type'] === 'thinking_delta') append(block, 'thinking', delta['thinking']);
          else if (delta['type'] === 'signature_delta' && block) block['signature'] = delta['signature'];
          else if (delta['type'] === 'input_json_delta' && typeof delta['partial_json'] === 'string') partialJson.set(index, (partialJson.get(index) ?? '') + delta['partial_json']);
          else if (delta['type'] === 'citations_delta' && block) block['citations'] = [...((block['citations'] as unknown[]) ?? []), delta['citation']];
          break;
        }
        case 'content_block_stop': {
          const json = partialJson.get(index);
          if (block && json) block['input'] = parsed(json) ?? json;
          partialJson.delete(index);
          break;
        }
        case 'message_delta':
          if (message) {
            Object.assign(message, e['delta']);
            if (e['usage']) message.usage = { ...message.usage, ...(e['usage'] as Record<string, unknown>) };
          }
          break;
      }
    },
    body: () => message,
  };
}

const TERMINAL_RESPONSES_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The Responses API's stream: its terminal event carries the whole Response. */
export function responsesBodyAssembler(): SseBodyAssembler {
  let response: unknown = null;
  return {
    push({ event, data }) {
      // The `event:` line names it; a stream without them says it in the data's `type`.
      if (event ? !TERMINAL_RESPONSES_EVENTS.has(event) : !data.includes('"response.')) return;
      const e = parsed(data);
      if (e && TERMINAL_RESPONSES_EVENTS.has(String(e['type'] ?? event))) response = e['response'] ?? response;
    },
    body: () => response,
  };
}

/** Chat bodies as the console renders them, and the streamed answer of the playground. Pure: chat.spec.ts. */
export interface ChatLine {
  role: string;
  text: string;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (part && typeof part === 'object') {
          const p = part as Record<string, unknown>;
          if (typeof p['text'] === 'string') return p['text'];
          if (p['type'] === 'image_url') return '[image]';
          return `[${String(p['type'] ?? 'part')}]`;
        }
        return String(part);
      })
      .join('\n');
  }
  return content === null || content === undefined ? '' : JSON.stringify(content);
}

/** The messages of a stored request body (`messages`, or Responses `input`), else null (shown as JSON). */
export function requestMessages(body: unknown): ChatLine[] | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const list = Array.isArray(b['messages']) ? b['messages'] : Array.isArray(b['input']) ? b['input'] : null;
  if (!list) return null;
  return list.map((m: unknown) => {
    const msg = (m ?? {}) as Record<string, unknown>;
    return { role: String(msg['role'] ?? msg['type'] ?? 'message'), text: textOf(msg['content']) };
  });
}

/** The assistant messages of a stored chat completion response, or the text of an SSE stream's deltas. */
export function responseMessages(body: unknown): ChatLine[] | null {
  if (typeof body === 'string') {
    const text = sseText(body);
    return text === null ? null : [{ role: 'assistant', text }];
  }
  if (!body || typeof body !== 'object') return null;
  const choices = (body as Record<string, unknown>)['choices'];
  if (!Array.isArray(choices)) return null;
  return choices.map((c: unknown) => {
    const message = ((c ?? {}) as Record<string, unknown>)['message'] as Record<string, unknown> | undefined;
    return { role: String(message?.['role'] ?? 'assistant'), text: textOf(message?.['content']) };
  });
}

/**
 * Feeds SSE text to a parser that keeps the incomplete tail: returns the content deltas of complete `data:` events.
 * `[DONE]` ends the stream; an `error` event throws its message.
 */
export function createSseReader(): (chunk: string) => { deltas: string[]; done: boolean } {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    const events = buffer.split(/\r?\n\r?\n/);
    buffer = events.pop() ?? '';
    const deltas: string[] = [];
    let done = false;
    for (const event of events) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      if (!data) continue;
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      const parsed = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string | null } }>; error?: { message?: string } };
      if (parsed.error) throw new Error(parsed.error.message ?? 'The stream failed.');
      const delta = parsed.choices?.[0]?.delta?.content;
      if (delta) deltas.push(delta);
    }
    return { deltas, done };
  };
}

/** The whole text of a stored SSE response, or null when it is not one. */
export function sseText(body: string): string | null {
  if (!body.trimStart().startsWith('data:')) return null;
  try {
    return createSseReader()(`${body}\n\n`).deltas.join('');
  } catch {
    return null;
  }
}

import type { ChatCompletion, ChatCompletionChoice, ChatCompletionChunk, ToolCall, Usage } from '@switchyard/types';

interface ChoiceState {
  content: string | null;
  reasoning: string | null;
  refusal: string | null;
  toolCalls: ToolCall[];
  finishReason: ChatCompletionChoice['finish_reason'];
}

/**
 * Assembles the chunks of a stream, as the client received them, into the completion they add up to
 * (content, reasoning, refusal, tool calls, finish reason, usage): what the request log stores as the
 * response of a stream.
 */
export class StreamAssembler {
  private id = '';
  private created = 0;
  private model = '';
  private usage: Usage | undefined;
  private readonly choices = new Map<number, ChoiceState>();

  push(chunks: readonly ChatCompletionChunk[]): void {
    for (const chunk of chunks) {
      this.id ||= chunk.id;
      this.created ||= chunk.created;
      this.model ||= chunk.model;
      if (chunk.usage) this.usage = chunk.usage;
      for (const c of chunk.choices) {
        const state = this.choice(c.index);
        const { content, reasoning_content: reasoning, refusal, tool_calls: toolCalls } = c.delta;
        if (content) state.content = (state.content ?? '') + content;
        if (reasoning) state.reasoning = (state.reasoning ?? '') + reasoning;
        if (refusal) state.refusal = (state.refusal ?? '') + refusal;
        for (const t of toolCalls ?? []) {
          const call = (state.toolCalls[t.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
          if (t.id) call.id = t.id;
          if (t.function?.name) call.function.name += t.function.name;
          if (t.function?.arguments) call.function.arguments += t.function.arguments;
        }
        if (c.finish_reason) state.finishReason = c.finish_reason;
      }
    }
  }

  /** The completion the chunks so far add up to. */
  completion(): ChatCompletion {
    const choices: ChatCompletionChoice[] = [...this.choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, s]) => ({
        index,
        message: {
          role: 'assistant',
          content: s.content,
          ...(s.reasoning !== null ? { reasoning_content: s.reasoning } : {}),
          ...(s.refusal !== null ? { refusal: s.refusal } : {}),
          ...(s.toolCalls.length ? { tool_calls: s.toolCalls.filter(Boolean) } : {}),
        },
        finish_reason: s.finishReason,
      }));
    return { id: this.id, object: 'chat.completion', created: this.created, model: this.model, choices, ...(this.usage ? { usage: this.usage } : {}) };
  }

  private choice(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) this.choices.set(index, (state = { content: null, reasoning: null, refusal: null, toolCalls: [], finishReason: null }));
    return state;
  }
}

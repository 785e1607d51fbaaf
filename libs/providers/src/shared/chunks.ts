import type { ChatCompletionChunk, ChunkDelta, FinishReason, ThinkingBlock, Usage } from '@switchyard/types';
import { randomBytes } from 'node:crypto';

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const randomId = (prefix: string): string => `${prefix}${randomBytes(12).toString('base64url')}`;

/** Builds OpenAI `chat.completion.chunk` objects for one stream (same id, created and model on each). */
export class ChunkBuilder {
  id: string;
  model: string;
  readonly created = nowSeconds();
  private roleSent = false;

  constructor(id: string, model: string) {
    this.id = id;
    this.model = model;
  }

  private chunk(delta: ChunkDelta, finish: FinishReason | null = null, index = 0): ChatCompletionChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index, delta, finish_reason: finish }] };
  }

  /** The first chunk: `{role:'assistant', content:''}` (sent once). */
  role(out: ChatCompletionChunk[]): void {
    if (this.roleSent) return;
    this.roleSent = true;
    out.push(this.chunk({ role: 'assistant', content: '' }));
  }

  content(out: ChatCompletionChunk[], text: string, index = 0): void {
    this.role(out);
    if (text) out.push(this.chunk({ content: text }, null, index));
  }

  reasoning(out: ChatCompletionChunk[], text: string, index = 0): void {
    this.role(out);
    if (text) out.push(this.chunk({ reasoning_content: text }, null, index));
  }

  /** A completed thinking block (with its signature, or redacted), for the client to send back. */
  thinkingBlock(out: ChatCompletionChunk[], block: ThinkingBlock, index = 0): void {
    this.role(out);
    out.push(this.chunk({ thinking_blocks: [block] }, null, index));
  }

  toolStart(out: ChatCompletionChunk[], toolIndex: number, id: string, name: string, index = 0): void {
    this.role(out);
    out.push(this.chunk({ tool_calls: [{ index: toolIndex, id, type: 'function', function: { name, arguments: '' } }] }, null, index));
  }

  /** An argument fragment, passed on exactly as received. */
  toolArguments(out: ChatCompletionChunk[], toolIndex: number, fragment: string, index = 0): void {
    if (fragment === '') return;
    out.push(this.chunk({ tool_calls: [{ index: toolIndex, function: { arguments: fragment } }] }, null, index));
  }

  finish(out: ChatCompletionChunk[], reason: FinishReason, index = 0): void {
    this.role(out);
    out.push(this.chunk({}, reason, index));
  }

  usage(out: ChatCompletionChunk[], usage: Usage): void {
    out.push({ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage });
  }
}

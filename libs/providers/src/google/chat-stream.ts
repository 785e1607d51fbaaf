import type { ChatCompletionChunk } from '@switchyard/types';
import { ChunkBuilder, randomId } from '../shared/chunks';
import { SseDecoder } from '../shared/sse';
import { ProviderStreamError, type StreamDecoder } from '../types';
import { geminiFinish, geminiStreamError, toolCallId } from './chat-response';
import type { GeminiResponse, GeminiUsageMetadata } from './types';
import { geminiUsage } from './usage';

/**
 * `streamGenerateContent?alt=sse`: each event is a whole GenerateContentResponse. There is no [DONE]: the
 * stream is complete once a candidate carried a finishReason. Function calls arrive whole and are sent as a
 * tool call start followed by the complete argument JSON. Finish and usage chunks are sent when the body ends
 * (the last event carries the final usageMetadata).
 */
export class GeminiStreamDecoder implements StreamDecoder {
  private readonly sse = new SseDecoder();
  private readonly chunks: ChunkBuilder;
  private readonly finishes = new Map<number, string>();
  private readonly toolCounts = new Map<number, number>();
  private usage: GeminiUsageMetadata | undefined;
  private blocked = false;
  private ended = false;

  constructor(model: string) {
    this.chunks = new ChunkBuilder(randomId('chatcmpl-'), model);
  }

  push(bytes: Uint8Array): ChatCompletionChunk[] {
    return this.decode(this.sse.push(bytes));
  }

  end(): ChatCompletionChunk[] {
    const out = this.decode(this.sse.end());
    if (this.ended) return out;
    this.ended = true;
    if (!this.finishes.size && !this.blocked) throw new ProviderStreamError('Gemini closed the stream before a finishReason.', 502, 'stream_incomplete');
    if (this.blocked && !this.finishes.size) this.chunks.finish(out, 'content_filter');
    for (const [index, reason] of [...this.finishes.entries()].sort((a, b) => a[0] - b[0])) {
      this.chunks.finish(out, geminiFinish(reason, (this.toolCounts.get(index) ?? 0) > 0), index);
    }
    this.chunks.usage(out, geminiUsage(this.usage));
    return out;
  }

  private decode(events: { data: string }[]): ChatCompletionChunk[] {
    const out: ChatCompletionChunk[] = [];
    for (const e of events) {
      const data = e.data.trim();
      if (!data) continue;
      let res: GeminiResponse;
      try {
        res = JSON.parse(data) as GeminiResponse;
      } catch {
        throw new ProviderStreamError('Gemini sent a malformed stream event.', 502, 'malformed_stream');
      }
      if (res.error) throw geminiStreamError(res.error);
      if (res.responseId) this.chunks.id = `chatcmpl-${res.responseId}`;
      if (res.modelVersion) this.chunks.model = res.modelVersion;
      if (res.usageMetadata) this.usage = res.usageMetadata;
      if (res.promptFeedback?.blockReason) this.blocked = true;
      this.chunks.role(out);
      for (const [i, c] of (res.candidates ?? []).entries()) {
        const index = c.index ?? i;
        for (const part of c.content?.parts ?? []) {
          if (typeof part.text === 'string') {
            if (part.thought) this.chunks.reasoning(out, part.text, index);
            else this.chunks.content(out, part.text, index);
          } else if (part.functionCall) {
            const fc = part.functionCall;
            const toolIndex = this.toolCounts.get(index) ?? 0;
            this.toolCounts.set(index, toolIndex + 1);
            this.chunks.toolStart(out, toolIndex, toolCallId(part), fc.name, index);
            this.chunks.toolArguments(out, toolIndex, JSON.stringify(fc.args ?? {}), index);
          }
        }
        if (c.finishReason) {
          geminiFinish(c.finishReason, false); // raises at once for MALFORMED_FUNCTION_CALL and the like
          this.finishes.set(index, c.finishReason);
        }
      }
    }
    return out;
  }
}

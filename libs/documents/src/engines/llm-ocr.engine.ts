import type { CallContext, ChatCompletion, ChatRequest } from '@switchyard/types';
import { ChatCallError, type ChatCaller, type ModelParams } from './chat-caller';
import type { OcrEngine, PageImage, Transcription } from './ocr-engine';
import { stripCodeFence, TRANSCRIBE_SYSTEM_PROMPT } from './prompts';

/** A vision model behind the gateway: the page goes as a base64 `image_url` data URL, at temperature 0 unless `params` says otherwise. */
export class LlmOcrEngine implements OcrEngine {
  readonly imageFormat = 'jpeg' as const;

  constructor(
    private readonly caller: ChatCaller,
    readonly model: string,
    private readonly params: ModelParams = {},
  ) {}

  async transcribe(ctx: CallContext, image: PageImage, page: { number: number; signal?: AbortSignal }): Promise<Transcription> {
    const body: ChatRequest = {
      model: this.model,
      temperature: 0,
      ...this.params,
      messages: [
        { role: 'system', content: TRANSCRIBE_SYSTEM_PROMPT },
        {
          role: 'user',
          content: [
            { type: 'text', text: `Transcribe page ${page.number} to Markdown.` },
            { type: 'image_url', image_url: { url: `data:${image.mime};base64,${image.data.toString('base64')}`, detail: 'high' } },
          ],
        },
      ],
    };
    const res = await this.caller.chat(ctx, body, { signal: page.signal });
    return { markdown: stripCodeFence(contentOf(res)), ...usageOf(res) };
  }
}

export function contentOf(res: ChatCompletion): string {
  const choice = res.choices?.[0];
  if (!choice) throw new ChatCallError('model response has no choices', null, true);
  return choice.message?.content ?? '';
}

export function usageOf(res: ChatCompletion): { inputTokens: number; outputTokens: number; cost: number } {
  const cost = Number(res.usage?.cost ?? (res as { cost?: unknown }).cost ?? 0);
  return {
    inputTokens: res.usage?.prompt_tokens ?? 0,
    outputTokens: res.usage?.completion_tokens ?? 0,
    cost: Number.isFinite(cost) ? cost : 0,
  };
}

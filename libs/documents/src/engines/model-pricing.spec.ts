import type { ChatRequest } from '@switchyard/types';
import type { ChatCaller, ServedCompletion } from './chat-caller';
import { costOf, PricedChatCaller, type ModelPrice } from './model-pricing';

const price: ModelPrice = { input_per_mtok: 0.15, output_per_mtok: 0.6, cached_input_per_mtok: 0.075 };
const ctx = { organizationId: 'o', projectId: 'p', keyId: null };
const request: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'q' }] };
const answer = (extra: Partial<ServedCompletion>): ChatCaller => ({
  chat: async () => ({
    id: 'c',
    object: 'chat.completion',
    created: 0,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
    ...extra,
  }),
});

describe('page cost from the model catalog', () => {
  it('prices prompt, cached prompt and completion tokens per million', () => {
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 200 }, price)).toBeCloseTo(0.00027, 12);
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 400 } }, price)).toBeCloseTo(0.00012, 12);
    expect(costOf({ prompt_tokens: 1000, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 400 } }, { ...price, cached_input_per_mtok: null })).toBeCloseTo(0.00015, 12);
    expect(costOf(undefined, price)).toBe(0);
  });

  it('fills usage.cost from the provider and model that answered; leaves a given cost and unknown models alone', async () => {
    const asked: string[] = [];
    const pricing = { priceOf: (provider: string, model: string) => (asked.push(`${provider}/${model}`), model === 'gpt-4o-mini' ? price : undefined) };
    const served = { provider: 'openai', model: 'gpt-4o-mini' };
    expect((await new PricedChatCaller(answer({ served }), pricing).chat(ctx, request)).usage?.cost).toBeCloseTo(0.00027, 12);
    expect(asked).toEqual(['openai/gpt-4o-mini']);
    const withCost = answer({ served, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost: 0.5 } });
    expect((await new PricedChatCaller(withCost, pricing).chat(ctx, request)).usage?.cost).toBe(0.5);
    expect((await new PricedChatCaller(answer({ served: { provider: 'openai-compatible', model: 'llama' } }), pricing).chat(ctx, request)).usage?.cost).toBeUndefined();
    expect((await new PricedChatCaller(answer({}), pricing).chat(ctx, request)).usage?.cost).toBeUndefined();
  });
});

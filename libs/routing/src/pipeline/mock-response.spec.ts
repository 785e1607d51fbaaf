import type { ResolvedConnection } from '@switchyard/auth';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/types';
import type { RouteTarget } from '../resolve-model';
import { MOCK_PROVIDER, mockResult, mockUsage } from './mock-response';

const request = (stream: boolean): ChatRequest => ({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }], stream });
const target = { connection: { id: 'c-1', provider: 'openai' } as ResolvedConnection, upstreamModel: 'gpt-4o-mini', requested: 'openai/gpt-4o-mini' } as RouteTarget;

async function allChunks(result: ReturnType<typeof mockResult>): Promise<ChatCompletionChunk[]> {
  if (result.kind !== 'stream') throw new Error('not a stream');
  const out = [...result.head];
  for await (const batch of result.tail) out.push(...batch);
  return out;
}

describe('mock_response', () => {
  it('answers a completion named after the resolved target, usage estimated, cost 0, no attempt', () => {
    const result = mockResult(request(false), 'Hi!', target);
    expect(result).toMatchObject({
      kind: 'completion',
      meta: { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c-1', attempts: 0, step: 0 },
      completion: { object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
      usage: { provider: 'openai', model: 'gpt-4o-mini', cost: 0, tokens: { input: 3, output: 1 } },
    });
  });

  it('names the mock provider and the model as sent when nothing resolved', () => {
    expect(mockResult(request(false), 'x', undefined).meta).toMatchObject({ provider: MOCK_PROVIDER, model: 'openai/gpt-4o-mini', connectionId: '' });
  });

  it('streams the role, one chunk per word, the finish and the usage; the head holds the first content', async () => {
    const result = mockResult(request(true), ' Hello  big world ', target);
    expect(result.kind === 'stream' && result.head.map((c) => c.choices[0]?.delta.content)).toEqual(['', ' Hello  ']);
    const chunks = await allChunks(result);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', ' Hello  ', 'big ', 'world ', null, null]);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(' Hello  big world ');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it('streams an empty text as a role and a finish chunk', async () => {
    const chunks = await allChunks(mockResult(request(true), '', target));
    expect(chunks.map((c) => (c.choices.length ? c.choices[0]!.finish_reason : 'usage'))).toEqual([null, 'stop', 'usage']);
  });

  it('estimates about 4 characters a token over the text of every message', () => {
    expect(mockUsage([{ role: 'system', content: 'abcd' }, { role: 'user', content: 'efgh i' }], '')).toEqual({ prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 });
  });
});

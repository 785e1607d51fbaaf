import type { ChatRequest } from '@switchyard/types';
import { azureOpenAIAdapter } from '../azure-openai';
import { openaiAdapter } from '../openai';
import { UnsupportedParameterError, type AdapterContext, type ModelParameterRules } from '../types';
import { applyModelParameters } from './model-parameters';

const REASONING: ModelParameterRules = {
  rename: { max_tokens: 'max_completion_tokens' },
  system_role: 'developer',
  accepted_defaults: { temperature: 1, top_p: 1 },
  unsupported: ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs', 'top_logprobs', 'logit_bias'],
};

const fit = (body: Record<string, unknown>, drop = false) => {
  const out = structuredClone(body);
  applyModelParameters(out, REASONING, 'o3-mini', drop);
  return out;
};

describe('model parameter rules', () => {
  const messages = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hi' },
  ];

  it('renames max_tokens to max_completion_tokens and sends system messages as developer', () => {
    expect(fit({ model: 'o3-mini', messages, max_tokens: 100 })).toEqual({
      model: 'o3-mini',
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 100,
    });
  });

  it('keeps max_completion_tokens when both are sent', () => {
    expect(fit({ messages, max_tokens: 100, max_completion_tokens: 50 })).toMatchObject({ max_completion_tokens: 50 });
    expect(fit({ messages, max_tokens: 100, max_completion_tokens: 50 })).not.toHaveProperty('max_tokens');
  });

  it('refuses a parameter the model does not accept with a 400 naming it, or drops it when asked', () => {
    expect(() => fit({ messages, temperature: 0.2, top_p: 0.5 })).toThrow(
      new UnsupportedParameterError('temperature', "'temperature' is not supported by the model o3-mini. Send x-gateway-drop-unsupported: true to drop it."),
    );
    expect(() => fit({ messages, presence_penalty: 0.5 })).toThrow(expect.objectContaining({ param: 'presence_penalty' }) as Error);
    const dropped = fit({ messages, temperature: 0.2, top_p: 0.5, logprobs: true, top_logprobs: 2, frequency_penalty: 1 }, true);
    expect(Object.keys(dropped)).toEqual(['messages']);
  });

  it('sends the default value a refused parameter still accepts (temperature: 1, top_p: 1) as it is', () => {
    expect(fit({ messages, temperature: 1, top_p: 1 })).toEqual({ messages: fit({ messages }).messages, temperature: 1, top_p: 1 });
    expect(() => fit({ messages, temperature: 1, top_p: 0.9 })).toThrow(expect.objectContaining({ param: 'top_p' }) as Error);
  });

  it('removes what asks for nothing (null, false) without a 400', () => {
    expect(fit({ messages, temperature: null, logprobs: false })).toEqual({ messages: fit({ messages }).messages });
  });

  it('leaves a body without system messages or refused parameters as it was', () => {
    const body = { messages: [{ role: 'user', content: 'Hi' }], reasoning_effort: 'low', max_completion_tokens: 10 };
    expect(fit(body)).toEqual(body);
  });
});

describe('OpenAI and Azure adapters apply the rules of the context', () => {
  const request: ChatRequest = {
    model: 'openai/o3-mini',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ],
    max_tokens: 64,
    temperature: 0.7,
  };
  const openai: AdapterContext<'openai'> = {
    target: { provider: 'openai', upstreamModel: 'o3-mini', baseUrl: 'http://127.0.0.1:1/v1', credentials: { api_key: 'sk-test' } },
    stream: false,
    dropUnsupported: true,
    parameters: REASONING,
  };
  const azure: AdapterContext<'azure-openai'> = {
    target: { provider: 'azure-openai', upstreamModel: 'o3-mini', baseUrl: null, credentials: { api_key: 'k', resource_name: 'r', api_version: '2024-12-01-preview' } },
    stream: false,
    dropUnsupported: true,
    parameters: REASONING,
  };
  const bodyOf = (u: unknown) => JSON.parse((u as { body: string }).body) as Record<string, unknown>;

  it('maps and drops for both, and leaves the caller request untouched', () => {
    for (const upstream of [openaiAdapter.buildRequest(request, openai), azureOpenAIAdapter.buildRequest(request, azure)]) {
      const body = bodyOf(upstream);
      expect(body).toMatchObject({ max_completion_tokens: 64, messages: [{ role: 'developer' }, { role: 'user' }] });
      expect(body).not.toHaveProperty('max_tokens');
      expect(body).not.toHaveProperty('temperature');
    }
    expect(request).toMatchObject({ max_tokens: 64, temperature: 0.7, messages: [{ role: 'system' }, { role: 'user' }] });
  });

  it('refuses without x-gateway-drop-unsupported, and does nothing without rules', () => {
    expect(() => openaiAdapter.buildRequest(request, { ...openai, dropUnsupported: false })).toThrow(UnsupportedParameterError);
    expect(bodyOf(openaiAdapter.buildRequest(request, { ...openai, parameters: undefined }))).toMatchObject({ max_tokens: 64, temperature: 0.7 });
  });
});

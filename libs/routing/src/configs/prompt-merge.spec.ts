import { applyPrompt, parsePromptField, type RenderedPrompt } from './prompt-merge';

const saved: RenderedPrompt = {
  messages: [{ role: 'system', content: 'You write haiku about cats.' }],
  model: 'gpt-4.1',
  parameters: { temperature: 0.2, max_tokens: 100 },
};
const body = { model: 'gpt-4o-mini', temperature: 0.9, messages: [{ role: 'user', content: 'Go' }], user: 'u1' };
const field = (extra: Record<string, unknown> = {}) => parsePromptField({ prompt_id: 'p', ...extra });

describe('applyPrompt: override precedence', () => {
  it("by default the request's fields win over the prompt's parameters and the request's messages follow the prompt's", () => {
    expect(applyPrompt({ ...body, prompt: {} }, field(), saved)).toEqual({
      model: 'gpt-4o-mini',
      temperature: 0.9,
      max_tokens: 100,
      user: 'u1',
      messages: [{ role: 'system', content: 'You write haiku about cats.' }, { role: 'user', content: 'Go' }],
    });
  });

  it("takes the prompt's model when the request sends none", () => {
    expect(applyPrompt({ messages: [] }, field(), saved)).toMatchObject({ model: 'gpt-4.1', temperature: 0.2, messages: saved.messages });
  });

  it("with override the prompt's model, messages and parameters replace the request's", () => {
    expect(applyPrompt(body, field({ override: true }), saved)).toEqual({ model: 'gpt-4.1', temperature: 0.2, max_tokens: 100, user: 'u1', messages: saved.messages });
  });

  it('override_params win over both; their messages replace the result or, in append mode, follow it', () => {
    const params = { temperature: 0.5, model: 'gpt-5', messages: [{ role: 'user', content: 'More' }] };
    expect(applyPrompt(body, field({ override: true, override_params: params }), saved)).toEqual({ model: 'gpt-5', temperature: 0.5, max_tokens: 100, user: 'u1', messages: params.messages });
    expect(applyPrompt(body, field({ override_params: params, override_config: { messages_override_mode: 'append' } }), saved).messages).toEqual([
      { role: 'system', content: 'You write haiku about cats.' },
      { role: 'user', content: 'Go' },
      { role: 'user', content: 'More' },
    ]);
  });
});

describe('parsePromptField', () => {
  it('accepts the Keywords AI shape', () => {
    expect(parsePromptField({ prompt_id: 'p', variables: { a: 1 }, version: 'latest', echo: true, override_config: { messages_override_mode: 'append' } })).toMatchObject({ version: 'latest' });
  });

  it('refuses unknown fields, bad versions and override_params fields a prompt cannot set, naming them', () => {
    expect(() => parsePromptField({ prompt_id: 'p', bogus: 1 })).toThrow(expect.objectContaining({ param: 'prompt.bogus' }));
    expect(() => parsePromptField({ prompt_id: 'p', version: 0 })).toThrow(expect.objectContaining({ param: 'prompt.version' }));
    expect(() => parsePromptField({ prompt_id: 'p', override_params: { api_key: 'x' } })).toThrow(expect.objectContaining({ param: 'prompt.override_params.api_key' }));
    expect(() => parsePromptField({ prompt_id: 'p', override_config: { messages_override_mode: 'merge' } })).toThrow(expect.objectContaining({ param: 'prompt.override_config.messages_override_mode' }));
  });
});

import { applyVariant, checkParameters } from './config-variant';

describe('applyVariant: a config variant merged into a chat body', () => {
  const body = { model: 'gpt-4o-mini', temperature: 1, top_p: 0.5, messages: [{ role: 'user', content: 'Hello' }], input: { name: 'Ada' }, metadata: { a: '1' } };

  it("overrides the body's model and parameters, prepends the system prompt and removes input", () => {
    const out = applyVariant(body, { model: 'gpt-4.1', parameters: { temperature: 0.2, max_tokens: 50 }, systemPrompt: 'You help Ada.' });
    expect(out).toEqual({
      model: 'gpt-4.1',
      temperature: 0.2,
      top_p: 0.5,
      max_tokens: 50,
      messages: [{ role: 'system', content: 'You help Ada.' }, { role: 'user', content: 'Hello' }],
      metadata: { a: '1' },
    });
    expect(body.input).toEqual({ name: 'Ada' }); // a copy
  });

  it("keeps the body's model and messages when the variant sets neither", () => {
    expect(applyVariant(body, { model: null, parameters: {}, systemPrompt: '' })).toEqual({ model: 'gpt-4o-mini', temperature: 1, top_p: 0.5, messages: body.messages, metadata: { a: '1' } });
  });
});

describe('checkParameters', () => {
  it('accepts sampling, tool and stream parameters', () => {
    expect(() => checkParameters({ temperature: 0.3, max_tokens: 10, stop: ['x'], tool_choice: 'none', stream: false }, 'parameters')).not.toThrow();
  });

  it('refuses unknown names and invalid values, naming the field', () => {
    expect(() => checkParameters({ messages: [] }, 'parameters')).toThrow(expect.objectContaining({ param: 'parameters.messages' }));
    expect(() => checkParameters({ temperature: 'hot' }, 'parameters')).toThrow(expect.objectContaining({ param: 'parameters.temperature' }));
  });
});

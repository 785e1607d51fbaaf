import { ModelCatalog } from './catalog';

describe('catalog parameter rules', () => {
  const catalog = new ModelCatalog();

  it('gives the o-series and gpt-5 reasoning rules by entry or by id pattern, none to other models', () => {
    const reasoning = catalog.parametersFor('openai', 'o3-mini');
    expect(reasoning).toMatchObject({ rename: { max_tokens: 'max_completion_tokens' }, system_role: 'developer' });
    expect(reasoning!.unsupported).toEqual(expect.arrayContaining(['temperature', 'top_p', 'presence_penalty', 'frequency_penalty', 'logprobs']));
    expect(reasoning!.unsupported).not.toContain('stop');
    const noStop = catalog.parametersFor('azure-openai', 'o4-mini');
    expect(noStop).toEqual({ ...reasoning, unsupported: [...reasoning!.unsupported!, 'stop'] });
    for (const id of ['o3-mini-2025-01-31', 'o1']) expect(catalog.parametersFor('openai', id)).toBe(reasoning);
    for (const id of ['o3', 'o3-2025-04-16', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'gpt-5.1']) expect(catalog.parametersFor('openai', id)).toBe(noStop);
    for (const id of ['gpt-4o-mini', 'gpt-4.1', 'gpt-5-chat-latest', 'o1-mini']) expect(catalog.parametersFor('openai', id)).toBeUndefined();
    expect(catalog.parametersFor('groq', 'o3-like-model')).toBeUndefined();
  });

  it('refuses a document naming a profile it does not define', () => {
    const model = { slug: 'x', context_window: 1, max_output_tokens: 1, capabilities: [], providers: [{ provider: 'openai', model: 'x' }], parameters: 'nope' };
    expect(() => new ModelCatalog({ version: 'v', models: [model] })).toThrow("catalog: unknown parameter profile 'nope' for x");
  });
});
